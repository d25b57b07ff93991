"""Schedules of payments: storing them, showing them, and running what has fallen due.

Objects here carry no ``id``: bunq's spec and its Python SDK (1.28.0) have none for Schedule,
ScheduledPayment, ScheduledPaymentBatch or ScheduledInstance. A client keeps the id the create
answer gave it (``{"Id": {"id": N}}``), which is also the Schedule's id.

A schedule (from ``schedule-payment``, ``schedule-payment-batch`` or an accepted scheduled draft)
holds one or more payment orders and a recurrence (``recurrence.py``). Each due run is a real
payment (or batch) and a ``ScheduledInstance``. A run the balance does not cover moves nothing and is
recorded as ``FAILED_USER_ERROR`` with bunq's error shape; the schedule carries on.

Runs are bounded so that one user's schedules cost other users nothing:

- before a user's request is answered, only that user's due runs happen, at most ``RUNS_PER_CALL``;
- the sandbox's own clock (``settlement.DueClock``, a background thread) runs what else is due,
  everyone's, at most ``RUNS_PER_TICK`` per tick, each run in a short transaction of its own;
- a schedule more than ``MAX_CATCH_UP`` runs behind (an hourly one that started in 2000) skips the
  older ones and runs only its last ``MAX_CATCH_UP``;
- a user has at most ``MAX_SCHEDULES_PER_USER`` live (ACTIVE) schedules. bunq publishes no such
  limit; the sandbox documents its own, refused with bunq's 400 error shape.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from ..bunq_errors import BunqError, bad_request
from ..events import renders_rows
from ..recurrence import next_run
from ..render import timestamp
from .core import Bank, insert_row
from .ledger import account_and_owner
from .transfers import (
    PaymentOrder,
    check_payable,
    execute_orders,
    order_object,
    result_object,
)

MAX_CATCH_UP = 50  # runs of one schedule caught up at most; older missed runs are skipped
MAX_SCHEDULES_PER_USER = 100  # live schedules per user (bunq publishes none; the sandbox's own)
RUNS_PER_CALL = 20  # due runs of the caller's own schedules a request makes happen
RUNS_PER_TICK = 10  # due runs the background clock makes happen per tick (a few ms of work)
MAX_RECURRENCE_SIZE = 1000
# What the scheduled object is called: in bunq's wrappers, events and object anchors.
WRAPPERS = {"Payment": "ScheduledPayment", "PaymentBatch": "ScheduledPaymentBatch"}


@dataclass(frozen=True)
class ScheduleSpec:
    """When a schedule runs."""

    time_start: float
    time_end: float | None
    unit: str
    size: int


def spec_to_json(spec: ScheduleSpec) -> str:
    """A schedule spec as a draft payment keeps it until it is accepted."""
    return json.dumps(
        {"time_start": spec.time_start, "time_end": spec.time_end, "unit": spec.unit, "size": spec.size}
    )


def spec_from_json(text: str) -> ScheduleSpec:
    """The spec ``spec_to_json`` wrote."""
    data = json.loads(text)
    return ScheduleSpec(data["time_start"], data["time_end"], data["unit"], data["size"])


def schedule_json(spec: ScheduleSpec, status: str | None) -> dict[str, Any]:
    """The Schedule fields of a spec (``object`` is added by the caller when there is one)."""
    return {
        "time_start": timestamp(spec.time_start),
        "time_end": timestamp(spec.time_end) if spec.time_end is not None else None,
        "recurrence_unit": spec.unit,
        "recurrence_size": spec.size,
        "status": status,
    }


def insert_schedule(
    ctx: Bank,
    db: sqlite3.Connection,
    account: sqlite3.Row,
    kind: str,
    orders: list[PaymentOrder],
    spec: ScheduleSpec,
    purpose: str | None = None,
) -> int:
    """Store a new ACTIVE schedule of ``orders`` (kind ``Payment`` or ``PaymentBatch``); record its event.

    400 when the user has ``MAX_SCHEDULES_PER_USER`` live schedules already."""
    now = ctx.now()
    (live,) = db.execute(
        "SELECT COUNT(*) FROM schedules s JOIN accounts a ON a.id = s.account_id"
        " WHERE a.user_id = ? AND s.status = 'ACTIVE'",
        (account["user_id"],),
    ).fetchone()
    if live >= MAX_SCHEDULES_PER_USER:
        raise bad_request(
            f"You have {live} active scheduled payments, the local sandbox's limit of "
            f"{MAX_SCHEDULES_PER_USER} per user; delete one (DELETE schedule-payment/ID) or let one finish first."
        )
    due = next_run(spec.time_start, spec.time_end, spec.unit, spec.size, 0)
    values = {
        "account_id": account["id"],
        "kind": kind,
        "entries": json.dumps([order.to_json() for order in orders]),
        "purpose": purpose,
        "time_start": spec.time_start,
        "time_end": spec.time_end,
        "recurrence_unit": spec.unit,
        "recurrence_size": spec.size,
        "status": "ACTIVE" if due is not None else "FINISHED",
        "runs": 0,
        "next_run": due,
    }
    schedule_id = insert_row(db, "schedules", {**values, "created": now, "updated": now})
    ctx.events.record(db, WRAPPERS[kind], schedule_id, user_id=account["user_id"], account_id=account["id"])
    return int(schedule_id)


def change_schedule(
    ctx: Bank,
    db: sqlite3.Connection,
    row: sqlite3.Row,
    orders: list[PaymentOrder] | None,
    spec: ScheduleSpec | None,
) -> None:
    """Replace a schedule's orders and/or timing (a new timing starts counting runs afresh)."""
    now = ctx.now()
    if orders is not None:
        db.execute(
            "UPDATE schedules SET entries = ?, updated = ? WHERE id = ?",
            (json.dumps([order.to_json() for order in orders]), now, row["id"]),
        )
    if spec is not None:
        due = next_run(spec.time_start, spec.time_end, spec.unit, spec.size, 0)
        db.execute(
            "UPDATE schedules SET time_start = ?, time_end = ?, recurrence_unit = ?, recurrence_size = ?,"
            " runs = 0, next_run = ?, status = ?, updated = ? WHERE id = ?",
            (
                spec.time_start,
                spec.time_end,
                spec.unit,
                spec.size,
                due,
                "ACTIVE" if due is not None else "FINISHED",
                now,
                row["id"],
            ),
        )
    _record(ctx, db, row, "UPDATE")


