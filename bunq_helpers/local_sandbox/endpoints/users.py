"""The session's user: ``GET user`` and ``GET user/{id}``."""

from __future__ import annotations

from typing import Any

from ..http_io import Request
from ..render import user_object, user_wrapper_name
from ..routing import Auth, Caller, HandlerContext, Reply, Route
from .lookups import own_user


def list_users(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """GET user: the session's user, wrapped as UserPerson or UserCompany."""
    return Reply([{user_wrapper_name(caller.user): _user_view(caller)}])


def read_user(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """GET user/{id}."""
    own_user(caller, ids)
    return Reply([{user_wrapper_name(caller.user): _user_view(caller)}])


def _user_view(caller: Caller) -> dict[str, Any]:
    return user_object(caller.user, session_timeout=caller.session["timeout"])


ROUTES = [
    Route("GET", "user", list_users, Auth.SESSION),
    Route("GET", "user/{user_id}", read_user, Auth.SESSION),
]
