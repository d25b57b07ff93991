"""PSD2 providers in the local sandbox: the certificate checks as pure functions, then the credential call
over HTTPS, its token as an API key (a ``UserPaymentServiceProvider`` session), and the provider acting
for a user through OAuth."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from bunq_helpers.client.psd2 import Psd2Certificate, credential_body, make_test_certificate
from bunq_helpers.crypto import keys, psd2
from bunq_helpers.local_sandbox import LocalSandbox, SandboxOptions
from bunq_helpers.local_sandbox.psd2_certificates import ROOT_NOT_TRUSTED, CertificateRefused, check_chain
from tests.helpers import Raw, error_of
from tests.local_sandbox.oauth_world import access_token, register_app, session_with


@pytest.fixture(scope="module")
def certificate() -> Psd2Certificate:
    return make_test_certificate("Test Payments B.V.")


@pytest.fixture(scope="module")
def other_certificate() -> Psd2Certificate:
    return make_test_certificate("Other Payments B.V.")


NOW = time.time()


def test_a_chain_ending_in_a_self_signed_root_is_accepted(certificate: Psd2Certificate) -> None:
    checked = check_chain(certificate.certificate_pem, certificate.chain_pem, NOW)
    assert checked.distinguished_name == certificate.subject
    assert checked.public_key.public_numbers() == certificate.private_key.public_key().public_numbers()
    # the provider's certificate repeated first in the chain, as people send it, is accepted too
    assert check_chain(certificate.certificate_pem, certificate.certificate_pem + certificate.chain_pem, NOW)


def test_a_chain_without_its_root_gets_bunqs_text(certificate: Psd2Certificate) -> None:
    with pytest.raises(CertificateRefused) as refused:
        check_chain(certificate.certificate_pem, certificate.certificate_pem, NOW)
    assert str(refused.value) == ROOT_NOT_TRUSTED
    assert ROOT_NOT_TRUSTED == (
        "Certificate root is not trusted. Make sure that the last certificate in the chain is the root certificate."
    )


def test_a_root_that_did_not_sign_the_certificate_is_refused(certificate, other_certificate) -> None:
    with pytest.raises(CertificateRefused, match="is not signed by the next certificate"):
        check_chain(certificate.certificate_pem, other_certificate.chain_pem, NOW)


def test_expired_and_not_yet_valid_certificates_are_refused() -> None:
    expired = make_test_certificate(valid_days=-1)
    with pytest.raises(CertificateRefused, match="expired on"):
        check_chain(expired.certificate_pem, expired.chain_pem, NOW)
    future = make_test_certificate(now=dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=10))
    with pytest.raises(CertificateRefused, match="is not valid before"):
        check_chain(future.certificate_pem, future.chain_pem, NOW)


def test_trusting_only_given_roots(certificate, other_certificate) -> None:
    assert check_chain(certificate.certificate_pem, certificate.chain_pem, NOW, (certificate.chain_pem,))
    with pytest.raises(CertificateRefused, match="root is not trusted"):
        check_chain(certificate.certificate_pem, certificate.chain_pem, NOW, (other_certificate.chain_pem,))


@pytest.mark.parametrize(
    ("pem", "message"),
    [
        ("not a certificate", "holds no PEM certificate"),
        ("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "cannot be read"),
    ],
)
def test_unreadable_certificates_are_refused_clearly(certificate, pem: str, message: str) -> None:
    with pytest.raises(CertificateRefused, match=message):
        check_chain(pem, certificate.chain_pem, NOW)
    with pytest.raises(CertificateRefused, match=message):
        check_chain(certificate.certificate_pem, pem, NOW)


@pytest.fixture
def raw(sandbox: LocalSandbox) -> Raw:
    return Raw(sandbox)


def _credential(raw: Raw, key, certificate: Psd2Certificate, body_change: dict | None = None):
    _, installation_token, _ = raw.install(key)
    body = credential_body(certificate, keys.public_key_to_pem(key), installation_token)
    body.update(body_change or {})
    return raw.call(
        "POST", "payment-service-provider-credential", body, token=installation_token
    ), installation_token


def test_the_credential_gives_a_token_for_a_payment_service_provider_session(
    raw: Raw, client_key, certificate
):
    response, _ = _credential(raw, client_key, certificate)
    assert response.status_code == 200, response.text
    (item,) = response.json()["Response"]
    shown = item["CredentialPasswordIp"]
    assert shown["status"] == "PENDING_FIRST_USE" and len(shown["token_value"]) == 64
    assert shown["permitted_device"] is None and shown["expiry_time"]
    session = session_with(raw, client_key, shown["token_value"])
    assert session.kind == "UserPaymentServiceProvider"
    assert session.user["certificate_distinguished_name"] == certificate.subject
    assert session.user["display_name"] == "Test Payments B.V."
    me = raw.call("GET", "user", token=session.session_token).json()["Response"][0]
    assert list(me) == ["UserPaymentServiceProvider"]
    read = raw.call("GET", f"payment-service-provider-credential/{shown['id']}", token=session.session_token)
    again = read.json()["Response"][0]["CredentialPasswordIp"]
    assert again["status"] == "ACTIVE" and again["token_value"] is None
    assert again["permitted_device"]["description"] == "app"
    # the same certificate again is the same provider
    second, _ = _credential(raw, client_key, certificate)
    later = session_with(raw, client_key, second.json()["Response"][0]["CredentialPasswordIp"]["token_value"])
    assert later.user["id"] == session.user["id"]


def test_the_java_and_php_signed_string_is_accepted(raw: Raw, client_key, certificate) -> None:
    _, installation_token, _ = raw.install(client_key)
    pem = keys.public_key_to_pem(client_key)
    from bunq_helpers.crypto.signing import sign_body

    body = credential_body(certificate, pem, installation_token)
    body["client_public_key_signature"] = sign_body(
        certificate.private_key, psd2.string_to_sign(pem, installation_token, "")
    )
    response = raw.call("POST", "payment-service-provider-credential", body, token=installation_token)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"client_public_key_signature": "AAAA"}, "does not verify with the certificate's key"),
        ("chain-without-root", ROOT_NOT_TRUSTED),
        ("expired", "expired on"),
        ({"client_payment_service_provider_certificate": "x"}, "holds no PEM certificate"),
        ({"client_payment_service_provider_certificate_chain": 7}, "must be a string"),
        ({"client_public_key_signature": None}, 'Field "client_public_key_signature" is required'),
    ],
)
def test_refusals_name_the_problem_and_change_nothing(
    sandbox, raw: Raw, client_key, certificate, change, message
):
    _, installation_token, _ = raw.install(client_key)
    pem = keys.public_key_to_pem(client_key)
    used = make_test_certificate(valid_days=-1) if change == "expired" else certificate
    body = credential_body(used, pem, installation_token)
    if change == "chain-without-root":
        body["client_payment_service_provider_certificate_chain"] = certificate.certificate_pem
    elif isinstance(change, dict):
        body.update(change)
        body = {k: v for k, v in body.items() if v is not None}
    before = sandbox.store.snapshot()
    response = raw.call("POST", "payment-service-provider-credential", body, token=installation_token)
    assert response.status_code == 400, response.text
    assert message in error_of(response)
    assert sandbox.store.snapshot() == before


def test_a_session_token_is_not_the_installation_token_here(raw: Raw, client_key, certificate) -> None:
    hs = raw.handshake(client_key)
    body = credential_body(certificate, keys.public_key_to_pem(client_key), hs.installation_token)
    refused = raw.call("POST", "payment-service-provider-credential", body, token=hs.session_token)
    assert refused.status_code == 401


def test_trusted_roots_make_it_production_like(tmp_path, client_key, certificate, other_certificate) -> None:
    options = SandboxOptions(psd2_trusted_roots=(other_certificate.chain_pem,))
    with LocalSandbox(tmp_path / "strict", options=options) as strict:
        response, _ = _credential(Raw(strict), client_key, certificate)
        assert response.status_code == 400 and error_of(response) == ROOT_NOT_TRUSTED
        accepted, _ = _credential(Raw(strict), client_key, other_certificate)
        assert accepted.status_code == 200


def test_a_provider_acts_for_a_user_through_oauth(raw: Raw, client_key, other_key, certificate) -> None:
    response, _ = _credential(raw, client_key, certificate)
    provider = session_with(
        raw, client_key, response.json()["Response"][0]["CredentialPasswordIp"]["token_value"]
    )
    user = raw.handshake(other_key)
    owner = type("Owner", (), {"user_id": provider.user["id"], "session_token": provider.session_token})
    app = register_app(raw, owner, name="Provider app")
    session = session_with(raw, other_key, access_token(raw, app, user.user_id))
    assert session.kind == "UserApiKey"
    assert list(session.user["requested_by_user"]) == ["UserPaymentServiceProvider"]
    assert session.user["granted_by_user"]["UserPerson"]["id"] == user.user_id
    accounts = raw.call(
        "GET", f"user/{session.user['id']}/monetary-account", token=session.session_token
    ).json()
    assert [a["MonetaryAccountBank"]["id"] for a in accounts["Response"]] == [user.account_id]


def test_the_command_line_trusts_only_the_roots_it_is_given(
    tmp_path, client_key, certificate, other_certificate
) -> None:
    from types import SimpleNamespace

    from tests.helpers import standalone_sandbox

    root = tmp_path / "root.pem"
    root.write_text(other_certificate.chain_pem)
    with standalone_sandbox(tmp_path / "standalone", "--psd2-trusted-root", str(root)) as server:
        raw = Raw(SimpleNamespace(base_url=server.base_url, ca_file=server.ca_file))  # type: ignore[arg-type]
        refused, _ = _credential(raw, client_key, certificate)
        assert refused.status_code == 400 and error_of(refused) == ROOT_NOT_TRUSTED
        accepted, _ = _credential(raw, client_key, other_certificate)
        assert accepted.status_code == 200, accepted.text
