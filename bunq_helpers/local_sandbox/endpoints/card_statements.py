"""A card's statement exports: ``export-statement-card-csv`` and ``export-statement-card-pdf`` (create, list,
read, delete), and ``export-statement-card`` (both kinds: list, read, and the file at ``…/content``).

Dates are ``YYYY-MM-DD``, the start not after the end; CSV needs ``regional_format`` (UK_US or
EUROPEAN), as customer statements do. The file is made when asked for, in the layouts customer
statements use (``statement_files``): one line per card payment the card made in the period (UTC
days, both included), as the sandbox's ``card-payment`` trigger books them (``triggers.py``; refused
payments moved no money and are left out). The opening balance shown is 0.00: a card has none of its
own. An export is DONE at once.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Any

from ..bunq_errors import bad_request
from ..kit import Narrowed, Owned, op, operation_ids, plain_family
from ..request import Request
from ..routing import Caller, HandlerContext, RawReply
from ..statement_files import Line, Statement, to_csv, to_pdf
from ..validation import parse_date, required_choice
from .customer_statements import REGIONAL_FORMATS

CARD = Owned("cards", "Card", key="card_id")
ANY = Owned("card_statements", "ExportStatementCard", parent=CARD, link="card_id")
FILE = Owned(
    "card_statements", "ExportStatementCard", key="export_statement_card_id", parent=CARD, link="card_id"
)
CSV = Narrowed("card_statements", "ExportStatementCardCsv", "CSV", parent=CARD, link="card_id")
PDF = Narrowed("card_statements", "ExportStatementCardPdf", "PDF", parent=CARD, link="card_id")


def _columns(kind: str):
    def validate(ctx: HandlerContext, row: sqlite3.Row, body: dict, creating: bool) -> dict[str, Any]:
        start, end = parse_date(body["date_start"], "date_start"), parse_date(body["date_end"], "date_end")
        if start > end:
            raise bad_request('Field "date_start" is after "date_end".')
        regional = required_choice(body, "regional_format", REGIONAL_FORMATS) if kind == "CSV" else None
        period = {"date_start": start.isoformat(), "date_end": end.isoformat()}
        return {**period, "type": kind, "regional_format": regional, "status": "DONE"}

    return validate


def statement_content(ctx: HandlerContext, request: Request, caller: Caller, ids: dict) -> RawReply:
    """GET …/export-statement-card/{id}/content: the CSV or PDF of the card's payments in the period."""
    row, card, db = FILE.find(ctx, caller, ids), CARD.find(ctx, caller, ids), ctx.store.read()
    account = db.execute("SELECT * FROM accounts WHERE id = ?", (card["account_id"],)).fetchone()
    start, end = dt.date.fromisoformat(row["date_start"]), dt.date.fromisoformat(row["date_end"])
    since = dt.datetime.combine(start, dt.time(), dt.UTC).timestamp()
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), dt.UTC).timestamp()
    actions = db.execute(
        "SELECT * FROM card_actions WHERE card_id = ? AND decision = 'ALLOWED' AND created >= ? AND created < ?"
        " ORDER BY id",
        (card["id"], since, until),
    )
    lines = [
        Line(
            a["id"],
            dt.datetime.fromtimestamp(a["created"], dt.UTC),
            -a["amount_cents"],
            "",
            a["merchant"],
            a["city"],
        )
        for a in actions
    ]
    holder, described = card["name_on_card"], f"Card ending {card['last_four']}"
    statement = Statement(
        row["id"], account["iban"], holder, described, account["currency"], start, end, 0, lines
    )
    if row["type"] == "CSV":
        return RawReply(to_csv(statement, row["regional_format"]), "text/csv")
    return RawReply(to_pdf(statement), "application/pdf")


ROUTES = [
    *(
        route
        for owned, kind in ((CSV, "CSV"), (PDF, "PDF"))
        for route in plain_family(
            owned,
            **operation_ids(f"ExportStatementCard{kind.title()}", "User_Card", "list read create delete"),
            validate=_columns(kind),
        )
    ),
    *plain_family(ANY, **operation_ids("ExportStatementCard", "User_Card", "list read")),
    op("List_all_Content_for_User_Card_ExportStatementCard", statement_content),
]
