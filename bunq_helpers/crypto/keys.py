"""RSA keys in the forms bunq uses, and SPKI pins. Pure functions: no HTTP, no files but the ones asked for.

bunq wants a 2048-bit RSA key pair per installation. The public key travels as PEM
SubjectPublicKeyInfo (``-----BEGIN PUBLIC KEY-----``); the SDKs store the private key as PKCS#8
(a PKCS#8 "PRIVATE KEY" PEM block). A pin is ``sha256/<base64 SHA-256 of the SubjectPublicKeyInfo>``,
the form OkHttp and bunq's Java SDK use.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import os
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa

try:  # the PEM loaders serialization re-exports (cryptography 43+), without that package, whose SSH
    # support alone costs a process about 15 ms to import (every command-line run loads two keys)
    from cryptography.hazmat.bindings._rust import openssl as _rust_openssl
    from cryptography.hazmat.primitives import _serialization as serialization

    _loaders: Any = _rust_openssl.keys
except (ImportError, AttributeError):  # pragma: no cover - older cryptography
    from cryptography.hazmat.primitives import serialization

    _loaders = serialization

from ..errors import InvalidKeyError
from .atomic_file import write_atomically
from .certificate import expiry_and_public_key

__all__ = [
    "MIN_KEY_BITS",
    "PUBLIC_EXPONENT",
    "PrivateKey",
    "PublicKey",
    "generate_private_key",
    "load_private_key",
    "load_public_key",
    "pin_of_certificate",
    "pin_of_public_key",
    "private_key_to_pem",
    "public_key_to_pem",
    "save_private_key",
]

MIN_KEY_BITS = 2048
PUBLIC_EXPONENT = 65537
PIN_PREFIX = "sha256/"

PrivateKey = rsa.RSAPrivateKey
PublicKey = rsa.RSAPublicKey


def _check_size(bits: int, min_bits: int = MIN_KEY_BITS) -> None:
    if bits < min_bits:
        raise InvalidKeyError(
            f"The RSA key has {bits} bits; bunq requires {MIN_KEY_BITS}-bit keys. "
            f"Generate a new one with generate_private_key()."
        )


def generate_private_key(bits: int = MIN_KEY_BITS) -> PrivateKey:
    """A new RSA private key; refuses anything under 2048 bits."""
    _check_size(bits)
    return rsa.generate_private_key(public_exponent=PUBLIC_EXPONENT, key_size=bits)


def private_key_to_pem(key: PrivateKey) -> str:
    """The private key as unencrypted PKCS#8 PEM, as bunq's SDKs store it."""
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")


def public_key_to_pem(key: PublicKey | PrivateKey) -> str:
    """The public key as PEM SubjectPublicKeyInfo, without a trailing newline (as sdk_python sends it)."""
    if isinstance(key, rsa.RSAPrivateKey):
        key = key.public_key()
    pem = key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return pem.decode("ascii").rstrip("\n")


def _normalise_pem(pem: str | bytes) -> bytes:
    if isinstance(pem, str):
        pem = pem.encode("utf-8", errors="replace")
    return pem.replace(b"\r\n", b"\n").replace(b"\r", b"\n").strip() + b"\n"


def load_public_key(pem: str | bytes, *, min_bits: int = MIN_KEY_BITS) -> PublicKey:
    """An RSA public key from PEM SubjectPublicKeyInfo; tolerant of CRLF and a missing newline.

    ``min_bits`` lets a server accept what real clients send for "2048 bits" (the local sandbox
    takes 2047-bit moduli, as jsrsasign makes them); the client side keeps the default.
    """
    data = _normalise_pem(pem)
    if b"-----BEGIN PUBLIC KEY-----" not in data:
        raise InvalidKeyError(
            "Expected a PEM public key starting with '-----BEGIN PUBLIC KEY-----' "
            "(SubjectPublicKeyInfo). Export it with public_key_to_pem()."
        )
    try:
        key = _loaders.load_pem_public_key(data)
    except ValueError as exc:
        raise InvalidKeyError(f"The public key PEM could not be decoded: {exc}") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise InvalidKeyError(
            f"The public key is {type(key).__name__.lstrip('_')}, not RSA; bunq only takes RSA keys."
        )
    _check_size(key.key_size, min_bits)
    return key


def load_private_key(pem: str | bytes, *, trusted: bool = False) -> PrivateKey:
    """An RSA private key from unencrypted PEM (PKCS#8 or PKCS#1).

    OpenSSL checks an RSA key's maths on load, which takes tens of milliseconds. ``trusted=True``
    skips that check for a key this package wrote itself (a saved context), as cryptography allows
    for keys from a trusted source; the PEM is still parsed and its size checked.
    """
    data = _normalise_pem(pem)
    try:
        key = _loaders.load_pem_private_key(data, password=None, unsafe_skip_rsa_key_validation=trusted)
    except (ValueError, TypeError) as exc:
        raise InvalidKeyError(
            f"The private key PEM could not be loaded ({exc}). Expected an unencrypted PKCS#8 "
            "PEM block (what private_key_to_pem() writes)."
        ) from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise InvalidKeyError("The private key is not an RSA key; bunq only takes RSA keys.")
    _check_size(key.key_size)
    return key


def save_private_key(key: PrivateKey, path: str | os.PathLike[str]) -> Path:
    """Write the key as PKCS#8 PEM, readable by the owner only (0600), atomically."""
    return write_atomically(path, private_key_to_pem(key))


def pin_of_public_key(key: PublicKey | PrivateKey | bytes) -> str:
    """``sha256/<base64>`` of a key's DER SubjectPublicKeyInfo (or of SPKI DER bytes given directly)."""
    if isinstance(key, rsa.RSAPrivateKey):
        key = key.public_key()
    if isinstance(key, bytes):
        spki = key
    else:
        spki = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return PIN_PREFIX + base64.b64encode(hashlib.sha256(spki).digest()).decode("ascii")


@functools.lru_cache(maxsize=64)
def pin_of_certificate(certificate: bytes | str) -> str:
    """The SPKI pin of a certificate given as DER bytes or PEM text (worked out once per certificate:
    every new connection checks it; read from the DER, see ``certificate``)."""
    return pin_of_public_key(expiry_and_public_key(certificate)[1])
