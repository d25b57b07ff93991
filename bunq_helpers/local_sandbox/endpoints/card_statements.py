"""A card's statement exports: ``export-statement-card-csv`` and ``export-statement-card-pdf`` (create, list,
read, delete), and ``export-statement-card`` (both kinds: list, read, and the file at ``…/content``).

Dates are ``YYYY-MM-DD``, the start not after the end; CSV needs ``regional_format`` (UK_US or
EUROPEAN), as customer statements do. The file is made when asked for, in the layouts customer
statements use (``statement_files``). Stand-in: a card statement lists the card's transactions at
terminals and web shops, and the sandbox has none (no card network), so the file names the card, its
account and the period, with no lines; an export is DONE at once.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Any

from ..bunq_errors import bad_request
from ..kit import Narrowed, Owned, op, operation_ids, plain_family
from ..request import Request
from ..routing import Caller, HandlerContext, RawReply
from ..statement_files import Statement, to_csv, to_pdf
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
    """GET …/export-statement-card/{id}/content: the CSV or PDF."""
    row, card = FILE.find(ctx, caller, ids), CARD.find(ctx, caller, ids)
    account = (
        ctx.store.read().execute("SELECT * FROM accounts WHERE id = ?", (card["account_id"],)).fetchone()
    )
    statement = Statement(
        row["id"],
        account["iban"],
        card["name_on_card"],
        f"Card ending {card['last_four']}",
        account["currency"],
        dt.date.fromisoformat(row["date_start"]),
        dt.date.fromisoformat(row["date_end"]),
        0,
        [],
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
