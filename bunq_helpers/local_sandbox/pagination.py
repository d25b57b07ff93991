"""bunq's list pagination: newest first, ``count`` items (10 by default, at most 200), and a
``Pagination`` object with ``older_url``, ``newer_url`` and ``future_url`` to walk the list."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from .bunq_errors import bad_request
from .request import API_PREFIX, Request
from .routing import Reply

DEFAULT_COUNT = 10
MAX_COUNT = 200
_WHOLE_NUMBER = re.compile(r"[0-9]{1,19}")  # ASCII digits: "²" and "٣" are digits to str.isdigit()


def _int_param(request: Request, name: str, low: int, high: int) -> int | None:
    raw = request.query.get(name)
    if raw is None:
        return None
    if not _WHOLE_NUMBER.fullmatch(raw) or not low <= int(raw) <= high:
        raise bad_request(f'Query parameter "{name}" must be a whole number from {low} to {high}.')
    return int(raw)


def paginate(
    request: Request, items: list[dict[str, Any]], wrapper: str, ids: list[int] | None = None
) -> Reply:
    """One page of ``items`` (newest first), each wrapped as ``{wrapper: item}``.

    Items are paged by id: their own ``id``, or ``ids`` (one per item) for objects whose answer
    carries none (a ScheduledPayment, a PaymentBatch, ...), which bunq pages by id all the same.
    """
    count = _int_param(request, "count", 1, MAX_COUNT) or DEFAULT_COUNT
    older_id = _int_param(request, "older_id", 0, 10**18)
    newer_id = _int_param(request, "newer_id", 0, 10**18)
    if older_id is not None and newer_id is not None:
        raise bad_request('Use either "older_id" or "newer_id", not both.')
    keyed = list(zip(ids if ids is not None else [item["id"] for item in items], items, strict=True))
    ordered = sorted(keyed, key=lambda pair: pair[0], reverse=True)
    if newer_id is not None:
        newer = [pair for pair in ordered if pair[0] > newer_id]
        page = newer[-count:]
    else:
        if older_id is not None:
            ordered = [pair for pair in ordered if pair[0] < older_id]
        page = ordered[:count]
    base = API_PREFIX + request.route_path

    def url(**params: int) -> str:
        return f"{base}?{urlencode({'count': count, **params})}"

    all_ids = [item_id for item_id, _ in keyed]
    has_older = bool(page) and min(all_ids) < page[-1][0]
    has_newer = bool(page) and max(all_ids) > page[0][0]
    pagination = {
        "older_url": url(older_id=page[-1][0]) if has_older else None,
        "newer_url": url(newer_id=page[0][0]) if has_newer else None,
        "future_url": url(newer_id=page[0][0] if page else (newer_id or 0)) if not has_newer else None,
    }
    return Reply([{wrapper: item} for _, item in page], pagination)
