"""What falls due with time: sugar daddy's answers, scheduled payments and auto-allocations.

Sugar daddy's answers are settled as an explicit step of each request of their user. Scheduled runs
are bounded (``scheduling.py``): a request makes the caller's own due runs happen, a few at most,
and the sandbox's own clock (``DueClock``, a background thread) makes the rest happen a few at a
time, so one user's schedules never make another user's request wait. Auto-allocation of what came
in (``auto_allocation.py``) follows the user's own settling. Two sandboxes on one state
directory agree: every run checks, in its transaction, that it is still due.
"""

from __future__ import annotations

import logging
import threading

from .auto_allocation import run_auto_allocations
from .core import Bank
from .scheduling import RUNS_PER_CALL, RUNS_PER_TICK, run_due_schedules
from .sugar_daddy import settle_sugar_daddy

log = logging.getLogger("bunq_helpers.local_sandbox")

TICK_SECONDS = 0.5  # how often the sandbox's clock looks for due runs


def settle_due(ctx: Bank, user_id: int) -> None:
    """Settle the user's sugar daddy requests, (a few of) the user's own due schedule runs, then auto-allocations."""
    settle_sugar_daddy(ctx, user_id)
    run_due_schedules(ctx, RUNS_PER_CALL, user_id)
    run_auto_allocations(ctx, user_id)


class DueClock:
    """The sandbox's own clock: every ``TICK_SECONDS``, up to ``RUNS_PER_TICK`` due runs, anyone's."""

    def __init__(self, bank: Bank) -> None:
        self._bank = bank
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> DueClock:
        self._thread = threading.Thread(target=self._run, name="bunq-local-sandbox-clock", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def tick(self) -> int:
        """One tick now: how many runs happened."""
        return run_due_schedules(self._bank, RUNS_PER_TICK)

    def _run(self) -> None:
        while not self._stop.wait(TICK_SECONDS):
            try:
                self.tick()
            except Exception:  # a store closing under us at stop, or a bug: logged, the clock goes on
                if not self._stop.is_set():
                    log.exception("running due schedules failed")
