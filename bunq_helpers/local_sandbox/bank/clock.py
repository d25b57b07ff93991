"""The sandbox clock: real time plus an offset that only grows, so tests can move time forward.

Every time-dependent rule reads the time from ``SandboxOptions.clock``, which the sandbox makes a
``SandboxClock`` (session expiry and extension, scheduled payments and their instances, sugar
daddy's delay, callback retries, statement dates, event times). ``advance(seconds)`` and
``set(when)`` move it; it never goes backwards, so nothing already recorded ends up in the future.
Listeners (the callback worker) hear of each move, so what fell due runs at once.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable

MAX_ADVANCE_SECONDS = 100 * 366 * 86_400  # a hundred years: more is a typo


class ClockError(ValueError):
    """A move the clock refuses (backwards, not a number, not a time)."""


class SandboxClock:
    """Callable like ``time.time``; ``base`` is the underlying time source (``time.time`` by default)."""

    def __init__(self, base: Callable[[], float] = time.time) -> None:
        self.base = base.base if isinstance(base, SandboxClock) else base
        self._offset = 0.0
        self._lock = threading.Lock()
        self._listeners: list[Callable[[], None]] = []

    def __call__(self) -> float:
        return self.base() + self._offset

    @property
    def offset(self) -> float:
        """Seconds the sandbox is ahead of its base clock."""
        return self._offset

    def advance(self, seconds: float) -> float:
        """Move forward by ``seconds`` (> 0); returns the new time."""
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds != seconds:
            raise ClockError("advance_seconds must be a number of seconds, e.g. 3600.")
        if seconds < 0:
            raise ClockError("The sandbox clock never goes backwards: advance_seconds must be 0 or more.")
        if seconds > MAX_ADVANCE_SECONDS:
            raise ClockError(f"advance_seconds is more than a hundred years ({MAX_ADVANCE_SECONDS} s).")
        with self._lock:
            self._offset += float(seconds)
            now = self()
        self._tell()
        return now

    def set(self, when: str | float | dt.datetime) -> float:
        """Set the time (ISO 8601 text, a datetime or epoch seconds); never earlier than now."""
        target = parse_time(when)
        with self._lock:
            now = self()
            if target < now - 0.001:
                raise ClockError(
                    f"The sandbox clock never goes backwards: {iso_time(target)} is before its time now"
                    f" ({iso_time(now)}). Restore a snapshot or reset for a fresh start instead."
                )
            if target - now > MAX_ADVANCE_SECONDS:
                raise ClockError("That time is more than a hundred years ahead.")
            self._offset += max(0.0, target - now)
            now = self()
        self._tell()
        return now

    def listen(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call ``listener`` after every move; returns a function that stops it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _tell(self) -> None:
        for listener in list(self._listeners):
            listener()

    def to_json(self) -> dict[str, object]:
        """What ``GET /_sandbox/clock`` answers."""
        now = self()
        return {"now": iso_time(now), "epoch": round(now, 3), "offset_seconds": round(self._offset, 3)}


def parse_time(when: str | float | dt.datetime) -> float:
    """Epoch seconds from ISO 8601 text (a missing zone is UTC), a datetime or a number."""
    if isinstance(when, dt.datetime):
        value = when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)
        return value.timestamp()
    if isinstance(when, (int, float)) and not isinstance(when, bool):
        return float(when)
    if not isinstance(when, str) or not when.strip():
        raise ClockError('"now" must be an ISO 8601 time, e.g. "2030-01-31T12:00:00Z".')
    text = when.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ClockError(f'"now" is not an ISO 8601 time: {when!r}; e.g. "2030-01-31T12:00:00Z".') from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.timestamp()


def iso_time(epoch: float) -> str:
    """Epoch seconds as ISO 8601 UTC with milliseconds."""
    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc).isoformat(timespec="milliseconds")
