"""``user-payment-service-provider/{id}``: a PSD2 provider's session reads its own user (``psd2.py`` makes it).

The object is the one ``GET user`` shows such a session (``oauth_grants.psp_object``); any other id, or a
session of another kind, is bunq's 404.
"""

from __future__ import annotations

from ..bunq_errors import not_found
from ..kit import op
from ..oauth_grants import wrapped_user
from ..request import Request
from ..routing import Caller, HandlerContext, Reply

PROVIDER = "UserPaymentServiceProvider"


def read_provider(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """GET user-payment-service-provider/{id}: the session's user, if it is that provider."""
    if ids["user_id"] != caller.user["id"] or caller.user["kind"] != PROVIDER:
        raise not_found(PROVIDER, ids["user_id"])
    timeout = ctx.options.session_timeout or caller.user["session_timeout"]
    return Reply([wrapped_user(ctx.store.read(), caller.user, timeout)])


ROUTES = [op("READ_UserPaymentServiceProvider", read_provider, item="user_id")]
