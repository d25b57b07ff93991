"""``monetary-account-external`` and ``monetary-account-external-savings``: accounts at other banks a user
links to bunq (create, list, read, update), plain families over one table.

Stand-in: bunq links these through an open-banking consent at the other bank, which no sandbox can
reach, so the local sandbox records the account as sent, ``ACTIVE`` with sub-status ``NONE`` and a
balance of 0.00 (nothing is ever fetched from the other bank). Only EUR is held, like every sandbox
account; ``daily_limit`` and ``savings_goal`` are positive EUR amounts.
"""

from __future__ import annotations

import sqlite3
import uuid
from typing import Any

from ..bunq_errors import bad_request
from ..kit import Narrowed, operation_ids, plain_family
from ..routing import HandlerContext
from ..validation import amount_cents

EXTERNAL = Narrowed("external_accounts", "MonetaryAccountExternal", "MonetaryAccountExternal")
SAVINGS = Narrowed("external_accounts", "MonetaryAccountExternalSavings", "MonetaryAccountExternalSavings")
_TEXT = ("description", "display_name", "service", "status", "sub_status", "reason", "reason_description")


def _columns(kind: str):
    def validate(ctx: HandlerContext, row: sqlite3.Row, body: dict, creating: bool) -> dict[str, Any]:
        if body.get("currency", "EUR") != "EUR":
            raise bad_request('Field "currency" must be "EUR": the sandbox holds EUR only.')
        values: dict[str, Any] = {field: body[field] for field in _TEXT if body.get(field) is not None}
        for field in ("daily_limit", "savings_goal"):
            if body.get(field) is not None:
                values[f"{field}_cents"] = amount_cents(body[field], field)
        if creating:
            defaults = {
                "description": kind.removeprefix("MonetaryAccount"),
                "status": "ACTIVE",
                "sub_status": "NONE",
            }
            values = {**defaults, **values, "type": kind, "currency": "EUR", "balance_cents": 0}
            values["public_uuid"] = str(uuid.uuid4())
        return values

    return validate


ROUTES = [
    route
    for owned, kind in ((EXTERNAL, "MonetaryAccountExternal"), (SAVINGS, "MonetaryAccountExternalSavings"))
    for route in plain_family(
        owned, **operation_ids(kind, kinds="list read create update"), validate=_columns(kind)
    )
]
