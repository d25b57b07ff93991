"""Every event the money family records can be shown: its renderer gives ``{kind: object}`` for its id."""

from __future__ import annotations

import json

from bunq_helpers.local_sandbox.events import render_object
from tests.local_sandbox.money import euros, money_world

KINDS = {
    "Payment",
    "PaymentBatch",
    "RequestInquiry",
    "RequestResponse",
    "RequestInquiryBatch",
    "DraftPayment",
    "ScheduledPayment",
    "ScheduledPaymentBatch",
    "ScheduledInstance",
    "BunqMeTab",
}


def test_each_kind_of_money_event_renders_its_object(tmp_path, client_key) -> None:
    with money_world(tmp_path, client_key) as world:
        alice, bob = world.alice, world.bob
        alice.fund("100.00")
        to_bob = {
            "amount": euros("1.00"),
            "counterparty_alias": {"type": "EMAIL", "value": bob.email},
            "description": "x",
        }
        ask_alice = {
            "amount_inquired": euros("1.00"),
            "counterparty_alias": {"type": "EMAIL", "value": alice.email},
            "description": "x",
        }
        bob.create("request-inquiry", ask_alice)
        ask_bob = {**ask_alice, "counterparty_alias": to_bob["counterparty_alias"]}
        alice.create("request-inquiry-batch", {"request_inquiries": [ask_bob]})
        draft = alice.create("draft-payment", {"entries": [to_bob], "number_of_required_accepts": 1})
        alice.ok("PUT", f"draft-payment/{draft}", {"status": "ACCEPTED"}, signed=True)
        alice.create("payment-batch", {"payments": [to_bob, to_bob]}, signed=True)
        now = {"time_start": "2020-01-01 00:00:00", "recurrence_unit": "ONCE"}
        alice.create("schedule-payment", {"payment": to_bob, "schedule": now}, signed=True)
        alice.create("schedule-payment-batch", {"payments": [to_bob], "schedule": now}, signed=True)
        alice.create("bunqme-tab", {"bunqme_tab_entry": {"description": "x"}})
        alice.balance()  # the schedules run
        db = world.sandbox.store.read()
        rows = db.execute("SELECT object_kind, object_id FROM events").fetchall()
        assert {kind for kind, _ in rows} >= KINDS
        for kind, object_id in rows:
            shown = render_object(db, kind, object_id)
            assert shown is not None and list(shown) == [kind], kind
            json.dumps(shown)
            if "id" in shown[kind]:
                assert shown[kind]["id"] == object_id
