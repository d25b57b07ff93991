"""Payments on a schedule: ``schedule-payment`` (create, list, read, update, delete) and
``schedule-payment-batch`` (create, read, update, delete; bunq's spec has no list for it).

Creating either is signed (bunq: "create a scheduled payment" must be signed). The body holds the
payment (or ``payments``) and a ``schedule``: ``time_start``, optional ``time_end``,
``recurrence_unit`` and ``recurrence_size``. Runs happen when an account is next read
(``scheduling.py``). ``DELETE`` cancels: the schedule stays visible under ``schedule`` as CANCELLED,
and ``schedule-payment/{id}`` answers 404 from then on.

bunq's Python SDK reads a ``ScheduledPayment`` object from ``PUT schedule-payment/{id}`` where the
spec says ``Id``; the sandbox answers what the SDK reads. Wrapper names are bunq's:
``ScheduledPayment`` and ``ScheduledPaymentBatch``.
"""

from __future__ import annotations

import sqlite3
from functools import partial
from typing import Any

from ..bank.scheduling import (
    cancel_schedule,
    change_schedule,
    insert_schedule,
    scheduled_batch_object,
    scheduled_payment_object,
)
from ..bank.transfers import PaymentOrder, payee_account
from ..bunq_errors import bad_request
from ..field_rules import text
from ..kit import ACCOUNT, Owned, body_of, op, operation_ids, plain_family
from ..request import Request
from ..routing import Caller, HandlerContext, Reply
from ..validation import required_object
from .lookups import payable_account
from .orders import read_order, read_orders, read_schedule


def _live(kind: str):
    return lambda row: row["kind"] == kind and row["status"] != "CANCELLED"


# A deleted (cancelled) schedule is still a Schedule, but no longer a scheduled payment or batch.
SCHEDULED_PAYMENT = Owned(
    "schedules", "ScheduledPayment", parent=ACCOUNT, link="account_id", keep=_live("Payment")
)
SCHEDULED_BATCH = Owned(
    "schedules", "ScheduledPaymentBatch", parent=ACCOUNT, link="account_id", keep=_live("PaymentBatch")
)


def _payment(body: dict[str, Any]) -> PaymentOrder:
    return read_order(required_object(body, "payment"), "payment")


def _check_payees(
    db: sqlite3.Connection, account: sqlite3.Row, orders: list[PaymentOrder], field: str
) -> None:
    for index, order in enumerate(orders):
        where = field if field == "payment" else f"{field}[{index}]"
        payee_account(db, account, order.pointer, f"{where}.counterparty_alias")


def create_scheduled_payment(
    ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]
) -> Reply:
    """POST …/schedule-payment (signed): one payment on a schedule."""
    account = payable_account(ctx, caller, ids)
    body = body_of(request)
    order = _payment(body)
    spec = read_schedule(body)
    with ctx.store.transaction() as db:
        _check_payees(db, account, [order], "payment")
        schedule_id = insert_schedule(ctx, db, account, "Payment", [order], spec, body.get("purpose"))
    return Reply([{"Id": {"id": schedule_id}}])


def _changes(body: dict[str, Any], orders_field: str) -> tuple[list[PaymentOrder] | None, Any]:
    if body.get(orders_field) is None and body.get("schedule") is None:
        raise bad_request(f'Send "{orders_field}", "schedule" or both to change this scheduled payment.')
    orders = None
    if body.get(orders_field) is not None:
        orders = [_payment(body)] if orders_field == "payment" else read_orders(body, orders_field)
    spec = read_schedule(body) if body.get("schedule") is not None else None
    return orders, spec


def _change(
    ctx: HandlerContext,
    request: Request,
    caller: Caller,
    ids: dict[str, int],
    owned: Owned,
    field: str,
) -> sqlite3.Row:
    """PUT of a scheduled payment or batch: new orders (``field``) and/or schedule; the row as it is now."""
    account, row = owned.with_owner(ctx, caller, ids)
    orders, spec = _changes(body_of(request), field)
    with ctx.store.transaction() as db:
        if orders is not None:
            _check_payees(db, account, orders, field)
        change_schedule(ctx, db, row, orders, spec)
    return owned.get(ctx.store.read(), account["id"], row["id"])


def _cancel(
    ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int], owned: Owned
) -> Reply:
    """DELETE …/schedule-payment/{id} or …/schedule-payment-batch/{id}: cancel it; bunq answers an empty
    list."""
    row = owned.find(ctx, caller, ids)
    with ctx.store.transaction() as db:
        cancel_schedule(ctx, db, row)
    return Reply([])


def update_scheduled_payment(
    ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]
) -> Reply:
    """PUT …/schedule-payment/{id}: a new payment and/or schedule; answers the ScheduledPayment."""
    row = _change(ctx, request, caller, ids, SCHEDULED_PAYMENT, "payment")
    return Reply([{"ScheduledPayment": scheduled_payment_object(ctx.store.read(), row)}])


def create_scheduled_batch(
    ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]
) -> Reply:
    """POST …/schedule-payment-batch (signed): several payments on one schedule."""
    account = payable_account(ctx, caller, ids)
    body = body_of(request)
    orders = read_orders(body, "payments")
    spec = read_schedule(body)
    with ctx.store.transaction() as db:
        _check_payees(db, account, orders, "payments")
        schedule_id = insert_schedule(ctx, db, account, "PaymentBatch", orders, spec)
    return Reply([{"Id": {"id": schedule_id}}])


def update_scheduled_batch(
    ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]
) -> Reply:
    """PUT …/schedule-payment-batch/{id}: new payments and/or schedule; answers the id."""
    row = _change(ctx, request, caller, ids, SCHEDULED_BATCH, "payments")
    return Reply([{"Id": {"id": row["id"]}}])


ROUTES = [
    op(
        "CREATE_SchedulePayment_for_User_MonetaryAccount",
        create_scheduled_payment,
        signed=True,
        rules={"purpose": text(140)},
    ),
    *plain_family(
        SCHEDULED_PAYMENT,
        **operation_ids("SchedulePayment", "User_MonetaryAccount", "list read"),
        render=scheduled_payment_object,
        wrapper="ScheduledPayment",
    ),
    op("UPDATE_SchedulePayment_for_User_MonetaryAccount", update_scheduled_payment),
    op("DELETE_SchedulePayment_for_User_MonetaryAccount", partial(_cancel, owned=SCHEDULED_PAYMENT)),
    op("CREATE_SchedulePaymentBatch_for_User_MonetaryAccount", create_scheduled_batch, signed=True),
    *plain_family(
        SCHEDULED_BATCH,
        read_op="READ_SchedulePaymentBatch_for_User_MonetaryAccount",
        render=scheduled_batch_object,
        wrapper="ScheduledPaymentBatch",
    ),
    op("UPDATE_SchedulePaymentBatch_for_User_MonetaryAccount", update_scheduled_batch),
    op("DELETE_SchedulePaymentBatch_for_User_MonetaryAccount", partial(_cancel, owned=SCHEDULED_BATCH)),
]
