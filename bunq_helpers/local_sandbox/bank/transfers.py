"""Paying out of an account: the step every payment, batch, accepted draft, schedule run and accepted
request shares.

A transfer runs inside the caller's write transaction: both accounts must be open, the payer's balance
must cover it and its daily limit allow it (``check_payable``); both sides are booked (the payee's too
when it is a sandbox account), and each side records a ``Payment`` event.
Several orders at once form a ``PaymentBatch``: the balance must cover the total before anything
moves, so a batch is paid in full or not at all.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from ..amounts import amount, cents_to_value
from ..bunq_errors import bad_request
from ..events import render_object, renders, renders_rows
from ..render import counterparty_label, own_label, payment_object
from .core import Bank
from .ledger import account_and_owner, check_daily_limit, credit, insert_payment, require_active

MAX_DESCRIPTION = 140
MAX_BATCH = 100  # payments in one batch; bunq's own limit is not documented


@dataclass(frozen=True)
class PaymentOrder:
    """One payment to make: amount, counterparty pointer and description."""

    cents: int
    currency: str
    description: str
    pointer: dict[str, str]

    def to_json(self) -> dict[str, Any]:
        """The order as stored in a schedule's row."""
        return {
            "cents": self.cents,
            "currency": self.currency,
            "description": self.description,
            **self.pointer,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PaymentOrder:
        """An order stored by ``to_json``."""
        pointer = {k: data[k] for k in ("type", "value", "name")}
        return cls(data["cents"], data["currency"], data["description"], pointer)


def local_account_for(db: sqlite3.Connection, pointer: dict[str, str]) -> sqlite3.Row | None:
    """The sandbox account an IBAN or e-mail pointer names (a user's first account for e-mail), if any."""
    if pointer["type"] == "IBAN":
        return db.execute(
            "SELECT * FROM accounts WHERE iban = ?", (pointer["value"].replace(" ", "").upper(),)
        ).fetchone()
    if pointer["type"] == "EMAIL":
        return db.execute(
            "SELECT a.* FROM accounts a JOIN users u ON u.id = a.user_id WHERE lower(u.email) = ?"
            " ORDER BY a.id LIMIT 1",
            (pointer["value"].lower(),),
        ).fetchone()
    return None


def payee_account(
    db: sqlite3.Connection, account: sqlite3.Row, pointer: dict[str, str], field: str = "counterparty_alias"
) -> sqlite3.Row | None:
    """The sandbox account ``pointer`` names, if any; 400 when that is ``account`` itself."""
    target = local_account_for(db, pointer)
    if target is not None and target["id"] == account["id"]:
        raise bad_request(f'Field "{field}" points at the paying account itself.')
    return target


def require_cover(db: sqlite3.Connection, account: sqlite3.Row, cents: int, what: str) -> None:
    """400 unless the account's balance covers ``cents``."""
    balance = db.execute("SELECT balance_cents FROM accounts WHERE id = ?", (account["id"],)).fetchone()[0]
    if balance < cents:
        raise bad_request(
            f"The balance of monetary account {account['id']} ({cents_to_value(balance)} EUR) "
            f"does not cover {what} of {cents_to_value(cents)} EUR."
        )


def check_payable(
    ctx: Bank, db: sqlite3.Connection, account: sqlite3.Row, orders: list[PaymentOrder], what: str
) -> list[sqlite3.Row | None]:
    """Everything that could refuse paying ``orders`` from ``account`` now, checked before anything moves.

    The account is open, its balance covers the total, today's payments stay within its daily limit,
    no order pays the account itself and every sandbox payee is open. Returns each order's sandbox
    payee (None for one outside the sandbox).
    """
    current = db.execute("SELECT * FROM accounts WHERE id = ?", (account["id"],)).fetchone()
    require_active(current)
    total = sum(order.cents for order in orders)
    require_cover(db, current, total, what)
    check_daily_limit(db, account["id"], total, ctx.now(), what)
    payees = [payee_account(db, account, order.pointer) for order in orders]
    for payee in payees:
        if payee is not None:
            require_active(payee, "The counterparty's monetary account")
    return payees


def transfer(
    ctx: Bank,
    db: sqlite3.Connection,
    account: sqlite3.Row,
    user: sqlite3.Row,
    order: PaymentOrder,
    *,
    sub_type: str = "PAYMENT",
) -> int:
    """Pay ``order`` from ``account`` in the caller's transaction; return the payer's payment id."""
    now = ctx.now()
    [target] = check_payable(ctx, db, account, [order], "this payment")
    balance_after = credit(db, account["id"], -order.cents, now)
    counterparty = {**order.pointer, "iban": target["iban"] if target else None}
    payment_id = insert_payment(
        db,
        account["id"],
        -order.cents,
        order.currency,
        order.description,
        counterparty,
        sub_type,
        balance_after,
        now,
    )
    ctx.events.record(db, "Payment", payment_id, user_id=user["id"], account_id=account["id"])
    if target is not None:
        payer = {"type": "IBAN", "value": account["iban"], "name": user["display_name"]}
        target_balance = credit(db, target["id"], order.cents, now)
        received_id = insert_payment(
            db,
            target["id"],
            order.cents,
            order.currency,
            order.description,
            payer,
            sub_type,
            target_balance,
            now,
        )
        ctx.events.record(db, "Payment", received_id, user_id=target["user_id"], account_id=target["id"])
    return payment_id


def batch_what(orders: list[PaymentOrder]) -> str:
    """How a refusal names a batch of ``orders``."""
    return f"this batch of {len(orders)} payments, a total"


def execute_orders(
    ctx: Bank,
    db: sqlite3.Connection,
    account: sqlite3.Row,
    user: sqlite3.Row,
    orders: list[PaymentOrder],
    *,
    as_batch: bool = False,
) -> tuple[str, int]:
    """One order as a ``Payment``, several (or ``as_batch``) as a ``PaymentBatch``, all or none; (kind, id)."""
    if len(orders) == 1 and not as_batch:
        return "Payment", transfer(ctx, db, account, user, orders[0])
    check_payable(ctx, db, account, orders, batch_what(orders))
    payment_ids = [transfer(ctx, db, account, user, order) for order in orders]
    now = ctx.now()
    batch_id = db.execute(
        "INSERT INTO payment_batches (account_id, payment_ids, created, updated) VALUES (?, ?, ?, ?)",
        (account["id"], json.dumps(payment_ids), now, now),
    ).lastrowid
    ctx.events.record(db, "PaymentBatch", batch_id, user_id=user["id"], account_id=account["id"])
    return "PaymentBatch", int(batch_id)


def order_object(order: PaymentOrder, account: sqlite3.Row, user: sqlite3.Row) -> dict[str, Any]:
    """A payment that is yet to be made (SchedulePaymentEntry, DraftPaymentEntry, scheduled Payment)."""
    return {
        "amount": amount(order.cents, order.currency),
        "counterparty_alias": counterparty_label(order.pointer),
        "description": order.description,
        "attachment": [],
        "merchant_reference": None,
        "alias": own_label(account, user),
    }


def batch_object(db: sqlite3.Connection, batch: sqlite3.Row) -> dict[str, Any]:
    """A PaymentBatch: its payments, seen from the paying account (no ``id``: bunq's spec and SDK have none).

    ``payments`` is a plain list, as bunq's SDKs read it (Python 1.28 and the C# models); bunq's spec
    draws it as ``{"Payment": [...]}``, which makes the Python SDK's ``PaymentBatch.get`` fail.
    """
    account, user = account_and_owner(db, batch["account_id"])
    payments = []
    for payment_id in json.loads(batch["payment_ids"]):
        row = db.execute("SELECT * FROM payments WHERE id = ?", (payment_id,)).fetchone()
        payments.append(payment_object(row, account, user))
    return {"payments": payments}


def result_object(db: sqlite3.Connection, kind: str | None, result_id: int | None) -> dict[str, Any] | None:
    """``{"Payment": …}`` or ``{"PaymentBatch": …}`` for what a draft or schedule run made, if anything."""
    return render_object(db, kind, result_id) if kind in ("Payment", "PaymentBatch") else None


@renders("Payment")
def payment_for_event(db: sqlite3.Connection, payment_id: int) -> dict | None:
    """A payment as an event shows it, seen from the account it was booked on."""
    row = db.execute("SELECT * FROM payments WHERE id = ?", (payment_id,)).fetchone()
    if row is None:
        return None
    account, user = account_and_owner(db, row["account_id"])
    return {"Payment": payment_object(row, account, user)}


renders_rows("PaymentBatch", "payment_batches", batch_object)
