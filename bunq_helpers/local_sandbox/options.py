"""The local sandbox's switches. Every teaching switch is off by default, so it answers like bunq."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field

DEFAULT_SESSION_TIMEOUT = 604_800  # one week, bunq's default auto-logout time
STRICT_ANSWERS_ENV = "BUNQ_SANDBOX_STRICT_ANSWERS"
DEFAULT_MAX_BODY_BYTES = 1_048_576
# Seconds until sugar daddy answers. bunq shows 0.5 to about 3 s: its example RequestInquiry was answered
# 3 s after it was made; its Python SDK's tests re-read after 0.5 s and tinker after 1 s, without polling.
# The low end keeps those working here, and a read right after the request still finds no money yet.
DEFAULT_SUGARDADDY_DELAY = 0.5
DEFAULT_CALLBACK_RETRY_INTERVAL = 60.0  # bunq: "an interval of one minute between each try"
DEFAULT_JOURNAL_SIZE = 1000  # exchanges the journal keeps
DEFAULT_CALLBACK_TIMEOUT = 10.0  # seconds one callback attempt may take (bunq does not say)


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
    - ``callback_allowed_hosts``: hosts besides loopback (127.0.0.0/8, ::1, ``localhost``) that
      callbacks may be sent to; anything else is refused when the filter is registered.
    - ``callback_ca_file``: the CA bundle HTTPS callback targets are verified against
      (default: the sandbox's own CA, so a receiver with a certificate from it is trusted).
    - ``callback_retry_interval``: seconds between tries of a failed callback (bunq: 60).
    - ``callback_timeout``: seconds one callback attempt may take before it counts as failed.
    - ``psd2_trusted_roots``: PEM root certificates a PSD2 provider's chain must end in (production-like);
      empty (the default, as bunq's sandbox): any self-signed root is accepted (``psd2_certificates``).
    - ``strict_answers``: check every 200 answer against bunq's spec (``answer_check``, with the
      known ``divergences``) and answer 500 naming the mismatch instead; for the sandbox's own tests and
      for anyone extending it. Default: on when ``BUNQ_SANDBOX_STRICT_ANSWERS=1`` is set, else off.
    - ``journal_size``: how many exchanges ``GET /_sandbox/journal`` keeps (the oldest go first).
    - ``clock``: the time source, replaceable in tests (the sandbox wraps it in a ``SandboxClock``
      that ``/_sandbox/clock`` moves forward).
    """

    strict_signatures: bool = False
    rate_limits: bool = False
    session_timeout: int | None = None
    sugardaddy_delay: float = DEFAULT_SUGARDADDY_DELAY
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    callback_allowed_hosts: tuple[str, ...] = ()
    callback_ca_file: str | None = None
    callback_retry_interval: float = DEFAULT_CALLBACK_RETRY_INTERVAL
    callback_timeout: float = DEFAULT_CALLBACK_TIMEOUT
    psd2_trusted_roots: tuple[str, ...] = ()
    journal_size: int = DEFAULT_JOURNAL_SIZE
    strict_answers: bool = field(default_factory=lambda: os.environ.get(STRICT_ANSWERS_ENV) == "1")
    clock: Callable[[], float] = field(default=time.time, repr=False)

    def __post_init__(self) -> None:
        if self.session_timeout is not None and self.session_timeout < 1:
            raise ValueError("session_timeout must be at least 1 second")
        if self.max_body_bytes < 1024:
            raise ValueError("max_body_bytes must be at least 1024")
        if self.callback_retry_interval < 0:
            raise ValueError("callback_retry_interval must be 0 seconds or more")
        if self.journal_size < 1:
            raise ValueError("journal_size must be at least 1")
        if self.callback_timeout <= 0:
            raise ValueError("callback_timeout must be more than 0 seconds")
        hosts = self.callback_allowed_hosts
        hosts = (hosts,) if isinstance(hosts, str) else hosts
        self.callback_allowed_hosts = tuple(normalise_host(host) for host in hosts)
        roots = self.psd2_trusted_roots
        self.psd2_trusted_roots = (roots,) if isinstance(roots, str) else tuple(roots)
        if self.callback_ca_file is not None:
            self.callback_ca_file = str(self.callback_ca_file)


def normalise_host(host: str) -> str:
    """A host as callback targets are compared: lower case, no IPv6 brackets, no trailing dot."""
    if not isinstance(host, str) or not host.strip():
        raise ValueError(f"callback_allowed_hosts holds {host!r}, which is not a host name or IP address")
    return host.strip().strip("[]").rstrip(".").lower()
