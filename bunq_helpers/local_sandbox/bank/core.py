"""The bank's handle: what every money rule works on."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..events import EventLog
from ..store import Store


@dataclass
class Bank:
    """What the money rules work on: the database, the event log, the clock and sugar daddy's delay
    (both read when used: a running sandbox's options may change the delay, a test may move the clock)."""

    store: Store
    events: EventLog
    clock: Callable[[], float] = field(repr=False)
    sugardaddy_delay: Callable[[], float] = field(default=lambda: 0.5, repr=False)

    def now(self) -> float:
        """The bank's current time."""
        return self.clock()


def insert_row(db: sqlite3.Connection, table: str, values: dict[str, Any]) -> int:
    """``INSERT`` one row of ``values`` (column -> value) into ``table`` (a declared name); its id."""
    marks = ", ".join("?" * len(values))
    sql = f"INSERT INTO {table} ({', '.join(values)}) VALUES ({marks})"  # noqa: S608 - declared names
    return int(db.execute(sql, tuple(values.values())).lastrowid)
