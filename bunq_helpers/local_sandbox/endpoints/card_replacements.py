"""Card changes in bulk and replacement: ``card-batch`` (one update per card, all or none),
``card/{id}/replace`` and ``card-batch-replace``.

``card-batch`` entries take what ``PUT card/{id}`` takes for status, limits, countries and the fallback
account, and answer ``CardBatch`` with the ids changed, as bunq's SDK reads it. A replacement gives the
card a new number (last four digits) and expiry date under the same id, ACTIVE again if it was LOST or
STOLEN; ``name_on_card``, ``second_line`` and ``pin_code_assignment`` may change with it, as in an order.
A CANCELLED card cannot be replaced (order a new one). As for orders, the sandbox makes and delivers the
new card at once. Every change is a ``Card`` UPDATE event.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from typing import Any

from ..bunq_errors import bad_request
from ..kit import body_of, op
from ..request import Request
from ..routing import Caller, HandlerContext, Reply
from .cards import CARD, _expiry, _pin_assignments, _second_line, card_names, change_card

MAX_BATCH = 50


def _cards(ctx: HandlerContext, caller: Caller, ids: dict, entries: list[Any]) -> list[sqlite3.Row]:
    if not 1 <= len(entries) <= MAX_BATCH or not all(isinstance(entry, dict) for entry in entries):
        raise bad_request(f'Field "cards" must hold 1 to {MAX_BATCH} objects, each with the card\'s "id".')
    found = []
    for index, entry in enumerate(entries):
        if not isinstance(entry.get("id"), int):
            raise bad_request(f'Field "cards[{index}].id" is required: the id of one of your cards.')
        found.append(CARD.find(ctx, caller, {**ids, "card_id": entry["id"]}))
    return found


def replace(
    ctx: HandlerContext, db: sqlite3.Connection, caller: Caller, card: sqlite3.Row, body: dict
) -> None:
    """A new number and expiry date for ``card``, with the names and PINs the body gives."""
    if card["status"] == "CANCELLED":
        raise bad_request(f"Card {card['id']} is CANCELLED and cannot be replaced; order a new card.")
    columns: dict[str, Any] = {
        "last_four": f"{secrets.randbelow(10_000):04d}",
        "expiry_date": _expiry(ctx.now()),
    }
    if card["status"] in ("LOST", "STOLEN"):
        columns["status"] = "ACTIVE"
    name = body.get("name_on_card")
    if name is not None:
        if name not in card_names(caller.user):
            raise bad_request(f'Field "name_on_card" must be one of: {", ".join(card_names(caller.user))}.')
        columns["name_on_card"] = name
    second_line = _second_line(body)
    if second_line is not None:
        columns["second_line"] = second_line
    pins = _pin_assignments(db, caller.user, body)
    if pins is not None:
        columns["pin_code_assignment"] = json.dumps(pins)
    columns["updated"] = ctx.now()
    assignments = ", ".join(f"{column} = ?" for column in columns)
    db.execute(f"UPDATE cards SET {assignments} WHERE id = ?", (*columns.values(), card["id"]))  # noqa: S608
    ctx.events.record(db, "Card", card["id"], user_id=caller.user["id"], account_id=None, action="UPDATE")


def _batch(wrapper: str, change):
    def handle(ctx: HandlerContext, request: Request, caller: Caller, ids: dict) -> Reply:
        entries = body_of(request)["cards"]
        cards = _cards(ctx, caller, ids, entries)
        with ctx.store.transaction() as db:
            for card, entry in zip(cards, entries, strict=True):
                change(ctx, db, caller, card, {key: value for key, value in entry.items() if key != "id"})
        return Reply([{wrapper: {"updated_card_ids": [{"id": card["id"]} for card in cards]}}])

    return handle


def replace_card(ctx: HandlerContext, request: Request, caller: Caller, ids: dict) -> Reply:
    """POST user/{id}/card/{id}/replace."""
    card = CARD.find(ctx, caller, ids)
    with ctx.store.transaction() as db:
        replace(ctx, db, caller, card, body_of(request))
    return Reply([{"Id": {"id": card["id"]}}])


ROUTES = [
    op("CREATE_CardBatch_for_User", _batch("CardBatch", change_card)),
    op("CREATE_CardBatchReplace_for_User", _batch("CardBatchReplace", replace)),
    op("CREATE_Replace_for_User_Card", replace_card),
]
