"""schedule-payment, schedule-payment-batch, schedule and schedule-instance, on a clock the test moves.

Due runs happen when an account is next read; each run is a real payment and a ScheduledInstance.
"""

from __future__ import annotations

import time

import pytest

from bunq_helpers.local_sandbox.recurrence import next_run, occurrence
from bunq_helpers.local_sandbox.render import timestamp
from tests.local_sandbox.money import euros

HOUR = 3600.0


pytestmark = pytest.mark.sandbox_options(moved_clock=True)


def _schedule(world, start_in: float, unit: str = "DAILY", size: int = 1, **extra) -> dict:
    return {
        "time_start": timestamp(world.clock.now + start_in),
        "recurrence_unit": unit,
        "recurrence_size": size,
        **extra,
    }


def _to_bob(world, value: str = "10.00") -> dict:
    return {
        "amount": euros(value),
        "counterparty_alias": {"type": "EMAIL", "value": world.bob.email},
        "description": "rent",
    }


def test_a_daily_payment_runs_each_day_when_the_account_is_read(world) -> None:
    alice, bob, clock = world.alice, world.bob, world.clock
    alice.fund("25.00")
    body = {"payment": _to_bob(world), "schedule": _schedule(world, HOUR), "purpose": "rent"}
    schedule_id = alice.create("schedule-payment", body, signed=True)
    [item] = alice.get(f"schedule-payment/{schedule_id}")
    scheduled = item["ScheduledPayment"]
    assert (scheduled["status"], scheduled["purpose"]) == ("ACTIVE", "rent")
    assert scheduled["payment"]["amount"] == euros("10.00")
    assert scheduled["schedule"]["recurrence_unit"] == "DAILY" and scheduled["schedule"]["object"]["Payment"]
    assert alice.balance() == "25.00"
    clock.now += HOUR
    assert (alice.balance(), bob.balance()) == ("15.00", "10.00")
    clock.now += 24 * HOUR - 1
    assert alice.balance() == "15.00"
    clock.now += 1 + 24 * HOUR  # two more runs are due; the second finds too little money
    assert (alice.balance(), bob.balance()) == ("5.00", "20.00")
    instances = [i["ScheduledInstance"] for i in alice.get(f"schedule/{schedule_id}/schedule-instance")]
    assert [i["state"] for i in instances] == [
        "FAILED_USER_ERROR",
        "FINISHED_SUCCESSFULLY",
        "FINISHED_SUCCESSFULLY",
    ]
    failed = instances[0]
    assert (
        failed["result_object"] is None
        and "does not cover this scheduled run" in failed["error_message"][0]["error_description"]
    )
    # each run's id is in the list (bunq's spec omits it, see divergences), newest first, and in its event
    run_ids = world.sandbox.store.read().execute(
        "SELECT id FROM schedule_instances WHERE schedule_id = ? ORDER BY id DESC", (schedule_id,)
    )
    assert [i["id"] for i in instances] == [run_id for (run_id,) in run_ids]
    middle = instances[1]["id"]
    done = alice.get(f"schedule/{schedule_id}/schedule-instance/{middle}")[0]["ScheduledInstance"]
    assert done == instances[1]
    alice.create(f"schedule/{schedule_id}/schedule-instance/{middle}/note-text", {"content": "rent, paid"})
    assert done["result_object"]["Payment"]["amount"] == euros("-10.00")
    assert done["time_start"] == timestamp(1_800_000_000 + HOUR + 24 * HOUR)
    kinds = [kind for kind, _ in alice.events()]
    assert kinds.count("ScheduledInstance") == 3 and kinds.count("ScheduledPayment") == 1


