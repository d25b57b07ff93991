"""Payments that wait for a yes: ``draft-payment`` create, list, read and update.

At bunq a draft payment waits until the account holder accepts it in the bunq app. The local sandbox
has no app, so the holder accepts through the API instead: ``PUT`` with status ACCEPTED (signed, as
bunq requires for "accept a draft payment"). Accepting pays the entries then and there (one entry
as a Payment, several as a PaymentBatch, all or none), or, for a draft with a ``schedule``, starts
that schedule (``scheduling.py``). REJECTED and CANCELLED close a draft without paying. A ``PUT``
may also replace the entries of a PENDING draft; ``previous_updated_timestamp``, if sent, must be the
draft's current ``updated`` (bunq's guard against two edits racing).

A new draft is PENDING whatever ``status`` the create sends: PENDING, or ACTIVE as bunq's own Postman
collection sends it ("Create a draft scheduled payment"); anything else is refused.

``number_of_required_accepts`` must be 1 (bunq: "currently only 1 is valid").
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from ..bank.ledger import account_and_owner
from ..bank.scheduling import insert_schedule, schedule_json, spec_from_json, spec_to_json
from ..bank.transfers import (
    MAX_BATCH,
    PaymentOrder,
    execute_orders,
    order_object,
    payee_account,
    result_object,
)
from ..bunq_errors import bad_request
from ..events import renders_rows
from ..field_rules import choice, text, whole
from ..kit import ACCOUNT, Owned, body_of, op, operation_ids, plain_family
from ..render import label_user, timestamp
from ..request import Request
from ..routing import Caller, HandlerContext, Reply
from ..validation import required_list
from .lookups import payable_account
from .orders import read_order, read_schedule

ANSWERS = ("ACCEPTED", "REJECTED", "CANCELLED")


DRAFT_PAYMENT = Owned("draft_payments", "DraftPayment", parent=ACCOUNT, link="account_id")


def _entries(db: sqlite3.Connection, draft_id: int) -> list[sqlite3.Row]:
    return db.execute(
        "SELECT * FROM draft_payment_entries WHERE draft_id = ? ORDER BY id", (draft_id,)
    ).fetchall()


def _order(entry: sqlite3.Row) -> PaymentOrder:
    return PaymentOrder(
        entry["amount_cents"], entry["currency"], entry["description"], json.loads(entry["counterparty"])
    )


def draft_object(db: sqlite3.Connection, draft: sqlite3.Row) -> dict[str, Any]:
    """A DraftPayment. No ``created``/``updated``: bunq's spec and SDK have none, and no documented
    answer carries the "updated_timestamp" that ``previous_updated_timestamp`` repeats; the sandbox
    still refuses a stale one."""
    account, user = account_and_owner(db, draft["account_id"])
    entries = [
        {"id": entry["id"], **order_object(_order(entry), account, user)}
        for entry in _entries(db, draft["id"])
    ]
    schedule = None
    if draft["schedule"] is not None:
        started = None
        if draft["result_kind"] in ("ScheduledPayment", "ScheduledPaymentBatch"):
            started = db.execute(
                "SELECT status FROM schedules WHERE id = ?", (draft["result_id"],)
            ).fetchone()[0]
        schedule = schedule_json(spec_from_json(draft["schedule"]), started)
    answered = draft["status"] != "PENDING"
    return {
        "id": draft["id"],
        "monetary_account_id": account["id"],
        "user_alias_created": label_user(user),
        "responses": [{"status": draft["status"], "user_alias_created": label_user(user)}]
        if answered
        else [],
        "status": draft["status"],
        "entries": entries,
        "object": result_object(db, draft["result_kind"], draft["result_id"]),
        "request_reference_split_the_bill": [],
        "schedule": schedule,
    }


def _read_entries(body: dict[str, Any]) -> list[PaymentOrder]:
    items = required_list(body, "entries", max_items=MAX_BATCH)
    return [read_order(item, f"entries[{index}]") for index, item in enumerate(items)]


def _insert_entries(
    db: sqlite3.Connection, account: sqlite3.Row, draft_id: int, orders: list[PaymentOrder]
) -> None:
    for index, order in enumerate(orders):
        payee_account(db, account, order.pointer, f"entries[{index}].counterparty_alias")
        db.execute(
            "INSERT INTO draft_payment_entries (draft_id, amount_cents, currency, description, counterparty)"
            " VALUES (?, ?, ?, ?, ?)",
            (draft_id, order.cents, order.currency, order.description, json.dumps(order.pointer)),
        )


# bunq's Postman collection creates drafts with status "ACTIVE"; only 1 accept is valid (bunq)
CREATE_RULES = {"status": choice("PENDING", "ACTIVE"), "number_of_required_accepts": whole(1, 1)}
UPDATE_RULES = {"status": choice(*ANSWERS), "previous_updated_timestamp": text(40)}


def create_draft_payment(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """POST …/draft-payment: entries to pay once the holder accepts, optionally on a schedule."""
    account = payable_account(ctx, caller, ids)
    body = body_of(request)
    orders = _read_entries(body)
    spec = read_schedule(body) if body.get("schedule") is not None else None
    now = ctx.now()
    with ctx.store.transaction() as db:
        draft_id = db.execute(
            "INSERT INTO draft_payments (account_id, status, schedule, created, updated) VALUES (?, 'PENDING', ?, ?, ?)",
            (account["id"], spec_to_json(spec) if spec else None, now, now),
        ).lastrowid
        _insert_entries(db, account, draft_id, orders)
        ctx.events.record(db, "DraftPayment", draft_id, user_id=caller.user["id"], account_id=account["id"])
    return Reply([{"Id": {"id": draft_id}}])


def _accept(
    ctx: HandlerContext, db: sqlite3.Connection, draft: sqlite3.Row, account: sqlite3.Row, user
) -> None:
    orders = [_order(entry) for entry in _entries(db, draft["id"])]
    if draft["schedule"] is None:
        kind, result_id = execute_orders(ctx, db, account, user, orders)
    else:
        kind = "ScheduledPayment" if len(orders) == 1 else "ScheduledPaymentBatch"
        scheduled = "Payment" if len(orders) == 1 else "PaymentBatch"
        result_id = insert_schedule(ctx, db, account, scheduled, orders, spec_from_json(draft["schedule"]))
    db.execute(
        "UPDATE draft_payments SET result_kind = ?, result_id = ? WHERE id = ?",
        (kind, result_id, draft["id"]),
    )


def update_draft_payment(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """PUT …/draft-payment/{id} (signed): accept, reject or cancel it, or replace its entries."""
    account, row = DRAFT_PAYMENT.with_owner(ctx, caller, ids)
    body = body_of(request)
    status = body.get("status")
    orders = _read_entries(body) if body.get("entries") is not None else None
    if status is None and orders is None:
        raise bad_request('Send "status" (ACCEPTED, REJECTED or CANCELLED) or new "entries".')
    previous = body.get("previous_updated_timestamp")
    now = ctx.now()
    with ctx.store.transaction() as db:
        row = DRAFT_PAYMENT.get(db, account["id"], row["id"])
        if previous is not None and previous != timestamp(row["updated"]):
            raise bad_request(
                f'Field "previous_updated_timestamp" is {previous}, but this DraftPayment was updated at '
                f"{timestamp(row['updated'])}: check what changed, then retry with that time."
            )
        if row["status"] != "PENDING":
            raise bad_request(
                f"DraftPayment {row['id']} is {row['status']}; only a PENDING draft can change."
            )
        if orders is not None:
            db.execute("DELETE FROM draft_payment_entries WHERE draft_id = ?", (row["id"],))
            _insert_entries(db, account, row["id"], orders)
        if status == "ACCEPTED":
            _accept(ctx, db, row, account, caller.user)
        db.execute(
            "UPDATE draft_payments SET status = ?, updated = ? WHERE id = ?",
            (status or "PENDING", now, row["id"]),
        )
        ctx.events.updated(db, "DraftPayment", row["id"], caller.user["id"], account["id"])
    return Reply([{"Id": {"id": row["id"]}}])


renders_rows("DraftPayment", "draft_payments", draft_object)


ROUTES = [
    op("CREATE_DraftPayment_for_User_MonetaryAccount", create_draft_payment, rules=CREATE_RULES),
    *plain_family(
        DRAFT_PAYMENT,
        **operation_ids("DraftPayment", "User_MonetaryAccount", "list read"),
        render=draft_object,
    ),
    op("UPDATE_DraftPayment_for_User_MonetaryAccount", update_draft_payment, signed=True, rules=UPDATE_RULES),
]
