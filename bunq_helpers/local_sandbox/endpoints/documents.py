"""Generated documents: a payment's statement (``event/{id}/statement``: create, read, and its PDF),
``export-rib`` (create, list, read, delete, and the PDF at ``…/content``) and the
PDF of an ``export-annual-overview`` (``…/content``; the family itself is ``annual_overviews``).

A RIB (relevé d'identité bancaire, bunq's French account-details sheet) states the account holder,
IBAN and BIC ``BUNQNL2A``. An annual overview lists, per account of the user, what came in and went
out in that calendar year (UTC) and the balance at its end, from the sandbox's own payments. Both are
text-only PDFs made like customer statements' (``statement_files.text_pdf``), built when asked for so
they always show the current state; bunq's own layouts are not copied.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from typing import Any

from ..amounts import cents_to_value
from ..bunq_errors import bad_request
from ..kit import ACCOUNT, Owned, op, operation_ids, plain_family
from ..render import timestamp
from ..request import Request
from ..routing import Caller, HandlerContext, RawReply
from ..statement_files import text_pdf

EVENT = Owned("events", "Event", key="event_id", parent=ACCOUNT, link="account_id")
PAYMENT_STATEMENT = Owned(
    "event_statements", "ExportStatementPayment", key="statement_id", parent=EVENT, link="event_id"
)
RIB = Owned("export_ribs", "ExportRib", key="export_rib_id", parent=ACCOUNT, link="account_id")
OVERVIEW = Owned("export_annual_overviews", "ExportAnnualOverview", key="export_annual_overview_id")
BIC = "BUNQNL2A"


def _holder(db: sqlite3.Connection, user_id: int) -> str:
    return db.execute("SELECT display_name FROM users WHERE id = ?", (user_id,)).fetchone()["display_name"]


def rib_content(ctx: HandlerContext, request: Request, caller: Caller, ids: dict) -> RawReply:
    """GET …/export-rib/{id}/content: the account's details as a PDF."""
    RIB.find(ctx, caller, ids)
    db, account = ctx.store.read(), ACCOUNT.find(ctx, caller, ids)
    rows = [
        "Releve d'identite bancaire (RIB)",
        "",
        f"Account holder: {_holder(db, account['user_id'])}",
        f"Account: {account['description']}",
        f"IBAN: {account['iban']}",
        f"BIC: {BIC}",
        "Bank: bunq B.V., Naritaweg 131-133, 1043 BS Amsterdam",
    ]
    return RawReply(text_pdf(rows), "application/pdf")


def overview_content(ctx: HandlerContext, request: Request, caller: Caller, ids: dict) -> RawReply:
    """GET …/export-annual-overview/{id}/content: the year's money in and out per account, as a PDF."""
    year = OVERVIEW.find(ctx, caller, ids)["year"]
    db = ctx.store.read()
    start = dt.datetime(year, 1, 1, tzinfo=dt.UTC).timestamp()
    end = dt.datetime(year + 1, 1, 1, tzinfo=dt.UTC).timestamp()
    rows = [f"Annual overview {year}", _holder(db, caller.user["id"]), ""]
    for account in db.execute("SELECT * FROM accounts WHERE user_id = ? ORDER BY id", (caller.user["id"],)):
        money_in, money_out, after = db.execute(
            "SELECT COALESCE(SUM(MAX(amount_cents, 0)), 0), COALESCE(SUM(MIN(amount_cents, 0)), 0),"
            " (SELECT balance_after_cents FROM payments WHERE account_id = ? AND created < ?"
            "  ORDER BY created DESC, id DESC LIMIT 1)"
            " FROM payments WHERE account_id = ? AND created >= ? AND created < ?",
            (account["id"], end, account["id"], start, end),
        ).fetchone()
        rows += [
            f"{account['iban']}  {account['description']}",
            f"  In:  {cents_to_value(money_in):>14} {account['currency']}",
            f"  Out: {cents_to_value(-money_out):>14} {account['currency']}",
            f"  Balance at the end of {year}: {cents_to_value(after or 0)} {account['currency']}",
        ]
    return RawReply(text_pdf(rows), "application/pdf")


def _payment_only(ctx: HandlerContext, event: sqlite3.Row, body: dict, creating: bool) -> dict[str, Any]:
    if event["object_kind"] != "Payment":
        raise bad_request(
            f"Event {event['id']} is a {event['object_kind']}: only a payment's event has a statement."
        )
    return {"status": "DONE"}


def payment_statement_content(ctx: HandlerContext, request: Request, caller: Caller, ids: dict) -> RawReply:
    """GET …/event/{id}/statement/{id}/content: the payment's own statement, as a PDF."""
    PAYMENT_STATEMENT.find(ctx, caller, ids)
    event, db = EVENT.find(ctx, caller, ids), ctx.store.read()
    payment = db.execute("SELECT * FROM payments WHERE id = ?", (event["object_id"],)).fetchone()
    account = ACCOUNT.find(ctx, caller, ids)
    other = json.loads(payment["counterparty"])
    rows = [
        f"Payment statement {payment['id']}",
        f"{_holder(db, account['user_id'])}, {account['iban']}",
        "",
        f"Booked: {timestamp(payment['created'])} UTC",
        f"Amount: {cents_to_value(payment['amount_cents'])} {payment['currency']}",
        f"Counterparty: {other.get('name') or other.get('value')} {other.get('iban') or ''}".rstrip(),
        f"Description: {payment['description']}",
        f"Balance after: {cents_to_value(payment['balance_after_cents'])} {payment['currency']}",
    ]
    return RawReply(text_pdf(rows), "application/pdf")


ROUTES = [
    *plain_family(
        PAYMENT_STATEMENT,
        **operation_ids("Statement", "User_MonetaryAccount_Event", "read create"),
        validate=_payment_only,
    ),
    op("List_all_Content_for_User_MonetaryAccount_Event_Statement", payment_statement_content),
    *plain_family(
        RIB,
        **operation_ids("ExportRib", "User_MonetaryAccount", "list read create delete"),
    ),
    op("List_all_Content_for_User_MonetaryAccount_ExportRib", rib_content),
    op("List_all_Content_for_User_ExportAnnualOverview", overview_content),
]
