"""Finding what the caller owns: its own user and accounts, else bunq's 404 (never another user's).

The chains are the kit's ``Owned`` declarations (a row of an account: ``Owned(..., parent=ACCOUNT)``)."""

from __future__ import annotations

import sqlite3

from ..bank.ledger import require_active
from ..kit import ACCOUNT
from ..kit import own_user as own_user  # where the endpoints have always found it
from ..routing import Caller, HandlerContext


def own_account(ctx: HandlerContext, caller: Caller, ids: dict[str, int]) -> sqlite3.Row:
    """One of the caller's accounts; else 404 (what fell due was settled by the app before the handler)."""
    return ACCOUNT.find(ctx, caller, ids)


def payable_account(ctx: HandlerContext, caller: Caller, ids: dict[str, int]) -> sqlite3.Row:
    """One of the caller's accounts that can move money: ACTIVE (a closed account takes no payments)."""
    account = own_account(ctx, caller, ids)
    require_active(account)
    return account
