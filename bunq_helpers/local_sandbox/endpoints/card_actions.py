"""``mastercard-action``: card payments at merchants as bunq records them on the card's account (list,
read, and the Payment an allowed one booked), each with its notes.

bunq makes a MasterCardAction when a card is used at a terminal or web shop; no call of bunq's API does.
The local sandbox's stand-in for the terminal is ``bank.merchant_payments.pay_by_card`` (what
``/_sandbox/trigger/card-payment`` calls): bunq's decision, and when ``ALLOWED`` the ``MASTERCARD``
Payment that debits the account, both with their events and callbacks.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from ..amounts import amount
from ..bank.ledger import account_and_owner
from ..events import renders
from ..kit import ACCOUNT, Owned, op, plain_family
from ..pagination import paginate
from ..render import counterparty_label, own_label, payment_object
from ..request import Request
from ..routing import Caller, HandlerContext, Reply

MASTERCARD_ACTION = Owned(
    "card_actions", "MasterCardAction", key="mastercard_action_id", parent=ACCOUNT, link="account_id"
)


def card_action_object(db: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    """A MasterCardAction as bunq shows it (bunq's has no created/updated)."""
    account, user = account_and_owner(db, row["account_id"])
    money = amount(row["amount_cents"], row["currency"])
    allowed = row["decision"] == "ALLOWED"
    return {
        "id": row["id"],
        "monetary_account_id": row["account_id"],
        "card_id": row["card_id"],
        "amount_local": money,
        "amount_billing": money,
        "amount_original_local": money,
        "amount_original_billing": money,
        "amount_fee": amount(0, row["currency"]),
        "decision": row["decision"],
        "decision_description": "Allowed" if allowed else row["decision"].replace("_", " ").capitalize(),
        "description": row["description"],
        "authorisation_status": "AUTHORISED" if allowed else "BLOCKED",
        "authorisation_type": "NORMAL_AUTHORISATION",
        "payment_status": "PAYMENT_SUCCESSFUL" if allowed else "PAYMENT_FAILED",
        "pan_entry_mode_user": "ICC",
        "city": row["city"],
        "alias": own_label(account, user),
        "counterparty_alias": counterparty_label({"type": "IBAN", "value": "", "name": row["merchant"]}),
        "merchant_category_code": row["merchant_category_code"],
    }


@renders("MasterCardAction")
def card_action_for_event(db: sqlite3.Connection, action_id: int) -> dict | None:
    """A MasterCardAction as an event (and its callback) shows it."""
    row = db.execute("SELECT * FROM card_actions WHERE id = ?", (action_id,)).fetchone()
    return {"MasterCardAction": card_action_object(db, row)} if row is not None else None


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
