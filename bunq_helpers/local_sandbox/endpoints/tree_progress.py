"""``tree-progress``: how far a user is towards the trees bunq plants for them.

bunq's API description says only that ``number_of_tree`` counts the trees planted and
``progress_tree_next`` the progress towards the next one, with the user's ``label_user`` and an
invite URL; it does not say what is counted. The local sandbox's choice, derived from the user's own
state so it moves as the user does: one tree per full 100.00 EUR the user has paid out to others
(outgoing payments from any of their accounts, transfers between their own accounts left out), and
``progress_tree_next`` the percentage (0-99, whole) of the next 100.00 EUR. A new user has 0 and 0.
``url_invite_profile`` is ``https://bunq.com/invite/<public nick name>``, a made-up address of the
sandbox (no page answers there). The answer is one ``TreeProgress`` item.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any
from urllib.parse import quote

from ..kit import op
from ..render import label_user
from ..request import Request
from ..routing import Caller, HandlerContext, Reply
from .lookups import own_user

CENTS_PER_TREE = 100_00
INVITE_URL = "https://bunq.com/invite/{nick}"


def paid_out_cents(db: sqlite3.Connection, user_id: int) -> int:
    """What the user paid to others: outgoing payments not to one of their own accounts."""
    own_ibans = {row["iban"] for row in db.execute("SELECT iban FROM accounts WHERE user_id = ?", (user_id,))}
    rows = db.execute(
        "SELECT p.amount_cents, p.counterparty FROM payments p JOIN accounts a ON a.id = p.account_id"
        " WHERE a.user_id = ? AND p.amount_cents < 0",
        (user_id,),
    ).fetchall()
    return sum(
        -row["amount_cents"] for row in rows if json.loads(row["counterparty"]).get("iban") not in own_ibans
    )


def tree_progress(user: sqlite3.Row, paid_out: int) -> dict[str, Any]:
    """The TreeProgress object for ``paid_out`` cents spent."""
    return {
        "number_of_tree": paid_out // CENTS_PER_TREE,
        "progress_tree_next": paid_out % CENTS_PER_TREE * 100 // CENTS_PER_TREE,
        "url_invite_profile": INVITE_URL.format(nick=quote(user["public_nick_name"].lower())),
        "label_user": label_user(user),
    }


def list_tree_progress(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """GET user/{id}/tree-progress."""
    user = own_user(caller, ids)
    return Reply([{"TreeProgress": tree_progress(user, paid_out_cents(ctx.store.read(), user["id"]))}])


ROUTES = [
    op("List_all_TreeProgress_for_User", list_tree_progress),
]
