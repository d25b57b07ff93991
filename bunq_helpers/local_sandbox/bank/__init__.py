"""The bank: accounts, money and what happens to them with time, apart from the wire.

Everything here is a function of the database (``Store``), a clock and the event log: nothing of the
app, routing, requests or HTTP (``tests/test_architecture.py`` holds it to that). Endpoints parse a
request, call the bank, and render what it answers.

- ``tables``: every table declared once (columns, id base, reset order, snapshot);
- ``ledger``: balances and payments rows; ``transfers``: moving money between accounts;
- ``scheduling``: scheduled payments and their runs; ``sugar_daddy``: the sandbox's free money;
- ``settlement``: what fell due, settled as an explicit step of each request (``settle_due``).
"""

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
