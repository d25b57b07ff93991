"""The user's monetary accounts: ``monetary-account`` and ``monetary-account-bank``, list and read."""

from __future__ import annotations

import sqlite3
from typing import Any

from ..http_io import Request
from ..pagination import paginate
from ..render import account_object
from ..routing import Auth, Caller, HandlerContext, Reply, Route
from .lookups import own_account, own_user
from .settlement import settle_due

ACCOUNT_WRAPPER = "MonetaryAccountBank"
ACCOUNT = "user/{user_id}/monetary-account/{account_id}"


def _accounts(ctx: HandlerContext, user: sqlite3.Row) -> list[dict[str, Any]]:
    settle_due(ctx, user["id"])
    rows = (
        ctx.store.read()
        .execute("SELECT * FROM accounts WHERE user_id = ? ORDER BY id DESC", (user["id"],))
        .fetchall()
    )
    return [account_object(row, user) for row in rows]


def list_accounts(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """GET user/{id}/monetary-account and …/monetary-account-bank."""
    return paginate(request, _accounts(ctx, own_user(caller, ids)), ACCOUNT_WRAPPER)


def read_account(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """GET user/{id}/monetary-account[-bank]/{id}."""
    account = own_account(ctx, caller, ids)
    return Reply([{ACCOUNT_WRAPPER: account_object(account, caller.user)}])


ROUTES = [
    Route("GET", "user/{user_id}/monetary-account", list_accounts, Auth.SESSION),
    Route("GET", ACCOUNT, read_account, Auth.SESSION),
    Route("GET", "user/{user_id}/monetary-account-bank", list_accounts, Auth.SESSION),
    Route("GET", "user/{user_id}/monetary-account-bank/{account_id}", read_account, Auth.SESSION),
]
