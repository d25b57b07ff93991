"""Signing: known answers computed with the openssl command line (see tests/keys/README.md)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bunq_helpers.crypto import keys, signing

# printf '%s' BODY | openssl dgst -sha256 -sign tests/keys/throwaway-client-key.pem | base64 -w0
KNOWN_ANSWERS = {
    b"": "Ct/Jll1A9XfHlG12iMJyl4L/YxlrpJxczntvvwdm2L4na+oPQ1ZbJ9fBS8qzPvei5tPJpil56UMLoqUMncaqoF9lyQr2rPRYjx3lSya1G4aRXjKXYExenHavm2X4PHAmYT0uHumIkDQ5B1C8MpCut/SfQFCwq9csB2vJw6c6LM3/m0vBlHepv93KF57t6M+uj3N7Q7+amSLmePxty+ux17aj7LEEAA3WOdx1APioRruEB55NdLpqsZ/LF2adQWfcxEwZjU/c0ezSh8Jz4xLRgNrOMn+oTYaRZ56HuL4KYXAFI1Ar2uqL0MZFORdf7dZ4tzEahODyUsp+4lpscfADcQ==",
    b'{"secret": "sandbox_NOT-A-REAL-KEY"}': "TV9lhpO4foaQH9b6Xkb53ZvzRchFxL8oE5TO++K37HfdOHl6vjEy9vLWzNEoO1yPKnlH+35/ChSHZAEhlVP+7ripTJFJ4pgXtajLR7p7fsMwGzdcO/1XJ5cagn6FHOzSfNAjJlHrkqWKWIoo1VEV5EIDZRfqW47+54jdHsfzlLYfqV/AQBwFJAQddbr8QHPWZHistEsOVwr7AK/Y2TghhrDXRhjbZwBL/d3wUlNhtXdfNZ+rqf10u6y4XDjpyAFNjC94yJeJlCVUuGafY4jgXkVlseaN2ZA4ATdvfbwram647KsVxtwXFB3PnWtvafC0EQ6Xxih7ovTJ+k92HcSixQ==",
    b'{\n\t"secret": "tabs and newlines, as Postman sends"\n}': "krArpYi/Dwp0eL4mXxXLib3AQBH7Sz9EZAkVmAfo2U6M+3LWHwy5TNmX/Vf9mj2gu7Gw3Ryxpb7EW2O2wEa8y3g32Zp5e8sUeELXUqLsExh3uLU+eZkR8lB7XER+2vlWwA0yu4PmavMKVWAqFO/cpxR7HB+nXZnb+jztXJ3E8qXLMfEvc0Dtk0PkIDV9lG9BdriAfBBt2uuW3POvXOdS+cTK6tpyGPX4VC1IQlydkY8fDZBK3mz/GcsoOzAZTygPofsbcQHjSxOOnedzZGX7O3hDU1+aL1mn54OAi4RNVrNy1EdFHuyhLEG6lueyCB6fj/V+saSJQjBixrlxjkqP7A==",
}


@pytest.mark.parametrize(("body", "expected"), list(KNOWN_ANSWERS.items()))
def test_signature_matches_openssl(client_key: keys.PrivateKey, body: bytes, expected: str) -> None:
    assert signing.sign_body(client_key, body) == expected
    assert len(expected) == 344


def test_digest_matches_openssl() -> None:
    # printf '%s' '{"x":1}' | openssl dgst -sha256
    assert (
        signing.body_digest(b'{"x":1}') == "5041bf1f713df204784353e82f6a4a535931cb64f1f4b4a5aeaffcb720918b22"
    )


def test_str_and_none_bodies_sign_their_bytes(client_key: keys.PrivateKey) -> None:
    assert signing.sign_body(client_key, None) == KNOWN_ANSWERS[b""]
    text = '{"secret": "sandbox_NOT-A-REAL-KEY"}'
    assert signing.sign_body(client_key, text) == KNOWN_ANSWERS[text.encode()]


def test_verify_accepts_known_answer_and_rejects_any_change(client_key: keys.PrivateKey) -> None:
    public = client_key.public_key()
    body, signature = next(iter(KNOWN_ANSWERS.items()))
    assert signing.verify_body(public, body, signature)
    assert not signing.verify_body(public, body + b" ", signature)
    assert not signing.verify_body(public, body, "A" + signature[1:])


@pytest.mark.parametrize("bad", ["", None, "not base64!!", "QUJD", "é"])
def test_verify_rejects_malformed_signatures(client_key: keys.PrivateKey, bad: str | None) -> None:
    assert signing.verify_body(client_key.public_key(), b"{}", bad) is False


@settings(max_examples=40, deadline=None)
@given(body=st.binary(max_size=2048))
def test_sign_then_verify_round_trips_any_bytes(client_key: keys.PrivateKey, body: bytes) -> None:
    signature = signing.sign_body(client_key, body)
    assert signing.verify_body(client_key.public_key(), body, signature)
    assert signing.sign_body(client_key, body) == signature  # PKCS#1 v1.5 is deterministic


@settings(max_examples=40, deadline=None)
@given(body=st.binary(min_size=1, max_size=512), flip=st.integers(min_value=0))
def test_any_flipped_bit_breaks_verification(client_key: keys.PrivateKey, body: bytes, flip: int) -> None:
    signature = signing.sign_body(client_key, body)
    index = flip % (len(body) * 8)
    changed = bytearray(body)
    changed[index // 8] ^= 1 << (index % 8)
    assert not signing.verify_body(client_key.public_key(), bytes(changed), signature)
