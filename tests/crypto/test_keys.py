"""Keys: bunq's PEM forms, the 2048-bit floor, pins, owner-only files."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from bunq_helpers.crypto import keys
from bunq_helpers.errors import BunqHelpersError, InvalidKeyError
from tests.helpers import KEYS_DIR


def test_generated_key_is_rsa_2048_and_exports_bunq_pem_forms() -> None:
    key = keys.generate_private_key()
    assert key.key_size == 2048
    public_pem = keys.public_key_to_pem(key)
    assert public_pem.startswith("-----BEGIN PUBLIC KEY-----\n")
    assert public_pem.endswith("-----END PUBLIC KEY-----")
    assert keys.private_key_to_pem(key).startswith("-----BEGIN " + "PRIVATE KEY-----\n")  # PKCS#8


def test_refuses_keys_under_2048_bits() -> None:
    with pytest.raises(InvalidKeyError, match="2048"):
        keys.generate_private_key(1024)
    with pytest.raises(InvalidKeyError, match="1024 bits"):
        keys.load_public_key((KEYS_DIR / "too-small-1024.pub.pem").read_text())
    with pytest.raises(InvalidKeyError, match="1024 bits"):
        keys.load_private_key((KEYS_DIR / "too-small-1024.pem").read_text())


def test_min_bits_lets_a_server_take_2047_bit_keys_while_the_default_stays_2048() -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa

    short = rsa.generate_private_key(public_exponent=65537, key_size=2047)  # noqa: S505 (the point of the test)
    pem = keys.public_key_to_pem(short)
    assert keys.load_public_key(pem, min_bits=2047).key_size == 2047
    with pytest.raises(InvalidKeyError, match="2047 bits; bunq requires 2048-bit keys"):
        keys.load_public_key(pem)


def test_refuses_ec_and_non_pem() -> None:
    with pytest.raises(InvalidKeyError, match="not RSA"):
        keys.load_public_key((KEYS_DIR / "ec-p256.pub.pem").read_text())
    with pytest.raises(InvalidKeyError, match="BEGIN PUBLIC KEY"):
        keys.load_public_key("ssh-rsa AAAAB3Nza...")
    with pytest.raises(InvalidKeyError, match="could not be decoded"):
        keys.load_public_key("-----BEGIN PUBLIC KEY-----\nnot base64\n-----END PUBLIC KEY-----")
    assert issubclass(InvalidKeyError, BunqHelpersError) and issubclass(InvalidKeyError, ValueError)


@pytest.mark.parametrize(
    "mangle", [lambda p: p.replace("\n", "\r\n"), lambda p: p + "\n", lambda p: p.rstrip()]
)
def test_public_key_tolerates_line_endings(client_key: keys.PrivateKey, mangle) -> None:
    pem = mangle(keys.public_key_to_pem(client_key))
    assert keys.load_public_key(pem).public_numbers() == client_key.public_key().public_numbers()


def test_pin_matches_openssl(client_key: keys.PrivateKey) -> None:
    # openssl pkey -pubin -in throwaway-client-key.pub.pem -outform DER | openssl dgst -sha256 -binary | base64
    assert keys.pin_of_public_key(client_key) == "sha256/0pyQ8ULDfDlrRi207BQSGwZZwl0gSxpggZmh7z8lOZo="


def test_save_private_key_is_owner_only_and_loadable(tmp_path: Path, client_key: keys.PrivateKey) -> None:
    (tmp_path / "keys").mkdir()
    path = keys.save_private_key(client_key, tmp_path / "keys" / "client.pem")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert keys.load_private_key(path.read_text()).private_numbers() == client_key.private_numbers()
    assert [p.name for p in path.parent.iterdir()] == ["client.pem"]


def test_the_pem_loaders_are_cryptographys_public_ones() -> None:
    """keys reaches them without importing cryptography's serialization package (import time):
    they must stay the very functions that package exports."""
    from cryptography.hazmat.primitives import serialization

    assert keys._loaders.load_pem_private_key is serialization.load_pem_private_key
    assert keys._loaders.load_pem_public_key is serialization.load_pem_public_key
    assert keys.serialization.Encoding is serialization.Encoding
