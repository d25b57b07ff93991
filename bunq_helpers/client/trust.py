"""The TLS contexts clients verify servers with: one per CA file as it is on disk, shared by all clients.

Making an ``ssl.SSLContext`` and loading its CA file costs more CPU than a whole HTTPS request here
(about 0.2 ms per connection with OpenSSL 3), and ``requests``/``urllib3`` do it for every new
connection when given a CA file. A context only holds what to trust, so it is made once per CA
file and reused; it is keyed by the file's path, size, inode and modification time, so a file that
changed (a reset local sandbox writes a new CA) gets a new context at the next connection.

``verify=True`` means what it means to ``requests``: its CA bundle (certifi's). Hostname checks
and certificate verification stay on: the context is urllib3's default one with the CA loaded.
"""

from __future__ import annotations

import os
import ssl
import threading

from requests.utils import DEFAULT_CA_BUNDLE_PATH
from urllib3.util.ssl_ import create_urllib3_context

_lock = threading.Lock()
_contexts: dict[str, tuple[tuple[int, int, int, bool], ssl.SSLContext]] = {}


def trust_location(verify: bool | str) -> str:
    """The CA file or folder a ``verify`` value stands for."""
    return DEFAULT_CA_BUNDLE_PATH if verify is True else str(verify)


def trust_context(verify: bool | str) -> ssl.SSLContext:
    """A verifying context that trusts the CA file (or folder) ``verify`` names, as it is now.

    Raises ``OSError`` (as ``requests`` does) when the location does not exist.
    """
    location = trust_location(verify)
    try:
        info = os.stat(location)
    except OSError:
        raise OSError(
            f"Could not find a suitable TLS CA certificate bundle, invalid path: {location}"
        ) from None
    version = (info.st_ino, info.st_size, info.st_mtime_ns, os.path.isdir(location))
    with _lock:
        known = _contexts.get(location)
        if known is not None and known[0] == version:
            return known[1]
    context = create_urllib3_context(cert_reqs=ssl.CERT_REQUIRED)
    if version[3]:
        context.load_verify_locations(capath=location)
    else:
        context.load_verify_locations(cafile=location)
    with _lock:
        _contexts[location] = (version, context)
    return context
