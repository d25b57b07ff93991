"""bunq's request and response signatures, as small pure steps. No HTTP here.

Since 2020-04-28 bunq signs and verifies the **body bytes only**: RSASSA-PKCS1-v1_5 with SHA-256,
base64 with padding. The bytes are exactly those on the wire; nothing is re-serialised, so a
notebook can show "bytes signed -> signature -> header" with these three functions:

    digest = body_digest(body)                       # what the RSA operation covers
    signature = sign_body(private_key, body)         # value of X-Bunq-Client-Signature
    verify_body(public_key, body, signature)         # the other side's check, True or False

PKCS#1 v1.5 is deterministic, so the same key and bytes always give the same signature (the
known-answer tests rely on it). A 2048-bit signature is 256 bytes, 344 base64 characters.
"""

from __future__ import annotations

import base64
import binascii
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from .keys import PrivateKey, PublicKey

__all__ = [
    "CLIENT_SIGNATURE_HEADER",
    "SERVER_SIGNATURE_HEADER",
    "body_digest",
    "decode_signature",
    "sign_body",
    "verify_body",
]

CLIENT_SIGNATURE_HEADER = "X-Bunq-Client-Signature"
SERVER_SIGNATURE_HEADER = "X-Bunq-Server-Signature"


def _as_bytes(body: bytes | str | None) -> bytes:
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode("utf-8")
    return bytes(body)


def body_digest(body: bytes | str | None) -> str:
    """Hex SHA-256 of the body bytes: the hash the signature covers, for display."""
    return hashlib.sha256(_as_bytes(body)).hexdigest()


def sign_body(private_key: PrivateKey, body: bytes | str | None) -> str:
    """Base64 RSA PKCS#1 v1.5 SHA-256 signature of the exact body bytes (``b""`` for no body)."""
    raw = private_key.sign(_as_bytes(body), padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(raw).decode("ascii")


def decode_signature(signature: str | bytes | None) -> bytes | None:
    """The raw signature bytes from a header value, or None if it is empty or not valid base64."""
    if not signature:
        return None
    if isinstance(signature, str):
        try:
            signature = signature.strip().encode("ascii")
        except UnicodeEncodeError:
            return None
    try:
        return base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        return None


def verify_body(public_key: PublicKey, body: bytes | str | None, signature: str | bytes | None) -> bool:
    """True when ``signature`` (base64) is the key's signature of exactly these body bytes."""
    raw = decode_signature(signature)
    if raw is None:
        return False
    try:
        public_key.verify(raw, _as_bytes(body), padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True
