"""Faults the local sandbox can be asked to show, so a client's reaction can be seen. Off by default.

- ``tamper-signature``: the response's X-Bunq-Server-Signature no longer matches its body.
- ``drop-signature``: the response has no X-Bunq-Server-Signature at all.
- ``server-error``: a 500 with bunq's ``Encountered unhandled exception.``, nothing done.
- ``slow``: the answer is held back for ``seconds`` (the request is still carried out).
- ``disconnect``: the connection is closed before the request is carried out, with no answer.

Each fault applies to the next ``times`` requests (``None``: until cleared) whose path below
``/v1/`` contains ``path`` (``None``: any path).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

KINDS = ("tamper-signature", "drop-signature", "server-error", "slow", "disconnect")


@dataclass
class Fault:
    """One armed fault."""

    kind: str
    times: int | None = 1
    path: str | None = None
    seconds: float = 2.0

    def matches(self, route_path: str) -> bool:
        """Whether this fault applies to a request for ``route_path``."""
        return self.path is None or self.path in route_path


class Faults:
    """The armed faults of one sandbox; thread-safe."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(
        self, kind: str, *, times: int | None = 1, path: str | None = None, seconds: float = 2.0
    ) -> Fault:
        """Arm a fault (see the module docstring for the kinds)."""
        if kind not in KINDS:
            raise ValueError(f"Unknown fault {kind!r}; choose one of {', '.join(KINDS)}.")
        if times is not None and times < 1:
            raise ValueError("times must be at least 1, or None for every request")
        fault = Fault(kind, times, path.strip("/") if path else None, seconds)
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        """Disarm every fault."""
        with self._lock:
            self._faults.clear()

    def take(self, route_path: str) -> dict[str, Fault]:
        """The faults that apply to this request, by kind, counting each one used."""
        taken: dict[str, Fault] = {}
        with self._lock:
            for fault in list(self._faults):
                if fault.kind in taken or not fault.matches(route_path):
                    continue
                taken[fault.kind] = fault
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times == 0:
                        self._faults.remove(fault)
        return taken
