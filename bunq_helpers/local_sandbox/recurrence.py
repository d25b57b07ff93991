"""When a bunq schedule runs: ``time_start``, then every ``recurrence_size`` × ``recurrence_unit``.

Months and years step by the calendar from the start day (31 January, monthly: 28 or 29 February,
31 March, ...), clamping to the month's last day. ``ONCE`` runs only at ``time_start``.
"""

from __future__ import annotations

import calendar
import datetime as dt

UNITS = ("ONCE", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY")
_FIXED = {"HOURLY": dt.timedelta(hours=1), "DAILY": dt.timedelta(days=1), "WEEKLY": dt.timedelta(weeks=1)}
_MONTHS = {"MONTHLY": 1, "YEARLY": 12}


def occurrence(time_start: float, unit: str, size: int, n: int) -> float:
    """The epoch time of the ``n``-th run (0 is ``time_start``)."""
    if n == 0:
        return time_start
    if unit == "ONCE":
        raise ValueError("a ONCE schedule runs only at its start")
    start = dt.datetime.fromtimestamp(time_start, dt.timezone.utc)
    if unit in _FIXED:
        return (start + _FIXED[unit] * (size * n)).timestamp()
    months = start.month - 1 + _MONTHS[unit] * size * n
    year, month = start.year + months // 12, months % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return start.replace(year=year, month=month, day=day).timestamp()


def next_run(time_start: float, time_end: float | None, unit: str, size: int, runs: int) -> float | None:
    """When run number ``runs`` is due, or None when the schedule has no run left."""
    if unit == "ONCE" and runs > 0:
        return None
    try:
        due = occurrence(time_start, unit, size, runs)
    except (OverflowError, ValueError):  # past the year 9999
        return None
    if time_end is not None and due > time_end:
        return None
    return due
