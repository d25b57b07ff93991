"""The request record the app and its handlers read: what arrived, as text, never normalised.

The HTTP layer hands over the bytes it read (``request_from_head``); everything above works on this.
"""

from __future__ import annotations

import functools
import ipaddress
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

API_PREFIX = "/v1/"


@dataclass
class Request:
    """One HTTP request as the handlers see it."""

    method: str
    raw_path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-cased names
    body: bytes
    remote_addr: str
    route_path: str = ""  # the path below /v1/, no trailing slash
    context: dict[str, Any] = field(default_factory=dict)  # what the app learnt (the route that served it)

    def header(self, name: str) -> str | None:
        """A request header by case-insensitive name."""
        return self.headers.get(name.lower())

    @property
    def request_id(self) -> str | None:
        """X-Bunq-Client-Request-Id, if sent."""
        return self.header("X-Bunq-Client-Request-Id")

    @property
    def language(self) -> str | None:
        """X-Bunq-Language, if sent."""
        return self.header("X-Bunq-Language")


def request_from_head(
    method: bytes, target: bytes, headers: list[tuple[bytes, bytes]], body: bytes, remote_addr: str
) -> Request:
    """Build a Request from what the HTTP layer read: the literal request target, never normalised.

    Bytes are decoded as ISO-8859-1, as WSGI does, so nothing a client sends fails to decode.
    A header sent twice is joined with ``", "``.
    """
    joined: dict[str, str] = {}
    for name, value in headers:
        key = name.decode("latin-1").lower()
        text = value.decode("latin-1")
        joined[key] = f"{joined[key]}, {text}" if key in joined else text
    raw_path, _, raw_query = target.decode("latin-1").partition("?")
    return Request(
        method=method.decode("latin-1").upper(),
        raw_path=raw_path,
        query=dict(parse_qsl(raw_query, keep_blank_values=True)) if raw_query else {},
        headers=joined,
        body=body,
        remote_addr=normal_ip(remote_addr),
    )


@functools.lru_cache(maxsize=1024)
def normal_ip(address: str) -> str:
    """An address in its canonical form; an IPv4-mapped IPv6 address (``::ffff:127.0.0.1``, what a
    dual-stack listener on ``::`` reports for IPv4 clients) becomes the IPv4 address it maps."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ip)
