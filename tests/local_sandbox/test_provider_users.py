"""``user-payment-service-provider/{id}``: a PSD2 provider reads its own user, and nobody else's."""

from __future__ import annotations

from types import SimpleNamespace

from bunq_helpers.client.psd2 import credential_body, make_test_certificate
from bunq_helpers.crypto import keys
from tests.local_sandbox.money import Party
from tests.local_sandbox.oauth_world import session_with


def _provider(world, key) -> Party:
    raw = world.alice.raw
    _, installation_token, _ = raw.install(key)
    body = credential_body(
        make_test_certificate("Test Payments B.V."), keys.public_key_to_pem(key), installation_token
    )
    answer = raw.call("POST", "payment-service-provider-credential", body, token=installation_token)
    token = answer.json()["Response"][0]["CredentialPasswordIp"]["token_value"]
    session = session_with(raw, key, token)
    h = SimpleNamespace(user_id=session.user["id"], session_token=session.session_token, key=key)
    return Party(raw, h, world.sandbox)


def test_a_provider_reads_itself_as_get_user_shows_it(world, client_key) -> None:
    psp = _provider(world, client_key)
    [me] = psp.get("user")
    [read] = psp.get(f"user-payment-service-provider/{psp.h.user_id}")
    assert read == me and list(read) == ["UserPaymentServiceProvider"]
    shown = read["UserPaymentServiceProvider"]
    assert shown["id"] == psp.h.user_id and shown["display_name"] == "Test Payments B.V."
    assert {"alias", "certificate_distinguished_name", "public_uuid", "session_timeout"} <= set(shown)
    assert "first_name" not in shown  # a provider is no person


def test_another_users_id_and_a_person_session_are_404(world, client_key) -> None:
    psp, alice = _provider(world, client_key), world.alice
    wrong = f"user-payment-service-provider/{alice.h.user_id}"
    assert psp.fails("GET", wrong, status=404) == (
        f"UserPaymentServiceProvider with id {alice.h.user_id} not found."
    )
    mine = f"user-payment-service-provider/{psp.h.user_id}"
    assert "not found" in alice.fails("GET", mine, status=404)
    assert "not found" in alice.fails("GET", wrong, status=404)  # a person is no provider, even itself
