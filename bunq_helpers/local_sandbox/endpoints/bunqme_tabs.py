"""bunq.me payment links: ``bunqme-tab`` create, list, read and update (cancel).

A tab has one ``bunqme_tab_entry`` (amount, description, optional ``redirect_url``; no amount lets the
payer choose) and a share URL in bunq's format, ``https://bunq.me/t/<entry uuid>``. The local sandbox
has no bunq.me page; a sandbox user pays a tab through ``/_sandbox/trigger/bunqme-tab-payment``
(``bunqme_tab_results.py``), and ``result_inquiries`` lists those payments.
``PUT`` with status CANCELLED closes a tab that is still WAITING_FOR_PAYMENT. bunq does not document
how long a tab lives; the sandbox gives it ``TAB_LIFETIME`` and shows it EXPIRED after that.
"""

from __future__ import annotations

import sqlite3
import uuid
from typing import Any

from ..amounts import amount
from ..bank.bunqme import shown_status
from ..bank.ledger import account_and_owner, require_active
from ..bank.transfers import MAX_DESCRIPTION
from ..bunq_errors import bad_request
from ..events import renders
from ..kit import ACCOUNT, Owned, body_of, op, operation_ids, plain_family
from ..render import id_and_stamps, own_label, payment_object, timestamp
from ..request import Request
from ..routing import Caller, HandlerContext, Reply
from ..validation import optional_string, required_amount, required_choice, required_object

SHARE_URL = "https://bunq.me/t/{uuid}"
TAB_LIFETIME = 30 * 24 * 3600  # seconds; an assumption, see the module docstring


TAB = Owned("bunqme_tabs", "BunqMeTab", parent=ACCOUNT, link="account_id")


def tab_object(db: sqlite3.Connection, tab: sqlite3.Row, now: float) -> dict[str, Any]:
    """A BunqMeTab."""
    account, user = account_and_owner(db, tab["account_id"])
    status = shown_status(tab, now)
    entry = {
        "uuid": tab["uuid"],
        "amount_inquired": amount(tab["amount_cents"], tab["currency"])
        if tab["amount_cents"] is not None
        else None,
        "alias": own_label(account, user),
        "description": tab["description"],
        "status": status,
        "redirect_url": tab["redirect_url"],
        "merchant_available": [],
    }
    return {
        **id_and_stamps(tab),
        "time_expiry": timestamp(tab["time_expiry"]),
        "monetary_account_id": account["id"],
        "status": status,
        "type": "BUNQ_ME",
        "alias_monetary_account": own_label(account, user),
        "bunqme_tab_share_url": SHARE_URL.format(uuid=tab["uuid"]),
        "bunqme_tab_entry": entry,
        "bunqme_tab_entries": [],
        "result_inquiries": [  # paid by sandbox users (``bunqme_tab_results``), as the owner's payments
            {"payment": payment_object(row, account, user), "bunq_me_tab_id": tab["id"]}
            for row in db.execute(
                "SELECT p.* FROM payments p JOIN bunqme_tab_results r ON r.inquiry_payment_id = p.id"
                " WHERE r.tab_id = ? ORDER BY p.id",
                (tab["id"],),
            )
        ],
    }


def _tab_columns(ctx: HandlerContext, account: sqlite3.Row, body: dict[str, Any], creating: bool) -> dict:
    """A new tab on an ACTIVE account: its one entry's amount (or none: the payer chooses), description, redirect."""
    require_active(account)
    entry = required_object(body, "bunqme_tab_entry")
    where = "bunqme_tab_entry."
    cents = None
    if entry.get("amount_inquired") is not None:
        cents, _ = required_amount(entry, "amount_inquired", where=where)
    redirect_url = optional_string(entry, "redirect_url", default=None, max_length=2048, where=where)
    if redirect_url is not None and not redirect_url.startswith(("https://", "http://")):
        raise bad_request(f'Field "{where}redirect_url" must be an http(s) URL.')
    return {
        "uuid": str(uuid.uuid4()),
        "status": "WAITING_FOR_PAYMENT",
        "amount_cents": cents,
        "currency": "EUR",
        "description": optional_string(entry, "description", max_length=MAX_DESCRIPTION, where=where),
        "redirect_url": redirect_url,
        "time_expiry": ctx.now() + TAB_LIFETIME,
    }


def update_tab(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """PUT …/bunqme-tab/{id} with status CANCELLED: close the link."""
    account, row = TAB.with_owner(ctx, caller, ids)
    required_choice(body_of(request), "status", ("CANCELLED",))
    now = ctx.now()
    with ctx.store.transaction() as db:
        row = TAB.get(db, account["id"], row["id"])
        current = shown_status(row, now)
        if current != "WAITING_FOR_PAYMENT":
            raise bad_request(
                f"BunqMeTab {row['id']} is {current}; only a tab WAITING_FOR_PAYMENT can be cancelled."
            )
        db.execute("UPDATE bunqme_tabs SET status = 'CANCELLED', updated = ? WHERE id = ?", (now, row["id"]))
        ctx.events.updated(db, "BunqMeTab", row["id"], caller.user["id"], account["id"])
    return Reply([{"Id": {"id": row["id"]}}])


@renders("BunqMeTab")
def tab_for_event(db: sqlite3.Connection, tab_id: int) -> dict | None:
    """A bunq.me tab as an event shows it (its status as of its last change)."""
    row = db.execute("SELECT * FROM bunqme_tabs WHERE id = ?", (tab_id,)).fetchone()
    return {"BunqMeTab": tab_object(db, row, row["updated"])} if row is not None else None


ROUTES = [
    *plain_family(
        TAB,
        **operation_ids("BunqmeTab", "User_MonetaryAccount", "list read create"),
        validate=_tab_columns,
        clocked=tab_object,
        event_kind="BunqMeTab",
    ),
    op("UPDATE_BunqmeTab_for_User_MonetaryAccount", update_tab),
]
