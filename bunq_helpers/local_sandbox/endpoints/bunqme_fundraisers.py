"""``bunqme-fundraiser-result``: what was paid through an account's bunq.me page (read, with its notes).

The page is the account's ``bunqme-fundraiser-profile`` (``bunqme_fundraiser_profiles.py``); a payment
through it is made by ``bank/bunqme.py`` (the stand-in ``/_sandbox/trigger/bunqme-payment``).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from ..bank.ledger import account_and_owner
from ..catalogue import load_catalogue
from ..kit import ACCOUNT, Owned, plain_family
from ..render import id_and_stamps, payment_object
from .bunqme_fundraiser_profiles import profile_object

RESULT = Owned("bunqme_fundraiser_results", "BunqMeFundraiserResult", parent=ACCOUNT, link="account_id")
_PAGE_FIELDS = load_catalogue().schemas["BunqMeFundraiserProfile"]["fields"]


def result_object(db: sqlite3.Connection, result: sqlite3.Row) -> dict[str, Any]:
    """A BunqMeFundraiserResult: the page (as bunq's BunqMeFundraiserProfile) and the payment through it."""
    account, user = account_and_owner(db, result["account_id"])
    payment = db.execute("SELECT * FROM payments WHERE id = ?", (result["payment_id"],)).fetchone()
    page = {k: v for k, v in profile_object(db, account).items() if k in _PAGE_FIELDS}
    return {
        **id_and_stamps(result),
        "bunqme_fundraiser_profile": page,
        "payments": [payment_object(payment, account, user)],
    }


ROUTES = plain_family(
    RESULT, read_op="READ_BunqmeFundraiserResult_for_User_MonetaryAccount", render=result_object
)