def test_a_once_schedule_finishes_and_time_end_stops_a_recurring_one(world) -> None:
    alice, clock = world.alice, world.clock
    alice.fund("100.00")
    once = alice.create(
        "schedule-payment",
        {"payment": _to_bob(world, "1.00"), "schedule": _schedule(world, 0, "ONCE")},
        signed=True,
    )
    ends = _schedule(world, 0, "HOURLY", 2, time_end=timestamp(clock.now + 5 * HOUR))
    hourly = alice.create(
        "schedule-payment", {"payment": _to_bob(world, "2.00"), "schedule": ends}, signed=True
    )
    clock.now += 10 * HOUR
    assert alice.balance() == str(f"{100 - 1 - 3 * 2:.2f}")  # runs at +0, +2 h and +4 h
    for schedule_id in (once, hourly):
        assert alice.get(f"schedule/{schedule_id}")[0]["Schedule"]["status"] == "FINISHED"

    def amounts(items: list[dict], wrapper: str) -> list[str]:  # a Schedule has no id: told apart by amount
        return [item[wrapper]["object"]["Payment"]["amount"]["value"] for item in items]

    assert amounts(alice.get("schedule"), "Schedule") == ["2.00", "1.00"]
    assert amounts(alice.get(f"user/{alice.h.user_id}/schedule"), "ScheduleUser") == ["2.00", "1.00"]
    page = alice.call("GET", "schedule?count=1").json()
    assert amounts(page["Response"], "Schedule") == ["2.00"]
    older = alice.get(page["Pagination"]["older_url"].removeprefix("/v1/"))
    assert amounts(older, "Schedule") == ["1.00"]  # paged by the schedules' ids, which the items lack


def test_update_and_delete(world) -> None:
    alice, bob, clock = world.alice, world.bob, world.clock
    alice.fund("50.00")
    schedule_id = alice.create(
        "schedule-payment", {"payment": _to_bob(world), "schedule": _schedule(world, HOUR)}, signed=True
    )
    [item] = alice.ok("PUT", f"schedule-payment/{schedule_id}", {"payment": _to_bob(world, "7.00")})
    assert item["ScheduledPayment"]["payment"]["amount"] == euros("7.00")
    clock.now += HOUR
    # the payer's read runs her due schedule (a payee's read leaves it to the sandbox's clock)
    assert alice.balance() == "43.00"
    assert bob.balance() == "7.00"
    assert alice.ok("DELETE", f"schedule-payment/{schedule_id}") == []
    clock.now += 48 * HOUR
    assert bob.balance() == "7.00"
    assert (
        alice.fails("GET", f"schedule-payment/{schedule_id}", status=404)
        == f"ScheduledPayment with id {schedule_id} not found."
    )
    assert alice.get(f"schedule/{schedule_id}")[0]["Schedule"]["status"] == "CANCELLED"
    assert alice.get("schedule-payment") == []
    assert ("ScheduledPayment", "DELETE") in alice.events()


def test_a_scheduled_batch_pays_all_or_none_per_run(world) -> None:
    alice, bob, clock = world.alice, world.bob, world.clock
    alice.fund("15.00")
    outside = {
        "amount": euros("6.00"),
        "counterparty_alias": {"type": "IBAN", "value": "NL02ABNA0123456789", "name": "Shop"},
        "description": "x",
    }
    body = {"payments": [_to_bob(world, "4.00"), outside], "schedule": _schedule(world, 0, "WEEKLY")}
    batch_id = alice.create("schedule-payment-batch", body, signed=True)
    [item] = alice.get(f"schedule-payment-batch/{batch_id}")
    assert [p["amount"] for p in item["ScheduledPaymentBatch"]["payments"]] == [euros("4.00"), euros("6.00")]
    assert alice.balance() == "5.00" and bob.balance() == "4.00"
    clock.now += 7 * 24 * HOUR
    assert alice.balance() == "5.00"  # 10.00 EUR due, 5.00 EUR there: nothing moves
    [failed, paid] = [i["ScheduledInstance"] for i in alice.get(f"schedule/{batch_id}/schedule-instance")]
    assert failed["state"] == "FAILED_USER_ERROR" and paid["result_object"]["PaymentBatch"]["payments"]
    assert alice.ok(
        "PUT", f"schedule-payment-batch/{batch_id}", {"schedule": _schedule(world, HOUR, "ONCE")}
    ) == [{"Id": {"id": batch_id}}]
    assert alice.ok("DELETE", f"schedule-payment-batch/{batch_id}") == []
    assert alice.fails("GET", f"schedule-payment-batch/{batch_id}", status=404).startswith(
        "ScheduledPaymentBatch with id"
    )


