"""``PUT schedule-instance`` with state RETRY: a failed run of a schedule runs again, paying when the
balance now covers it; only failed runs, only RETRY, only the caller's own."""

from __future__ import annotations

import pytest

from bunq_helpers.local_sandbox.render import timestamp
from tests.local_sandbox.money import Clock, euros, money_world

HOUR = 3600.0


@pytest.fixture
def world(tmp_path, client_key):
    with money_world(tmp_path, client_key, clock=Clock()) as made:
        yield made


def test_a_failed_run_is_retried_once_the_money_is_there(world) -> None:
    alice, bob, clock = world.alice, world.bob, world.clock
    to_bob = {"amount": euros("10.00"), "counterparty_alias": {"type": "EMAIL", "value": bob.email}}
    body = {
        "payment": {**to_bob, "description": "rent"},
        "schedule": {"time_start": timestamp(clock.now + HOUR), "recurrence_unit": "ONCE"},
    }
    schedule_id = alice.create("schedule-payment", body, signed=True)
    clock.now += HOUR
    assert alice.balance() == "0.00"  # the run came due and failed: nothing to pay with
    [item] = alice.get(f"schedule/{schedule_id}/schedule-instance")
    run = item["ScheduledInstance"]
    assert run["state"] == "FAILED_USER_ERROR"
    path = f"schedule/{schedule_id}/schedule-instance/{run['id']}"
    assert alice.fails("PUT", path, {"state": "DONE"}) == (
        'Field "state" must be "RETRY" (run a failed run again), got \'DONE\'.'
    )
    since = max(e["Event"]["id"] for e in alice.get(f"user/{alice.h.user_id}/event"))
    assert alice.ok("PUT", path, {"state": "RETRY"}) == [{"Id": {"id": run["id"]}}]
    [item] = alice.get(path)
    assert item["ScheduledInstance"]["state"] == "FAILED_USER_ERROR"  # still nothing to pay with
    alice.fund("25.00")
    alice.ok("PUT", path, {"state": "RETRY"})
    [item] = alice.get(path)
    retried = item["ScheduledInstance"]
    assert retried["state"] == "FINISHED_SUCCESSFULLY" and retried["error_message"] == []
    assert retried["result_object"]["Payment"]["amount"] == euros("-10.00")
    assert (alice.balance(), bob.balance()) == ("15.00", "10.00")
    assert ("ScheduledInstance", "UPDATE") in alice.events(since)
    assert "only a failed run is retried" in alice.fails("PUT", path, {"state": "RETRY"})
    assert bob.call("PUT", f"{alice.account}/{path}", {"state": "RETRY"}).status_code == 404
    missing = alice.call(
        "PUT", f"schedule/{schedule_id}/schedule-instance/{run['id'] + 1}", {"state": "RETRY"}
    )
    assert missing.status_code == 404
