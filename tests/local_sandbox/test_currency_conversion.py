"""Currency conversion at the stand-in fixed rates: a quote, then ACCEPTED books it through the bank."""

from __future__ import annotations

import pytest

from tests.local_sandbox.money import Clock, money_world

OUTSIDE_USD = {"type": "IBAN", "value": "US64SVBKUS6S3300958879", "name": "Dollar Shop"}


@pytest.fixture
def world(tmp_path, client_key):
    with money_world(tmp_path, client_key, Clock()) as made:
        yield made


def _quote(party, **changes) -> int:
    body = {
        "amount": {"value": "100.00", "currency": "EUR"},
        "currency_source": "EUR",
        "currency_target": "USD",
        "order_type": "SELL",
        "counterparty_alias": OUTSIDE_USD,
        **changes,
    }
    return party.create("currency-conversion-quote", body)


def test_an_accepted_quote_converts_and_books_a_payment(world) -> None:
    alice = world.alice
    alice.fund("150.00")
    quote_id = _quote(alice)
    [read] = alice.get(f"currency-conversion-quote/{quote_id}")
    quote = read["CurrencyConversionQuote"]
    assert (quote["status"], quote["rate"]) == ("OPEN", "1.080000")
    assert quote["amount_source"] == {"value": "100.00", "currency": "EUR"}
    assert quote["amount_target"] == {"value": "108.00", "currency": "USD"}
    assert alice.get("currency-conversion") == []

    before = alice.last_event_id()
    alice.ok("PUT", f"currency-conversion-quote/{quote_id}", {"status": "ACCEPTED"}, signed=True)
    assert alice.balance() == "50.00"
    assert alice.events(before) == [("Payment", "CREATE")]
    assert (
        alice.get(f"currency-conversion-quote/{quote_id}")[0]["CurrencyConversionQuote"]["status"]
        == "ACCEPTED"
    )
    [listed] = alice.get("currency-conversion")
    conversion = listed["CurrencyConversion"]
    assert conversion["amount"] == {"value": "100.00", "currency": "EUR"}
    assert conversion["counter_amount"] == {"value": "108.00", "currency": "USD"}
    assert conversion["payment"]["amount"]["value"] == "-100.00" and conversion["status"] == "COMPLETED"
    assert conversion["counter_label_monetary_account"]["iban"] == OUTSIDE_USD["value"]
    assert alice.get(f"currency-conversion/{conversion['id']}")[0]["CurrencyConversion"] == conversion
    assert "is ACCEPTED" in alice.fails(
        "PUT", f"currency-conversion-quote/{quote_id}", {"status": "ACCEPTED"}, signed=True
    )
    assert world.bob.fails(
        "GET",
        f"user/{world.bob.h.user_id}/monetary-account/{alice.h.account_id}/currency-conversion",
        status=404,
    )


def test_a_buy_order_prices_the_target_and_the_rules_refuse_what_cannot_convert(world) -> None:
    alice = world.alice
    buy = _quote(alice, order_type="BUY", amount={"value": "85.00", "currency": "GBP"}, currency_target="GBP")
    quote = alice.get(f"currency-conversion-quote/{buy}")[0]["CurrencyConversionQuote"]
    assert quote["amount_source"]["value"] == "100.00" and quote["amount_target"]["currency"] == "GBP"
    assert "does not cover" in alice.fails(
        "PUT", f"currency-conversion-quote/{buy}", {"status": "ACCEPTED"}, signed=True
    )
    assert "EUR" in alice.fails(
        "POST",
        "currency-conversion-quote",
        {
            "amount": {"value": "1.00", "currency": "USD"},
            "currency_source": "USD",
            "currency_target": "EUR",
            "order_type": "SELL",
            "counterparty_alias": OUTSIDE_USD,
        },
    )
    alice.fund("200.00")
    to_bob = _quote(alice, counterparty_alias={"type": "IBAN", "value": world.bob.iban, "name": "Bob"})
    assert "holds EUR, not USD" in alice.fails(
        "PUT", f"currency-conversion-quote/{to_bob}", {"status": "ACCEPTED"}, signed=True
    )
    alice.ok("PUT", f"currency-conversion-quote/{to_bob}", {"status": "REJECTED"}, signed=True)
    assert (
        alice.get(f"currency-conversion-quote/{to_bob}")[0]["CurrencyConversionQuote"]["status"] == "REJECTED"
    )
    late = _quote(alice)
    world.clock.now += 6 * 60
    assert (
        "expired"
        in alice.call("PUT", f"currency-conversion-quote/{late}", {"status": "ACCEPTED"}, signed=True).text
    )
    assert alice.get(f"currency-conversion-quote/{late}")[0]["CurrencyConversionQuote"]["status"] == "EXPIRED"
    assert alice.balance() == "200.00" and alice.get("currency-conversion") == []
