"""Payments through a bunq.me page: each open account's page (``bunqme-fundraiser-profile``, whose id is
the account's) takes money from people on bunq.me's website; each payment is a fundraiser result.

bunq's API has no call that pays through a bunq.me page (the payer is on bunq.me's website), so
``pay_through_page`` is the stand-in ``/_sandbox/trigger/bunqme-payment`` uses: an ``IDEAL`` Payment (how
bunq.me's payers without bunq pay) into the account and the result row, with the Payment's event.
"""

from __future__ import annotations

import sqlite3

from .core import Bank
from .merchant_payments import book_payment


def pay_through_page(
    bank: Bank, db: sqlite3.Connection, account: sqlite3.Row, cents: int, currency: str, *, payer_name: str
) -> int:
    """Someone pays ``cents`` on ``account``'s bunq.me page: the fundraiser result's id."""
    payment_id = book_payment(bank, db, account, cents, currency, "IDEAL", "bunq.me", payer_name)
    now = bank.now()
    return int(
        db.execute(
            "INSERT INTO bunqme_fundraiser_results (account_id, payment_id, created, updated) VALUES (?, ?, ?, ?)",
            (account["id"], payment_id, now, now),
        ).lastrowid
    )
