"""Finding what the caller owns: its own user and accounts, else bunq's 404 (never another user's).

The chains are the kit's ``Owned`` declarations; ``own_item`` finds a row of an account by a finder."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from ..bank.ledger import require_active
from ..bunq_errors import not_found
from ..kit import ACCOUNT
from ..kit import own_user as own_user  # where the endpoints have always found it
from ..routing import Caller, HandlerContext

# Finds an object of one account by id: (db, account_id, object_id) -> row or None.
Finder = Callable[[sqlite3.Connection, int, int], sqlite3.Row | None]


def own_account(ctx: HandlerContext, caller: Caller, ids: dict[str, int]) -> sqlite3.Row:
    """One of the caller's accounts; else 404 (what fell due was settled by the app before the handler)."""
    return ACCOUNT.find(ctx, caller, ids)


def own_item(
    ctx: HandlerContext, caller: Caller, ids: dict[str, int], finder: Finder, kind: str, key: str = "item_id"
) -> tuple[sqlite3.Row, sqlite3.Row]:
    """(account, row) for ``ids[key]`` on one of the caller's accounts, found by ``finder``; else 404."""
    account = own_account(ctx, caller, ids)
    row = finder(ctx.store.read(), account["id"], ids[key])
    if row is None:
        raise not_found(kind, ids[key])
    return account, row


def payable_account(ctx: HandlerContext, caller: Caller, ids: dict[str, int]) -> sqlite3.Row:
    """One of the caller's accounts that can move money: ACTIVE (a closed account takes no payments)."""
    account = own_account(ctx, caller, ids)
    require_active(account)
    return account
