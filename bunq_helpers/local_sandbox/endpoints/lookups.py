"""Finding what the caller owns: its own user and accounts, else bunq's 404 (never another user's)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from ..bunq_errors import not_found
from ..routing import Caller, HandlerContext
from .ledger import require_active
from .settlement import settle_due

# Finds an object of one account by id: (db, account_id, object_id) -> row or None.
Finder = Callable[[sqlite3.Connection, int, int], sqlite3.Row | None]


def own_user(caller: Caller, ids: dict[str, int]) -> sqlite3.Row:
    """The caller's user, if ``ids`` names it; else 404. For an OAuth session (a ``UserApiKey``) the path
    names the UserApiKey and the data reached is the granting user's (``oauth_grants``)."""
    if ids["user_id"] != caller.user["id"]:
        raise not_found("User", ids["user_id"])
    return caller.acting_for or caller.user


def own_account(ctx: HandlerContext, caller: Caller, ids: dict[str, int]) -> sqlite3.Row:
    """One of the caller's accounts (what fell due settled first); else 404."""
    user = own_user(caller, ids)
    settle_due(ctx, user["id"])
    account = (
        ctx.store.read()
        .execute("SELECT * FROM accounts WHERE id = ? AND user_id = ?", (ids["account_id"], user["id"]))
        .fetchone()
    )
    if account is None:
        raise not_found("MonetaryAccount", ids["account_id"])
    return account


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
