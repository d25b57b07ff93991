"""draft-payment: entries wait for the holder's yes; accepting (signed PUT) pays them, all or none."""

from __future__ import annotations

from bunq_helpers.local_sandbox.render import timestamp
from tests.local_sandbox.money import euros


def _entry(value: str, pointer: dict) -> dict:
    return {"amount": euros(value), "counterparty_alias": pointer, "description": "invoice 7"}


def _draft(world, *values: str, **extra) -> int:
    bob = {"type": "EMAIL", "value": world.bob.email}
    body = {"entries": [_entry(v, bob) for v in values], "number_of_required_accepts": 1, **extra}
    return world.alice.create("draft-payment", body)


def test_a_draft_pays_nothing_until_accepted_then_pays_once(world) -> None:
    alice, bob = world.alice, world.bob
    alice.fund("40.00")
    draft_id = _draft(world, "15.00")
    [item] = alice.get(f"draft-payment/{draft_id}")
    draft = item["DraftPayment"]
    assert (draft["status"], draft["object"], draft["responses"]) == ("PENDING", None, [])
    assert draft["entries"][0]["amount"] == euros("15.00") and isinstance(draft["entries"][0]["id"], int)
    assert alice.balance() == "40.00"
    mark = alice.last_event_id()
    assert alice.ok("PUT", f"draft-payment/{draft_id}", {"status": "ACCEPTED"}, signed=True) == [
        {"Id": {"id": draft_id}}
    ]
    assert (alice.balance(), bob.balance()) == ("25.00", "15.00")
    draft = alice.get(f"draft-payment/{draft_id}")[0]["DraftPayment"]
    assert draft["status"] == "ACCEPTED" and draft["responses"][0]["status"] == "ACCEPTED"
    assert draft["object"]["Payment"]["id"] == alice.payments()[0]["id"]
    assert alice.events(mark) == [("Payment", "CREATE"), ("DraftPayment", "UPDATE")]
    again = alice.fails("PUT", f"draft-payment/{draft_id}", {"status": "ACCEPTED"}, signed=True)
    assert again == f"DraftPayment {draft_id} is ACCEPTED; only a PENDING draft can change."
    assert [i["DraftPayment"]["id"] for i in alice.get("draft-payment")] == [draft_id]


def test_several_entries_become_a_payment_batch_all_or_none(world) -> None:
    alice, bob = world.alice, world.bob
    alice.fund("10.00")
    draft_id = _draft(world, "6.00", "5.00")
    refused = alice.fails("PUT", f"draft-payment/{draft_id}", {"status": "ACCEPTED"}, signed=True)
    assert "does not cover this batch of 2 payments, a total of 11.00 EUR" in refused
    alice.fund("1.00")
    alice.ok("PUT", f"draft-payment/{draft_id}", {"status": "ACCEPTED"}, signed=True)
    batch = alice.get(f"draft-payment/{draft_id}")[0]["DraftPayment"]["object"]["PaymentBatch"]
    assert [p["amount"] for p in batch["payments"]] == [euros("-6.00"), euros("-5.00")]
    assert (alice.balance(), bob.balance()) == ("0.00", "11.00")


def test_reject_cancel_entries_and_the_update_guard(world) -> None:
    alice = world.alice
    draft_id = _draft(world, "1.00")
    # no answer shows the draft's updated time (bunq's spec and SDK have no "updated" on DraftPayment)
    row = world.sandbox.store.read().execute("SELECT updated FROM draft_payments WHERE id = ?", (draft_id,))
    current = timestamp(row.fetchone()[0])
    stale = {
        "entries": [_entry("2.00", {"type": "EMAIL", "value": world.bob.email})],
        "previous_updated_timestamp": "2020-01-01 00:00:00.000000",
    }
    assert "check what changed, then retry with that time" in alice.fails(
        "PUT", f"draft-payment/{draft_id}", stale, signed=True
    )
    alice.ok(
        "PUT", f"draft-payment/{draft_id}", {**stale, "previous_updated_timestamp": current}, signed=True
    )
    assert alice.get(f"draft-payment/{draft_id}")[0]["DraftPayment"]["entries"][0]["amount"] == euros("2.00")
    alice.ok("PUT", f"draft-payment/{draft_id}", {"status": "CANCELLED"}, signed=True)
    assert alice.get(f"draft-payment/{draft_id}")[0]["DraftPayment"]["status"] == "CANCELLED"
    rejected = _draft(world, "1.00")
    alice.ok("PUT", f"draft-payment/{rejected}", {"status": "REJECTED"}, signed=True)
    assert alice.balance() == "0.00" and alice.payments() == []


def test_a_scheduled_draft_starts_its_schedule_when_accepted(world) -> None:
    alice, bob = world.alice, world.bob
    alice.fund("5.00")
    schedule = {"time_start": "2020-01-01 10:00:00", "recurrence_unit": "ONCE", "recurrence_size": 1}
    draft_id = _draft(world, "2.00", schedule=schedule)
    draft = alice.get(f"draft-payment/{draft_id}")[0]["DraftPayment"]
    assert (
        draft["schedule"]["time_start"] == "2020-01-01 10:00:00.000000"
        and draft["schedule"]["status"] is None
    )
    alice.ok("PUT", f"draft-payment/{draft_id}", {"status": "ACCEPTED"}, signed=True)
    assert (alice.balance(), bob.balance()) == ("3.00", "2.00")  # the ONCE run was due at once
    draft = alice.get(f"draft-payment/{draft_id}")[0]["DraftPayment"]
    assert draft["schedule"]["status"] == "FINISHED" and draft["object"] is None
    [scheduled] = alice.get("schedule")
    assert scheduled["Schedule"]["status"] == "FINISHED"


def test_bad_drafts_and_other_users(world) -> None:
    alice, bob = world.alice, world.bob
    body = {
        "entries": [_entry("1.00", {"type": "EMAIL", "value": bob.email})],
        "number_of_required_accepts": 2,
    }
    assert (
        alice.fails("POST", "draft-payment", body)
        == 'Field "number_of_required_accepts" must be from 1 to 1, got 2.'
    )
    no_entries = {"number_of_required_accepts": 1}
    assert alice.fails("POST", "draft-payment", no_entries) == 'Field "entries" is required.'
    draft_id = _draft(world, "1.00")
    assert alice.fails("PUT", f"draft-payment/{draft_id}", {"status": "ACCEPTED"}, status=466).startswith(
        "For this"
    )
    assert (
        bob.fails("GET", f"draft-payment/{draft_id}", status=404)
        == f"DraftPayment with id {draft_id} not found."
    )
    assert 'Send "status"' in alice.fails("PUT", f"draft-payment/{draft_id}", {}, signed=True)
