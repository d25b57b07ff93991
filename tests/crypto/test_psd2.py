"""The string a PSD2 provider signs: both of bunq's SDKs' versions, made and recognised."""

from __future__ import annotations

from bunq_helpers.crypto import keys, psd2
from bunq_helpers.crypto.signing import sign_body


def test_both_signed_strings_of_bunqs_sdks_verify(client_key) -> None:
    certificate_key = keys.generate_private_key()  # the PSD2 certificate's key
    pem = keys.public_key_to_pem(client_key)
    strings = psd2.strings_to_sign(pem, "a" * 64)
    assert strings["sdk_python (PEM, newline, token)"] == (pem.rstrip("\n") + "\n" + "a" * 64).encode()
    assert strings["sdk_java / sdk_php (PEM then token)"] == (pem.rstrip("\n") + "a" * 64).encode()
    public = certificate_key.public_key()
    for name, signed in strings.items():
        assert psd2.matching_string(public, sign_body(certificate_key, signed), pem, "a" * 64) == name
    assert psd2.matching_string(public, sign_body(client_key, strings[name]), pem, "a" * 64) is None
