"""``mastercard-action``: card payments at merchants as bunq records them on the card's account (list,
read, and the Payment an allowed one booked), each with its notes.

bunq makes a MasterCardAction when a card is used at a terminal or web shop; no call of bunq's API does.
The local sandbox's stand-in for the terminal is ``bank.merchant_payments.pay_by_card`` (what
``/_sandbox/trigger/card-payment`` calls; the object and its event's rendering live there too): bunq's decision, and when ``ALLOWED`` the ``MASTERCARD``
Payment that debits the account, both with their events and callbacks.
"""

from __future__ import annotations

from ..bank.ledger import account_and_owner
from ..bank.merchant_payments import card_action_object
from ..kit import ACCOUNT, Owned, op, plain_family
from ..pagination import paginate
from ..render import payment_object
from ..request import Request
from ..routing import Caller, HandlerContext, Reply

MASTERCARD_ACTION = Owned(
    "card_actions", "MasterCardAction", key="mastercard_action_id", parent=ACCOUNT, link="account_id"
)


def list_action_payments(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """GET …/mastercard-action/{id}/payment: the Payment an allowed action booked (none if refused)."""
    action = MASTERCARD_ACTION.find(ctx, caller, ids)
    db = ctx.store.read()
    rows = db.execute("SELECT * FROM payments WHERE id = ?", (action["payment_id"],)).fetchall()
    account, user = account_and_owner(db, action["account_id"])
    return paginate(
        request, [payment_object(row, account, user) for row in rows], "Payment"
    )  # as bunq's SDK reads


ROUTES = [
    *plain_family(
        MASTERCARD_ACTION,
        list_op="List_all_MastercardAction_for_User_MonetaryAccount",
        read_op="READ_MastercardAction_for_User_MonetaryAccount",
        render=card_action_object,
    ),
    op("List_all_Payment_for_User_MonetaryAccount_MastercardAction", list_action_payments),
]
