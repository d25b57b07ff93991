"""Reading schedules and their runs: ``schedule`` (per account and per user) and ``schedule-instance``.

Every scheduled payment or batch, deleted ones included (as CANCELLED), is a Schedule here, under the
same id. Each run is a ScheduledInstance with its state and the payment or batch it made. bunq's
Python SDK reads ``GET user/{id}/schedule`` items under ``ScheduleUser``; the sandbox answers so.
"""

from __future__ import annotations

import sqlite3

from ..bank.scheduling import find_schedule, instance_object, schedule_object
from ..bunq_errors import not_found
from ..kit import op
from ..pagination import paginate
from ..request import Request
from ..routing import Caller, HandlerContext, Reply
from .lookups import own_account, own_item, own_user


def find_schedule_instance(db: sqlite3.Connection, account_id: int, instance_id: int) -> sqlite3.Row | None:
    """Run ``instance_id`` of any schedule of account ``account_id``."""
    return db.execute(
        "SELECT i.* FROM schedule_instances i JOIN schedules s ON s.id = i.schedule_id"
        " WHERE i.id = ? AND s.account_id = ?",
        (instance_id, account_id),
    ).fetchone()


def list_schedules(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """GET …/monetary-account/{id}/schedule."""
    account = own_account(ctx, caller, ids)
    db = ctx.store.read()
    rows = db.execute("SELECT * FROM schedules WHERE account_id = ?", (account["id"],)).fetchall()
    return paginate(
        request, [schedule_object(db, row) for row in rows], "Schedule", ids=[row["id"] for row in rows]
    )


def read_one_schedule(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """GET …/schedule/{id}."""
    _, row = own_item(ctx, caller, ids, find_schedule, "Schedule")
    return Reply([{"Schedule": schedule_object(ctx.store.read(), row)}])


def list_user_schedules(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """GET user/{id}/schedule: the schedules of all the user's accounts."""
    user = own_user(caller, ids)
    db = ctx.store.read()
    rows = db.execute(
        "SELECT s.* FROM schedules s JOIN accounts a ON a.id = s.account_id WHERE a.user_id = ?",
        (user["id"],),
    ).fetchall()
    return paginate(
        request, [schedule_object(db, row) for row in rows], "ScheduleUser", ids=[row["id"] for row in rows]
    )


def list_instances(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """GET …/schedule/{id}/schedule-instance."""
    _, schedule = own_item(ctx, caller, ids, find_schedule, "Schedule", key="schedule_id")
    db = ctx.store.read()
    rows = db.execute("SELECT * FROM schedule_instances WHERE schedule_id = ?", (schedule["id"],)).fetchall()
    return paginate(
        request,
        [instance_object(db, row) for row in rows],
        "ScheduledInstance",
        ids=[row["id"] for row in rows],
    )


def read_instance(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """GET …/schedule/{id}/schedule-instance/{id}."""
    account, schedule = own_item(ctx, caller, ids, find_schedule, "Schedule", key="schedule_id")
    row = find_schedule_instance(ctx.store.read(), account["id"], ids["item_id"])
    if row is None or row["schedule_id"] != schedule["id"]:
        raise not_found("ScheduledInstance", ids["item_id"])
    return Reply([{"ScheduledInstance": instance_object(ctx.store.read(), row)}])


ROUTES = [
    op("List_all_Schedule_for_User_MonetaryAccount", list_schedules),
    op("READ_Schedule_for_User_MonetaryAccount", read_one_schedule),
    op("List_all_ScheduleInstance_for_User_MonetaryAccount_Schedule", list_instances),
    op("READ_ScheduleInstance_for_User_MonetaryAccount_Schedule", read_instance),
    op("List_all_Schedule_for_User", list_user_schedules),
]
