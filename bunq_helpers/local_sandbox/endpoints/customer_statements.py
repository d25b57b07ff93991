"""Statement exports: ``customer-statement`` create/list/read/delete on an account, and its file (``…/content``).

A statement lists the account's payments booked from ``date_start`` to ``date_end`` (both included,
UTC days), with the opening balance before the first day and the closing balance after the last. The
file is made when the export is created, so it stays what it was (as a bank statement does), and is
answered as raw bytes of its own type (``text/csv``, ``text/plain`` for MT940, ``application/pdf``),
signed like every answer. ``regional_format`` is required for CSV, as bunq's reference says.

Choices where bunq is silent: an export is made at once, so its ``status`` is ``DONE``;
``statement_number`` counts from 1 per account; a period may not end before it starts, and may be as
long as the client likes (bunq's own Postman collection asks for 2019-01-01 to 2020-02-03, 398 days); ``include_attachment`` is accepted for PDF (the local sandbox has no attachments
on payments to include).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from typing import Any

from ..bank.ledger import account_and_owner
from ..bunq_errors import bad_request
from ..field_rules import choice, date
from ..kit import ACCOUNT, Owned, body_of, derived_renderer, op, operation_ids, plain_family
from ..render import own_label
from ..request import Request
from ..routing import Caller, HandlerContext, RawReply, Reply
from ..statement_files import Line, Statement, to_csv, to_mt940, to_pdf
from .lookups import own_account

REGIONAL_FORMATS = ("UK_US", "EUROPEAN")
RULES = {
    "statement_format": choice("CSV", "MT940", "PDF"),
    "regional_format": choice(*REGIONAL_FORMATS),
    "date_start": date,
    "date_end": date,
}
CONTENT_TYPES = {"CSV": "text/csv", "MT940": "text/plain", "PDF": "application/pdf"}


STATEMENT = Owned(
    "customer_statements", "CustomerStatement", key="statement_id", parent=ACCOUNT, link="account_id"
)
_SHOWN = derived_renderer("READ_CustomerStatement_for_User_MonetaryAccount")


def statement_object(db: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    """A CustomerStatement (bunq's ExportStatement): its row's fields and the account it is of."""
    return {**_SHOWN(db, row), "alias_monetary_account": own_label(*account_and_owner(db, row["account_id"]))}


def _midnight(day: dt.date) -> float:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.timezone.utc).timestamp()


def _statement(
    db: sqlite3.Connection, account: sqlite3.Row, user: sqlite3.Row, number: int, start: dt.date, end: dt.date
) -> Statement:
    since, until = _midnight(start), _midnight(end + dt.timedelta(days=1))
    before = db.execute(
        "SELECT balance_after_cents FROM payments WHERE account_id = ? AND created < ? ORDER BY id DESC LIMIT 1",
        (account["id"], since),
    ).fetchone()
    rows = db.execute(
        "SELECT * FROM payments WHERE account_id = ? AND created >= ? AND created < ? ORDER BY id",
        (account["id"], since, until),
    ).fetchall()
    lines = []
    for row in rows:
        pointer = json.loads(row["counterparty"])
        iban = pointer.get("iban") or (pointer["value"] if pointer.get("type") == "IBAN" else "")
        lines.append(
            Line(
                id=row["id"],
                booked=dt.datetime.fromtimestamp(row["created"], dt.timezone.utc),
                cents=row["amount_cents"],
                counterparty_iban=iban,
                counterparty_name=pointer.get("name") or pointer.get("value", ""),
                description=row["description"],
            )
        )
    return Statement(
        number=number,
        iban=account["iban"],
        holder=user["display_name"],
        account_description=account["description"],
        currency=account["currency"],
        date_start=start,
        date_end=end,
        opening_cents=before[0] if before else 0,
        lines=lines,
    )


def create_statement(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """POST …/customer-statement: export the account's payments in a period as CSV, MT940 or PDF."""
    account = own_account(ctx, caller, ids)
    body = body_of(request)
    statement_format = body["statement_format"]
    start, end = dt.date.fromisoformat(body["date_start"]), dt.date.fromisoformat(body["date_end"])
    if statement_format == "CSV" and body.get("regional_format") is None:
        raise bad_request('Field "regional_format" is required for CSV exports: "UK_US" or "EUROPEAN".')
    regional_format = body.get("regional_format") or "UK_US"
    if end < start:
        raise bad_request(f'Field "date_end" ({end}) is before "date_start" ({start}).')
    now = ctx.now()
    with ctx.store.transaction() as db:
        number = (
            1
            + db.execute(
                "SELECT COALESCE(MAX(statement_number), 0) FROM customer_statements WHERE account_id = ?",
                (account["id"],),
            ).fetchone()[0]
        )
        statement = _statement(db, account, caller.user, number, start, end)
        if statement_format == "CSV":
            content = to_csv(statement, regional_format)
        elif statement_format == "MT940":
            content = to_mt940(statement)
        else:
            content = to_pdf(statement)
        statement_id = db.execute(
            "INSERT INTO customer_statements (account_id, statement_format, date_start, date_end, regional_format,"
            " statement_number, status, content, created, updated) VALUES (?, ?, ?, ?, ?, ?, 'DONE', ?, ?, ?)",
            (
                account["id"],
                statement_format,
                start.isoformat(),
                end.isoformat(),
                regional_format,
                number,
                content,
                now,
                now,
            ),
        ).lastrowid
    return Reply([{"Id": {"id": statement_id}}])


def statement_content(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """GET …/customer-statement/{id}/content: the file itself, as raw bytes."""
    row = STATEMENT.find(ctx, caller, ids)
    return RawReply(bytes(row["content"]), CONTENT_TYPES[row["statement_format"]])


ROUTES = [
    op("CREATE_CustomerStatement_for_User_MonetaryAccount", create_statement, rules=RULES),
    *plain_family(
        STATEMENT,
        **operation_ids("CustomerStatement", "User_MonetaryAccount", "list read delete"),
        render=statement_object,
        wrapper="CustomerStatement",
    ),
    op("List_all_Content_for_User_MonetaryAccount_CustomerStatement", statement_content),
]
