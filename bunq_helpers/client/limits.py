"""How long and how much: a deadline for a whole request, and a cap on the size of its answer.

requests' ``timeout`` bounds each wait on the socket, not the request: a server that sends a byte
every few seconds never trips it and holds the client for as long as it likes. urllib3's own
documentation says a wall-clock limit needs a second, watching thread. One such thread watches
every ``Deadline``: while a request runs, every connection it uses (a pooled one too) reports itself
(``DeadlineConnection``), and when the deadline passes the watcher shuts those sockets down, so
whatever read or write is waiting returns at once. Connecting, TLS, sending, the headers and the whole body all count.

``read_body`` streams the answer and stops as soon as it passes the cap, counting the bytes after
decompression: the client asks for no compression (``Accept-Encoding: identity``), and a server that
compresses anyway gets no more memory than one that does not (urllib3 2.7+ decompresses only what is
read). bunq's Python SDK sends requests' default ``Accept-Encoding: gzip, deflate`` and sets no
timeout at all; its answers are small JSON, so asking for none costs little and keeps what travels
the very bytes bunq signs.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import os
import socket
import threading
import time
from typing import Any

from urllib3.connection import HTTPSConnection
from urllib3.response import BaseHTTPResponse

from ..errors import ResponseTooLargeError

DEFAULT_DEADLINE = 60.0
"""Seconds for a whole request. bunq answers in well under a second; a minute leaves room for slow links."""
DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024
"""bunq's answers are JSON of a few kB (a page of 200 payments is a few hundred kB); 32 MiB leaves
room for attachments and exports and keeps a misbehaving server from filling the memory."""
CHUNK_BYTES = 64 * 1024

_current = threading.local()


def current_deadline() -> Deadline | None:
    """The deadline of the request this thread is sending, if any."""
    return getattr(_current, "deadline", None)


def _shut_down(sock: socket.socket | None) -> None:
    """Wake whatever waits on ``sock``: a waiting read returns (empty or with an error) at once."""
    if sock is not None:
        with contextlib.suppress(OSError):  # already closed
            socket.socket.shutdown(sock, socket.SHUT_RDWR)  # the plain socket's: TLS state stays untouched


class Deadline:
    """A wall-clock limit on one request; when it passes, the watcher shuts its connections down.

    Use as ``with Deadline(seconds):`` around sending and reading; connections made or reused inside
    report themselves with ``watch``.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expires_at = time.monotonic() + seconds
        self.expired = False
        self.finished = False
        self._connections: list[Any] = []
        self._lock = threading.Lock()

    def __enter__(self) -> Deadline:
        _current.deadline = self
        _watcher.add(self)
        return self

    def __exit__(self, *exc: object) -> None:
        _current.deadline = None
        with self._lock:
            self.finished = True
            self._connections.clear()
        _watcher.finish()

    @property
    def passed(self) -> bool:
        """Whether the deadline has passed (the watcher may not have acted yet)."""
        return self.expired or time.monotonic() >= self.expires_at

    def remaining(self) -> float:
        """Seconds left (0 when past)."""
        return max(0.0, self.expires_at - time.monotonic())

    def watch(self, connection: Any) -> None:
        """Cut ``connection``'s socket when the deadline passes (at once, if it has)."""
        with self._lock:
            if self.expired:
                _shut_down(connection.sock)
            elif connection not in self._connections:
                self._connections.append(connection)

    def expire(self) -> None:
        """Cut every connection the request uses (the watcher calls it when the time has come)."""
        with self._lock:
            if self.finished:
                return
            self.expired = True
            for connection in self._connections:
                _shut_down(connection.sock)


class _Watcher:
    """One daemon thread for every deadline of the process: it sleeps until the earliest one passes.

    (A timer thread per request cost 0.3 ms of CPU and up to a millisecond of wall time per request.)
    Finished deadlines stay in the heap until their time, or until they outnumber the live ones.
    """

    COMPACT_AT = 256

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._heap: list[tuple[float, int, Deadline]] = []
        self._order = itertools.count()
        self._live = 0
        self._thread: threading.Thread | None = None

    def add(self, deadline: Deadline) -> None:
        with self._condition:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="bunq-helpers-deadlines", daemon=True)
                self._thread.start()
            if len(self._heap) > self.COMPACT_AT and self._live < len(self._heap) // 2:
                self._heap = [entry for entry in self._heap if not entry[2].finished]
                heapq.heapify(self._heap)
            heapq.heappush(self._heap, (deadline.expires_at, next(self._order), deadline))
            self._live += 1
            if self._heap[0][2] is deadline:
                self._condition.notify()  # the earliest now: wake up sooner

    def finish(self) -> None:
        with self._condition:
            self._live -= 1

    def _run(self) -> None:
        with self._condition:
            while True:
                while self._heap and self._heap[0][2].finished:
                    heapq.heappop(self._heap)
                if not self._heap:
                    self._condition.wait()
                    continue
                delay = self._heap[0][0] - time.monotonic()
                if delay > 0:
                    self._condition.wait(delay)
                    continue
                heapq.heappop(self._heap)[2].expire()


_watcher = _Watcher()
if hasattr(os, "register_at_fork"):  # a forked child has the parent's heap and lock, not its thread
    os.register_at_fork(after_in_child=_watcher.__init__)


class DeadlineConnection(HTTPSConnection):
    """An HTTPS connection the current request's ``Deadline`` can cut, whether new or reused."""

    def connect(self) -> None:
        deadline = current_deadline()
        if deadline is not None:
            deadline.watch(self)  # the socket exists from the TCP connect on; TLS can be cut too
            limit = deadline.remaining()
            self.timeout = min(self.timeout, limit) if isinstance(self.timeout, (int, float)) else limit
        super().connect()

    def request(self, *args: Any, **kwargs: Any) -> None:
        deadline = current_deadline()
        if deadline is not None:
            deadline.watch(self)
        super().request(*args, **kwargs)


def _size(count: int) -> str:
    return f"{count / (1024 * 1024):g} MiB" if count >= 1024 * 1024 else f"{count} bytes"


def too_large(cap: int, what: str) -> ResponseTooLargeError:
    """The error for an answer past the cap, naming the cap and how to raise it."""
    return ResponseTooLargeError(
        f"The answer {what}, more than this client's cap of {_size(cap)}; it was not kept. bunq's answers "
        f"are far smaller, so check the URL. If you expect a larger file, raise the cap: "
        f"BunqClient(..., max_response_bytes={cap * 4})."
    )


def read_body(raw: BaseHTTPResponse, cap: int) -> bytes:
    """The whole body, decompressed if the server compressed it; ResponseTooLargeError past ``cap`` bytes."""
    declared = raw.headers.get("Content-Length", "")
    encoded = raw.headers.get("Content-Encoding", "identity").strip().lower() not in ("", "identity")
    if declared.strip().isdigit() and int(declared) > cap and not encoded:
        raise too_large(cap, f"announced {_size(int(declared))} (Content-Length)")
    body = bytearray()
    for chunk in raw.stream(CHUNK_BYTES, decode_content=True):
        body += chunk
        if len(body) > cap:
            raise too_large(cap, "grew past the cap" + (" after decompression" if encoded else ""))
    return bytes(body)
