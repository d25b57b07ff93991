"""Answering a request for money: ``request-response`` list, read and update (accept or reject).

A RequestResponse is the payer's side of a RequestInquiry between two sandbox accounts; its status is
the inquiry's (one owner). Accepting (``PUT`` with status ACCEPTED, signed: bunq lists "accept a
payment request" among the calls that must be signed) pays ``amount_responded`` (default: the amount
asked) through the ledger and marks both sides ACCEPTED; a lower or higher amount is allowed only if
the request allowed it. Rejecting marks both REJECTED. Both need the request to be PENDING still.

bunq's spec says this ``PUT`` answers ``Id``; bunq's Python SDK reads a ``RequestResponse`` object from
it (and bunq's own SDK test accepts a request that way), so the sandbox answers the object.
"""

from __future__ import annotations

import sqlite3

from ..amounts import amount, cents_to_value
from ..bank.ledger import account_and_owner
from ..bank.transfers import PaymentOrder, transfer
from ..bunq_errors import bad_request
from ..events import renders_rows
from ..field_rules import choice
from ..kit import ACCOUNT, Owned, body_of, op, plain_family
from ..pagination import paginate
from ..render import id_and_stamps, own_label, timestamp
from ..request import Request
from ..routing import Caller, HandlerContext, Reply
from ..validation import required_amount
from .lookups import own_account

ANSWERS = ("ACCEPTED", "REJECTED")
STATUSES = ("PENDING", "ACCEPTED", "REJECTED", "REVOKED")
RULES = {"status": choice(*ANSWERS, required=True)}


# A response with its inquiry's fields (status, amount, currency, description, the requester's account).
RESPONSE = Owned(
    "(SELECT rr.*, ri.status, ri.amount_cents, ri.currency, ri.description,"
    " ri.account_id AS requester_account_id FROM request_responses rr"
    " JOIN request_inquiries ri ON ri.id = rr.inquiry_id)",
    "RequestResponse",
    parent=ACCOUNT,
    link="account_id",
)


def response_object(db: sqlite3.Connection, row: sqlite3.Row) -> dict:
    """A RequestResponse, seen by the account asked to pay."""
    account, user = account_and_owner(db, row["account_id"])
    responded = row["amount_responded_cents"]
    return {
        **id_and_stamps(row),
        "time_responded": timestamp(row["time_responded"]) if row["time_responded"] is not None else None,
        "time_expiry": None,
        "monetary_account_id": account["id"],
        "amount_inquired": amount(row["amount_cents"], row["currency"]),
        "amount_responded": amount(responded, row["currency"]) if responded is not None else None,
        "status": row["status"],
        "description": row["description"],
        "alias": own_label(account, user),
        "counterparty_alias": own_label(*account_and_owner(db, row["requester_account_id"])),
        "attachment": [],
        "type": "INTERNAL",
        "sub_type": "NONE",
        "redirect_url": None,
        "request_reference_split_the_bill": [],
    }


def list_request_responses(
    ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]
) -> Reply:
    """GET …/request-response (``?status=PENDING`` and the like filter, as bunq's SDK tests use it)."""
    account = own_account(ctx, caller, ids)
    wanted = request.query.get("status")
    if wanted is not None and wanted not in STATUSES:
        raise bad_request(f'Query parameter "status" must be one of {", ".join(STATUSES)}.')
    db = ctx.store.read()
    rows = [row for row in RESPONSE.rows(ctx, account["id"]) if wanted in (None, row["status"])]
    return paginate(request, [response_object(db, row) for row in rows], "RequestResponse")


def _amount_to_pay(body: dict, row: sqlite3.Row) -> int:
    if body.get("amount_responded") is None:
        return int(row["amount_cents"])
    cents, _ = required_amount(body, "amount_responded")
    asked = row["amount_cents"]
    if cents < asked and not row["allow_amount_lower"]:
        raise bad_request(
            f'Field "amount_responded" ({cents_to_value(cents)} EUR) is lower than the '
            f"{cents_to_value(asked)} EUR asked, and this request does not allow a lower amount."
        )
    if cents > asked and not row["allow_amount_higher"]:
        raise bad_request(
            f'Field "amount_responded" ({cents_to_value(cents)} EUR) is higher than the '
            f"{cents_to_value(asked)} EUR asked, and this request does not allow a higher amount."
        )
    return cents


def update_request_response(
    ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]
) -> Reply:
    """PUT …/request-response/{id} (signed): status ACCEPTED (pays) or REJECTED."""
    account, row = RESPONSE.with_owner(ctx, caller, ids)
    body = body_of(request)
    answer = body["status"]
    cents = _amount_to_pay(body, row) if answer == "ACCEPTED" else None
    now = ctx.now()
    with ctx.store.transaction() as db:
        row = RESPONSE.get(db, account["id"], row["id"])
        if row["status"] != "PENDING":
            raise bad_request(
                f"RequestResponse {row['id']} is {row['status']}; only a PENDING request can be answered."
            )
        requester_account, requester = account_and_owner(db, row["requester_account_id"])
        if cents is not None:
            to_requester = {
                "type": "IBAN",
                "value": requester_account["iban"],
                "name": requester["display_name"],
            }
            order = PaymentOrder(cents, row["currency"], row["description"], to_requester)
            transfer(ctx, db, account, caller.user, order, sub_type="REQUEST")
        db.execute(
            "UPDATE request_inquiries SET status = ?, updated = ? WHERE id = ?",
            (answer, now, row["inquiry_id"]),
        )
        db.execute(
            "UPDATE request_responses SET amount_responded_cents = ?, time_responded = ?, updated = ? WHERE id = ?",
            (cents, now, now, row["id"]),
        )
        ctx.events.updated(db, "RequestResponse", row["id"], caller.user["id"], account["id"])
        ctx.events.updated(db, "RequestInquiry", row["inquiry_id"], requester["id"], requester_account["id"])
        shown = response_object(db, RESPONSE.get(db, account["id"], row["id"]))
    return Reply([{"RequestResponse": shown}])


renders_rows("RequestResponse", RESPONSE.table, response_object)


ROUTES = [
    op("List_all_RequestResponse_for_User_MonetaryAccount", list_request_responses),
    *plain_family(RESPONSE, read_op="READ_RequestResponse_for_User_MonetaryAccount", render=response_object),
    op("UPDATE_RequestResponse_for_User_MonetaryAccount", update_request_response, signed=True, rules=RULES),
]
