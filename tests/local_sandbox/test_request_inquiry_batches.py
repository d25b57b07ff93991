"""request-inquiry-batch: several requests at once, each an ordinary request; revoke what is pending."""

from __future__ import annotations

from tests.local_sandbox.money import euros


def _item(value: str, email: str) -> dict:
    return {
        "amount_inquired": euros(value),
        "counterparty_alias": {"type": "EMAIL", "value": email},
        "description": "split",
        "allow_bunqme": False,
    }


def test_a_batch_makes_every_request_and_revoke_takes_back_the_pending_ones(world) -> None:
    alice, bob = world.alice, world.bob
    batch_id = alice.create(
        "request-inquiry-batch",
        {
            "request_inquiries": [_item("4.00", bob.email), _item("6.00", "sugardaddy@bunq.com")],
            "total_amount_inquired": euros("10.00"),
        },
    )
    assert alice.balance() == "6.00"  # sugar daddy answered its part
    [item] = alice.get(f"request-inquiry-batch/{batch_id}")
    batch = item["RequestInquiryBatch"]
    assert batch["total_amount_inquired"] == euros("10.00")
    assert [r["status"] for r in batch["request_inquiries"]] == ["PENDING", "ACCEPTED"]
    assert [r["RequestResponse"]["amount_inquired"] for r in bob.get("request-response")] == [euros("4.00")]
    assert alice.get("request-inquiry-batch") == [item]  # no id in a RequestInquiryBatch (spec and SDK)
    mark = alice.last_event_id()
    assert alice.ok("PUT", f"request-inquiry-batch/{batch_id}", {"status": "REVOKED"}) == [
        {"Id": {"id": batch_id}}
    ]
    statuses = [
        r["status"]
        for r in alice.get(f"request-inquiry-batch/{batch_id}")[0]["RequestInquiryBatch"]["request_inquiries"]
    ]
    assert statuses == ["REVOKED", "ACCEPTED"]
    assert alice.events(mark) == [("RequestInquiry", "UPDATE"), ("RequestInquiryBatch", "UPDATE")]
    assert bob.events(mark) == [("RequestResponse", "UPDATE")]
    assert "no PENDING request left" in alice.fails(
        "PUT", f"request-inquiry-batch/{batch_id}", {"status": "REVOKED"}
    )


def test_a_batch_is_made_whole_or_not_at_all(world) -> None:
    alice, bob = world.alice, world.bob
    bad_second = [_item("4.00", bob.email), {**_item("1.00", bob.email), "amount_inquired": euros("1,00")}]
    message = alice.fails("POST", "request-inquiry-batch", {"request_inquiries": bad_second})
    assert message.startswith('Field "request_inquiries[1].amount_inquired.value" must be a string amount')
    wrong_total = {"request_inquiries": [_item("4.00", bob.email)], "total_amount_inquired": euros("5.00")}
    assert "add up to 4.00 EUR" in alice.fails("POST", "request-inquiry-batch", wrong_total)
    assert bob.get("request-response") == []
