"""The journal: the last N exchanges the sandbox answered, each refusal with its explanation.

Bounded (``DEFAULT_JOURNAL_SIZE``, ``SandboxOptions.journal_size``): when full, the oldest entry goes.
What an entry keeps is safe to show: method, path (a query's values are kept, API keys and tokens
in it masked), status, bunq's error text, the request and response ids, the timing, and for a
refusal the explanation. It keeps no header, body, key or token; a token is remembered only as a
short hash, so the journal can tell "this token was logged out at ..." without holding it.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .explain import Explanation, iso, mask
from .options import DEFAULT_JOURNAL_SIZE

_SECRET_SHAPED = re.compile(r"\bsandbox_[0-9a-fA-F]{12,}\b|\b[0-9a-fA-F]{64}\b")


def token_fingerprint(token: str | None) -> str | None:
    """A short, one-way name for a token: enough to match two uses, useless to call with."""
    if not token:
        return None
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()[:16]


def mask_secrets(text: str) -> str:
    """``text`` with anything shaped like an API key or a token shown as its first characters."""
    return _SECRET_SHAPED.sub(lambda found: mask(found.group(0)), text)


@dataclass(slots=True)
class Entry:
    """One exchange, kept cheaply as it happened (not changed once recorded); ``to_json`` is how the journal shows it (masked)."""

    id: int
    at: float  # sandbox clock, epoch seconds
    request_id: str | None
    method: str
    path: str
    status: int
    response_id: str | None
    error: str | None  # bunq's error description, as sent
    explanation: Explanation | None
    duration: float  # seconds
    remote_addr: str
    token: str | None = None  # fingerprint (see ``token_fingerprint``), not the token

    def to_json(self) -> dict[str, Any]:
        """The entry as ``GET /_sandbox/journal`` shows it."""
        return {
            "id": self.id,
            "time": iso(self.at),
            "request_id": mask_secrets(self.request_id) if self.request_id else self.request_id,
            "method": self.method,
            "path": mask_secrets(self.path),
            "status": self.status,
            "response_id": self.response_id,
            "error": self.error,
            "explanation": self.explanation.text if self.explanation else None,
            "cause": self.explanation.cause if self.explanation else None,
            "duration_ms": round(self.duration * 1000, 3),
            "remote_addr": self.remote_addr,
        }


class Journal:
    """The last ``size`` entries, newest first on reading; thread-safe."""

    def __init__(self, size: int = DEFAULT_JOURNAL_SIZE) -> None:
        if size < 1:
            raise ValueError("journal_size must be at least 1")
        self.size = size
        self._entries: deque[Entry] = deque(maxlen=size)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._resets: dict[str, float] = {}  # token fingerprint -> when a reset wiped it

    def record(
        self,
        *,
        now: float,
        request_id: str | None,
        method: str,
        path: str,
        status: int,
        response_id: str | None,
        error: str | None,
        explanation: Explanation | None,
        duration: float,
        remote_addr: str,
        token: str | None,
    ) -> Entry:
        """Add an exchange (the oldest goes when full)."""
        entry = Entry(
            next(self._ids),
            now,
            request_id,
            method,
            path,
            status,
            response_id,
            error,
            explanation,
            duration,
            remote_addr,
            token_fingerprint(token) if token else None,
        )
        with self._lock:
            self._entries.append(entry)
        return entry

    def entries(
        self,
        *,
        request_id: str | None = None,
        response_id: str | None = None,
        status: int | None = None,
        path: str | None = None,
        limit: int | None = None,
    ) -> list[Entry]:
        """Newest first; ``path`` matches a part of the path, the others exactly."""
        with self._lock:
            entries = list(self._entries)
        found: Iterable[Entry] = reversed(entries)
        if request_id is not None:
            found = (e for e in found if e.request_id == request_id)
        if response_id is not None:
            found = (e for e in found if e.response_id == response_id)
        if status is not None:
            found = (e for e in found if e.status == status)
        if path is not None:
            found = (e for e in found if path in e.path)
        return list(itertools.islice(found, limit))

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()

    def logged_out_at(self, token: str) -> float | None:
        """When this token's session was closed by a DELETE session the journal still holds (epoch s)."""
        fingerprint = token_fingerprint(token)
        with self._lock:
            entries = list(self._entries)
        for entry in reversed(entries):
            logout = (
                entry.method == "DELETE" and entry.status == 200 and entry.path.startswith("/v1/session/")
            )
            if logout and entry.token == fingerprint:
                return entry.at
        return None

    def forget_tokens(self, tokens: Iterable[str], now: float) -> None:
        """Remember that a reset wiped these tokens (so a later use is explained as such)."""
        with self._lock:
            for token in tokens:
                self._resets[token_fingerprint(token)] = now
            while len(self._resets) > 10 * self.size:
                self._resets.pop(next(iter(self._resets)))

    def reset_at(self, token: str) -> float | None:
        """When a reset wiped this token, if one did."""
        with self._lock:
            return self._resets.get(token_fingerprint(token))
