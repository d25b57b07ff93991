"""``PUT …/schedule/{id}/schedule-instance/{id}`` with ``state`` ``RETRY``: run a failed run again.

bunq's SDK (1.28.0, ScheduleInstanceApiObject.update) says what the PUT is for: "change the state of the
scheduleInstance from FAILED_USER_ERROR to RETRY", so a run that failed (the balance did not cover it,
the account was closed) can be asked to run again. The local sandbox runs it at once in the same transaction: the run becomes
FINISHED_SUCCESSFULLY with the payment or batch it made, or stays FAILED_USER_ERROR with today's reason;
either way its ScheduledInstance event is recorded (an UPDATE). A run that succeeded is not run twice.
"""

from __future__ import annotations

from ..bank.scheduling import retry_run
from ..bunq_errors import bad_request
from ..kit import ACCOUNT, Owned, body_of, op
from ..request import Request
from ..routing import Caller, HandlerContext, Reply

SCHEDULE = Owned("schedules", "Schedule", key="schedule_id", parent=ACCOUNT, link="account_id")
RUN = Owned("schedule_instances", "ScheduledInstance", parent=SCHEDULE, link="schedule_id")


def retry(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """Run a FAILED_USER_ERROR run again; any other ``state`` or run is refused with the reason."""
    run = RUN.find(ctx, caller, ids)
    state = body_of(request).get("state")
    if state != "RETRY":
        raise bad_request(f'Field "state" must be "RETRY" (run a failed run again), got {state!r}.')
    with ctx.store.transaction() as db:
        run = db.execute("SELECT * FROM schedule_instances WHERE id = ?", (run["id"],)).fetchone()
        if run["state"] != "FAILED_USER_ERROR":
            raise bad_request(
                f"ScheduledInstance {run['id']} is {run['state']}; only a failed run is retried."
            )
        retry_run(ctx, db, run)
    return Reply([{"Id": {"id": run["id"]}}])


ROUTES = [op("UPDATE_ScheduleInstance_for_User_MonetaryAccount_Schedule", retry)]
