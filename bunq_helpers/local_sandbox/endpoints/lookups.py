"""Finding what the caller owns: its own user and accounts, else bunq's 404 (never another user's)."""

from __future__ import annotations

import sqlite3

from ..bunq_errors import bad_request, not_found
from ..routing import Caller, HandlerContext
from .sugar_daddy import settle_sugar_daddy


def own_user(caller: Caller, ids: dict[str, int]) -> sqlite3.Row:
    """The caller's user, if ``ids`` names it; else 404."""
    if ids["user_id"] != caller.user["id"]:
        raise not_found("User", ids["user_id"])
    return caller.user


def own_account(ctx: HandlerContext, caller: Caller, ids: dict[str, int]) -> sqlite3.Row:
    """One of the caller's accounts (sandbox money settled first); else 404."""
    user = own_user(caller, ids)
    settle_sugar_daddy(ctx, user["id"])
    account = (
        ctx.store.read()
        .execute("SELECT * FROM accounts WHERE id = ? AND user_id = ?", (ids["account_id"], user["id"]))
        .fetchone()
    )
    if account is None:
        raise not_found("MonetaryAccount", ids["account_id"])
    return account


def payable_account(ctx: HandlerContext, caller: Caller, ids: dict[str, int]) -> sqlite3.Row:
    """One of the caller's accounts that can move money: ACTIVE (a closed account takes no payments)."""
    account = own_account(ctx, caller, ids)
    require_active(account)
    return account


def require_active(account: sqlite3.Row, role: str = "Monetary account") -> None:
    """400 unless ``account`` is ACTIVE."""
    if account["status"] != "ACTIVE":
        raise bad_request(
            f"{role} {account['id']} is {account['status']}; a closed account sends and receives no money."
        )
