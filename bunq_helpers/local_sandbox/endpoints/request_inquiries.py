"""Asking for money: ``request-inquiry`` create, list, read and revoke (``PUT`` with status REVOKED).

A request to the e-mail address or IBAN of another sandbox account shows up there as a
``RequestResponse`` (``request_responses.py``), whose answer moves the money and sets this request's
status. A request to ``sugardaddy@bunq.com`` is answered by sugar daddy after ``sugardaddy_delay``
(``sugar_daddy.py``). Any other counterparty never answers: the request stays PENDING until revoked.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from ..amounts import amount
from ..bank.inquiries import InquiryOrder, insert_inquiry
from ..bank.ledger import account_and_owner
from ..bank.transfers import MAX_DESCRIPTION
from ..bunq_errors import bad_request
from ..events import renders_rows
from ..field_rules import choice
from ..kit import ACCOUNT, Owned, body_of, op, operation_ids, plain_family
from ..render import (
    counterparty_label,
    id_and_stamps,
    label_user,
    own_label,
    timestamp,
)
from ..request import Request
from ..routing import Caller, HandlerContext, Reply
from ..validation import (
    optional_bool,
    required_amount,
    required_pointer,
    required_string,
)
from .lookups import payable_account

REQUEST_INQUIRY = Owned("request_inquiries", "RequestInquiry", parent=ACCOUNT, link="account_id")
# bunq's spec answers a PUT with the RequestInquiry less these two fields.
UPDATE_OMITS = ("bunqme_share_url", "redirect_url")
REVOKED = choice("REVOKED", typed=False, required=True)  # the one status a PUT may send


def read_inquiry(body: Any, where: str = "") -> InquiryOrder:
    """amount_inquired, counterparty_alias, description, allow_bunqme and the allow_amount_* switches."""
    if not isinstance(body, dict):
        raise bad_request(
            f'Field "{where}" must be an object with "amount_inquired", "counterparty_alias", ...'
        )
    prefix = f"{where}." if where else ""
    cents, currency = required_amount(body, "amount_inquired", where=prefix)
    pointer = required_pointer(body, "counterparty_alias", where=prefix)
    description = required_string(body, "description", max_length=MAX_DESCRIPTION, where=prefix)
    for switch in ("allow_bunqme", "want_tip"):
        optional_bool(body, switch)  # accepted and checked; the sandbox has no bunq.me page or tips
    return InquiryOrder(
        cents,
        currency,
        description,
        pointer,
        optional_bool(body, "allow_amount_lower"),
        optional_bool(body, "allow_amount_higher"),
    )


def inquiry_object(db: sqlite3.Connection, inquiry: sqlite3.Row) -> dict:
    """A RequestInquiry, seen by the account that made it."""
    account, user = account_and_owner(db, inquiry["account_id"])
    response = db.execute("SELECT * FROM request_responses WHERE inquiry_id = ?", (inquiry["id"],)).fetchone()
    status = inquiry["status"]
    if response is not None:
        responded_cents, responded_at = response["amount_responded_cents"], response["time_responded"]
        counterparty = own_label(*account_and_owner(db, response["account_id"]))
    else:  # sugar daddy, or a counterparty outside the sandbox
        answered = status in ("ACCEPTED", "REJECTED")
        responded_cents = inquiry["amount_cents"] if status == "ACCEPTED" else None
        responded_at = inquiry["updated"] if answered else None
        counterparty = counterparty_label(json.loads(inquiry["counterparty"]))
    return {
        **id_and_stamps(inquiry),
        "time_responded": timestamp(responded_at) if responded_at is not None else None,
        "time_expiry": None,
        "monetary_account_id": account["id"],
        "amount_inquired": amount(inquiry["amount_cents"], inquiry["currency"]),
        "amount_responded": amount(responded_cents, inquiry["currency"])
        if responded_cents is not None
        else None,
        "user_alias_created": label_user(user),  # a LabelUser, as bunq's spec and SDK have it
        "user_alias_revoked": label_user(user) if status == "REVOKED" else None,
        "counterparty_alias": counterparty,
        "description": inquiry["description"],
        "merchant_reference": None,
        "attachment": [],
        "status": status,
        "batch_id": None,
        "scheduled_id": None,
        "bunqme_share_url": None,
        "redirect_url": None,
    }


def create_request_inquiry(
    ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]
) -> Reply:
    """POST …/request-inquiry: ask for money; the answer is just the new request's id."""
    account = payable_account(ctx, caller, ids)
    order = read_inquiry(body_of(request))
    with ctx.store.transaction() as db:
        inquiry_id = insert_inquiry(ctx.bank, db, account, caller.user, order)
    return Reply([{"Id": {"id": inquiry_id}}])


def revoke(ctx: HandlerContext, db: sqlite3.Connection, inquiry: sqlite3.Row, user: sqlite3.Row) -> None:
    """Mark a PENDING request REVOKED (and its RequestResponse with it), in the caller's transaction."""
    current = db.execute("SELECT status FROM request_inquiries WHERE id = ?", (inquiry["id"],)).fetchone()[0]
    if current != "PENDING":
        raise bad_request(
            f"RequestInquiry {inquiry['id']} is {current}; only a PENDING request can be revoked."
        )
    db.execute(
        "UPDATE request_inquiries SET status = 'REVOKED', updated = ? WHERE id = ?",
        (ctx.now(), inquiry["id"]),
    )
    ctx.events.updated(db, "RequestInquiry", inquiry["id"], user["id"], inquiry["account_id"])
    response = db.execute("SELECT * FROM request_responses WHERE inquiry_id = ?", (inquiry["id"],)).fetchone()
    if response is not None:
        payee_account, payee_user = account_and_owner(db, response["account_id"])
        ctx.events.updated(db, "RequestResponse", response["id"], payee_user["id"], payee_account["id"])


def update_request_inquiry(
    ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]
) -> Reply:
    """PUT …/request-inquiry/{id} with status REVOKED: take back a request nobody has answered yet."""
    row = REQUEST_INQUIRY.find(ctx, caller, ids)
    with ctx.store.transaction() as db:
        revoke(ctx, db, row, caller.user)
        shown = inquiry_object(db, REQUEST_INQUIRY.get(db, row["account_id"], row["id"]))
    for absent in UPDATE_OMITS:
        shown.pop(absent)
    return Reply([{"RequestInquiry": shown}])


renders_rows("RequestInquiry", "request_inquiries", inquiry_object)


ROUTES = [
    op("CREATE_RequestInquiry_for_User_MonetaryAccount", create_request_inquiry),
    *plain_family(
        REQUEST_INQUIRY,
        **operation_ids("RequestInquiry", "User_MonetaryAccount", "list read"),
        render=inquiry_object,
    ),
    op("UPDATE_RequestInquiry_for_User_MonetaryAccount", update_request_inquiry, rules={"status": REVOKED}),
]
