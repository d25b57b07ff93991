"""The client's PSD2 steps: a test certificate, the credential body, and a whole API context from a
certificate against a local sandbox."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from cryptography import x509

from bunq_helpers import create_api_context
from bunq_helpers.client import psd2
from bunq_helpers.client.config import Environment, Settings
from bunq_helpers.crypto import keys, signing
from bunq_helpers.crypto import psd2 as signed_strings
from bunq_helpers.local_sandbox import LocalSandbox
from tests.helpers import endpoint_of


def test_a_test_certificate_is_signed_by_its_own_root() -> None:
    made = psd2.make_test_certificate("Acme B.V.")
    leaf = x509.load_pem_x509_certificate(made.certificate_pem.encode())
    root = x509.load_pem_x509_certificate(made.chain_pem.encode())
    assert leaf.issuer == root.subject and root.issuer == root.subject
    assert leaf.subject.rfc4514_string() == made.subject == "CN=Acme B.V. PSD2 test,O=Acme B.V.,C=NL"
    root.public_key().verify(
        leaf.signature,
        leaf.tbs_certificate_bytes,
        __import__("cryptography.hazmat.primitives.asymmetric.padding", fromlist=["PKCS1v15"]).PKCS1v15(),
        leaf.signature_hash_algorithm,
    )
    assert leaf.public_key().public_numbers() == made.private_key.public_key().public_numbers()
    now = dt.datetime.now(dt.timezone.utc)
    assert leaf.not_valid_before_utc < now < leaf.not_valid_after_utc
    expired = x509.load_pem_x509_certificate(
        psd2.make_test_certificate(valid_days=-1).certificate_pem.encode()
    )
    assert expired.not_valid_after_utc < now
    assert made.private_key.key_size == 2048


def test_the_credential_body_is_signed_as_sdk_python_signs_it(client_key) -> None:
    made = psd2.make_test_certificate()
    pem = keys.public_key_to_pem(client_key)
    body = psd2.credential_body(made, pem, "t" * 64)
    assert body["client_payment_service_provider_certificate"] == made.certificate_pem
    assert body["client_payment_service_provider_certificate_chain"] == made.chain_pem
    signed = (pem.rstrip("\n") + "\n" + "t" * 64).encode()
    assert signing.verify_body(made.private_key.public_key(), signed, body["client_public_key_signature"])
    name = signed_strings.matching_string(
        made.private_key.public_key(), body["client_public_key_signature"], pem, "t" * 64
    )
    assert name == "sdk_python (PEM, newline, token)"


def test_an_api_context_from_a_certificate(sandbox: LocalSandbox, tmp_path: Path) -> None:
    settings = Settings(
        environment=Environment.LOCAL, home=tmp_path / "home", context_file=tmp_path / "psd2.conf"
    )
    run = create_api_context(settings, endpoint=endpoint_of(sandbox), psd2=psd2.make_test_certificate())
    assert run.calls == [
        "installation",
        "payment-service-provider-credential",
        "device-server",
        "session-server",
    ]
    assert run.context.session.user_kind == "UserPaymentServiceProvider"
    credential = run.steps[2].exchange
    assert "CredentialPasswordIp" in credential.text() and run.context.api_key not in credential.text()
    assert (
        create_api_context(settings, endpoint=endpoint_of(sandbox), psd2=psd2.make_test_certificate()).calls
        == []
    )
