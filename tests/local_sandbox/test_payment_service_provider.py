"""What a PSD2 provider asks of bunq: draft payments, issuer transactions, confirmation of funds."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from bunq_helpers.client.psd2 import credential_body, make_test_certificate
from bunq_helpers.crypto import keys
from tests.local_sandbox.money import Party, money_world
from tests.local_sandbox.oauth_world import session_with


@pytest.fixture(scope="module")
def certificate():
    return make_test_certificate("Test Payments B.V.")


@pytest.fixture
def world(tmp_path, client_key, certificate):
    with money_world(tmp_path, client_key) as made:
        raw = made.alice.raw
        _, installation_token, _ = raw.install(client_key)
        body = credential_body(certificate, keys.public_key_to_pem(client_key), installation_token)
        answer = raw.call("POST", "payment-service-provider-credential", body, token=installation_token)
        session = session_with(
            raw, client_key, answer.json()["Response"][0]["CredentialPasswordIp"]["token_value"]
        )
        h = SimpleNamespace(user_id=session.user["id"], session_token=session.session_token, key=client_key)
        made.provider = Party(raw, h, made.sandbox)
        yield made


def test_a_providers_draft_payment_waits_for_the_holder_who_pays_or_it_is_cancelled(world) -> None:
    psp, bob = world.provider, world.bob
    base = f"user/{psp.h.user_id}/payment-service-provider-draft-payment"
    body = {
        "amount": {"value": "12.50", "currency": "EUR"},
        "sender_iban": bob.iban,
        "sender_name": "Bob",
        "counterparty_iban": "NL35BUNQ9900341392",
        "counterparty_name": "Shop",
        "description": "order 7",
    }
    assert "sender_iban" in psp.fails("POST", base, {**body, "sender_iban": "DE89370400440532013000"})
    before = bob.last_event_id()
    made = psp.create(base, {**body, "status": "ACCEPTED"})  # a new draft waits for the holder
    assert bob.events(before) == [("DraftPayment", "CREATE")]
    [read] = psp.get(f"{base}/{made}")
    assert read["PaymentServiceProviderDraftPayment"] == {
        "id": made,
        "amount": {"value": "12.50", "currency": "EUR"},
        "sender_iban": bob.iban,
        "receiver_iban": "NL35BUNQ9900341392",
        "status": "PENDING",
    }
    [held] = bob.get("draft-payment")
    held = held["DraftPayment"]
    assert held["status"] == "PENDING" and held["entries"][0]["amount"]["value"] == "12.50"
    assert held["entries"][0]["counterparty_alias"]["iban"] == "NL35BUNQ9900341392"
    assert "CANCELLED" in psp.fails("PUT", f"{base}/{made}", {"status": "ACCEPTED"})

    bob.fund("20.00")
    bob.ok("PUT", f"draft-payment/{held['id']}", {"status": "ACCEPTED"}, signed=True)  # the holder pays
    assert bob.balance() == "7.50"
    assert psp.get(f"{base}/{made}")[0]["PaymentServiceProviderDraftPayment"]["status"] == "ACCEPTED"
    assert "ACCEPTED" in psp.fails("PUT", f"{base}/{made}", {"status": "CANCELLED"})

    second = psp.create(base, body)
    psp.ok("PUT", f"{base}/{second}", {"status": "CANCELLED"})
    statuses = {d["DraftPayment"]["id"]: d["DraftPayment"]["status"] for d in bob.get("draft-payment")}
    assert sorted(statuses.values()) == ["ACCEPTED", "CANCELLED"] and bob.balance() == "7.50"
    assert [d["PaymentServiceProviderDraftPayment"]["status"] for d in psp.get(base)] == [
        "CANCELLED",
        "ACCEPTED",
    ]
    assert bob.fails("GET", f"user/{bob.h.user_id}/payment-service-provider-draft-payment/{made}", status=404)


def test_an_issuer_transaction_is_completed_by_its_provider(world) -> None:
    alice = world.provider
    base = f"user/{alice.h.user_id}/payment-service-provider-issuer-transaction"
    body = {
        "amount": {"value": "3.00", "currency": "EUR"},
        "description": "ticket",
        "counterparty_alias": {"type": "IBAN", "value": "NL35BUNQ9900341392", "name": "Cinema"},
        "url_redirect": "https://example.com/back",
        "time_expiry": "2031-01-01 10:00:00.000000",
    }
    made = alice.create(base, body)
    shown = alice.get(f"{base}/{made}")[0]["PaymentServiceProviderIssuerTransaction"]
    assert (shown["status"], shown["counterparty_alias"]["iban"], shown["url_redirect"]) == (
        "PENDING",
        "NL35BUNQ9900341392",
        "https://example.com/back",
    )
    assert shown["time_expiry"].startswith("2031-01-01 10:00:00") and len(shown["public_uuid"]) == 36
    alice.ok("PUT", f"{base}/{made}", {"status": "COMPLETED"})
    assert "only while PENDING" in alice.fails("PUT", f"{base}/{made}", {"status": "CANCELLED"})
    assert [i["PaymentServiceProviderIssuerTransaction"]["status"] for i in alice.get(base)] == ["COMPLETED"]
    assert world.bob.get(f"user/{world.bob.h.user_id}/payment-service-provider-issuer-transaction") == []
    as_person = world.bob.fails(
        "POST", f"user/{world.bob.h.user_id}/payment-service-provider-issuer-transaction", body
    )
    assert "Only a UserPaymentServiceProvider" in as_person and "UserPerson" in as_person


def test_confirmation_of_funds_answers_from_the_balance(world) -> None:
    alice = world.alice
    path = f"user/{alice.h.user_id}/confirmation-of-funds"
    ask = {
        "amount": {"value": "20.00", "currency": "EUR"},
        "pointer_iban": {"type": "IBAN", "value": alice.iban},
    }
    assert alice.ok("POST", path, ask) == [{"ConfirmationOfFunds": {"has_sufficient_funds": False}}]
    alice.fund("20.00")
    assert alice.ok("POST", path, ask) == [{"ConfirmationOfFunds": {"has_sufficient_funds": True}}]
    bobs = {**ask, "pointer_iban": {"type": "IBAN", "value": world.bob.iban}}
    assert "MonetaryAccount" in alice.fails("POST", path, bobs, status=404)
