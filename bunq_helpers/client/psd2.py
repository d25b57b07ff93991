"""PSD2 providers: an API context made from a certificate instead of an API key.

The steps (sdk_python ``ApiContext.create_for_psd2``): installation, then
``POST /v1/payment-service-provider-credential`` with the installation token, carrying the certificate,
its chain and ``client_public_key_signature`` (the certificate key's signature of the installation's
public key and token: ``crypto.psd2``); its answer's ``token_value`` is the API key for device-server
and session-server, whose user item is ``UserPaymentServiceProvider``. ``create_api_context(settings,
psd2=certificate)`` runs them all; ``create_psd2_credential`` is the one new step.

A certificate: at bunq, production needs an eIDAS QSEAL certificate from a qualified trust service
provider; bunq's sandbox takes a test certificate ("not validated in sandbox", its TPP page, which makes
one with ``openssl req -x509``), as long as the chain ends in a root. ``make_test_certificate`` makes
such a pair here with ``cryptography``: a self-signed root CA and a provider certificate it signed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from ..crypto.keys import PrivateKey, generate_private_key, public_key_to_pem
from ..crypto.psd2 import sign_credential, string_to_sign
from ..errors import UnexpectedResponseError
from .envelope import item
from .exchange import Exchange
from .masking import API_KEY
from .transport import BunqClient

ENDPOINT = "payment-service-provider-credential"
TITLE = "Create the PSD2 credential"


@dataclass(frozen=True)
class Psd2Certificate:
    """A provider certificate, its private key and its chain (PEM, root last)."""

    certificate_pem: str
    private_key: PrivateKey = field(repr=False)
    chain_pem: str
    subject: str


def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "NL"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _certificate(subject, issuer, key, signer, not_before, not_after, ca: bool) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    return builder.sign(signer, hashes.SHA256())


def make_test_certificate(
    organisation: str = "Example Payments B.V.",
    *,
    valid_days: int = 365,
    now: dt.datetime | None = None,
) -> Psd2Certificate:
    """A test provider certificate signed by a fresh self-signed root (RSA-2048 keys, SHA-256).

    For the local sandbox (and bunq's sandbox): no trust service provider involved. ``valid_days``
    below zero makes an expired one, to see the refusal.
    """
    now = now or dt.datetime.now(dt.timezone.utc)
    start, end = (now - dt.timedelta(days=1), now + dt.timedelta(days=valid_days))
    if valid_days < 0:
        start = end - dt.timedelta(days=30)
    root_key, key = generate_private_key(), generate_private_key()
    root_name = _name(f"{organisation} test root CA", organisation)
    root = _certificate(root_name, root_name, root_key, root_key, start, end, ca=True)
    subject = _name(f"{organisation} PSD2 test", organisation)
    leaf = _certificate(subject, root_name, key, root_key, start, end, ca=False)
    return Psd2Certificate(
        leaf.public_bytes(Encoding.PEM).decode(),
        key,
        root.public_bytes(Encoding.PEM).decode(),
        subject.rfc4514_string(),
    )


@dataclass(frozen=True)
class Psd2Credential:
    """What the credential call answered: its id, status and ``token_value`` (the API key from now on)."""

    id: int
    status: str
    token_value: str = field(repr=False)
    signed_bytes: bytes = field(repr=False)
    exchange: Exchange | None = field(default=None, repr=False, compare=False)


def credential_body(
    certificate: Psd2Certificate, client_public_key_pem: str, installation_token: str
) -> dict:
    """The request body, signed as sdk_python signs it (PEM, newline, installation token)."""
    return {
        "client_payment_service_provider_certificate": certificate.certificate_pem,
        "client_payment_service_provider_certificate_chain": certificate.chain_pem,
        "client_public_key_signature": sign_credential(
            certificate.private_key, client_public_key_pem, installation_token
        ),
    }


def create_psd2_credential(
    client: BunqClient, installation_token: str, client_key: PrivateKey, certificate: Psd2Certificate
) -> Psd2Credential:
    """``POST payment-service-provider-credential`` with the installation token; return its token."""
    pem = public_key_to_pem(client_key)
    exchange = client.request(
        "POST",
        ENDPOINT,
        body=credential_body(certificate, pem, installation_token),
        token=installation_token,
        title=TITLE,
    )
    shown = item(exchange, "CredentialPasswordIp", 0)
    token, credential_id = shown.get("token_value"), shown.get("id")
    if not isinstance(token, str) or not token or not isinstance(credential_id, int):
        raise UnexpectedResponseError("The credential answer has no id or token_value.", exchange=exchange)
    exchange.add_secret(token, API_KEY)
    exchange.extracted.update(credential_id=credential_id, status=shown.get("status"))
    return Psd2Credential(
        credential_id, str(shown.get("status", "")), token, string_to_sign(pem, installation_token), exchange
    )
