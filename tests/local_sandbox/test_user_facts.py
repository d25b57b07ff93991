"""What bunq works out about a user (limit, legal name, insights, billing, announcements) and the service's
health-check and server-error, each following the sandbox's state."""

from __future__ import annotations

import pytest

from bunq_helpers.crypto import signing
from tests.conftest import Raw, error_of
from tests.local_sandbox.money import money_world

OTHER_IBAN = "NL35BUNQ9900341392"


@pytest.fixture
def world(tmp_path, client_key):
    with money_world(tmp_path, client_key) as made:
        yield made


def test_limit_counts_accounts_and_what_was_paid_this_month(world) -> None:
    alice = world.alice
    user = f"user/{alice.h.user_id}"
    [before] = alice.get(f"{user}/limit")
    assert before["CustomerLimit"]["limit_monetary_account"] == 25
    remaining = before["CustomerLimit"]["limit_monetary_account_remaining"]
    alice.fund("100.00")
    alice.create(f"{user}/monetary-account-bank", {"currency": "EUR", "description": "Pot"})
    alice.ok(
        "POST",
        "payment",
        {
            "amount": {"value": "12.50", "currency": "EUR"},
            "counterparty_alias": {"type": "IBAN", "value": OTHER_IBAN, "name": "Shop"},
            "description": "x",
        },
        signed=True,
    )
    [after] = alice.get(f"{user}/limit")
    assert after["CustomerLimit"]["limit_monetary_account_remaining"] == remaining - 1
    assert after["CustomerLimit"]["spent_amount_monthly"] == {"value": "12.50", "currency": "EUR"}


def test_insights_total_outgoing_payments_and_search_finds_their_events(world) -> None:
    alice, bob = world.alice, world.bob
    user = f"user/{alice.h.user_id}"
    assert alice.get(f"{user}/insights") == [] and alice.get(f"{user}/insights-search") == []
    alice.fund("100.00")
    for value in ("10.00", "5.25"):
        alice.ok(
            "POST",
            "payment",
            {
                "amount": {"value": value, "currency": "EUR"},
                "counterparty_alias": {"type": "IBAN", "value": bob.iban, "name": "Bob"},
                "description": "x",
            },
            signed=True,
        )
    [category] = alice.get(f"{user}/insights")
    assert category["InsightCategory"]["category"] == "PAYMENT"
    assert category["InsightCategory"]["amount_total"] == {"value": "15.25", "currency": "EUR"}
    assert category["InsightCategory"]["number_of_transactions"] == 2
    events = alice.get(f"{user}/insights-search")
    paid = [event["Event"]["object"]["Payment"]["amount"]["value"] for event in events]
    assert paid == ["-5.25", "-10.00"]
    assert alice.get(f"{user}/insights?time_start=2001-01-01&time_end=2001-12-31") == []
    assert "time_start" in alice.fails("GET", f"{user}/insights?time_start=yesterday")
    assert bob.get(f"user/{bob.h.user_id}/insights") == []  # money in is no spending
    assert alice.call("GET", f"user/{bob.h.user_id}/insights").status_code == 404


def test_legal_name_billing_preference_and_announcement(world) -> None:
    alice = world.alice
    user = f"user/{alice.h.user_id}"
    person = alice.get(user)[0]["UserPerson"]
    [names] = alice.get(f"{user}/legal-name")
    assert names["UserLegalNameArray"]["legal_names"] == [f"{person['first_name']} {person['last_name']}"]
    [contract] = alice.get(f"{user}/billing-contract-subscription")
    assert contract["BillingContractSubscription"]["status"] == "ACTIVE"
    assert contract["BillingContractSubscription"]["contract_date_start"] == person["created"][:10]
    assert alice.get(f"{user}/insight-preference-date") == [{"InsightPreferenceDate": {"day_of_month": 1}}]
    assert alice.get(f"{user}/feature-announcement/1")[0]["FeatureAnnouncement"]["title"]
    assert "FeatureAnnouncement" in alice.fails("GET", f"{user}/feature-announcement/2", status=404)


def test_health_check_needs_no_session_and_server_error_answers_bunqs_500(raw: Raw, client_key) -> None:
    health = raw.call("GET", "health-check")
    assert health.status_code == 200, health.text
    [item] = health.json()["Response"]
    assert item["HealthCheckResult"]["HealthResult"]["status"] == "OK"
    assert item["HealthCheckResult"]["HealthResult"]["allEntry"] == [{"type": "DATABASE", "status": "OK"}]
    done = raw.handshake(client_key)
    broken = raw.call("POST", "server-error", {}, token=done.session_token)
    assert broken.status_code == 500 and "on purpose" in error_of(broken)
    assert signing.verify_body(done.server_key, broken.content, broken.headers["X-Bunq-Server-Signature"])
