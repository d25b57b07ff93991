"""Several payments at once: ``payment-batch`` create (signed, like a payment), list and read.

The body's ``payments`` is a list of ``{"amount", "counterparty_alias", "description"}`` (what bunq's
SDKs send; the spec's ``{"Payment": [...]}`` is accepted too), and answers list them the same way. The balance must cover the total
before anything moves, so the batch is paid in full or not at all.
"""

from __future__ import annotations

from ..bank.transfers import batch_object, execute_orders, payee_account
from ..kit import ACCOUNT, Owned, body_of, op, plain_family
from ..request import Request
from ..routing import Caller, HandlerContext, Reply
from .lookups import payable_account
from .orders import read_orders

PAYMENT_BATCH = Owned("payment_batches", "PaymentBatch", parent=ACCOUNT, link="account_id")


def create_payment_batch(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """POST …/payment-batch (signed): pay every order, or none if the balance does not cover them all."""
    account = payable_account(ctx, caller, ids)
    orders = read_orders(body_of(request), "payments")
    with ctx.store.transaction() as db:
        for index, order in enumerate(orders):
            payee_account(db, account, order.pointer, f"payments[{index}].counterparty_alias")
        _, batch_id = execute_orders(ctx, db, account, caller.user, orders, as_batch=True)
    return Reply([{"Id": {"id": batch_id}}])


ROUTES = [
    op("CREATE_PaymentBatch_for_User_MonetaryAccount", create_payment_batch, signed=True),
    *plain_family(
        PAYMENT_BATCH,
        list_op="List_all_PaymentBatch_for_User_MonetaryAccount",
        read_op="READ_PaymentBatch_for_User_MonetaryAccount",
        render=batch_object,
    ),
]
