"""Asking for money: ``request-inquiry`` create, list, read and revoke (``PUT`` with status REVOKED).

A request to the e-mail address or IBAN of another sandbox account shows up there as a
``RequestResponse`` (``request_responses.py``), whose answer moves the money and sets this request's
status. A request to ``sugardaddy@bunq.com`` is answered by sugar daddy after ``sugardaddy_delay``
(``sugar_daddy.py``). Any other counterparty never answers: the request stays PENDING until revoked.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from ..amounts import amount
from ..bank.ledger import account_and_owner
from ..bank.transfers import MAX_DESCRIPTION, local_account_for
from ..bunq_errors import bad_request
from ..events import renders_rows
from ..field_rules import choice
from ..kit import ACCOUNT, Owned, body_of, op, operation_ids, plain_family
from ..render import (
    SUGAR_DADDY_EMAIL,
    SUGAR_DADDY_IBAN,
    SUGAR_DADDY_NAME,
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


@dataclass(frozen=True)
class InquiryOrder:
    """A request for money, checked, before it is stored."""

    cents: int
    currency: str
    description: str
    pointer: dict[str, str]
    allow_amount_lower: bool
    allow_amount_higher: bool


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


def is_sugar_daddy(pointer: dict[str, str]) -> bool:
    """Whether a pointer names sugardaddy@bunq.com."""
    return pointer["type"] == "EMAIL" and pointer["value"].lower() == SUGAR_DADDY_EMAIL


def insert_inquiry(
    ctx: HandlerContext, db: sqlite3.Connection, account: sqlite3.Row, user: sqlite3.Row, order: InquiryOrder
) -> int:
    """Store a PENDING request (and the payee's RequestResponse when the payee is a sandbox account)."""
    now = ctx.now()
    pointer, payee = order.pointer, None
    if is_sugar_daddy(pointer):
        pointer = {**pointer, "name": SUGAR_DADDY_NAME, "iban": SUGAR_DADDY_IBAN}
    else:
        payee = local_account_for(db, pointer)
        if payee is not None and payee["id"] == account["id"]:
            raise bad_request('Field "counterparty_alias" points at the requesting account itself.')
    inquiry_id = db.execute(
        "INSERT INTO request_inquiries (account_id, amount_cents, currency, description,"
        " counterparty, status, credit_at, created, updated) VALUES (?, ?, ?, ?, ?, 'PENDING', ?, ?, ?)",
        (
            account["id"],
            order.cents,
            order.currency,
            order.description,
            json.dumps(pointer),
            now + ctx.options.sugardaddy_delay,
            now,
            now,
        ),
    ).lastrowid
    ctx.events.record(db, "RequestInquiry", inquiry_id, user_id=user["id"], account_id=account["id"])
    if payee is not None:
        response_id = db.execute(
            "INSERT INTO request_responses (account_id, inquiry_id, allow_amount_lower, allow_amount_higher,"
            " created, updated) VALUES (?, ?, ?, ?, ?, ?)",
            (payee["id"], inquiry_id, order.allow_amount_lower, order.allow_amount_higher, now, now),
        ).lastrowid
        ctx.events.record(
            db, "RequestResponse", response_id, user_id=payee["user_id"], account_id=payee["id"]
        )
    return int(inquiry_id)


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
        inquiry_id = insert_inquiry(ctx, db, account, caller.user, order)
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
