"""The local sandbox's TLS material and its response-signing key, kept in the state directory.

A private certificate authority (made with ``trustme``, python-trio's library for exactly this)
issues the server certificate for ``127.0.0.1``, ``localhost`` and ``::1``. Clients trust
``ca.pem`` and may pin the server key (``sha256/…`` of its SubjectPublicKeyInfo). Everything is
made once and reused, so the CA file, the pin and the server's response-signing key stay the same
across restarts: a context saved today, with its pinned key and ``ServerPublicKey``, still works
tomorrow. Private keys are written owner-only (0600). ``ca.pem`` only means something to clients
that were told to trust it; no system trust store is touched.

Starting from a prepared state directory is cheap: the CA is only loaded when a certificate must be
issued, the certificate's expiry and pin are read from its DER once per content (without
cryptography's x509), and the signing key, which this module wrote itself, is loaded without OpenSSL's slow RSA consistency check.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..crypto.atomic_file import write_atomically
from ..crypto.certificate import expiry_and_public_key
from ..crypto.keys import (
    PrivateKey,
    generate_private_key,
    load_private_key,
    pin_of_public_key,
    private_key_to_pem,
)

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows has no fcntl; one process per state dir there
    fcntl = None  # type: ignore[assignment]

CA_CERT = "ca.pem"
CA_KEY = "ca-key.pem"
SERVER_CERT = "server-cert.pem"
SERVER_KEY = "server-key.pem"
SIGNING_KEY = "response-signing-key.pem"
LOCK_FILE = ".init.lock"
SERVER_NAMES = ("127.0.0.1", "localhost", "::1")
LEAF_LIFETIME = dt.timedelta(days=825)
RENEW_BEFORE = dt.timedelta(days=30)


@dataclass(frozen=True)
class ServerCredentials:
    """Paths and pin of the TLS material, and the key that signs every response."""

    ca_file: Path
    cert_file: Path
    key_file: Path
    pin: str
    signing_key: PrivateKey


@contextlib.contextmanager
def _exclusive(state_dir: Path) -> Iterator[None]:
    """Serialise first-time set-up between processes sharing a state directory."""
    if fcntl is None:  # pragma: no cover
        yield
        return
    with open(state_dir / LOCK_FILE, "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@functools.lru_cache(maxsize=16)
def _leaf_facts(chain_pem: bytes) -> tuple[dt.datetime, str]:
    """(expiry, SPKI pin) of the first certificate in a PEM chain, parsed once per content."""
    expiry, public_key = expiry_and_public_key(chain_pem.decode("ascii"))
    return expiry, pin_of_public_key(public_key)


def _certificate_authority(paths: dict[str, Path]) -> Any:
    """The state directory's CA (a ``trustme.CA``), made on first use."""
    import trustme  # only needed to issue a certificate

    if paths[CA_CERT].exists() and paths[CA_KEY].exists():
        return trustme.CA.from_pem(paths[CA_CERT].read_bytes(), paths[CA_KEY].read_bytes())
    ca = trustme.CA(organization_name="bunq_helpers local sandbox CA")
    write_atomically(paths[CA_KEY], ca.private_key_pem.bytes(), mode=0o600)
    write_atomically(paths[CA_CERT], ca.cert_pem.bytes(), mode=0o644)
    paths[SERVER_CERT].unlink(missing_ok=True)  # issued by another CA: issue a new one
    return ca


def load_or_create(state_dir: Path) -> ServerCredentials:
    """The state directory's TLS files and signing key, made on first use (or when due for renewal)."""
    state_dir.mkdir(parents=True, exist_ok=True)
    paths = {name: state_dir / name for name in (CA_CERT, CA_KEY, SERVER_CERT, SERVER_KEY, SIGNING_KEY)}
    with _exclusive(state_dir):
        now = dt.datetime.now(dt.timezone.utc)
        usable = all(paths[name].exists() for name in (CA_CERT, CA_KEY, SERVER_CERT, SERVER_KEY))
        if not usable or _leaf_facts(paths[SERVER_CERT].read_bytes())[0] - now < RENEW_BEFORE:
            ca = _certificate_authority(paths)
            leaf = ca.issue_cert(
                *SERVER_NAMES,
                common_name="bunq local sandbox",
                organization_name="bunq_helpers local sandbox",
                not_after=now + LEAF_LIFETIME,
            )
            write_atomically(paths[SERVER_KEY], leaf.private_key_pem.bytes(), mode=0o600)
            write_atomically(
                paths[SERVER_CERT], b"".join(blob.bytes() for blob in leaf.cert_chain_pems), mode=0o644
            )
        if paths[SIGNING_KEY].exists():
            # written by this module, owner-only: skip the RSA check (about 40 ms), as for saved contexts
            signing_key = load_private_key(paths[SIGNING_KEY].read_bytes(), trusted=True)
        else:
            signing_key = generate_private_key()
            write_atomically(paths[SIGNING_KEY], private_key_to_pem(signing_key).encode("ascii"), mode=0o600)
        chain = paths[SERVER_CERT].read_bytes()
    return ServerCredentials(
        ca_file=paths[CA_CERT],
        cert_file=paths[SERVER_CERT],
        key_file=paths[SERVER_KEY],
        pin=_leaf_facts(chain)[1],
        signing_key=signing_key,
    )


def server_tls_context(credentials: ServerCredentials) -> ssl.SSLContext:
    """The server side of TLS: the leaf certificate and its key, TLS 1.2 or newer."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(str(credentials.cert_file), str(credentials.key_file))
    return context