def test_bad_schedules_signatures_and_other_users(world) -> None:
    alice, bob = world.alice, world.bob
    payment = _to_bob(world)
    cases = [
        ({"payment": payment}, 'Field "schedule" is required.'),
        (
            {"payment": payment, "schedule": {"recurrence_unit": "DAILY", "recurrence_size": 1}},
            'Field "schedule.time_start" is required.',
        ),
        (
            {"payment": payment, "schedule": _schedule(world, 0, "FORTNIGHTLY")},
            'Field "schedule.recurrence_unit" must be one of ONCE',
        ),
        (
            {"payment": payment, "schedule": _schedule(world, 0, "DAILY", 0)},
            'Field "schedule.recurrence_size" must be from 1',
        ),
        (
            {"payment": payment, "schedule": _schedule(world, 0, "DAILY", True)},
            "must be a whole number, not boolean",
        ),
        (
            {"payment": payment, "schedule": {**_schedule(world, 0), "time_start": "tomorrow"}},
            "must be a UTC time",
        ),
        (
            {"payment": payment, "schedule": {**_schedule(world, 0), "time_start": "2027-02-30 10:00:00"}},
            "not a real date",
        ),
        (
            {"payment": payment, "schedule": _schedule(world, 0, time_end=timestamp(world.clock.now - 1))},
            "is before",
        ),
        ({"schedule": _schedule(world, 0)}, 'Field "payment" is required.'),
    ]
    for body, message in cases:
        assert message in alice.fails("POST", "schedule-payment", body, signed=True), body
    assert alice.fails(
        "POST", "schedule-payment", {"payment": payment, "schedule": _schedule(world, 0)}, status=466
    )
    schedule_id = alice.create(
        "schedule-payment", {"payment": payment, "schedule": _schedule(world, HOUR)}, signed=True
    )
    for path in (
        f"schedule-payment/{schedule_id}",
        f"schedule/{schedule_id}",
        f"schedule/{schedule_id}/schedule-instance",
    ):
        assert bob.fails("GET", path, status=404).endswith(f"with id {schedule_id} not found.")
    assert 'Send "payment", "schedule" or both' in alice.fails("PUT", f"schedule-payment/{schedule_id}", {})


def test_recurrence_steps_months_by_the_calendar() -> None:
    start = 1_801_612_800.0  # 2027-02-03 00:00:00 UTC
    jan31 = 1_801_353_600.0  # 2027-01-31 00:00:00 UTC
    assert timestamp(occurrence(jan31, "MONTHLY", 1, 1)) == "2027-02-28 00:00:00.000000"
    assert timestamp(occurrence(jan31, "MONTHLY", 1, 2)) == "2027-03-31 00:00:00.000000"
    assert timestamp(occurrence(start, "YEARLY", 2, 1)) == "2029-02-03 00:00:00.000000"
    assert timestamp(occurrence(start, "WEEKLY", 2, 1)) == "2027-02-17 00:00:00.000000"
    assert next_run(start, None, "ONCE", 1, 1) is None
    assert next_run(start, start + 3600, "HOURLY", 1, 2) is None
    assert next_run(start, None, "YEARLY", 1000, 9) is None  # past the year 9999


# -- bounds: one user's schedules cost other users nothing ----------------------------------------


def _instances(world) -> int:
    return world.sandbox.store.read().execute("SELECT COUNT(*) FROM schedule_instances").fetchone()[0]


def _overdue(world, days: float = 365) -> dict:
    """An hourly payment to Bob that started ``days`` ago (Alice has no money: every run fails)."""
    return {"payment": _to_bob(world, "1.00"), "schedule": _schedule(world, -days * 24 * HOUR, "HOURLY")}


