"""Several payments at once: ``payment-batch`` create (signed, like a payment), list and read.

The body's ``payments`` is a list of ``{"amount", "counterparty_alias", "description"}`` (what bunq's
SDKs send; the spec's ``{"Payment": [...]}`` is accepted too), and answers list them the same way. The balance must cover the total
before anything moves, so the batch is paid in full or not at all.
"""

from __future__ import annotations

from ..bank.transfers import batch_object, execute_orders, find_payment_batch, payee_account
from ..kit import body_of, op
from ..pagination import paginate
from ..request import Request
from ..routing import Caller, HandlerContext, Reply
from .lookups import own_account, own_item, payable_account
from .orders import read_orders


def create_payment_batch(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """POST …/payment-batch (signed): pay every order, or none if the balance does not cover them all."""
    account = payable_account(ctx, caller, ids)
    orders = read_orders(body_of(request), "payments")
    with ctx.store.transaction() as db:
        for index, order in enumerate(orders):
            payee_account(db, account, order.pointer, f"payments[{index}].counterparty_alias")
        _, batch_id = execute_orders(ctx, db, account, caller.user, orders, as_batch=True)
    return Reply([{"Id": {"id": batch_id}}])


def list_payment_batches(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """GET …/payment-batch."""
    account = own_account(ctx, caller, ids)
    db = ctx.store.read()
    rows = db.execute("SELECT * FROM payment_batches WHERE account_id = ?", (account["id"],)).fetchall()
    return paginate(
        request, [batch_object(db, row) for row in rows], "PaymentBatch", ids=[row["id"] for row in rows]
    )


def read_payment_batch(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """GET …/payment-batch/{id}."""
    _, row = own_item(ctx, caller, ids, find_payment_batch, "PaymentBatch")
    return Reply([{"PaymentBatch": batch_object(ctx.store.read(), row)}])


ROUTES = [
    op("CREATE_PaymentBatch_for_User_MonetaryAccount", create_payment_batch, signed=True),
    op("List_all_PaymentBatch_for_User_MonetaryAccount", list_payment_batches),
    op("READ_PaymentBatch_for_User_MonetaryAccount", read_payment_batch),
]
