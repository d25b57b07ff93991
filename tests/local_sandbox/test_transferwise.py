"""Transferwise through bunq: the Wise account, fixed-rate quotes, recipients and transfers that pay
Wise from a bunq account through the bank's money rules (a documented stand-in)."""

from __future__ import annotations

import pytest

from bunq_helpers.local_sandbox.bank import rates
from tests.local_sandbox.money import Clock, money_world

GB_DETAIL = [{"key": "sortCode", "value": "231470"}, {"key": "accountNumber", "value": "28821822"}]


@pytest.fixture
def world(tmp_path, client_key):
    with money_world(tmp_path, client_key, Clock()) as made:
        yield made


def _quote(party, **amounts) -> int:
    body = {"currency_source": "EUR", "currency_target": "GBP", **amounts}
    return party.create(f"user/{party.h.user_id}/transferwise-quote", body)


def test_a_quote_needs_a_transferwise_user_and_prices_at_the_fixed_rate(world) -> None:
    alice, base = world.alice, f"user/{world.alice.h.user_id}"
    assert "transferwise-user" in alice.fails(
        "POST", f"{base}/transferwise-quote", {"currency_source": "EUR", "currency_target": "GBP"}
    )
    assert alice.get(f"{base}/transferwise-user") == []
    user_id = alice.create(f"{base}/transferwise-user", {"oauth_code": "from-wise"})
    [listed] = alice.get(f"{base}/transferwise-user")
    assert (
        listed["TransferwiseUser"]["id"] == user_id and listed["TransferwiseUser"]["source"] == "TRANSFERWISE"
    )
    assert "already" in alice.fails("POST", f"{base}/transferwise-user", {})

    quote_id = _quote(alice, amount_source={"value": "100.00", "currency": "EUR"})
    [read] = alice.get(f"{base}/transferwise-quote/{quote_id}")
    quote = read["TransferwiseQuote"]
    fee = rates.fee_cents(10_000)
    assert quote["amount_source"] == {"value": "100.00", "currency": "EUR"}
    assert quote["amount_fee"] == {"value": f"{fee / 100:.2f}", "currency": "EUR"}
    assert quote["amount_target"] == {
        "value": f"{rates.convert(10_000 - fee, 'EUR', 'GBP') / 100:.2f}",
        "currency": "GBP",
    }
    assert quote["rate"] == "0.850000" and quote["time_expiry"] > quote["created"]

    by_target = _quote(alice, amount_target={"value": "85.00", "currency": "GBP"})
    [read] = alice.get(f"{base}/transferwise-quote/{by_target}")
    assert read["TransferwiseQuote"]["amount_target"]["value"] == "85.00"
    assert read["TransferwiseQuote"]["amount_source"]["value"] == "100.50"  # 100.00 + the 0.50 fee
    assert "either" in alice.fails(
        "POST", f"{base}/transferwise-quote", {"currency_source": "EUR", "currency_target": "GBP"}
    )
    assert '"XXX"' in alice.fails(
        "POST",
        f"{base}/transferwise-quote",
        {
            "currency_source": "EUR",
            "currency_target": "XXX",
            "amount_source": {"value": "1.00", "currency": "EUR"},
        },
    )
    assert "TransferwiseQuote" in world.bob.fails(
        "GET", f"user/{world.bob.h.user_id}/transferwise-quote/{quote_id}", status=404
    )


def test_a_temporary_quote_needs_no_account_and_currencies_are_listed(world) -> None:
    alice, base = world.alice, f"user/{world.alice.h.user_id}"
    made = alice.create(
        f"{base}/transferwise-quote-temporary",
        {
            "currency_source": "EUR",
            "currency_target": "USD",
            "amount_target": {"value": "10.80", "currency": "USD"},
        },
    )
    [read] = alice.get(f"{base}/transferwise-quote-temporary/{made}")
    assert read["TransferwiseQuote"]["amount_target"] == {"value": "10.80", "currency": "USD"}
    assert read["TransferwiseQuote"]["rate"] == "1.080000"
    assert alice.fails("GET", f"{base}/transferwise-quote/{made}", status=404)  # not a real quote
    currencies = [
        item["TransferwiseCurrency"]["currency"]
        for item in alice.get(f"{base}/transferwise-currency?count=200")
    ]
    assert currencies == list(rates.CURRENCIES)


