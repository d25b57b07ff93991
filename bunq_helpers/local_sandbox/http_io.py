"""Requests in from WSGI and responses out, encoded and signed the way bunq does it.

Every response, errors included, is ``Content-Type: application/json`` exactly (raw file contents,
such as an attachment's, carry the file's own type instead), carries a fresh
``X-Bunq-Client-Response-Id``, echoes ``X-Bunq-Client-Request-Id`` when one was sent, and carries
``X-Bunq-Server-Signature``: the server key's RSA-SHA256 signature of the exact body bytes.
JSON is compact and escapes ``/`` as ``\\/``, as bunq's PHP-style encoder does, so clients that
re-serialise a body before checking its signature find out here rather than in production.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from ..crypto.keys import PrivateKey
from ..crypto.signing import sign_body

JSON_CONTENT_TYPE = "application/json"
API_PREFIX = "/v1/"

REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    429: "Too Many Requests",
    466: "Request Signature Required",
    500: "Internal Server Error",
    501: "Not Implemented",
}


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
    context: dict[str, Any] = field(default_factory=dict)

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


def request_from_environ(environ: dict[str, Any], body: bytes) -> Request:
    """Build a Request from a WSGI environ and the body already read."""
    headers = {}
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            headers[key[5:].replace("_", "-").lower()] = value
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = environ["CONTENT_TYPE"]
    raw_uri = environ.get("REQUEST_URI") or environ.get("RAW_URI") or environ.get("PATH_INFO", "/")
    raw_path, _, raw_query = raw_uri.partition("?")
    if not raw_query:
        raw_query = environ.get("QUERY_STRING", "")
    query = dict(parse_qsl(raw_query, keep_blank_values=True))
    return Request(
        method=environ.get("REQUEST_METHOD", "GET").upper(),
        raw_path=raw_path,
        query=query,
        headers=headers,
        body=body,
        remote_addr=environ.get("REMOTE_ADDR", ""),
    )


def encode_json(payload: Any) -> bytes:
    """Compact JSON with ``/`` escaped as ``\\/`` and non-ASCII as ``\\uXXXX``."""
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=True)
    return text.replace("/", "\\/").encode("ascii")


@dataclass
class Response:
    """Status, headers and body bytes, ready for WSGI."""

    status: int
    body: bytes
    headers: list[tuple[str, str]]

    @property
    def status_line(self) -> str:
        """``"200 OK"`` and friends, including bunq's own 466."""
        return f"{self.status} {REASONS.get(self.status, 'Error')}"


def build_response(
    status: int,
    payload: Any,
    request: Request | None,
    server_key: PrivateKey,
    *,
    extra_headers: list[tuple[str, str]] | None = None,
) -> Response:
    """Encode, sign and head a JSON response."""
    return build_raw_response(
        status, encode_json(payload), JSON_CONTENT_TYPE, request, server_key, extra_headers=extra_headers
    )


def build_raw_response(
    status: int,
    body: bytes,
    content_type: str,
    request: Request | None,
    server_key: PrivateKey,
    *,
    extra_headers: list[tuple[str, str]] | None = None,
) -> Response:
    """Sign and head a response whose body is ready as bytes (JSON, or a file's exact contents)."""
    headers = [
        ("Content-Type", content_type),
        ("Cache-Control", "no-cache"),
        ("X-Bunq-Client-Response-Id", str(uuid.uuid4())),
    ]
    if request is not None and request.request_id is not None:
        headers.append(("X-Bunq-Client-Request-Id", request.request_id))
    headers.append(("X-Bunq-Server-Signature", sign_body(server_key, body)))
    headers.extend(extra_headers or [])
    headers.append(("Content-Length", str(len(body))))
    return Response(status, body, headers)


def error_payload(description: str, translated: str) -> dict[str, Any]:
    """bunq's error body."""
    return {"Error": [{"error_description": description, "error_description_translated": translated}]}
