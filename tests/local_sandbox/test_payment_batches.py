"""payment-batch: several payments at once, signed like a payment, all or none."""

from __future__ import annotations

from tests.local_sandbox.money import euros


def _payment(value: str, pointer: dict, description: str = "rent") -> dict:
    return {"amount": euros(value), "counterparty_alias": pointer, "description": description}


def test_a_batch_pays_everyone_and_lists_its_payments(world) -> None:
    alice, bob = world.alice, world.bob
    alice.fund("100.00")
    outside = {"type": "IBAN", "value": "NL02ABNA0123456789", "name": "Landlord"}
    mark = alice.last_event_id()
    batch_id = alice.create(
        "payment-batch",
        {"payments": [_payment("30.00", {"type": "EMAIL", "value": bob.email}), _payment("45.50", outside)]},
        signed=True,
    )
    assert (alice.balance(), bob.balance()) == ("24.50", "30.00")
    [item] = alice.get(f"payment-batch/{batch_id}")
    payments = item["PaymentBatch"]["payments"]
    assert [p["amount"] for p in payments] == [euros("-30.00"), euros("-45.50")]
    assert payments[1]["counterparty_alias"]["iban"] == "NL02ABNA0123456789"
    assert [p["id"] for p in payments] == sorted(p["id"] for p in alice.payments()[:2])
    assert alice.get("payment-batch") == [item]  # no id in a PaymentBatch (bunq's spec and SDK have none)
    assert alice.events(mark) == [("Payment", "CREATE"), ("Payment", "CREATE"), ("PaymentBatch", "CREATE")]
    assert bob.events(mark) == [("Payment", "CREATE")]


def test_the_spec_wrapping_of_payments_is_accepted_and_one_payment_is_still_a_batch(world) -> None:
    alice, bob = world.alice, world.bob
    alice.fund("10.00")
    batch_id = alice.create(
        "payment-batch",
        {"payments": {"Payment": [_payment("1.00", {"type": "IBAN", "value": bob.iban})]}},
        signed=True,
    )
    assert len(alice.get(f"payment-batch/{batch_id}")[0]["PaymentBatch"]["payments"]) == 1
    assert bob.balance() == "1.00"


def test_all_or_none_signed_and_only_your_own(world) -> None:
    alice, bob = world.alice, world.bob
    alice.fund("50.00")
    to_bob = _payment("30.00", {"type": "EMAIL", "value": bob.email})
    body = {"payments": [to_bob, to_bob]}
    message = alice.fails("POST", "payment-batch", body, signed=True)
    assert message == (
        f"The balance of monetary account {alice.h.account_id} (50.00 EUR) does not cover "
        "this batch of 2 payments, a total of 60.00 EUR."
    )
    assert alice.fails("POST", "payment-batch", {"payments": [to_bob]}, status=466).startswith(
        "For this operation"
    )
    to_self = _payment("1.00", {"type": "IBAN", "value": alice.iban})
    assert alice.fails("POST", "payment-batch", {"payments": [to_bob, to_self]}, signed=True) == (
        'Field "payments[1].counterparty_alias" points at the paying account itself.'
    )
    assert alice.fails("POST", "payment-batch", {"payments": []}, signed=True).startswith(
        'Field "payments" must be'
    )
    batch_id = alice.create("payment-batch", {"payments": [to_bob]}, signed=True)
    assert (
        bob.fails("GET", f"payment-batch/{batch_id}", status=404)
        == f"PaymentBatch with id {batch_id} not found."
    )
