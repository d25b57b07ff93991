"""URL notification filters: where callbacks go (``notification-filter-url``), create and list.

A user has a list of its own (``user/{id}/notification-filter-url``) and one per monetary account
(``user/{id}/monetary-account/{id}/notification-filter-url``). POST replaces the whole list with the
one sent (``[]`` removes every filter) and answers with the new list; GET lists it. Both answer
``{"NotificationFilterUrl": {"category": …, "notification_target": …}}`` items, as bunq does
(bunq/sdk_php#177 shows the answer; #184). bunq's OpenAPI description says POST answers an ``Id``;
the generated ``create`` of bunq-sdk 1.28.0 expects one and fails against bunq and this sandbox
alike (its hand-written ``…Internal.create_with_list_response`` reads the list, but does not import).

bunq allows 2 callback URLs per notification category; a list with more is refused (400). Where
bunq is silent the sandbox chooses: the limit is per list; the same URL twice in one category counts
once; ``notification_delivery_method`` (sent by older clients) may be given, as ``URL``. Targets
must be https:// on loopback or an allowed host (``callbacks.target_problem``).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from ..bunq_errors import bad_request
from ..callback_categories import CATEGORIES
from ..callbacks import target_problem
from ..kit import body_of, op
from ..request import Request
from ..routing import Caller, Handler, HandlerContext, Reply
from .lookups import own_account, own_user

# bunq's answer to a notification_filters that is not a list of objects (on UserPerson, bunq/sdk_python#15).
NOT_A_LIST = 'Invalid type for field "notification_filters" (expected ARRAY containing STRUCT).'
URLS_PER_CATEGORY = 2  # bunq: "Callbacks: 2 callback URLs per notification category"
MAX_URL_LENGTH = 2048
WRAPPER = "NotificationFilterUrl"


def filter_object(row: sqlite3.Row) -> dict[str, Any]:
    """A NotificationFilterUrl object: bunq shows only these two fields (no id, no timestamps)."""
    return {"category": row["category"], "notification_target": row["target"]}


def _string_field(item: dict[str, Any], field: str, where: str) -> str:
    value = item.get(field)
    if not isinstance(value, str) or not value.strip():
        raise bad_request(f'Field "{field}" of {where} is required and must be a non-empty string.')
    return value.strip()


def known_category(category: Any, where: str) -> str:
    """``category`` if it is one of bunq's callback categories; else bunq's 400 naming ``where``."""
    if category not in CATEGORIES:
        raise bad_request(
            f'Field "category" of {where} must be one of {", ".join(CATEGORIES)}; got "{str(category)[:64]}".'
        )
    return category


def _filters_from(request: Request, ctx: HandlerContext) -> list[tuple[str, str]]:
    """The (category, URL) pairs of the body, checked; duplicates removed, order kept."""
    body = body_of(request)
    if "notification_filters" not in body:
        raise bad_request(
            'Field "notification_filters" is required: a list of {"category": ..., "notification_target": ...}'
            " objects (send [] to remove every filter)."
        )
    items = body["notification_filters"]
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise bad_request(NOT_A_LIST)
    pairs: list[tuple[str, str]] = []
    for index, item in enumerate(items):
        where = f"notification_filters[{index}]"
        method = item.get("notification_delivery_method", "URL")
        if method != "URL":
            raise bad_request(
                f'Field "notification_delivery_method" of {where} must be "URL" here; push notifications'
                " are set with notification-filter-push."
            )
        category = known_category(_string_field(item, "category", where), where)
        target = _string_field(item, "notification_target", where)
        if len(target) > MAX_URL_LENGTH:
            raise bad_request(
                f'Field "notification_target" of {where} is longer than {MAX_URL_LENGTH} characters.'
            )
        problem = target_problem(target, ctx.options.callback_allowed_hosts)
        if problem is not None:
            raise bad_request(problem)
        if (category, target) not in pairs:
            pairs.append((category, target))
    for category in CATEGORIES:
        count = sum(1 for seen, _ in pairs if seen == category)
        if count > URLS_PER_CATEGORY:
            raise bad_request(
                f"You can register at most {URLS_PER_CATEGORY} callback URLs per notification category;"
                f" {category} has {count}. Drop one, or let one URL receive several categories."
            )
    return pairs


def _replace(
    ctx: HandlerContext, user_id: int, account_id: int | None, pairs: list[tuple[str, str]]
) -> list[dict[str, Any]]:
    now = ctx.now()
    with ctx.store.transaction() as db:
        db.execute(
            "DELETE FROM notification_filters WHERE user_id = ? AND account_id IS ?", (user_id, account_id)
        )
        for category, target in pairs:
            db.execute(
                "INSERT INTO notification_filters (user_id, account_id, category, target, created, updated)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (user_id, account_id, category, target, now, now),
            )
    return _listed(ctx, user_id, account_id)


def _listed(ctx: HandlerContext, user_id: int, account_id: int | None) -> list[dict[str, Any]]:
    rows = (
        ctx.store.read()
        .execute(
            "SELECT * FROM notification_filters WHERE user_id = ? AND account_id IS ? ORDER BY id",
            (user_id, account_id),
        )
        .fetchall()
    )
    return [{WRAPPER: filter_object(row)} for row in rows]


def _list_of(account: bool) -> tuple[Handler, Handler]:
    """POST (replace) and GET on the user's list, or on one account's (``account``)."""

    def owner(ctx: HandlerContext, caller: Caller, ids: dict[str, int]) -> tuple[int, int | None]:
        if account:
            return caller.user["id"], own_account(ctx, caller, ids)["id"]
        return own_user(caller, ids)["id"], None

    def replace(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
        return Reply(_replace(ctx, *owner(ctx, caller, ids), _filters_from(request, ctx)))

    def listed(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
        return Reply(_listed(ctx, *owner(ctx, caller, ids)))

    return replace, listed


_USER, _ACCOUNT = _list_of(account=False), _list_of(account=True)
ROUTES = [
    op("CREATE_NotificationFilterUrl_for_User", _USER[0]),
    op("List_all_NotificationFilterUrl_for_User", _USER[1]),
    op("CREATE_NotificationFilterUrl_for_User_MonetaryAccount", _ACCOUNT[0]),
    op("List_all_NotificationFilterUrl_for_User_MonetaryAccount", _ACCOUNT[1]),
]
