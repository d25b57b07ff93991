"""``bunqme-fundraiser-profile`` (a user's bunq.me page: list, read) and ``bunqme-fundraiser-result``
(what was paid through it: read, with its notes). How they are made: ``bank/bunqme.py``.

bunq's SDK reads a profile under ``BunqMeFundraiserProfile`` and bunq's spec lists no id for it; the
sandbox answers as the SDK reads and with the id (``divergences``), so a listed profile can be read.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from ..bank.bunqme import PAGE
from ..bank.ledger import account_and_owner
from ..kit import ACCOUNT, Owned, plain_family
from ..render import id_and_stamps, own_label, payment_object

PROFILE = Owned("bunqme_fundraiser_profiles", "BunqMeFundraiserProfileUser")
RESULT = Owned("bunqme_fundraiser_results", "BunqMeFundraiserResult", parent=ACCOUNT, link="account_id")


def page_object(db: sqlite3.Connection, profile: sqlite3.Row) -> dict[str, Any]:
    """A BunqMeFundraiserProfile: the page, its account and its look."""
    account, user = account_and_owner(db, profile["account_id"])
    url = PAGE.format(nickname=user["public_nick_name"])
    return {
        "color": "#33A3D6",
        "alias": own_label(account, user),
        "description": f"Pay {user['display_name']}",
        "attachment": None,
        "pointer": {"type": "URL", "value": url, "name": user["display_name"]},
        "status": profile["status"],
        "redirect_url": None,
        "currency": account["currency"],
    }


def profile_object(db: sqlite3.Connection, profile: sqlite3.Row) -> dict[str, Any]:
    """A BunqMeFundraiserProfileUser: the page with whose it is."""
    return {
        "id": profile["id"],  # not in the spec's schema: see divergences.FIELDS_BUNQ_SENDS
        "monetary_account_id": profile["account_id"],
        "owner_user_id": profile["user_id"],
        **page_object(db, profile),
    }


def result_object(db: sqlite3.Connection, result: sqlite3.Row) -> dict[str, Any]:
    """A BunqMeFundraiserResult: the page and the payment made through it."""
    profile = db.execute(
        "SELECT * FROM bunqme_fundraiser_profiles WHERE id = ?", (result["profile_id"],)
    ).fetchone()
    payment = db.execute("SELECT * FROM payments WHERE id = ?", (result["payment_id"],)).fetchone()
    account, user = account_and_owner(db, result["account_id"])
    return {
        **id_and_stamps(result),
        "bunqme_fundraiser_profile": page_object(db, profile),
        "payments": [payment_object(payment, account, user)],
    }


ROUTES = [
    *plain_family(
        PROFILE,
        list_op="List_all_BunqmeFundraiserProfile_for_User",
        read_op="READ_BunqmeFundraiserProfile_for_User",
        render=profile_object,
        wrapper="BunqMeFundraiserProfile",
    ),
    *plain_family(
        RESULT, read_op="READ_BunqmeFundraiserResult_for_User_MonetaryAccount", render=result_object
    ),
]
