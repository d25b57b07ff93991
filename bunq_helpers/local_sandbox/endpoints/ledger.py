"""Moving money: balances change and payment rows are written in the same transaction."""

from __future__ import annotations

import json
import sqlite3
from typing import Any


def credit(db: sqlite3.Connection, account_id: int, cents: int, now: float) -> int:
    """Add ``cents`` (negative to debit) to an account; return the new balance."""
    db.execute(
        "UPDATE accounts SET balance_cents = balance_cents + ?, updated = ? WHERE id = ?",
        (cents, now, account_id),
    )
    return int(db.execute("SELECT balance_cents FROM accounts WHERE id = ?", (account_id,)).fetchone()[0])


def insert_payment(
    db: sqlite3.Connection,
    account_id: int,
    cents: int,
    currency: str,
    description: str,
    counterparty: dict[str, Any],
    sub_type: str,
    balance_after: int,
    now: float,
) -> int:
    """Write one side of a payment (negative ``cents`` for the payer); return its id."""
    return int(
        db.execute(
            "INSERT INTO payments (account_id, amount_cents, currency, description, counterparty,"
            " type, sub_type, balance_after_cents, created, updated)"
            " VALUES (?, ?, ?, ?, ?, 'BUNQ', ?, ?, ?, ?)",
            (
                account_id,
                cents,
                currency,
                description,
                json.dumps(counterparty),
                sub_type,
                balance_after,
                now,
                now,
            ),
        ).lastrowid
    )


def account_and_owner(db: sqlite3.Connection, account_id: int) -> tuple[sqlite3.Row, sqlite3.Row]:
    """An account's row and its user's row."""
    account = db.execute("SELECT * FROM accounts WHERE id = ?", (account_id,)).fetchone()
    return account, db.execute("SELECT * FROM users WHERE id = ?", (account["user_id"],)).fetchone()
