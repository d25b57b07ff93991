"""Reading schedules and their runs: ``schedule`` (per account and per user) and ``schedule-instance``.

Every scheduled payment or batch, deleted ones included (as CANCELLED), is a Schedule here, under the
same id. Each run is a ScheduledInstance with its state and the payment or batch it made. bunq's
Python SDK reads ``GET user/{id}/schedule`` items under ``ScheduleUser``; the sandbox answers so.
"""

from __future__ import annotations

from ..bank.scheduling import instance_object, schedule_object
from ..kit import ACCOUNT, Owned, op, operation_ids, plain_family
from ..pagination import paginate
from ..request import Request
from ..routing import Caller, HandlerContext, Reply
from .lookups import own_user

SCHEDULE = Owned("schedules", "Schedule", parent=ACCOUNT, link="account_id")
SCHEDULE_INSTANCE = Owned(
    "schedule_instances",
    "ScheduledInstance",
    parent=Owned("schedules", "Schedule", key="schedule_id", parent=ACCOUNT, link="account_id"),
    link="schedule_id",
)


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


ROUTES = [
    *plain_family(
        SCHEDULE,
        **operation_ids("Schedule", "User_MonetaryAccount", "list read"),
        render=schedule_object,
    ),
    *plain_family(
        SCHEDULE_INSTANCE,
        **operation_ids("ScheduleInstance", "User_MonetaryAccount_Schedule", "list read"),
        render=instance_object,
        wrapper="ScheduledInstance",
    ),
    op("List_all_Schedule_for_User", list_user_schedules),
]
