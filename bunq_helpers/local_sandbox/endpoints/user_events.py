"""The user's events: ``user/{id}/event`` (list, newest first) and ``user/{id}/event/{id}``.

Each event listed shows the object it happened to as it is now, wrapped by its kind (``{"Payment": {...}}``),
as the module owning that kind renders it (see ``events.renders``). bunq's list filters are taken:
``monetary_account_id`` (one id or several, comma-separated), ``status`` (``AWAITING_REPLY`` or
``FINALIZED``) and ``display_user_event`` (``false`` leaves out events not tied to an account, such as
card orders). An event is ``AWAITING_REPLY`` while its object waits for an answer (a PENDING request),
``FINALIZED`` otherwise. ``user_id`` and ``monetary_account_id`` are strings, as bunq's reference has them.
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from ..bunq_errors import bad_request
from ..events import render_object
from ..kit import Owned, op, plain_family
from ..pagination import paginate
from ..render import id_and_stamps
from ..request import Request
from ..routing import Caller, HandlerContext, Reply
from .lookups import own_user

STATUSES = ("AWAITING_REPLY", "FINALIZED")
# What an event's object can be: the properties of EventObject in bunq's OpenAPI description. bunq's
# SDK cannot read an event holding anything else (EventApiObject.list raises), so events of other
# kinds, such as account changes, stay in the log for its listeners but are not listed here.
LISTED_KINDS = frozenset(
    {
        "BunqMeTab",
        "BunqMeTabResultResponse",
        "BunqMeFundraiserResult",
        "Card",
        "CardDebit",
        "DraftPayment",
        "FeatureAnnouncement",
        "IdealMerchantTransaction",
        "Invoice",
        "ScheduledPayment",
        "ScheduledPaymentBatch",
        "ScheduledInstance",
        "MasterCardAction",
        "BankSwitchServiceNetherlandsIncomingPayment",
        "Payment",
        "PaymentBatch",
        "RequestInquiryBatch",
        "RequestInquiry",
        "RequestResponse",
        "ShareInviteBankInquiry",
        "ShareInviteBankResponse",
        "SofortMerchantTransaction",
        "TransferwisePayment",
    }
)
_LISTED = "object_kind IN ({})".format(", ".join(f"'{kind}'" for kind in sorted(LISTED_KINDS)))
EVENT = Owned("events", "Event", key="event_id", keep=lambda row: row["object_kind"] in LISTED_KINDS)
_IDS = re.compile(r"^\d{1,18}(,\d{1,18})*$", re.ASCII)


def event_object(db: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    """An Event object."""
    shown = render_object(db, row["object_kind"], row["object_id"]) or {}
    inner = next(iter(shown.values()), {})
    waiting = inner.get("status") == "PENDING"
    return {
        **id_and_stamps(row),
        "action": row["action"],
        "user_id": str(row["user_id"]),
        "monetary_account_id": str(row["account_id"]) if row["account_id"] is not None else None,
        "object": shown,
        "status": "AWAITING_REPLY" if waiting else "FINALIZED",
    }


def _filters(request: Request) -> tuple[list[int] | None, str | None, bool]:
    accounts = request.query.get("monetary_account_id")
    if accounts is not None and not _IDS.match(accounts.replace("{", "").replace("}", "")):
        raise bad_request(
            'Query parameter "monetary_account_id" must be an account id, or ids separated by commas.'
        )
    status = request.query.get("status")
    if status is not None and status not in STATUSES:
        raise bad_request(f'Query parameter "status" must be {" or ".join(STATUSES)}.')
    display = request.query.get("display_user_event", "true").lower()
    if display not in ("true", "false"):
        raise bad_request('Query parameter "display_user_event" must be true or false.')
    ids = [int(part) for part in accounts.strip("{}").split(",")] if accounts is not None else None
    return ids, status, display == "true"


def list_events(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """GET user/{id}/event: newest first, paginated, filtered as bunq's reference describes."""
    user = own_user(caller, ids)
    account_ids, status, user_events = _filters(request)
    db = ctx.store.read()
    rows = db.execute(
        f"SELECT * FROM events WHERE user_id = ? AND {_LISTED} ORDER BY id DESC",  # noqa: S608 - fixed names
        (user["id"],),
    ).fetchall()
    if account_ids is not None:
        rows = [row for row in rows if row["account_id"] in account_ids]
    if not user_events:
        rows = [row for row in rows if row["account_id"] is not None]
    items = [event_object(db, row) for row in rows]
    if status is not None:
        items = [item for item in items if item["status"] == status]
    return paginate(request, items, "Event")


ROUTES = [
    op("List_all_Event_for_User", list_events),
    *plain_family(EVENT, read_op="READ_Event_for_User", render=event_object, wrapper="Event"),
]
