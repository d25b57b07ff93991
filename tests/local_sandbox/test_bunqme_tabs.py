"""bunqme-tab: payment links with bunq's share URL; cancel; expiry."""

from __future__ import annotations

import re

import pytest

from tests.local_sandbox.money import euros

pytestmark = pytest.mark.sandbox_options(moved_clock=True)


def test_a_tab_has_bunqs_share_url_and_its_entry(world) -> None:
    alice = world.alice
    entry = {
        "amount_inquired": euros("8.50"),
        "description": "pizza",
        "redirect_url": "https://example.com/thanks",
    }
    tab_id = alice.create("bunqme-tab", {"bunqme_tab_entry": entry})
    [item] = alice.get(f"bunqme-tab/{tab_id}")
    tab = item["BunqMeTab"]
    assert tab["status"] == "WAITING_FOR_PAYMENT" and tab["type"] == "BUNQ_ME"
    shown = tab["bunqme_tab_entry"]
    assert (shown["amount_inquired"], shown["description"], shown["redirect_url"]) == (
        euros("8.50"),
        "pizza",
        "https://example.com/thanks",
    )
    assert tab["bunqme_tab_share_url"] == f"https://bunq.me/t/{shown['uuid']}"
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}", shown["uuid"])
    assert tab["alias_monetary_account"]["iban"] == alice.iban and tab["result_inquiries"] == []
    open_amount = alice.create("bunqme-tab", {"bunqme_tab_entry": {"description": "any amount"}})
    assert (
        alice.get(f"bunqme-tab/{open_amount}")[0]["BunqMeTab"]["bunqme_tab_entry"]["amount_inquired"] is None
    )
    assert [i["BunqMeTab"]["id"] for i in alice.get("bunqme-tab")] == [open_amount, tab_id]
    assert alice.events() == [("BunqMeTab", "CREATE"), ("BunqMeTab", "CREATE")]


def test_cancel_once_and_expiry_after_thirty_days(world) -> None:
    alice, bob, clock = world.alice, world.bob, world.clock
    tab_id = alice.create(
        "bunqme-tab", {"bunqme_tab_entry": {"amount_inquired": euros("1.00"), "description": "x"}}
    )
    assert bob.fails("PUT", f"bunqme-tab/{tab_id}", {"status": "CANCELLED"}, status=404) == (
        f"BunqMeTab with id {tab_id} not found."
    )
    assert "must be one of CANCELLED" in alice.fails("PUT", f"bunqme-tab/{tab_id}", {"status": "PAID"})
    assert alice.ok("PUT", f"bunqme-tab/{tab_id}", {"status": "CANCELLED"}) == [{"Id": {"id": tab_id}}]
    assert alice.get(f"bunqme-tab/{tab_id}")[0]["BunqMeTab"]["status"] == "CANCELLED"
    assert "is CANCELLED" in alice.fails("PUT", f"bunqme-tab/{tab_id}", {"status": "CANCELLED"})
    assert alice.events()[-1] == ("BunqMeTab", "UPDATE")
    later = alice.create("bunqme-tab", {"bunqme_tab_entry": {"description": "y"}})
    clock.now += 30 * 24 * 3600
    tab = alice.get(f"bunqme-tab/{later}")[0]["BunqMeTab"]
    assert tab["status"] == tab["bunqme_tab_entry"]["status"] == "EXPIRED"
    assert "is EXPIRED" in alice.fails("PUT", f"bunqme-tab/{later}", {"status": "CANCELLED"})


def test_bad_tabs(world) -> None:
    alice = world.alice
    assert alice.fails("POST", "bunqme-tab", {}) == 'Field "bunqme_tab_entry" is required.'
    assert alice.fails("POST", "bunqme-tab", {"bunqme_tab_entry": "pizza"}) == (
        'Field "bunqme_tab_entry" must be an object, not string.'
    )
    bad_amount = {"bunqme_tab_entry": {"amount_inquired": euros("٣.00")}}
    assert alice.fails("POST", "bunqme-tab", bad_amount).startswith(
        'Field "bunqme_tab_entry.amount_inquired.value" must be a string amount'
    )
    bad_url = {"bunqme_tab_entry": {"redirect_url": "javascript:alert(1)"}}
    assert (
        alice.fails("POST", "bunqme-tab", bad_url)
        == 'Field "bunqme_tab_entry.redirect_url" must be an http(s) URL.'
    )
