"""Currency conversion as a money rule (no HTTP): the fixed rates, and a booking on both sides,
including a target account in another currency (the API's accounts are EUR today)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from bunq_helpers.local_sandbox.bank import conversions, rates
from bunq_helpers.local_sandbox.bank.core import Bank
from bunq_helpers.local_sandbox.bunq_errors import BunqError
from bunq_helpers.local_sandbox.events import EventLog
from bunq_helpers.local_sandbox.kit import derived_renderer
from bunq_helpers.local_sandbox.store import Store


@pytest.fixture
def bank(tmp_path: Path):
    store = Store(tmp_path)
    yield Bank(store, EventLog(store, lambda: 1_800_000_000.0), lambda: 1_800_000_000.0)
    store.close()


def _setup(bank: Bank, target_currency: str) -> tuple[sqlite3.Row, sqlite3.Row, sqlite3.Row, sqlite3.Row]:
    with bank.store.transaction() as db:
        user_id = db.execute(
            "INSERT INTO users (kind, display_name, public_nick_name, email, public_uuid, session_timeout,"
            " created, updated) VALUES ('UserPerson', 'Ann', 'Ann', 'ann@example.com', 'u', 3600, 0, 0)"
        ).lastrowid
        ids = [
            db.execute(
                "INSERT INTO accounts (user_id, iban, description, currency, balance_cents, status, public_uuid,"
                " created, updated) VALUES (?, ?, 'a', ?, ?, 'ACTIVE', 'p', 0, 0)",
                (user_id, iban, currency, cents),
            ).lastrowid
            for iban, currency, cents in (
                ("NL01SAND0000000001", "EUR", 10_000),
                ("NL01SAND0000000002", target_currency, 0),
            )
        ]
        pointer = {"type": "IBAN", "value": "NL01SAND0000000002", "name": "Ann"}
        quote_id = db.execute(
            "INSERT INTO currency_conversion_quotes (account_id, status, order_type, counterparty_json, rate,"
            " amount_source_cents, amount_source_currency, amount_target_cents, amount_target_currency,"
            " time_expiry, created, updated) VALUES (?, 'OPEN', 'SELL', ?, ?, 5000, 'EUR', ?, 'USD', 1e10, 0, 0)",
            (ids[0], json.dumps(pointer), rates.rate_text("EUR", "USD"), rates.convert(5000, "EUR", "USD")),
        ).lastrowid
    db = bank.store.read()
    one = lambda table, key: db.execute(f"SELECT * FROM {table} WHERE id = ?", (key,)).fetchone()  # noqa: E731, S608
    return (
        one("users", user_id),
        one("accounts", ids[0]),
        one("accounts", ids[1]),
        one("currency_conversion_quotes", quote_id),
    )


def test_the_fixed_rates_convert_both_ways_with_a_floor_fee() -> None:
    assert rates.convert(10_000, "EUR", "USD") == 10_800 and rates.source_for(10_800, "EUR", "USD") == 10_000
    assert rates.rate_text("GBP", "EUR") == "1.176471"
    assert (rates.fee_cents(1_000), rates.fee_cents(100_000)) == (50, 500)
    with pytest.raises(BunqError, match="XYZ"):
        rates.known("XYZ", "currency_target")


def test_a_conversion_to_an_own_account_in_the_target_currency_books_both_sides(bank: Bank) -> None:
    user, eur, usd, quote = _setup(bank, "USD")
    with bank.store.transaction() as db:
        conversion_id = conversions.convert(bank, db, eur, user, quote)
    db = bank.store.read()
    balances = [
        db.execute("SELECT balance_cents FROM accounts WHERE id = ?", (a["id"],)).fetchone()[0]
        for a in (eur, usd)
    ]
    assert balances == [5_000, 5_400]
    booked = db.execute("SELECT account_id, amount_cents, currency FROM payments ORDER BY id").fetchall()
    assert [tuple(row) for row in booked] == [(eur["id"], -5_000, "EUR"), (usd["id"], 5_400, "USD")]
    assert db.execute("SELECT COUNT(*) FROM events WHERE object_kind = 'Payment'").fetchone()[0] == 2
    row = db.execute("SELECT * FROM currency_conversions WHERE id = ?", (conversion_id,)).fetchone()
    shown = derived_renderer("READ_CurrencyConversion_for_User_MonetaryAccount")(db, row)
    assert shown["counter_amount"] == {"value": "54.00", "currency": "USD"}  # *_currency column
    assert shown["counter_label_monetary_account"]["iban"] == usd["iban"]  # *_json column


def test_a_target_account_in_another_currency_is_refused_and_nothing_moves(bank: Bank) -> None:
    user, eur, _other, quote = _setup(bank, "EUR")
    with pytest.raises(BunqError, match="holds EUR, not USD"), bank.store.transaction() as db:
        conversions.convert(bank, db, eur, user, quote)
    assert bank.store.read().execute("SELECT COUNT(*) FROM payments").fetchone()[0] == 0
