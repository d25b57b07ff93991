"""bunq's rate limits: per caller IP, per endpoint, per method, in sliding windows.

GET 3, POST 5, PUT 2 calls within any 3 consecutive seconds; ``session-server`` 1 call within
30 seconds. DELETE is not in bunq's table; like bunqJSClient we allow 5 per 3 s. Only calls that
are let through count toward the window.
"""

from __future__ import annotations

import threading
from collections import defaultdict, deque
from collections.abc import Callable

from .bunq_errors import RATE_LIMITED, BunqError
from .explain import explain_rate_limit

WINDOW_SECONDS = 3
LIMITS = {"GET": 3, "POST": 5, "PUT": 2, "DELETE": 5}
SESSION_SERVER = "session-server"
SESSION_SERVER_LIMIT = (1, 30)


def limit_for(method: str, endpoint: str) -> tuple[int, int]:
    """(calls, window seconds) allowed for a method on an endpoint template."""
    if endpoint == SESSION_SERVER and method == "POST":
        return SESSION_SERVER_LIMIT
    return LIMITS.get(method, LIMITS["GET"]), WINDOW_SECONDS


class RateLimiter:
    """Counts calls per (IP, method, endpoint) and refuses the one over the limit with a 429."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._calls: dict[tuple[str, str, str], deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def check(self, ip: str, method: str, endpoint: str) -> None:
        """Record a call, or raise bunq's 429 if it is one too many."""
        limit, window = limit_for(method, endpoint)
        now = self._clock()
        with self._lock:
            calls = self._calls[(ip, method, endpoint)]
            while calls and calls[0] <= now - window:
                calls.popleft()
            if len(calls) >= limit:
                why = explain_rate_limit(method, endpoint, limit, window, calls[0] + window)
                raise BunqError(429, RATE_LIMITED.format(limit=limit, window=window), why)
            calls.append(now)

    def clear(self) -> None:
        """Forget every counted call."""
        with self._lock:
            self._calls.clear()
