"""Requests in from the HTTP layer and responses out, encoded and signed the way bunq does it.

Every response, errors included, is ``Content-Type: application/json`` exactly (raw file contents,
such as an attachment's, carry the file's own type instead), carries a fresh
``X-Bunq-Client-Response-Id``, echoes ``X-Bunq-Client-Request-Id`` when one was sent, and carries
``X-Bunq-Server-Signature``: the server key's RSA-SHA256 signature of the exact body bytes.
JSON is compact and escapes ``/`` as ``\\/``, as bunq's PHP-style encoder does, so clients that
re-serialise a body before checking its signature find out here rather than in production.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import random
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from ..crypto.keys import PrivateKey
from ..crypto.signing import sign_body

JSON_CONTENT_TYPE = "application/json"
API_PREFIX = "/v1/"

REASONS = {
    200: "OK",
    302: "Found",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    429: "Too Many Requests",
    466: "Request Signature Required",
    500: "Internal Server Error",
    501: "Not Implemented",
    503: "Service Unavailable",
}


class Disconnect(Exception):
    """Raised by the app to drop the connection without an answer (the ``disconnect`` fault)."""


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


def encode_json(payload: Any) -> bytes:
    """Compact JSON with ``/`` escaped as ``\\/`` and non-ASCII as ``\\uXXXX``."""
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=True)
    return text.replace("/", "\\/").encode("ascii")


@dataclass
class Response:
    """Status, headers and body bytes, ready to send."""

    status: int
    body: bytes
    headers: list[tuple[str, str]]
    hold_seconds: float = 0.0  # the ``slow`` fault: how long the server holds the answer back

    @property
    def status_line(self) -> str:
        """``"200 OK"`` and friends, including bunq's own 466."""
        return f"{self.status} {REASONS.get(self.status, 'Error')}"


def build_response(
    status: int,
    payload: Any,
    request: Request | None,
    server_key: PrivateKey,
) -> Response:
    """Encode, sign and head a JSON response."""
    return build_raw_response(status, encode_json(payload), JSON_CONTENT_TYPE, request, server_key)


def build_raw_response(
    status: int,
    body: bytes,
    content_type: str,
    request: Request | None,
    server_key: PrivateKey,
) -> Response:
    """Sign and head a response whose body is ready as bytes (JSON, or a file's exact contents)."""
    headers = [
        ("Content-Type", content_type),
        ("Cache-Control", "no-cache"),
        ("X-Bunq-Client-Response-Id", response_id()),
    ]
    if request is not None and request.request_id is not None:
        headers.append(("X-Bunq-Client-Request-Id", request.request_id))
    headers.append(("X-Bunq-Server-Signature", sign_body(server_key, body)))
    headers.append(("Content-Length", str(len(body))))
    return Response(status, body, headers)


_ids = random.Random()  # noqa: S311 - response ids must be unique, not secret: no system call per answer


def response_id() -> str:
    """A fresh random (version 4) UUID for X-Bunq-Client-Response-Id."""
    bits = f"{_ids.getrandbits(128):032x}"
    variant = "89ab"[int(bits[16], 16) & 3]
    return f"{bits[:8]}-{bits[8:12]}-4{bits[13:16]}-{variant}{bits[17:20]}-{bits[20:]}"


def error_payload(description: str, translated: str) -> dict[str, Any]:
    """bunq's error body."""
    return {"Error": [{"error_description": description, "error_description_translated": translated}]}
