"""``bunqme-fundraiser-profile``: the bunq.me page of each of the user's open accounts (read only).

bunq makes these itself (a user edits them in the app), so the local sandbox derives one per open
account from the account and its user: the page ``https://bunq.me/<nick name>`` as a URL pointer,
status ACTIVE, in the account's currency. Its id is the account's id. bunq's SDK reads the object as
``BunqMeFundraiserProfile`` (see ``divergences``); payments through the page: ``bunqme_fundraisers.py``.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from ..bank.ledger import account_and_owner
from ..kit import Owned, plain_family
from ..render import own_label

PROFILE = Owned("accounts", "BunqMeFundraiserProfile")
COLOR = "#2A6BD4"  # bunq's default page colour is not documented; a stand-in


def profile_object(db: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    account, user = account_and_owner(db, row["id"])
    return {
        **{"monetary_account_id": account["id"], "owner_user_id": user["id"], "color": COLOR},
        **{
            "alias": own_label(account, user),
            "currency": account["currency"],
            "description": account["description"],
        },
        "pointer": {
            "type": "URL",
            "value": f"https://bunq.me/{user['public_nick_name']}",
            "name": user["display_name"],
        },
        **{"status": "ACTIVE" if account["status"] == "ACTIVE" else "DEACTIVATED", "redirect_url": None},
    }


ROUTES = plain_family(
    PROFILE,
    list_op="List_all_BunqmeFundraiserProfile_for_User",
    read_op="READ_BunqmeFundraiserProfile_for_User",
    render=profile_object,
    wrapper="BunqMeFundraiserProfile",
)
