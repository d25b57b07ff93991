"""request-response: the payer's side of a request between two sandbox users; accepting moves the money."""

from __future__ import annotations

from tests.local_sandbox.money import Party, euros


def _request(asker: Party, payer: Party, value: str, **extra) -> tuple[int, int]:
    """(inquiry id at the asker, response id at the payer)."""
    inquiry_id = asker.create(
        "request-inquiry",
        {
            "amount_inquired": euros(value),
            "counterparty_alias": {"type": "EMAIL", "value": payer.email},
            "description": "concert tickets",
            "allow_bunqme": False,
            **extra,
        },
    )
    response_id = payer.get("request-response")[0]["RequestResponse"]["id"]
    return inquiry_id, response_id


def test_accepting_pays_the_asker_and_marks_both_sides_accepted(world) -> None:
    alice, bob = world.alice, world.bob
    bob.fund("50.00")
    inquiry_id, response_id = _request(alice, bob, "20.00")
    mark = alice.last_event_id()
    [item] = bob.ok("PUT", f"request-response/{response_id}", {"status": "ACCEPTED"}, signed=True)
    answered = item["RequestResponse"]
    assert answered["id"] == response_id and answered["status"] == "ACCEPTED"
    assert answered["amount_responded"] == euros("20.00") and answered["time_responded"] is not None
    assert (alice.balance(), bob.balance()) == ("20.00", "30.00")
    inquiry = alice.get(f"request-inquiry/{inquiry_id}")[0]["RequestInquiry"]
    assert (inquiry["status"], inquiry["amount_responded"]) == ("ACCEPTED", euros("20.00"))
    paid, received = bob.payments()[0], alice.payments()[0]
    assert (paid["amount"], received["amount"]) == (euros("-20.00"), euros("20.00"))
    assert paid["sub_type"] == received["sub_type"] == "REQUEST"
    assert paid["counterparty_alias"]["iban"] == alice.iban and paid["description"] == "concert tickets"
    assert bob.events(mark) == [("Payment", "CREATE"), ("RequestResponse", "UPDATE")]
    assert alice.events(mark) == [("Payment", "CREATE"), ("RequestInquiry", "UPDATE")]
    assert bob.get(f"request-response/{response_id}")[0]["RequestResponse"]["status"] == "ACCEPTED"


def test_rejecting_moves_nothing_and_marks_both_sides_rejected(world) -> None:
    alice, bob = world.alice, world.bob
    bob.fund("50.00")
    inquiry_id, response_id = _request(alice, bob, "20.00")
    [item] = bob.ok("PUT", f"request-response/{response_id}", {"status": "REJECTED"}, signed=True)
    assert (
        item["RequestResponse"]["status"] == "REJECTED"
        and item["RequestResponse"]["amount_responded"] is None
    )
    assert (alice.balance(), bob.balance()) == ("0.00", "50.00")
    assert alice.get(f"request-inquiry/{inquiry_id}")[0]["RequestInquiry"]["status"] == "REJECTED"
    message = bob.fails("PUT", f"request-response/{response_id}", {"status": "ACCEPTED"}, signed=True)
    assert message == f"RequestResponse {response_id} is REJECTED; only a PENDING request can be answered."


def test_a_lower_amount_only_if_the_request_allows_it(world) -> None:
    alice, bob = world.alice, world.bob
    bob.fund("50.00")
    _, strict = _request(alice, bob, "20.00")
    message = bob.fails(
        "PUT",
        f"request-response/{strict}",
        {"status": "ACCEPTED", "amount_responded": euros("5.00")},
        signed=True,
    )
    assert "lower than the 20.00 EUR asked" in message
    _, lenient = _request(alice, bob, "20.00", allow_amount_lower=True)
    bob.ok(
        "PUT",
        f"request-response/{lenient}",
        {"status": "ACCEPTED", "amount_responded": euros("5.00")},
        signed=True,
    )
    assert (alice.balance(), bob.balance()) == ("5.00", "45.00")
    assert "higher than" in bob.fails(
        "PUT",
        f"request-response/{strict}",
        {"status": "ACCEPTED", "amount_responded": euros("25.00")},
        signed=True,
    )


def test_accepting_needs_the_money_a_signature_and_your_own_response(world) -> None:
    alice, bob = world.alice, world.bob
    _, response_id = _request(alice, bob, "20.00")
    assert "does not cover this payment of 20.00 EUR" in bob.fails(
        "PUT", f"request-response/{response_id}", {"status": "ACCEPTED"}, signed=True
    )
    unsigned = bob.fails("PUT", f"request-response/{response_id}", {"status": "ACCEPTED"}, status=466)
    assert unsigned.startswith("For this operation a request signature is required.")
    other = alice.fails(
        "PUT", f"request-response/{response_id}", {"status": "ACCEPTED"}, signed=True, status=404
    )
    assert other == f"RequestResponse with id {response_id} not found."
    assert 'must be one of ACCEPTED, REJECTED, got "REVOKED"' in bob.fails(
        "PUT", f"request-response/{response_id}", {"status": "REVOKED"}, signed=True
    )


def test_the_list_filters_by_status_as_bunqs_sdk_asks(world) -> None:
    alice, bob = world.alice, world.bob
    _, first = _request(alice, bob, "1.00")
    _, second = _request(alice, bob, "2.00")
    bob.ok("PUT", f"request-response/{first}", {"status": "REJECTED"}, signed=True)
    pending = bob.get("request-response?status=PENDING")
    assert [item["RequestResponse"]["id"] for item in pending] == [second]
    assert [item["RequestResponse"]["id"] for item in bob.get("request-response")] == [second, first]
    assert "must be one of" in bob.fails("GET", "request-response?status=MAYBE")
