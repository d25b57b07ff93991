"""The bank's handle: what every money rule works on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..events import EventLog
from ..store import Store


@dataclass
class Bank:
    """What the money rules work on: the database, the event log, the clock and sugar daddy's delay."""

    store: Store
    events: EventLog
    clock: Callable[[], float] = field(repr=False)
    sugardaddy_delay: float = 0.5

    def now(self) -> float:
        """The bank's current time."""
        return self.clock()