def test_a_transfer_pays_wise_from_the_account_and_shows_the_recipient(world) -> None:
    alice, base = world.alice, f"user/{world.alice.h.user_id}"
    alice.fund("200.00")
    alice.create(f"{base}/transferwise-user", {})
    quote_id = _quote(alice, amount_source={"value": "100.00", "currency": "EUR"})
    quote_path = f"{base}/transferwise-quote/{quote_id}"

    kinds = [
        item["TransferwiseRequirement"]["type"]
        for item in alice.get(f"{quote_path}/transferwise-recipient-requirement")
    ]
    assert kinds == ["iban", "sort_code", "swift_code"]
    body = {"name_account_holder": "Sam Smith", "type": "sort_code", "country": "GB", "detail": GB_DETAIL}
    assert alice.create(f"{quote_path}/transferwise-recipient-requirement", body)
    assert "sortCode" in alice.fails(
        "POST", f"{quote_path}/transferwise-recipient", {**body, "detail": GB_DETAIL[1:]}
    )
    assert "aba" not in kinds and "type" in alice.fails(
        "POST", f"{quote_path}/transferwise-recipient", {**body, "type": "aba"}
    )
    recipient_id = alice.create(f"{quote_path}/transferwise-recipient", body)
    [shown] = alice.get(f"{quote_path}/transferwise-recipient/{recipient_id}")
    recipient = shown["TransferwiseRecipient"]
    assert (
        recipient["account_id"],
        recipient["account_number"],
        recipient["bank_code"],
        recipient["currency"],
    ) == (str(recipient_id), "28821822", "231470", "GBP")
    assert [
        r["TransferwiseRecipient"]["account_id"] for r in alice.get(f"{quote_path}/transferwise-recipient")
    ] == [str(recipient_id)]
    assert alice.create(
        f"{quote_path}/transferwise-transfer-requirement", {"recipient_id": str(recipient_id)}
    )

    before = alice.last_event_id()
    transfer = {"monetary_account_id": str(alice.h.account_id), "recipient_id": str(recipient_id)}
    transfer_id = alice.create(f"{quote_path}/transferwise-transfer", transfer)
    assert alice.balance() == "100.00"
    [paid] = [p for p in alice.payments() if p["description"].startswith("Transferwise")]
    assert paid["amount"]["value"] == "-100.00" and paid["counterparty_alias"]["iban"].startswith("BE")
    assert alice.events(before) == [("Payment", "CREATE")]
    [listed] = alice.get(f"{quote_path}/transferwise-transfer")
    shown = listed["TransferwisePayment"]
    assert shown["id"] == transfer_id and shown["status"] == "OUTGOING_PAYMENT_SENT"
    assert shown["amount_target"]["currency"] == "GBP" and shown["quote"]["id"] == quote_id
    assert shown["counterparty_alias"]["display_name"] == "Sam Smith"
    assert alice.get(f"{quote_path}/transferwise-transfer/{transfer_id}")[0]["TransferwisePayment"] == shown

    alice.ok("DELETE", f"{quote_path}/transferwise-recipient/{recipient_id}")
    assert alice.get(f"{quote_path}/transferwise-recipient") == []
    assert alice.get(f"{quote_path}/transferwise-transfer/{transfer_id}")  # the transfer stays
    bob_path = f"user/{world.bob.h.user_id}/transferwise-quote/{quote_id}/transferwise-"
    assert "TransferwiseQuote" in world.bob.fails("GET", bob_path + "transfer", status=404)
    assert "TransferwiseQuote" in world.bob.fails("GET", bob_path + "recipient-requirement", status=404)


def test_a_transfer_checks_the_account_the_balance_and_the_expiry(world) -> None:
    alice, base = world.alice, f"user/{world.alice.h.user_id}"
    alice.create(f"{base}/transferwise-user", {})
    quote_path = (
        f"{base}/transferwise-quote/{_quote(alice, amount_source={'value': '50.00', 'currency': 'EUR'})}"
    )
    body = {
        "name_account_holder": "Jo",
        "type": "iban",
        "detail": [{"key": "IBAN", "value": "DE89370400440532013000"}],
    }
    recipient = str(alice.create(f"{quote_path}/transferwise-recipient", body))
    transfer = {"monetary_account_id": str(alice.h.account_id), "recipient_id": recipient}
    assert "does not cover" in alice.fails("POST", f"{quote_path}/transferwise-transfer", transfer)
    bob_account = {**transfer, "monetary_account_id": str(world.bob.h.account_id)}
    assert "MonetaryAccount" in alice.fails(
        "POST", f"{quote_path}/transferwise-transfer", bob_account, status=404
    )
    named = {**transfer, "monetary_account_id": "main"}
    assert "monetary_account_id" in alice.fails("POST", f"{quote_path}/transferwise-transfer", named)
    alice.fund("100.00")
    world.clock.now += 31 * 60
    assert "expired" in alice.fails("POST", f"{quote_path}/transferwise-transfer", transfer)
