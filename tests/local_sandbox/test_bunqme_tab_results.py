"""``bunqme-tab-result-response``: a sandbox user pays another's bunq.me tab (``/_sandbox/trigger/
bunqme-tab-payment``); the payer reads the result, the tab lists it, money and events move, and it is the
payer's own only."""

from __future__ import annotations

from tests.helpers import error_of
from tests.local_sandbox.money import euros
from tests.local_sandbox.test_sandbox_api import api


def _pay(world, payer, tab_id: int, **params):
    body = {"account_id": payer.h.account_id, "bunqme_tab_id": tab_id, **params}
    return api(world.sandbox, "POST", "trigger/bunqme-tab-payment", body)


def test_paying_a_tab_moves_the_money_and_both_sides_show_it(world) -> None:
    alice, bob = world.alice, world.bob
    bob.fund("20.00")
    entry = {"amount_inquired": euros("8.50"), "description": "pizza"}
    tab_id = alice.create("bunqme-tab", {"bunqme_tab_entry": entry})
    mark = alice.last_event_id()
    made = _pay(world, bob, tab_id)
    assert made.status_code == 200, made.text
    result_id = made.json()["made"]["BunqMeTabResultResponse"]["id"]
    assert (alice.balance(), bob.balance()) == ("8.50", "11.50")
    assert bob.events(mark) == [("Payment", "CREATE"), ("BunqMeTabResultResponse", "CREATE")]
    assert alice.events(mark) == [("Payment", "CREATE"), ("BunqMeTab", "UPDATE")]
    [read] = bob.get(f"bunqme-tab-result-response/{result_id}")
    paid = read["BunqMeTabResultResponse"]
    assert paid["id"] == result_id and paid["payment"] == bob.payments()[0]
    assert paid["payment"]["amount"] == euros("-8.50") and paid["payment"]["description"] == "pizza"
    assert paid["payment"]["counterparty_alias"]["iban"] == alice.iban
    [listed] = [
        e for e in bob.get(f"user/{bob.h.user_id}/event") if "BunqMeTabResultResponse" in e["Event"]["object"]
    ]
    assert listed["Event"]["object"] == read
    tab = alice.get(f"bunqme-tab/{tab_id}")[0]["BunqMeTab"]
    assert tab["status"] == "WAITING_FOR_PAYMENT"  # a link may be paid by several people
    assert tab["result_inquiries"] == [{"payment": alice.payments()[0], "bunq_me_tab_id": tab_id}]


def test_a_tab_without_amount_takes_the_payers_and_closed_tabs_take_none(world) -> None:
    alice, bob = world.alice, world.bob
    bob.fund("20.00")
    open_tab = alice.create("bunqme-tab", {"bunqme_tab_entry": {"description": "any"}})
    assert error_of(_pay(world, bob, open_tab)) == (
        'Field "amount" is required: this tab lets the payer choose the amount.'
    )
    assert _pay(world, bob, open_tab, amount="3.00").status_code == 200
    assert bob.balance() == "17.00"
    alice.ok("PUT", f"bunqme-tab/{open_tab}", {"status": "CANCELLED"})
    refused = _pay(world, bob, open_tab, amount="3.00")
    assert refused.status_code == 400
    assert error_of(refused) == f'Field "bunqme_tab_id": {open_tab} is no bunq.me tab WAITING_FOR_PAYMENT.'
    assert _pay(world, alice, open_tab, amount="1.00").status_code == 400  # nor from the tab's own account
    assert (alice.balance(), bob.balance()) == ("3.00", "17.00")


def test_another_users_result_is_404(world) -> None:
    alice, bob = world.alice, world.bob
    bob.fund("5.00")
    tab_id = alice.create(
        "bunqme-tab", {"bunqme_tab_entry": {"amount_inquired": euros("1.00"), "description": "x"}}
    )
    result_id = _pay(world, bob, tab_id).json()["made"]["BunqMeTabResultResponse"]["id"]
    expected = f"BunqMeTabResultResponse with id {result_id} not found."
    assert alice.fails("GET", f"bunqme-tab-result-response/{result_id}", status=404) == expected