def test_a_user_has_a_documented_limit_of_live_schedules(world, monkeypatch) -> None:
    from bunq_helpers.local_sandbox.bank import scheduling

    assert scheduling.MAX_SCHEDULES_PER_USER == 100
    monkeypatch.setattr(scheduling, "MAX_SCHEDULES_PER_USER", 3)
    alice, bob = world.alice, world.bob
    body = {"payment": _to_bob(world), "schedule": _schedule(world, HOUR)}
    made = [alice.create("schedule-payment", body, signed=True) for _ in range(3)]
    refused = alice.fails("POST", "schedule-payment", body, signed=True)
    assert refused.startswith("You have 3 active scheduled payments, the local sandbox's limit of 3 per user")
    batch = {"payments": [_to_bob(world)], "schedule": _schedule(world, HOUR)}
    assert "limit of 3 per user" in alice.fails("POST", "schedule-payment-batch", batch, signed=True)
    alice.ok("DELETE", f"schedule-payment/{made[0]}")
    alice.create("schedule-payment", body, signed=True)  # room again once one is deleted
    to_alice = {
        "amount": euros("1.00"),
        "counterparty_alias": {"type": "EMAIL", "value": alice.email},
    }  # per user
    bob.create("schedule-payment", {**body, "payment": {**to_alice, "description": "x"}}, signed=True)


def test_overdue_schedules_run_for_their_owner_a_few_per_read_and_never_for_others(world) -> None:
    from bunq_helpers.local_sandbox.bank.scheduling import MAX_CATCH_UP, RUNS_PER_CALL
    from bunq_helpers.local_sandbox.bank.settlement import DueClock

    world.sandbox.due_clock.stop()  # the background clock is driven by hand below
    alice, bob = world.alice, world.bob
    for _ in range(10):  # (each create reads Alice's account, so runs a few of hers)
        alice.create("schedule-payment", _overdue(world), signed=True)
    before = _instances(world)
    bob.balance()  # another user's read runs none of Alice's schedules
    assert _instances(world) == before
    alice.balance()  # her own read runs a few, and answers
    assert _instances(world) == before + RUNS_PER_CALL
    clock = DueClock(world.sandbox.app.context.bank)
    ticks = 0
    while clock.tick():  # the sandbox's clock does the rest, a bounded tick at a time
        ticks += 1
        assert ticks < 100
    assert _instances(world) == 10 * MAX_CATCH_UP  # a year of hourly runs is not replayed: the last 50
    assert clock.tick() == 0
    world.clock.now += HOUR  # and from then on each schedule runs once an hour
    assert clock.tick() == 10


def test_the_sandbox_clock_runs_due_schedules_in_the_background(world) -> None:
    import threading

    world.alice.create("schedule-payment", _overdue(world, days=1), signed=True)
    deadline, waited = time.monotonic() + 10, threading.Event()
    while _instances(world) < 25 and time.monotonic() < deadline:  # no read: the clock alone
        waited.wait(0.05)
    assert _instances(world) == 25  # a day of hourly runs, from its start to now


def test_300_overdue_schedules_of_one_user_leave_other_users_reads_as_fast(world) -> None:
    alice, bob = world.alice, world.bob

    def bobs_read_ms() -> float:
        """The fastest of 40 reads: what a read costs, without what the shared machine adds."""
        times = []
        for _ in range(40):
            started = time.perf_counter()
            bob.balance()
            times.append(time.perf_counter() - started)
        return min(times) * 1000

    before = bobs_read_ms()
    made = refused = 0
    for _ in range(300):  # hourly since 2000; the limit refuses most of them
        response = alice.call("POST", "schedule-payment", _overdue(world, days=27 * 365), signed=True)
        made += response.status_code == 200
        refused += response.status_code == 400
    alice.balance()
    after = bobs_read_ms()
    print(
        f"\nBob's account read, fastest of 40: {before:.1f} ms before, {after:.1f} ms after {made} schedules"
    )
    assert (made, refused) == (100, 200)
    assert after < before * 1.5 + 2  # nothing measurable beyond the machine's noise
