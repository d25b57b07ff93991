"""SDD whitelists: a request-response on the paying account stands in for the direct debit to trust."""

from __future__ import annotations

import pytest

from tests.local_sandbox.money import Party, euros, money_world


@pytest.fixture
def world(tmp_path, client_key):
    with money_world(tmp_path, client_key) as made:
        yield made


def _asked(asker: Party, payer: Party) -> int:
    """The id of the request-response ``payer`` got from ``asker``."""
    asker.create(
        "request-inquiry",
        {
            "amount_inquired": euros("9.99"),
            "counterparty_alias": {"type": "EMAIL", "value": payer.email},
            "description": "gym",
            "allow_bunqme": False,
        },
    )
    return payer.get("request-response")[0]["RequestResponse"]["id"]


def test_a_recurring_whitelist_is_listed_everywhere_and_its_limits_change(world) -> None:
    alice, bob = world.alice, world.bob
    response_id = _asked(alice, bob)
    user = f"user/{bob.h.user_id}"
    body = {
        "monetary_account_paying_id": bob.h.account_id,
        "request_id": response_id,
        "maximum_amount_per_month": euros("30.00"),
    }
    made = bob.create(f"{user}/whitelist-sdd-recurring", body)
    [item] = bob.get(f"{user}/whitelist-sdd-recurring/{made}")
    shown = item["WhitelistSddRecurring"]
    assert shown["id"] == made and shown["status"] == "ACTIVE" and shown["type"] == "RECURRING"
    assert shown["monetary_account_incoming_id"] == alice.h.account_id
    assert shown["counterparty_alias"]["iban"] == alice.iban
    assert shown["maximum_amount_per_month"] == euros("30.00") and shown["mandate_identifier"]
    assert [i["WhitelistSdd"]["id"] for i in bob.get(f"{user}/whitelist-sdd")] == [made]
    assert (
        bob.get(f"{user}/whitelist-sdd/{made}")[0]["WhitelistSdd"]["counterparty_alias"]["iban"] == alice.iban
    )
    assert [i["WhitelistSddMonetaryAccountPaying"]["id"] for i in bob.get("whitelist-sdd")] == [made]
    assert bob.get(f"whitelist-sdd/{made}")[0]["WhitelistSddMonetaryAccountPaying"]["id"] == made
    assert [i["WhitelistSddRecurring"]["id"] for i in bob.get(f"{user}/whitelist-sdd-recurring")] == [made]
    assert bob.get(f"{user}/whitelist-sdd-one-off") == []
    bob.fails("GET", f"{user}/whitelist-sdd-one-off/{made}", status=404)

    bob.ok(
        "PUT", f"{user}/whitelist-sdd-recurring/{made}", {**body, "maximum_amount_per_month": euros("45.00")}
    )
    assert bob.get(f"{user}/whitelist-sdd/{made}")[0]["WhitelistSdd"]["maximum_amount_per_month"] == euros(
        "45.00"
    )
    assert "cannot change" in bob.fails(
        "PUT", f"{user}/whitelist-sdd-recurring/{made}", {**body, "request_id": response_id + 1}
    )
    bob.ok("DELETE", f"{user}/whitelist-sdd-recurring/{made}")
    assert bob.get(f"{user}/whitelist-sdd") == []


def test_a_one_off_whitelist_needs_a_request_on_the_paying_account(world) -> None:
    alice, bob = world.alice, world.bob
    response_id = _asked(alice, bob)
    user = f"user/{bob.h.user_id}"
    body = {"monetary_account_paying_id": bob.h.account_id, "request_id": response_id}
    assert "RequestResponse" in bob.fails(
        "POST", f"{user}/whitelist-sdd-one-off", {**body, "request_id": 1}, status=404
    )
    assert "MonetaryAccount" in bob.fails(
        "POST",
        f"{user}/whitelist-sdd-one-off",
        {**body, "monetary_account_paying_id": alice.h.account_id},
        status=404,
    )
    made = bob.create(f"{user}/whitelist-sdd-one-off", {**body, "maximum_amount_per_payment": euros("10.00")})
    shown = bob.get(f"{user}/whitelist-sdd-one-off/{made}")[0]["WhitelistSddOneOff"]
    assert shown["type"] == "ONE_OFF" and shown["maximum_amount_per_payment"] == euros("10.00")
    bob.ok("PUT", f"{user}/whitelist-sdd-one-off/{made}", {**body, "routing_type": "AUTOMATIC"})
    assert (
        bob.get(f"{user}/whitelist-sdd-one-off/{made}")[0]["WhitelistSddOneOff"]["routing_type"]
        == "AUTOMATIC"
    )
    assert alice.call("GET", f"user/{bob.h.user_id}/whitelist-sdd-one-off/{made}").status_code == 404
    alice_user = f"user/{alice.h.user_id}"
    assert alice.call("GET", f"{alice_user}/whitelist-sdd/{made}").status_code == 404
    assert alice.get(f"{alice_user}/whitelist-sdd") == []
    bob.ok("DELETE", f"{user}/whitelist-sdd-one-off/{made}")
    assert bob.get(f"{user}/whitelist-sdd-one-off") == [] and bob.get("whitelist-sdd") == []
