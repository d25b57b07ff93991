"""Payment auto-allocation: an incoming payment like the one an allocation was set up from is split at once.

"Like" means from the same counterparty (its IBAN, or sugar daddy's e-mail) (bunq: "the payment that should be used to define the
triggers"). Each definition is an AMOUNT (a fixed sum) or a PERCENTAGE (``fraction`` of the incoming
amount, rounded down to the cent); the parts go out as one payment batch, all or none. A run the
balance does not cover moves nothing and is recorded as a FAILED instance with bunq's error text. A
ONCE allocation ends after its first run. Runs happen in the settle-due step before an answer (like
sugar daddy's money and due schedules), for the payments that arrived since the allocation was made.
"""

from __future__ import annotations

import json
import sqlite3

from ..bunq_errors import BunqError
from .core import Bank
from .ledger import account_and_owner
from .transfers import PaymentOrder, execute_orders


def _orders(db: sqlite3.Connection, allocation: sqlite3.Row, incoming_cents: int) -> list[PaymentOrder]:
    rows = db.execute(
        "SELECT * FROM auto_allocation_definitions WHERE payment_auto_allocate_id = ? ORDER BY id",
        (allocation["id"],),
    ).fetchall()
    return [
        PaymentOrder(
            row["amount_cents"] if row["type"] == "AMOUNT" else incoming_cents * row["fraction"] // 100,
            "EUR",
            row["description"],
            json.loads(row["counterparty_alias"]),
        )
        for row in rows
    ]


_ACTIVE = (
    "SELECT aa.* FROM auto_allocations aa JOIN accounts a ON a.id = aa.account_id"
    " WHERE a.user_id = ? AND aa.status = 'ACTIVE' ORDER BY aa.id"
)
_DUE = (
    "SELECT * FROM payments p WHERE p.account_id = ? AND p.id > ? AND p.amount_cents > 0"
    " AND json_extract(p.counterparty, '$.value') = ? AND NOT EXISTS (SELECT 1 FROM"
    " auto_allocation_instances i WHERE i.payment_auto_allocate_id = ? AND i.payment_id = p.id) ORDER BY p.id"
)


def _due(db: sqlite3.Connection, allocation: sqlite3.Row) -> list[sqlite3.Row]:
    found = db.execute(
        _DUE,
        (
            allocation["account_id"],
            allocation["payment_id"],
            allocation["counterparty_value"],
            allocation["id"],
        ),
    ).fetchall()
    return found[:1] if allocation["type"] == "ONCE" else found


def run_auto_allocations(ctx: Bank, user_id: int) -> None:
    """Split every incoming payment that an ACTIVE allocation of the user's accounts has not handled yet."""
    read = ctx.store.read()
    if not any(_due(read, allocation) for allocation in read.execute(_ACTIVE, (user_id,)).fetchall()):
        return  # the common case: nothing to do, and no write lock taken
    with ctx.store.transaction() as db:
        for allocation in db.execute(_ACTIVE, (user_id,)).fetchall():
            for payment in _due(db, allocation):
                _run(ctx, db, allocation, payment)


def _run(ctx: Bank, db: sqlite3.Connection, allocation: sqlite3.Row, payment: sqlite3.Row) -> None:
    account, user = account_and_owner(db, allocation["account_id"])
    status, error, batch_id = "SUCCEEDED", None, None
    try:
        _, batch_id = execute_orders(
            ctx, db, account, user, _orders(db, allocation, payment["amount_cents"]), as_batch=True
        )
    except BunqError as refused:
        status, error = "FAILED", refused.description
    now = ctx.now()
    db.execute(
        "INSERT INTO auto_allocation_instances (payment_auto_allocate_id, payment_id, status, error,"
        " payment_batch_id, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (allocation["id"], payment["id"], status, error, batch_id, now, now),
    )
    if allocation["type"] == "ONCE":
        db.execute(
            "UPDATE auto_allocations SET status = 'ENDED', updated = ? WHERE id = ?", (now, allocation["id"])
        )
