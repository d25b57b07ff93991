"""request-inquiry: create, list, read, revoke; sugar daddy's answers after the delay; fan-out to the payee."""

from __future__ import annotations

from bunq_helpers.local_sandbox import LocalSandbox, SandboxOptions
from tests.helpers import Raw
from tests.local_sandbox.money import Clock, Party, euros


def _ask(party: Party, value: str, pointer: dict, **extra) -> int:
    body = {"amount_inquired": euros(value), "counterparty_alias": pointer, "description": "lunch", **extra}
    return party.create("request-inquiry", body)


SUGAR_DADDY = {"type": "EMAIL", "value": "sugardaddy@bunq.com"}


def test_sugar_daddy_accepts_up_to_500_after_the_delay_and_rejects_more(tmp_path, client_key) -> None:
    clock = Clock()
    options = SandboxOptions(sugardaddy_delay=3, clock=clock)
    with LocalSandbox(tmp_path / "s", options=options) as sandbox:
        raw = Raw(sandbox)
        me = Party(raw, raw.handshake(client_key), sandbox)
        paid = _ask(me, "500.00", SUGAR_DADDY)
        refused = _ask(me, "500.01", SUGAR_DADDY)
        clock.now += 2.9
        assert me.balance() == "0.00"
        assert me.get(f"request-inquiry/{paid}")[0]["RequestInquiry"]["status"] == "PENDING"
        clock.now += 0.1
        assert me.balance() == "500.00"
        accepted = me.get(f"request-inquiry/{paid}")[0]["RequestInquiry"]
        rejected = me.get(f"request-inquiry/{refused}")[0]["RequestInquiry"]
        assert (accepted["status"], accepted["amount_responded"]) == ("ACCEPTED", euros("500.00"))
        assert accepted["time_responded"] is not None
        assert (rejected["status"], rejected["amount_responded"]) == ("REJECTED", None)
        assert rejected["counterparty_alias"]["display_name"] == "Sugar Daddy"
        [payment] = me.payments()
        assert payment["amount"] == euros("500.00") and payment["sub_type"] == "REQUEST"
        assert me.events() == [
            ("RequestInquiry", "CREATE"),
            ("RequestInquiry", "CREATE"),
            ("Payment", "CREATE"),
            ("RequestInquiry", "UPDATE"),
            ("RequestInquiry", "UPDATE"),
        ]


def test_a_request_to_another_sandbox_user_shows_up_there(world) -> None:
    alice, bob = world.alice, world.bob
    by_email = _ask(alice, "12.50", {"type": "EMAIL", "value": bob.email})
    by_iban = _ask(alice, "3.00", {"type": "IBAN", "value": bob.iban, "name": "Bob"})
    responses = [item["RequestResponse"] for item in bob.get("request-response")]
    assert [r["amount_inquired"] for r in responses] == [euros("3.00"), euros("12.50")]
    assert {r["status"] for r in responses} == {"PENDING"}
    assert responses[0]["counterparty_alias"]["iban"] == alice.iban
    assert responses[0]["alias"]["iban"] == bob.iban
    inquiry = alice.get(f"request-inquiry/{by_email}")[0]["RequestInquiry"]
    assert inquiry["counterparty_alias"]["iban"] == bob.iban and inquiry["status"] == "PENDING"
    assert [item["RequestInquiry"]["id"] for item in alice.get("request-inquiry")] == [by_iban, by_email]
    assert bob.events() == [("RequestResponse", "CREATE"), ("RequestResponse", "CREATE")]


def test_revoking_a_pending_request_marks_both_sides(world) -> None:
    alice, bob = world.alice, world.bob
    inquiry_id = _ask(alice, "5.00", {"type": "EMAIL", "value": bob.email})
    mark = alice.last_event_id()
    [item] = alice.ok("PUT", f"request-inquiry/{inquiry_id}", {"status": "REVOKED"})
    revoked = item["RequestInquiry"]
    assert revoked["id"] == inquiry_id and revoked["status"] == "REVOKED"
    assert revoked["user_alias_revoked"]["uuid"] is not None
    [response] = bob.get("request-response")
    assert response["RequestResponse"]["status"] == "REVOKED"
    assert alice.events(mark) == [("RequestInquiry", "UPDATE")]
    assert bob.events(mark) == [("RequestResponse", "UPDATE")]
    message = alice.fails("PUT", f"request-inquiry/{inquiry_id}", {"status": "REVOKED"})
    assert message == f"RequestInquiry {inquiry_id} is REVOKED; only a PENDING request can be revoked."


def test_revoke_takes_only_status_revoked_and_only_own_requests(world) -> None:
    alice, bob = world.alice, world.bob
    inquiry_id = _ask(alice, "5.00", SUGAR_DADDY)
    assert alice.balance() == "5.00"  # sugar daddy answered on this read (no delay here)
    assert "must be one of REVOKED" in alice.fails(
        "PUT", f"request-inquiry/{inquiry_id}", {"status": "ACCEPTED"}
    )
    assert "is ACCEPTED" in alice.fails("PUT", f"request-inquiry/{inquiry_id}", {"status": "REVOKED"})
    message = bob.fails("PUT", f"request-inquiry/{inquiry_id}", {"status": "REVOKED"}, status=404)
    assert message == f"RequestInquiry with id {inquiry_id} not found."


def test_asking_your_own_account_is_refused(world) -> None:
    alice = world.alice
    message = alice.fails(
        "POST",
        "request-inquiry",
        {
            "amount_inquired": euros("1.00"),
            "counterparty_alias": {"type": "IBAN", "value": alice.iban},
            "description": "x",
        },
    )
    assert message == 'Field "counterparty_alias" points at the requesting account itself.'
