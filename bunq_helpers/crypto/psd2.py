"""The string a PSD2 provider signs to prove it holds its certificate's key, on both sides. No HTTP here.

``POST /v1/payment-service-provider-credential`` carries ``client_public_key_signature``: the
certificate key's RSA PKCS#1 v1.5 SHA-256 signature, base64, of the installation's client public key
(PEM) with the installation token appended "as a nonce" (bunq's OpenAPI description of the field).
bunq's SDKs disagree on what sits between the two:

- sdk_python ``ApiContext.__initialize_psd2_credential``: ``public_key_pem + "\\n" + token``
  (its PEM ends without a newline, so the token starts on a line of its own);
- sdk_java ``initializePsd2Credential`` and sdk_php: ``public_key_pem + token``, nothing between.

The local sandbox accepts both (``strings_to_sign``); ``bunq_helpers`` signs the Python SDK's, the
one a learner can check against bunq's own Python code.
"""

from __future__ import annotations

from .keys import PrivateKey, PublicKey
from .signing import sign_body, verify_body

# name -> what goes between the PEM and the token
JOINS = {"sdk_python (PEM, newline, token)": "\n", "sdk_java / sdk_php (PEM then token)": ""}


def string_to_sign(client_public_key_pem: str, installation_token: str, join: str = "\n") -> bytes:
    """The exact bytes signed: the PEM without trailing newlines, ``join``, then the token."""
    return (client_public_key_pem.rstrip("\n") + join + installation_token).encode("utf-8")


def strings_to_sign(client_public_key_pem: str, installation_token: str) -> dict[str, bytes]:
    """Every string a real client signs, by the name of the clients that sign it."""
    return {
        name: string_to_sign(client_public_key_pem, installation_token, join) for name, join in JOINS.items()
    }


def sign_credential(certificate_key: PrivateKey, client_public_key_pem: str, installation_token: str) -> str:
    """``client_public_key_signature`` as bunq's Python SDK makes it (base64)."""
    return sign_body(certificate_key, string_to_sign(client_public_key_pem, installation_token))


def matching_string(
    certificate_key: PublicKey, signature: str, client_public_key_pem: str, installation_token: str
) -> str | None:
    """The name of the signed string ``signature`` verifies for, or None when it verifies for none."""
    for name, signed in strings_to_sign(client_public_key_pem, installation_token).items():
        if verify_body(certificate_key, signed, signature):
            return name
    return None
