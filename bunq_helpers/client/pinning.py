"""Public-key pinning for ``requests``, checked when the TLS connection is made.

A pin is ``sha256/<base64 SHA-256 of the SubjectPublicKeyInfo>`` (OkHttp's form, which bunq's Java
SDK uses). The server certificate's key is compared right after the TLS handshake, before a single
byte of the request (which carries the API key or a token) is written; on a mismatch the
connection is closed and ``PinMismatchError`` names the pin that was seen. Certificate and host
name verification still run first: a pin narrows trust, it never replaces it.

Every connection of the adapter is one of these, pins or not, so every request has its deadline.
Its connections verify with a shared context per CA file (see ``trust``), not one made per connection.

Python before 3.13 exposes only the server's own certificate, not the verified chain, so the pin
is compared with the leaf certificate's key.
"""

from __future__ import annotations

import functools
from typing import Any

from requests import PreparedRequest
from requests.adapters import HTTPAdapter
from urllib3.connectionpool import HTTPSConnectionPool

from ..crypto.keys import pin_of_certificate
from ..errors import PinMismatchError
from .limits import DeadlineConnection
from .trust import trust_context


class PinnedHTTPSConnection(DeadlineConnection):
    """An HTTPS connection that checks the server key against ``pins`` after the handshake (and that
    the request's deadline can cut, see ``limits``)."""

    pins: tuple[str, ...] = ()

    def connect(self) -> None:
        super().connect()
        if not self.pins:
            return
        der = self.sock.getpeercert(binary_form=True) if self.sock is not None else None
        seen = pin_of_certificate(der) if der else "(no certificate)"
        if seen not in self.pins:
            self.close()
            raise PinMismatchError(
                f"The server at {self.host} presented a key with pin {seen}, which is not one of the "
                f"pinned keys ({', '.join(self.pins)}). Nothing was sent. If the server's key really "
                "changed, update BUNQ_PINNED_KEYS; otherwise something is intercepting the connection.",
                seen_pin=seen,
                expected_pins=self.pins,
            )


class BunqAdapter(HTTPAdapter):
    """The https:// adapter: optional pins and an optional source address to connect from."""

    def __init__(self, pins: tuple[str, ...] = (), source_address: str | None = None, **kwargs: Any) -> None:
        self.pins = tuple(pins)
        self.source_address = source_address
        super().__init__(**kwargs)

    def init_poolmanager(
        self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any
    ) -> None:
        if self.source_address:
            pool_kwargs["source_address"] = (self.source_address, 0)
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            **self.poolmanager.pool_classes_by_scheme,
            "https": _pool_class(self.pins),
        }

    def build_connection_pool_key_attributes(
        self, request: PreparedRequest, verify: bool | str, cert: Any = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """requests' pool key, with the shared context for ``verify`` instead of a CA file to load."""
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        if verify is not False and host_params.get("scheme") == "https":
            pool_kwargs.pop("ca_certs", None)
            pool_kwargs.pop("ca_cert_dir", None)
            pool_kwargs["ssl_context"] = trust_context(verify)
        return host_params, pool_kwargs

    def cert_verify(self, conn: Any, url: str, verify: bool | str, cert: Any) -> None:
        """As requests does, but the CA is already in the pool's context: nothing to load per connection."""
        super().cert_verify(conn, url, verify, cert)
        if verify is not False and getattr(conn, "conn_kw", {}).get("ssl_context") is not None:
            conn.ca_certs = conn.ca_cert_dir = None

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()
        state.update(pins=self.pins, source_address=self.source_address)
        return state


@functools.lru_cache(maxsize=64)
def _pool_class(pins: tuple[str, ...]) -> type[HTTPSConnectionPool]:
    """A urllib3 pool class whose connections check ``pins``: made once per set of pins, not per client."""
    connection_class = type("PinnedConnection", (PinnedHTTPSConnection,), {"pins": pins})
    return type("PinnedPool", (HTTPSConnectionPool,), {"ConnectionCls": connection_class})