def cancel_schedule(ctx: Bank, db: sqlite3.Connection, row: sqlite3.Row) -> None:
    """DELETE of a scheduled payment (batch): no further runs; the schedule stays listed as CANCELLED."""
    db.execute(
        "UPDATE schedules SET status = 'CANCELLED', next_run = NULL, updated = ? WHERE id = ?",
        (ctx.now(), row["id"]),
    )
    _record(ctx, db, row, "DELETE")


def _record(ctx: Bank, db: sqlite3.Connection, row: sqlite3.Row, action: str) -> None:
    _, user = account_and_owner(db, row["account_id"])
    ctx.events.record(
        db, WRAPPERS[row["kind"]], row["id"], user_id=user["id"], account_id=row["account_id"], action=action
    )


def orders_of(row: sqlite3.Row) -> list[PaymentOrder]:
    """The payment orders a schedule runs."""
    return [PaymentOrder.from_json(item) for item in json.loads(row["entries"])]


def spec_of(row: sqlite3.Row) -> ScheduleSpec:
    """The timing of a stored schedule."""
    return ScheduleSpec(row["time_start"], row["time_end"], row["recurrence_unit"], row["recurrence_size"])


def scheduled_object(db: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    """The ScheduleAnchorObject: ``{"Payment": …}`` or ``{"PaymentBatch": …}`` of what will be paid."""
    account, user = account_and_owner(db, row["account_id"])
    entries = [order_object(order, account, user) for order in orders_of(row)]
    if row["kind"] == "Payment":
        return {"Payment": entries[0]}
    return {"PaymentBatch": {"payments": entries}}  # a plain list, as in batch_object


def schedule_object(db: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    """A Schedule: as ``schedule`` lists it, and inside a scheduled payment (batch)."""
    return {**schedule_json(spec_of(row), row["status"]), "object": scheduled_object(db, row)}


def scheduled_payment_object(db: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    """A ScheduledPayment (schedule-payment)."""
    account, user = account_and_owner(db, row["account_id"])
    return {
        "payment": order_object(orders_of(row)[0], account, user),
        "schedule": schedule_object(db, row),
        "status": row["status"],
        "purpose": row["purpose"],
    }


def scheduled_batch_object(db: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    """A ScheduledPaymentBatch (schedule-payment-batch)."""
    account, user = account_and_owner(db, row["account_id"])
    return {
        "payments": [order_object(order, account, user) for order in orders_of(row)],
        "schedule": schedule_object(db, row),
    }


def instance_object(db: sqlite3.Connection, instance: sqlite3.Row) -> dict[str, Any]:
    """A ScheduledInstance: one run of a schedule and what it made (or why it failed)."""
    schedule = db.execute("SELECT * FROM schedules WHERE id = ?", (instance["schedule_id"],)).fetchone()
    errors = []
    if instance["error"]:
        errors = [{"error_description": instance["error"], "error_description_translated": instance["error"]}]
    return {
        "id": instance["id"],  # bunq's spec omits it; without it a run is found only by guessing
        "state": instance["state"],
        "time_start": timestamp(instance["time_start"]),
        "time_end": timestamp(instance["time_end"]),
        "error_message": errors,
        "scheduled_object": scheduled_object(db, schedule),
        "result_object": result_object(db, instance["result_kind"], instance["result_id"]),
        "request_reference_split_the_bill": [],
    }


renders_rows("ScheduledPayment", "schedules", scheduled_payment_object)


renders_rows("ScheduledPaymentBatch", "schedules", scheduled_batch_object)


renders_rows("ScheduledInstance", "schedule_instances", instance_object)


_DUE = "SELECT id FROM schedules WHERE status = 'ACTIVE' AND next_run IS NOT NULL AND next_run <= ?"
_DUE_ALL = _DUE + " ORDER BY next_run, id LIMIT ?"
_DUE_OF_USER = (
    "SELECT s.id FROM schedules s JOIN accounts a ON a.id = s.account_id WHERE a.user_id = ?"
    " AND s.status = 'ACTIVE' AND s.next_run IS NOT NULL AND s.next_run <= ? ORDER BY s.next_run, s.id LIMIT ?"
)


def run_due_schedules(ctx: Bank, budget: int, user_id: int | None = None) -> int:
    """Make at most ``budget`` due runs happen (only ``user_id``'s schedules, when given), oldest due
    first, each in a transaction of its own; return how many ran."""
    ran = 0
    while ran < budget:
        now = ctx.now()
        query, args = (_DUE_ALL, (now, 1)) if user_id is None else (_DUE_OF_USER, (user_id, now, 1))
        if ctx.store.read().execute(query, args).fetchone() is None:
            return ran
        with ctx.store.transaction() as db:
            found = db.execute(query, args).fetchone()
            if found is None:
                return ran
            row = _skip_to_recent(
                db, db.execute("SELECT * FROM schedules WHERE id = ?", found).fetchone(), now
            )
            if row["status"] == "ACTIVE" and row["next_run"] is not None and row["next_run"] <= now:
                _run_once(ctx, db, row)
        ran += 1
    return ran


def _skip_to_recent(db: sqlite3.Connection, row: sqlite3.Row, now: float) -> sqlite3.Row:
    """A schedule more than MAX_CATCH_UP runs behind skips to its last MAX_CATCH_UP due runs."""
    behind = _runs_due_by(row, now) - row["runs"]
    if behind <= MAX_CATCH_UP:
        return row
    runs = row["runs"] + behind - MAX_CATCH_UP
    due = next_run(row["time_start"], row["time_end"], row["recurrence_unit"], row["recurrence_size"], runs)
    db.execute("UPDATE schedules SET runs = ?, next_run = ? WHERE id = ?", (runs, due, row["id"]))
    return db.execute("SELECT * FROM schedules WHERE id = ?", (row["id"],)).fetchone()


def _runs_due_by(row: sqlite3.Row, now: float) -> int:
    """How many runs of a schedule fall due at or before ``now``, counted from its start."""
    start, end, unit, size = (
        row["time_start"],
        row["time_end"],
        row["recurrence_unit"],
        row["recurrence_size"],
    )

    def due_by_now(run: int) -> bool:
        due = next_run(start, end, unit, size, run)
        return due is not None and due <= now

    if unit == "ONCE":
        return int(due_by_now(0))
    step = _STEP_SECONDS.get(unit, 2_629_746.0 * (12 if unit == "YEARLY" else 1))  # months: on average
    until = min(now, end) if end is not None else now
    runs = max(int((until - start) // (step * size)), 0)  # an estimate within a run or two; then counted
    while runs > 0 and not due_by_now(runs - 1):
        runs -= 1
    while due_by_now(runs):
        runs += 1
    return runs


_STEP_SECONDS = {"HOURLY": 3600.0, "DAILY": 86_400.0, "WEEKLY": 604_800.0}


def attempt_run(
    ctx: Bank, db: sqlite3.Connection, row: sqlite3.Row
) -> tuple[str, str | None, str | None, int | None]:
    """Pay schedule ``row``'s orders now if the account can: (state, why it failed, kind made, its id)."""
    account, user = account_and_owner(db, row["account_id"])
    orders = orders_of(row)
    try:  # everything that could refuse the run is checked before anything moves
        check_payable(ctx, db, account, orders, "this scheduled run")
    except BunqError as refused:
        return "FAILED_USER_ERROR", refused.description, None, None
    return ("FINISHED_SUCCESSFULLY", None, *execute_orders(ctx, db, account, user, orders))


def _run_once(ctx: Bank, db: sqlite3.Connection, row: sqlite3.Row) -> None:
    now = ctx.now()
    account, user = account_and_owner(db, row["account_id"])
    state, error, kind, result_id = attempt_run(ctx, db, row)
    instance_id = db.execute(
        "INSERT INTO schedule_instances (schedule_id, state, time_start, time_end, error, result_kind, result_id,"
        " created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (row["id"], state, row["next_run"], now, error, kind, result_id, now, now),
    ).lastrowid
    ctx.events.record(db, "ScheduledInstance", instance_id, user_id=user["id"], account_id=account["id"])
    runs = row["runs"] + 1
    due = next_run(row["time_start"], row["time_end"], row["recurrence_unit"], row["recurrence_size"], runs)
    db.execute(
        "UPDATE schedules SET runs = ?, next_run = ?, status = ?, updated = ? WHERE id = ?",
        (runs, due, "ACTIVE" if due is not None else "FINISHED", now, row["id"]),
    )


def retry_run(ctx: Bank, db: sqlite3.Connection, instance: sqlite3.Row) -> None:
    """Run a failed run of a schedule again now (bunq's ``RETRY``): paid, or failed with today's reason."""
    schedule = db.execute("SELECT * FROM schedules WHERE id = ?", (instance["schedule_id"],)).fetchone()
    state, error, kind, result_id = attempt_run(ctx, db, schedule)
    now = ctx.now()
    db.execute(
        "UPDATE schedule_instances SET state = ?, error = ?, result_kind = ?, result_id = ?, time_end = ?,"
        " updated = ? WHERE id = ?",
        (state, error, kind, result_id, now, now, instance["id"]),
    )
    account, user = account_and_owner(db, schedule["account_id"])
    ctx.events.record(
        db, "ScheduledInstance", instance["id"], user_id=user["id"], account_id=account["id"], action="UPDATE"
    )
