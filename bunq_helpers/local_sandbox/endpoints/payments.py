"""Payments: ``payment`` create (signed; the balance must cover it), list and read.

A payment to an IBAN or e-mail address of another sandbox account credits that account too.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from ..bank.ledger import account_and_owner
from ..bank.transfers import transfer
from ..kit import ACCOUNT, Owned, body_of, op, operation_ids, plain_family
from ..render import payment_object
from ..request import Request
from ..routing import Caller, HandlerContext, Reply
from .lookups import payable_account
from .orders import read_order

# Each side of a payment is its own row, booked on its own account.
PAYMENT = Owned("payments", "Payment", key="payment_id", parent=ACCOUNT, link="account_id")


def create_payment(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """POST …/payment (signed): pay from this account; the balance must cover it."""
    account = payable_account(ctx, caller, ids)
    order = read_order(body_of(request))
    with ctx.store.transaction() as db:
        payment_id = transfer(ctx, db, account, caller.user, order)
    return Reply([{"Id": {"id": payment_id}}])


def shown_payment(db: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    """A Payment as its account's owner sees it."""
    return payment_object(row, *account_and_owner(db, row["account_id"]))


ROUTES = [
    op("CREATE_Payment_for_User_MonetaryAccount", create_payment, signed=True),
    *plain_family(
        PAYMENT,
        **operation_ids("Payment", "User_MonetaryAccount", "list read"),
        render=shown_payment,
    ),
]
