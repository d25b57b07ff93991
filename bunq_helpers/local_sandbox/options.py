"""The local sandbox's switches. Every teaching switch is off by default, so it answers like bunq."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

DEFAULT_SESSION_TIMEOUT = 604_800  # one week, bunq's default auto-logout time
DEFAULT_MAX_BODY_BYTES = 1_048_576
# Seconds until sugar daddy answers. bunq shows 0.5 to about 3 s: its example RequestInquiry was answered
# 3 s after it was made; its Python SDK's tests re-read after 0.5 s and tinker after 1 s, without polling.
# The low end keeps those working here, and a read right after the request still finds no money yet.
DEFAULT_SUGARDADDY_DELAY = 0.5


@dataclass
class SandboxOptions:
    """How the local sandbox behaves beyond what bunq does.

    - ``strict_signatures``: verify X-Bunq-Client-Signature on every call after installation
      (bunq only checks session-server and payments; the Postman collection relies on that).
    - ``rate_limits``: enforce bunq's limits (3 GET, 5 POST, 2 PUT per 3 s per IP and endpoint;
      one session-server per 30 s). Off so re-running a notebook cell is not punished.
    - ``session_timeout``: seconds a new session lives, instead of the user's own setting
      (one week); e.g. 60 to watch a session expire.
    - ``sugardaddy_delay``: seconds until money requested from sugardaddy@bunq.com arrives.
    - ``max_body_bytes``: larger request bodies are refused with a 400.
    - ``clock``: the time source, replaceable in tests.
    """

    strict_signatures: bool = False
    rate_limits: bool = False
    session_timeout: int | None = None
    sugardaddy_delay: float = DEFAULT_SUGARDADDY_DELAY
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    clock: Callable[[], float] = field(default=time.time, repr=False)

    def __post_init__(self) -> None:
        if self.session_timeout is not None and self.session_timeout < 1:
            raise ValueError("session_timeout must be at least 1 second")
        if self.max_body_bytes < 1024:
            raise ValueError("max_body_bytes must be at least 1024")
