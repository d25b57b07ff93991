"""Reading bunq's ``{"Response": [...]}`` bodies: lists of single-key objects, in a fixed order."""

from __future__ import annotations

from typing import Any

from ..errors import UnexpectedResponseError
from .exchange import Exchange

USER_KINDS = ("UserPerson", "UserCompany", "UserApiKey", "UserPaymentServiceProvider")


def response_items(exchange: Exchange) -> list[dict[str, Any]]:
    """The ``Response`` array of a successful answer."""
    payload = exchange.response_json()
    items = payload.get("Response") if isinstance(payload, dict) else None
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise UnexpectedResponseError(
            f"The answer to {exchange.method} {exchange.path} has no 'Response' list.", exchange=exchange
        )
    return items


def item(exchange: Exchange, key: str, index: int | None = None) -> dict[str, Any]:
    """The object under ``key`` (at ``index`` if given, where bunq's order is fixed)."""
    items = response_items(exchange)
    candidates = [items[index]] if index is not None and index < len(items) else items
    for candidate in candidates:
        if isinstance(candidate.get(key), dict):
            return candidate[key]
    where = f" at position {index}" if index is not None else ""
    raise UnexpectedResponseError(
        f"The answer to {exchange.method} {exchange.path} has no {key!r} item{where}; bunq sends "
        f"{[next(iter(i), None) for i in items]}.",
        exchange=exchange,
    )


def user_item(exchange: Exchange, index: int | None = None) -> tuple[str, dict[str, Any]]:
    """(kind, user object) for the UserPerson/UserCompany/UserApiKey/… item."""
    items = response_items(exchange)
    candidates = [items[index]] if index is not None and index < len(items) else items
    for candidate in candidates:
        for kind in USER_KINDS:
            if isinstance(candidate.get(kind), dict):
                return kind, candidate[kind]
    raise UnexpectedResponseError(
        f"The answer to {exchange.method} {exchange.path} has no user item ({', '.join(USER_KINDS)}).",
        exchange=exchange,
    )


def object_id(exchange: Exchange) -> int:
    """The id in an ``[{"Id": {"id": N}}]`` answer."""
    value = item(exchange, "Id", 0).get("id")
    if not isinstance(value, int):
        raise UnexpectedResponseError(
            f"The Id in the answer to {exchange.path} is not a number.", exchange=exchange
        )
    return value
