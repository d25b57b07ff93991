"""The sandbox clock: real time plus an offset that only grows."""

from __future__ import annotations

import datetime as dt

import pytest

from bunq_helpers.local_sandbox.bank.clock import ClockError, SandboxClock, parse_time


class Frozen:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_advance_and_set_move_forward_only() -> None:
    base = Frozen()
    clock = SandboxClock(base)
    moves: list[float] = []
    clock.listen(lambda: moves.append(clock()))
    assert clock() == 1_000_000.0
    assert clock.advance(60) == 1_000_060.0
    base.now += 5  # real time goes on under the offset
    assert clock() == 1_000_065.0
    assert clock.set("1970-01-12T14:00:00Z") == parse_time("1970-01-12T14:00:00+00:00")
    assert moves == [1_000_060.0, clock()]
    for bad in (-1, float("nan"), True, "60", 10**12):
        with pytest.raises(ClockError):
            clock.advance(bad)
    with pytest.raises(ClockError, match="never goes backwards"):
        clock.set(clock() - 10)
    assert SandboxClock(clock).base is base  # wrapping a sandbox clock wraps its base, not the offset twice


def test_parse_time_reads_iso_8601_and_naive_is_utc() -> None:
    assert parse_time("2030-01-01T00:00:00") == parse_time("2030-01-01T00:00:00Z")
    assert parse_time("2030-01-01T01:00:00+01:00") == parse_time("2030-01-01T00:00:00Z")
    assert parse_time(dt.datetime(2030, 1, 1)) == parse_time("2030-01-01")
    for bad in ("", "tomorrow", None, [1]):
        with pytest.raises(ClockError):
            parse_time(bad)
