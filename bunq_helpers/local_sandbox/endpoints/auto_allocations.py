"""``payment-auto-allocate`` on an account (create, list, read, update, delete), its ``definition`` and
``instance`` children, and the user's list of them all. The money rule is ``bank/auto_allocation.py``.

An allocation is set up from an incoming ``payment_id`` of the account (404 if it is not one; 400 if
it went out), ``type`` ONCE or RECURRING, and ``definition``: 1 to 10 parts, each a counterparty
pointer, a description and an ``amount`` (type AMOUNT) or a ``fraction`` in percent (type
PERCENTAGE; the fractions add up to at most 100). An update replaces the definition. Each incoming
payment like the original then makes an ``instance``: SUCCEEDED with the payment batch it made, or
FAILED with bunq's reason.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from ..amounts import amount
from ..bank.transfers import batch_object, payment_for_event
from ..bunq_errors import bad_request, not_found
from ..field_rules import choice
from ..kit import ACCOUNT, Owned, body_of, derived_renderer, op, operation_ids, plain_family
from ..render import id_and_stamps
from ..request import Request
from ..routing import Caller, HandlerContext, Reply
from ..validation import amount_cents, required_choice, required_int, required_pointer

MAX_PARTS = 10
KEY = "payment_auto_allocate_id"
ALLOCATION = Owned("auto_allocations", "PaymentAutoAllocate", key=KEY, parent=ACCOUNT, link="account_id")
OF_USER = Owned("auto_allocations", "PaymentAutoAllocate", key=KEY)
DEFINITION = Owned(
    "auto_allocation_definitions", "PaymentAutoAllocateDefinition", parent=ALLOCATION, link=KEY
)
INSTANCE = Owned("auto_allocation_instances", "PaymentAutoAllocateInstance", parent=ALLOCATION, link=KEY)
RULES = {"type": choice("ONCE", "RECURRING")}
_definition = derived_renderer("List_all_Definition_for_User_MonetaryAccount_PaymentAutoAllocate")
_instance = derived_renderer("READ_Instance_for_User_MonetaryAccount_PaymentAutoAllocate")


def _part(item: Any, index: int) -> dict[str, Any]:
    where = f"definition[{index}]."
    if not isinstance(item, dict):
        raise bad_request(f'Field "definition[{index}]" must be an object.')
    kind = item.get("type") or ("AMOUNT" if "amount" in item else "PERCENTAGE")
    kind = required_choice({"type": kind}, "type", ("AMOUNT", "PERCENTAGE"), where=where)
    pointer = required_pointer(item, "counterparty_alias", where=where)
    description = item.get("description", "")
    if not isinstance(description, str):
        raise bad_request(f'Field "{where}description" must be a string.')
    part = {"type": kind, "counterparty_alias": json.dumps(pointer), "description": description[:140]}
    if kind == "AMOUNT":
        return {**part, "amount_cents": amount_cents(item.get("amount"), where + "amount"), "fraction": None}
    return {
        **part,
        "amount_cents": None,
        "fraction": required_int(item, "fraction", low=1, high=100, where=where),
    }


def save_allocation(ctx: HandlerContext, request: Request, caller: Caller, ids: dict) -> Reply:
    """POST (create) or PUT (replace) an allocation and its definition."""
    account = ACCOUNT.find(ctx, caller, ids)
    existing = ALLOCATION.find(ctx, caller, ids) if request.method == "PUT" else None
    body = body_of(request)
    db = ctx.store.read()
    payment = db.execute(
        "SELECT * FROM payments WHERE id = ? AND account_id = ?", (body["payment_id"], account["id"])
    ).fetchone()
    if payment is None:
        raise not_found("Payment", body["payment_id"])
    if payment["amount_cents"] <= 0:
        raise bad_request(
            'Field "payment_id" must name a payment this account received: incoming money is allocated.'
        )
    kind = body["type"]
    if not 1 <= len(body["definition"]) <= MAX_PARTS:
        raise bad_request(f'Field "definition" must hold 1 to {MAX_PARTS} parts.')
    parts = [_part(item, index) for index, item in enumerate(body["definition"])]
    if sum(part["fraction"] or 0 for part in parts) > 100:
        raise bad_request('The "fraction"s of "definition" add up to more than 100 percent.')
    counterparty = json.loads(payment["counterparty"]).get("value")
    now = ctx.now()
    values = (payment["id"], kind, payment["amount_cents"], counterparty, now)
    with ctx.store.transaction() as db:
        if existing is None:
            allocation_id = db.execute(
                "INSERT INTO auto_allocations (account_id, user_id, payment_id, type, trigger_amount_cents,"
                " counterparty_value, status, created, updated) VALUES (?, ?, ?, ?, ?, ?, 'ACTIVE', ?, ?)",
                (account["id"], account["user_id"], *values, now),
            ).lastrowid
        else:
            allocation_id = existing["id"]
            db.execute(
                "UPDATE auto_allocations SET payment_id = ?, type = ?, trigger_amount_cents = ?,"
                " counterparty_value = ?, status = 'ACTIVE', updated = ? WHERE id = ?",
                (*values, allocation_id),
            )
            db.execute(
                "DELETE FROM auto_allocation_definitions WHERE payment_auto_allocate_id = ?", (allocation_id,)
            )
        for part in parts:
            names = ", ".join(part)
            db.execute(
                f"INSERT INTO auto_allocation_definitions ({KEY}, {names}, created, updated)"  # noqa: S608
                f" VALUES (?, {', '.join('?' * len(part))}, ?, ?)",
                (allocation_id, *part.values(), now, now),
            )
    return Reply([{"Id": {"id": allocation_id}}])


def render_definition(db: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    """A PaymentAutoAllocateDefinition."""
    return {**_definition(db, row), "counterparty_alias": json.loads(row["counterparty_alias"])}


def render_allocation(db: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    """A PaymentAutoAllocate: the original payment, the latest one allocated, and the trigger amount."""
    latest = db.execute(
        f"SELECT payment_id FROM auto_allocation_instances WHERE {KEY} = ? AND status = 'SUCCEEDED'"  # noqa: S608
        " ORDER BY id DESC LIMIT 1",
        (row["id"],),
    ).fetchone()
    original = payment_for_event(db, row["payment_id"])["Payment"]
    return {
        **id_and_stamps(row),
        "type": row["type"],
        "status": row["status"],
        "trigger_amount": amount(row["trigger_amount_cents"]),
        "payment": original,
        "payment_original": original,
        "payment_latest": payment_for_event(db, latest["payment_id"])["Payment"] if latest else None,
    }


def render_instance(db: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    """A PaymentAutoAllocateInstance, with the batch it paid or the reason it failed."""
    batch = db.execute("SELECT * FROM payment_batches WHERE id = ?", (row["payment_batch_id"],)).fetchone()
    errors = [{"error_description": row["error"], "error_description_translated": row["error"]}]
    return {
        **_instance(db, row),
        "payment_batch": batch_object(db, batch) if batch else None,
        "error_message": errors if row["error"] else [],
        "all_ginmon_transaction_order": [],
    }


ROUTES = [
    *plain_family(
        ALLOCATION,
        **operation_ids("PaymentAutoAllocate", "User_MonetaryAccount", "list read delete"),
        render=render_allocation,
    ),
    op("CREATE_PaymentAutoAllocate_for_User_MonetaryAccount", save_allocation, rules=RULES),
    op("UPDATE_PaymentAutoAllocate_for_User_MonetaryAccount", save_allocation, item=KEY, rules=RULES),
    *plain_family(OF_USER, list_op="List_all_PaymentAutoAllocate_for_User", render=render_allocation),
    *plain_family(
        DEFINITION,
        list_op="List_all_Definition_for_User_MonetaryAccount_PaymentAutoAllocate",
        render=render_definition,
    ),
    *plain_family(
        INSTANCE,
        **operation_ids("Instance", "User_MonetaryAccount_PaymentAutoAllocate", "list read"),
        render=render_instance,
    ),
]
