"""bunq bills a user: ``bill`` makes a ``PAID`` invoice (VAT at ``VAT_PERCENT`` included) and the Payment
to bunq that paid it (sub-type INVOICE), with the Invoice event; ``/_sandbox/trigger/invoice`` calls it
(``endpoints/invoices.py`` serves what it makes). The invoice number ``<year>.<n>`` is a choice: bunq
does not say how it numbers them.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

from .core import Bank, insert_row
from .merchant_payments import book_payment
from .transfers import require_cover

VAT_PERCENT = 21
BUNQ = {"type": "IBAN", "value": "NL27BUNQ2025000000", "name": "bunq B.V."}  # the sandbox's stand-in


def bill(bank: Bank, db: sqlite3.Connection, account: sqlite3.Row, cents: int, description: str) -> int:
    """bunq bills ``account``'s holder ``cents`` (VAT included), paid from the account: the invoice's id."""
    require_cover(db, account, cents, "this invoice")
    payment_id = book_payment(bank, db, account, -cents, "EUR", "BUNQ", description, BUNQ, "INVOICE")
    now = bank.now()
    day = dt.datetime.fromtimestamp(now, dt.UTC).date()
    [count] = db.execute("SELECT COUNT(*) FROM invoices WHERE user_id = ?", (account["user_id"],)).fetchone()
    vat = round(cents * VAT_PERCENT / (100 + VAT_PERCENT))
    invoice_id = insert_row(
        db,
        "invoices",
        {
            "user_id": account["user_id"],
            "account_id": account["id"],
            "payment_id": payment_id,
            "invoice_number": f"{day.year}.{count + 1}",
            "invoice_date": day.isoformat(),
            "status": "PAID",
            "total_vat_inclusive_cents": cents,
            "total_vat_exclusive_cents": cents - vat,
            "total_vat_cents": vat,
            "created": now,
            "updated": now,
        },
    )
    bank.events.record(db, "Invoice", invoice_id, user_id=account["user_id"], account_id=account["id"])
    return invoice_id
