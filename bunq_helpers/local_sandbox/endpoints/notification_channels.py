"""``notification-filter-email`` and ``notification-filter-push``: the categories a user hears of by email or
on the phone, and ``notification-filter-failure``: the callbacks that failed, and retrying them.

Email and push work like ``notification-filter-url`` (``notification_filters``): POST replaces the
user's whole list for that channel (``[]`` clears it) and answers it; GET lists it. bunq's SDK reads
both as one ``NotificationFilterEmail`` (``…Push``) whose ``notification_filters`` holds
``{"category": …}`` items, so the sandbox answers that shape. Categories are bunq's callback
categories; a category twice counts once. The sandbox sends no email and no push message: the lists
are kept so a client can set and read them, as bunq's sandbox does.

``notification-filter-failure`` lists the callbacks to this user whose every try failed (the
callback log of ``callbacks.CallbackDelivery``), with the receiver's last status and the reason;
POST with ``notification_filter_failed_ids`` ("3,4") sends those again, as bunq does, and answers an
``Id``. An id that is not one of the user's failed callbacks is bunq's 404.
"""

from __future__ import annotations

from typing import Any

from ..bunq_errors import bad_request, not_found
from ..kit import body_of, op, own_user
from ..request import Request
from ..routing import Caller, HandlerContext, Reply
from .notification_filters import NOT_A_LIST, known_category


def _listed(ctx: HandlerContext, user_id: int, channel: str, wrapper: str) -> Reply:
    rows = ctx.store.read().execute(
        "SELECT category FROM notification_channels WHERE user_id = ? AND channel = ? ORDER BY id",
        (user_id, channel),
    )
    return Reply([{wrapper: {"notification_filters": [{"category": row["category"]} for row in rows]}}])


def _channel(channel: str, wrapper: str):
    def replace(ctx: HandlerContext, request: Request, caller: Caller, ids: dict) -> Reply:
        user = own_user(caller, ids)
        items = body_of(request).get("notification_filters", [])
        if not all(isinstance(item, dict) for item in items):
            raise bad_request(NOT_A_LIST)
        categories: list[str] = []
        for index, item in enumerate(items):
            category = known_category(item.get("category"), f"notification_filters[{index}]")
            if category not in categories:
                categories.append(category)
        now = ctx.now()
        with ctx.store.transaction() as db:
            db.execute(
                "DELETE FROM notification_channels WHERE user_id = ? AND channel = ?", (user["id"], channel)
            )
            db.executemany(
                "INSERT INTO notification_channels (user_id, channel, category, created, updated)"
                " VALUES (?, ?, ?, ?, ?)",
                [(user["id"], channel, category, now, now) for category in categories],
            )
        return _listed(ctx, user["id"], channel, wrapper)

    def listed(ctx: HandlerContext, request: Request, caller: Caller, ids: dict) -> Reply:
        return _listed(ctx, own_user(caller, ids)["id"], channel, wrapper)

    return replace, listed


def _failures(ctx: HandlerContext, user_id: int) -> list[Any]:
    log = ctx.callbacks.deliveries if ctx.callbacks is not None else []
    return [delivery for delivery in log if delivery.user_id == user_id and delivery.outcome == "failed"]


def list_failures(ctx: HandlerContext, request: Request, caller: Caller, ids: dict) -> Reply:
    """GET user/{id}/notification-filter-failure: this user's callbacks that could not be delivered."""
    items = []
    for delivery in _failures(ctx, own_user(caller, ids)["id"]):
        last = delivery.attempts[-1]
        failure = {
            "id": delivery.id,
            "category": delivery.category,
            "event_type": delivery.event_type,
            "object_id": delivery.event_id,
            "response_code": last.status,
            "exception_message": last.error,
            "notification_filters": [
                {
                    "category": delivery.category,
                    "notification_delivery_method": "URL",
                    "notification_target": delivery.target_url,
                }
            ],
        }
        items.append({"NotificationFilterFailure": failure})
    return Reply(items)


def retry_failures(ctx: HandlerContext, request: Request, caller: Caller, ids: dict) -> Reply:
    """POST user/{id}/notification-filter-failure: send the named failed callbacks again."""
    user = own_user(caller, ids)
    text = body_of(request)["notification_filter_failed_ids"]
    try:
        wanted = [int(part) for part in text.split(",")]
    except ValueError:
        raise bad_request(
            'Field "notification_filter_failed_ids" must be ids separated by commas, such as "3,4".'
        ) from None
    failed = {delivery.id for delivery in _failures(ctx, user["id"])}
    for failure_id in wanted:
        if failure_id not in failed:
            raise not_found("NotificationFilterFailure", failure_id)
    ctx.callbacks.retry(wanted)
    return Reply([{"Id": {"id": wanted[0]}}])


_EMAIL = _channel("EMAIL", "NotificationFilterEmail")
_PUSH = _channel("PUSH", "NotificationFilterPush")
ROUTES = [
    op("CREATE_NotificationFilterEmail_for_User", _EMAIL[0]),
    op("List_all_NotificationFilterEmail_for_User", _EMAIL[1]),
    op("CREATE_NotificationFilterPush_for_User", _PUSH[0]),
    op("List_all_NotificationFilterPush_for_User", _PUSH[1]),
    op("List_all_NotificationFilterFailure_for_User", list_failures),
    op("CREATE_NotificationFilterFailure_for_User", retry_failures),
]
