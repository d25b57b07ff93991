"""payment-auto-allocate: money like the original payment is split out to the definition's parts."""

from __future__ import annotations

import pytest

from tests.local_sandbox.money import euros, money_world

SAVINGS = "NL35BUNQ9900341392"


@pytest.fixture
def world(tmp_path, client_key):
    with money_world(tmp_path, client_key) as made:
        yield made


def _incoming(alice, value: str) -> int:
    alice.fund(value)
    return next(p["id"] for p in alice.payments() if p["amount"]["value"] == value)


def _more(alice, value: str) -> None:
    """Money from sugar daddy again (like the original), not checked: the allocation takes its share."""
    body = {
        "amount_inquired": euros(value),
        "counterparty_alias": {"type": "EMAIL", "value": "sugardaddy@bunq.com"},
        "description": "salary",
    }
    alice.create("request-inquiry", body)


def _parts(bob_iban: str) -> list[dict]:
    return [
        {
            "type": "AMOUNT",
            "amount": euros("10.00"),
            "description": "rent",
            "counterparty_alias": {"type": "IBAN", "value": bob_iban, "name": "Bob"},
        },
        {
            "type": "PERCENTAGE",
            "fraction": 50,
            "description": "save",
            "counterparty_alias": {"type": "IBAN", "value": SAVINGS, "name": "Savings"},
        },
    ]


def test_a_recurring_allocation_splits_each_payment_like_the_first(world) -> None:
    alice, bob = world.alice, world.bob
    original = _incoming(alice, "100.00")
    made = alice.create(
        "payment-auto-allocate", {"payment_id": original, "type": "RECURRING", "definition": _parts(bob.iban)}
    )
    shown = alice.get(f"payment-auto-allocate/{made}")[0]["PaymentAutoAllocate"]
    assert (shown["status"], shown["trigger_amount"], shown["payment_original"]["id"]) == (
        "ACTIVE",
        euros("100.00"),
        original,
    )
    assert shown["payment_latest"] is None
    parts = alice.get(f"payment-auto-allocate/{made}/definition")
    assert [p["PaymentAutoAllocateDefinition"]["description"] for p in parts] == [
        "save",
        "rent",
    ]  # newest first
    assert alice.get(f"payment-auto-allocate/{made}/instance") == []
    assert alice.balance() == "100.00"  # the original itself is not split

    _more(alice, "40.00")  # from sugar daddy again: like the original
    assert alice.balance() == "110.00"  # 140.00 - 10.00 - 20.00 (50 % of 40.00)
    [item] = alice.get(f"payment-auto-allocate/{made}/instance")
    instance = item["PaymentAutoAllocateInstance"]
    assert instance["status"] == "SUCCEEDED" and instance["payment_auto_allocate_id"] == made
    paid = [p["amount"]["value"] for p in instance["payment_batch"]["payments"]]
    assert paid == ["-10.00", "-20.00"]
    assert bob.balance() == "10.00"
    assert (
        alice.get(f"payment-auto-allocate/{made}/instance/{instance['id']}")[0][
            "PaymentAutoAllocateInstance"
        ]["id"]
        == instance["id"]
    )
    latest = alice.get(f"payment-auto-allocate/{made}")[0]["PaymentAutoAllocate"]["payment_latest"]
    assert latest["amount"] == euros("40.00")
    [mine] = alice.get(f"user/{alice.h.user_id}/payment-auto-allocate")
    assert mine["PaymentAutoAllocate"]["id"] == made
    assert mine["PaymentAutoAllocate"]["payment_original"]["id"] == original


def test_a_once_allocation_ends_and_a_failed_run_says_why(world) -> None:
    alice, bob = world.alice, world.bob
    original = _incoming(alice, "5.00")
    parts = [
        {
            "type": "AMOUNT",
            "amount": euros("50.00"),
            "description": "too much",
            "counterparty_alias": {"type": "IBAN", "value": bob.iban, "name": "Bob"},
        }
    ]
    made = alice.create(
        "payment-auto-allocate", {"payment_id": original, "type": "ONCE", "definition": parts}
    )
    _more(alice, "5.00")
    [item] = alice.get(f"payment-auto-allocate/{made}/instance")
    failed = item["PaymentAutoAllocateInstance"]
    assert failed["status"] == "FAILED" and failed["error_message"][0]["error_description"]
    assert alice.balance() == "10.00" and bob.balance() == "0.00"
    assert alice.get(f"payment-auto-allocate/{made}")[0]["PaymentAutoAllocate"]["status"] == "ENDED"
    _more(alice, "5.00")
    assert len(alice.get(f"payment-auto-allocate/{made}/instance")) == 1


def test_allocations_are_checked_replaced_deleted_and_private(world) -> None:
    alice, bob = world.alice, world.bob
    original = _incoming(alice, "20.00")
    body = {"payment_id": original, "type": "RECURRING", "definition": _parts(bob.iban)}
    assert "Payment" in alice.fails("POST", "payment-auto-allocate", {**body, "payment_id": 1}, status=404)
    too_much = [{**_parts(bob.iban)[1], "fraction": 60}, {**_parts(bob.iban)[1], "fraction": 50}]
    assert "100 percent" in alice.fails("POST", "payment-auto-allocate", {**body, "definition": too_much})
    assert "ONCE" in alice.fails("POST", "payment-auto-allocate", {**body, "type": "SOMETIMES"})
    made = alice.create("payment-auto-allocate", body)
    alice.ok("PUT", f"payment-auto-allocate/{made}", {**body, "definition": _parts(bob.iban)[:1]})
    assert len(alice.get(f"payment-auto-allocate/{made}/definition")) == 1
    other = f"user/{bob.h.user_id}/monetary-account/{alice.h.account_id}/payment-auto-allocate/{made}"
    assert bob.call("GET", other).status_code == 404
    alice.ok("DELETE", f"payment-auto-allocate/{made}")
    assert alice.get("payment-auto-allocate") == []
