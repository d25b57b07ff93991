"""bunq.me fundraisers: every user's bunq.me page (``https://bunq.me/<nickname>``) is a fundraiser profile
paying into an account; money paid through it is a fundraiser result with its Payment.

A profile is opened with the user (``open_profile``: their first account, ACTIVE); bunq's API has no
call that pays through a bunq.me page (the payer is on bunq.me's website), so ``pay_through_profile``
is the stand-in ``/_sandbox/trigger/`` uses: an ``IDEAL`` Payment (how bunq.me's payers without bunq
pay) into the profile's account and the result row, with the Payment's event.
"""

from __future__ import annotations

import sqlite3

from .core import Bank
from .merchant_payments import book_payment

PAGE = "https://bunq.me/{nickname}"


def open_profile(db: sqlite3.Connection, user_id: int, account_id: int, now: float) -> int:
    """A new user's bunq.me fundraiser profile, paying into ``account_id``: its id."""
    return int(
        db.execute(
            "INSERT INTO bunqme_fundraiser_profiles (user_id, account_id, status, created, updated)"
            " VALUES (?, ?, 'ACTIVE', ?, ?)",
            (user_id, account_id, now, now),
        ).lastrowid
    )


def pay_through_profile(
    bank: Bank, db: sqlite3.Connection, profile: sqlite3.Row, cents: int, currency: str, *, payer_name: str
) -> int:
    """Someone pays ``cents`` on the profile's bunq.me page: the fundraiser result's id."""
    account = db.execute("SELECT * FROM accounts WHERE id = ?", (profile["account_id"],)).fetchone()
    payment_id = book_payment(bank, db, account, cents, currency, "IDEAL", "bunq.me", payer_name)
    now = bank.now()
    return int(
        db.execute(
            "INSERT INTO bunqme_fundraiser_results (account_id, profile_id, payment_id, created, updated)"
            " VALUES (?, ?, ?, ?, ?)",
            (account["id"], profile["id"], payment_id, now, now),
        ).lastrowid
    )
