"""bunq's invoices to a user: ``invoice`` list and read (per user and per account), ``pdf-content``, and
``invoice-export`` (a PDF export of one invoice: create, read, update, delete).

bunq bills a user after a billing period; a fresh sandbox user has been through none, so its lists are
empty and reading an invoice is bunq's 404. The stand-in for bunq's billing run is
``/_sandbox/trigger/invoice``, which calls ``bank.billing.bill`` (the invoice, the Payment to bunq
that paid it and the Invoice event). Choice where bunq is silent: an export is made at once
(``CREATED``) and ``PUT`` makes it again (only ``updated`` changes). Another user's ids are 404, as bunq answers.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from ..amounts import cents_to_value
from ..bank.billing import BUNQ
from ..bank.ledger import account_and_owner
from ..events import renders_rows
from ..kit import ACCOUNT, Owned, derived_renderer, op, operation_ids, plain_family
from ..render import counterparty_label, own_label
from ..request import Request
from ..routing import Caller, HandlerContext, RawReply
from ..statement_files import text_pdf

INVOICE = Owned("invoices", "Invoice", key="invoice_id")
ON_ACCOUNT = Owned("invoices", "Invoice", key="invoice_id", parent=ACCOUNT, link="account_id")
EXPORT = Owned("invoice_exports", "InvoiceExportPdf", parent=INVOICE, link="invoice_id")
_DERIVED = derived_renderer("READ_Invoice_for_User")


def invoice_object(db: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    """An Invoice: its columns as the spec names them, the billed account and bunq."""
    account, user = account_and_owner(db, row["account_id"])
    return {
        **_DERIVED(db, row),
        "alias": own_label(account, user),
        "counterparty_alias": counterparty_label(BUNQ),
    }


renders_rows("Invoice", "invoices", invoice_object)  # an invoice as its event shows it


def pdf_content(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> RawReply:
    """GET user/{id}/invoice/{id}/pdf-content: the invoice as a text PDF."""
    row = INVOICE.find(ctx, caller, ids)
    lines = [
        f"bunq B.V. invoice {row['invoice_number']} of {row['invoice_date']}",
        f"Total {cents_to_value(row['total_vat_inclusive_cents'])} EUR",
        f"of which VAT {cents_to_value(row['total_vat_cents'])} EUR",
    ]
    return RawReply(text_pdf(lines), "application/pdf")


def _export(ctx: HandlerContext, row: sqlite3.Row, body: dict[str, Any], creating: bool) -> dict[str, Any]:
    return {"status": "CREATED"} if creating else {}


ROUTES = [
    *plain_family(
        INVOICE, **operation_ids("Invoice", kinds="list read"), render=invoice_object, wrapper="Invoice"
    ),
    *plain_family(
        ON_ACCOUNT, **operation_ids("Invoice", "User_MonetaryAccount", "list read"), render=invoice_object
    ),
    op("List_all_PdfContent_for_User_Invoice", pdf_content),
    *plain_family(
        EXPORT,
        **operation_ids("InvoiceExport", "User_Invoice", "create read update delete"),
        validate=_export,
    ),
]
