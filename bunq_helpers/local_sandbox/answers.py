"""Answers encoded and signed the way bunq does it.

Every response, errors included, is ``Content-Type: application/json`` exactly (raw file contents,
such as an attachment's, carry the file's own type instead), carries a fresh
``X-Bunq-Client-Response-Id``, echoes ``X-Bunq-Client-Request-Id`` when one was sent, and carries
``X-Bunq-Server-Signature``: the server key's RSA-SHA256 signature of the exact body bytes.
JSON is compact and escapes ``/`` as ``\\/``, as bunq's PHP-style encoder does, so clients that
re-serialise a body before checking its signature find out here rather than in production.
"""

from __future__ import annotations

import random
from typing import Any

from ..crypto.keys import PrivateKey
from ..crypto.signing import sign_body
from .encoding import JSON_CONTENT_TYPE, encode_json
from .http_io import Response
from .request import Request


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
