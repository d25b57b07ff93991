"""Asking for money: ``request-inquiry`` create, list and read (sugardaddy@bunq.com pays up to 500 EUR)."""

from __future__ import annotations

import json
import sqlite3

from ..amounts import cents_to_value
from ..bunq_errors import bad_request, not_found
from ..events import renders
from ..http_io import Request
from ..pagination import paginate
from ..render import SUGAR_DADDY_EMAIL, SUGAR_DADDY_IBAN, SUGAR_DADDY_NAME, request_inquiry_object
from ..routing import Auth, Caller, HandlerContext, Reply, Route
from ..validation import parse_object, required_amount, required_pointer, required_string
from .lookups import own_account, payable_account
from .monetary_accounts import ACCOUNT
from .sugar_daddy import SUGAR_DADDY_MAX_CENTS


def create_request_inquiry(
    ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]
) -> Reply:
    """POST …/request-inquiry: ask for money; sugardaddy@bunq.com pays up to 500 EUR shortly after."""
    account = payable_account(ctx, caller, ids)
    body = parse_object(request.body)
    cents, currency = required_amount(body, "amount_inquired")
    pointer = required_pointer(body, "counterparty_alias")
    description = required_string(body, "description", max_length=140)
    allow_bunqme = body.get("allow_bunqme", False)
    if not isinstance(allow_bunqme, bool):
        raise bad_request('Field "allow_bunqme" must be true or false.')
    is_sugar_daddy = pointer["type"] == "EMAIL" and pointer["value"].lower() == SUGAR_DADDY_EMAIL
    if is_sugar_daddy and cents > SUGAR_DADDY_MAX_CENTS:
        raise bad_request(
            f"You can request at most {cents_to_value(SUGAR_DADDY_MAX_CENTS)} EUR from "
            f"{SUGAR_DADDY_EMAIL} at a time; you asked for {cents_to_value(cents)} EUR."
        )
    if is_sugar_daddy:
        pointer = {**pointer, "name": SUGAR_DADDY_NAME, "iban": SUGAR_DADDY_IBAN}
    now = ctx.now()
    with ctx.store.transaction() as db:
        inquiry_id = db.execute(
            "INSERT INTO request_inquiries (account_id, amount_cents, currency, description,"
            " counterparty, status, credit_at, created, updated)"
            " VALUES (?, ?, ?, ?, ?, 'PENDING', ?, ?, ?)",
            (
                account["id"],
                cents,
                currency,
                description,
                json.dumps(pointer),
                now + ctx.options.sugardaddy_delay,
                now,
                now,
            ),
        ).lastrowid
        ctx.events.record(
            db, "RequestInquiry", inquiry_id, user_id=caller.user["id"], account_id=account["id"]
        )
    return Reply([{"Id": {"id": inquiry_id}}])


def list_request_inquiries(
    ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]
) -> Reply:
    """GET …/request-inquiry."""
    account = own_account(ctx, caller, ids)
    rows = (
        ctx.store.read()
        .execute("SELECT * FROM request_inquiries WHERE account_id = ?", (account["id"],))
        .fetchall()
    )
    items = [request_inquiry_object(row, account, caller.user) for row in rows]
    return paginate(request, items, "RequestInquiry")


def read_request_inquiry(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """GET …/request-inquiry/{id}."""
    account = own_account(ctx, caller, ids)
    row = (
        ctx.store.read()
        .execute(
            "SELECT * FROM request_inquiries WHERE id = ? AND account_id = ?",
            (ids["inquiry_id"], account["id"]),
        )
        .fetchone()
    )
    if row is None:
        raise not_found("RequestInquiry", ids["inquiry_id"])
    return Reply([{"RequestInquiry": request_inquiry_object(row, account, caller.user)}])


@renders("RequestInquiry")
def request_inquiry_for_event(db: sqlite3.Connection, inquiry_id: int) -> dict | None:
    """A request inquiry as an event shows it."""
    row = db.execute("SELECT * FROM request_inquiries WHERE id = ?", (inquiry_id,)).fetchone()
    if row is None:
        return None
    account = db.execute("SELECT * FROM accounts WHERE id = ?", (row["account_id"],)).fetchone()
    user = db.execute("SELECT * FROM users WHERE id = ?", (account["user_id"],)).fetchone()
    return {"RequestInquiry": request_inquiry_object(row, account, user)}


ROUTES = [
    Route("POST", ACCOUNT + "/request-inquiry", create_request_inquiry, Auth.SESSION),
    Route("GET", ACCOUNT + "/request-inquiry", list_request_inquiries, Auth.SESSION),
    Route("GET", ACCOUNT + "/request-inquiry/{inquiry_id}", read_request_inquiry, Auth.SESSION),
]
