"""Payments: ``payment`` create (signed; the balance must cover it), list and read.

A payment to an IBAN or e-mail address of another sandbox account credits that account too.
"""

from __future__ import annotations

import sqlite3

from ..bank.transfers import transfer
from ..kit import body_of, op
from ..pagination import paginate
from ..render import payment_object
from ..request import Request
from ..routing import Caller, HandlerContext, Reply
from .lookups import own_account, own_item, payable_account
from .orders import read_order


def create_payment(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """POST …/payment (signed): pay from this account; the balance must cover it."""
    account = payable_account(ctx, caller, ids)
    order = read_order(body_of(request))
    with ctx.store.transaction() as db:
        payment_id = transfer(ctx, db, account, caller.user, order)
    return Reply([{"Id": {"id": payment_id}}])


def list_payments(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """GET …/payment: newest first, paginated."""
    account = own_account(ctx, caller, ids)
    rows = (
        ctx.store.read().execute("SELECT * FROM payments WHERE account_id = ?", (account["id"],)).fetchall()
    )
    return paginate(request, [payment_object(row, account, caller.user) for row in rows], "Payment")


def find_payment(db: sqlite3.Connection, account_id: int, payment_id: int) -> sqlite3.Row | None:
    """Payment ``payment_id`` as booked on account ``account_id`` (each side of a payment is its own)."""
    return db.execute(
        "SELECT * FROM payments WHERE id = ? AND account_id = ?", (payment_id, account_id)
    ).fetchone()


def read_payment(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """GET …/payment/{id}."""
    account, row = own_item(ctx, caller, ids, find_payment, "Payment", key="payment_id")
    return Reply([{"Payment": payment_object(row, account, caller.user)}])


ROUTES = [
    op("CREATE_Payment_for_User_MonetaryAccount", create_payment, signed=True),
    op("List_all_Payment_for_User_MonetaryAccount", list_payments),
    op("READ_Payment_for_User_MonetaryAccount", read_payment, item="payment_id"),
]
