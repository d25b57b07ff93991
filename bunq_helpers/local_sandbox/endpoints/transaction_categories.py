"""Transaction categories (``additional-transaction-information-category``): bunq's own, then the user's.

bunq's list of system categories is not published; the local sandbox lists a stand-in set under bunq's
shape (type SYSTEM) followed by the categories the user defined (``-user-defined``, type USER_DEFINED,
``status`` ACTIVE or INACTIVE as sent; ``category`` defaults to the description in capitals).
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from ..bunq_errors import bad_request
from ..kit import Owned, fixed_list, plain_family
from ..routing import HandlerContext

DEFINED = Owned("transaction_categories", "AdditionalTransactionInformationCategoryUserDefined")
STATUSES = ("ACTIVE", "INACTIVE")
SYSTEM = (  # (category, description, colour, icon)
    ("FOOD_AND_DRINK", "Food & drink", "#F4A11D", "food"),
    ("GROCERIES", "Groceries", "#34A853", "groceries"),
    ("TRANSPORT", "Transport", "#1E88E5", "transport"),
    ("HOUSING", "Housing", "#8E24AA", "house"),
    ("SHOPPING", "Shopping", "#E53935", "shopping"),
    ("SUBSCRIPTIONS", "Subscriptions", "#00897B", "subscription"),
    ("SALARY", "Salary", "#43A047", "salary"),
    ("OTHER", "Other", "#757575", "other"),
)


def _categories(ctx: HandlerContext, user: sqlite3.Row) -> list[dict[str, Any]]:
    shown = [
        {
            "category": c,
            "type": "SYSTEM",
            "status": "ACTIVE",
            "order": n,
            "description": d,
            "color": k,
            "icon": i,
        }
        for n, (c, d, k, i) in enumerate(SYSTEM, 1)
    ]
    for n, row in enumerate(DEFINED.rows(ctx, user["id"]), len(shown) + 1):
        own = {k: row[k] for k in ("category", "status", "description", "color", "icon")}
        shown.append({**own, "type": "USER_DEFINED", "order": n})
    return [{**item, "description_translated": item["description"]} for item in shown]


def _defined(ctx: HandlerContext, user: sqlite3.Row, body: dict[str, Any], creating: bool) -> dict[str, Any]:
    if body["status"] not in STATUSES:
        raise bad_request('Field "status" must be ACTIVE or INACTIVE.')
    name = body.get("category") or re.sub(r"[^A-Z0-9]+", "_", (body.get("description") or "").upper()).strip(
        "_"
    )
    if not name:
        raise bad_request('Send "category" (or a "description" to name it by).')
    return {"category": name, **{k: body.get(k) for k in ("status", "color", "description", "icon")}}


ROUTES = [
    fixed_list("List_all_AdditionalTransactionInformationCategory_for_User", _categories),
    *plain_family(
        DEFINED,
        create_op="CREATE_AdditionalTransactionInformationCategoryUserDefined_for_User",
        validate=_defined,
    ),
]
