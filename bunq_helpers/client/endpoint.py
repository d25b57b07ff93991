"""Where requests go: an ``Endpoint`` is a base URL plus how to trust it (CA file, pins); ``connect`` finds it.

For the ``local`` environment ``connect`` starts the local sandbox in this process (once per state
directory) unless ``BUNQ_BASE_URL`` points at one that is already running. Its key is pinned by
default: the local sandbox's pin is known, so there is no reason not to. For bunq's sandbox and
production the system's CA store is used, plus ``BUNQ_PINNED_KEYS``.

This is the one client module that touches the local sandbox, and only to start it: it imports
``LocalSandbox`` when it needs one, so using bunq's servers never loads the sandbox. Stopping the
sandboxes at exit is the sandbox's own job (``local_sandbox.server``); this module only remembers
which one serves which state directory.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ..errors import InsecureUrlError
from .config import Environment, Settings

if TYPE_CHECKING:
    from ..local_sandbox import LocalSandbox

_local_sandboxes: dict[Path, LocalSandbox] = {}
_local_sandboxes_lock = threading.Lock()


def require_https(url: str) -> str:
    """The URL, if it is https://; otherwise InsecureUrlError."""
    scheme = urlsplit(url).scheme.lower()
    if scheme != "https":
        raise InsecureUrlError(
            f'Refusing {url!r}: bunq only speaks HTTPS ("All requests must use HTTPS. HTTP calls will '
            'fail."), and the API key and tokens must never travel in clear text. Use an https:// URL.'
        )
    return url


@dataclass(frozen=True)
class Endpoint:
    """A base URL (``https://…/v1/``) and how to trust it: ``verify`` (a CA file, or True for the
    system store) and optional SPKI ``pins``. An ``http://`` URL is refused here, before any client."""

    base_url: str
    verify: bool | str = True
    pins: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        url = require_https(self.base_url)
        object.__setattr__(self, "base_url", url if url.endswith("/") else url + "/")
        object.__setattr__(self, "pins", tuple(self.pins))


def local_sandbox(state_dir: Path) -> LocalSandbox:
    """The local sandbox serving ``state_dir`` in this process, started on first use."""
    from ..local_sandbox import LocalSandbox

    state_dir = Path(state_dir).resolve()
    with _local_sandboxes_lock:
        sandbox = _local_sandboxes.get(state_dir)
        if sandbox is None or not sandbox.running:
            sandbox = LocalSandbox(state_dir).start()
            _local_sandboxes[state_dir] = sandbox
        return sandbox


def connect(settings: Settings) -> Endpoint:
    """The endpoint the settings point at (starting the local sandbox if needed)."""
    if settings.environment is Environment.LOCAL:
        if settings.base_url:
            ca_file = settings.ca_file or str(settings.local_state_dir / "ca.pem")
            return Endpoint(settings.base_url, ca_file, settings.pinned_keys)
        sandbox = local_sandbox(settings.local_state_dir)
        return Endpoint(sandbox.base_url, sandbox.ca_file, settings.pinned_keys or (sandbox.pin,))
    base_url = settings.base_url or settings.environment.default_base_url or ""
    return Endpoint(base_url, settings.ca_file or True, settings.pinned_keys)
