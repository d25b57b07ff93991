"""Moving money: balances change and payment rows are written in the same transaction, and the
account rules every movement obeys (an open account, the daily limit)."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from typing import Any

from ..amounts import cents_to_value
from ..bunq_errors import bad_request
from .core import insert_row

DEFAULT_DAILY_LIMIT_CENTS = 100_000


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
    values = {
        "account_id": account_id,
        "amount_cents": cents,
        "currency": currency,
        "description": description,
        "counterparty": json.dumps(counterparty),
        "type": "BUNQ",
        "sub_type": sub_type,
        "balance_after_cents": balance_after,
    }
    return insert_row(db, "payments", {**values, "created": now, "updated": now})


def account_and_owner(db: sqlite3.Connection, account_id: int) -> tuple[sqlite3.Row, sqlite3.Row]:
    """An account's row and its user's row."""
    account = db.execute("SELECT * FROM accounts WHERE id = ?", (account_id,)).fetchone()
    return account, db.execute("SELECT * FROM users WHERE id = ?", (account["user_id"],)).fetchone()


def require_active(account: sqlite3.Row, role: str = "Monetary account") -> None:
    """400 unless ``account`` is ACTIVE."""
    if account["status"] != "ACTIVE":
        raise bad_request(
            f"{role} {account['id']} is {account['status']}; a closed account sends and receives no money."
        )


def check_daily_limit(
    db: sqlite3.Connection, account_id: int, cents: int, now: float, what: str = "this payment"
) -> None:
    """400 if paying ``cents`` (``what``) now would take today's (UTC) outgoing total past the daily limit."""
    day = dt.datetime.fromtimestamp(now, dt.timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    spent = -int(
        db.execute(
            "SELECT COALESCE(SUM(amount_cents), 0) FROM payments"
            " WHERE account_id = ? AND amount_cents < 0 AND created >= ?",
            (account_id, day.timestamp()),
        ).fetchone()[0]
    )
    row = db.execute(
        "SELECT daily_limit_cents FROM account_details WHERE account_id = ?", (account_id,)
    ).fetchone()
    limit = DEFAULT_DAILY_LIMIT_CENTS if row is None or row[0] is None else int(row[0])
    if spent + cents > limit:
        raise bad_request(
            f"{what[0].upper()}{what[1:]} of {cents_to_value(cents)} EUR would take today's payments from "
            f"monetary account {account_id} to {cents_to_value(spent + cents)} EUR, over its daily limit of "
            f"{cents_to_value(limit)} EUR. Raise daily_limit with PUT on the account, or pay tomorrow."
        )
