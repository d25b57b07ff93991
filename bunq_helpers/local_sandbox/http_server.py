"""The local sandbox's HTTP/1.1 server: one asyncio event loop for connections and the app, h11 for the protocol.

One event-loop thread owns every connection: accepting, TLS, reading request heads and bodies,
calling the app, writing answers. An idle, slow or silent connection is a little state in that loop,
never a thread, so it keeps nobody waiting (a thread-per-connection server stalled for seconds behind
a few idle TLS connections). The app (about a millisecond: RSA signing, SQLite) runs in the loop
itself; handing it to worker threads and back cost more CPU than it saved.

h11 (python-hyper's HTTP/1.1 state machine) parses and frames: keep-alive, chunked bodies,
pipelining, the literal request target. What a client can get wrong at this level is answered by the
app's ``refuse``, in bunq's error shape and signed, and the connection is then closed:

- a request whose headers are not complete within ``head_timeout`` of its first byte;
- a head larger than ``max_head_bytes``;
- a body over ``max_body_bytes``: known from Content-Length before any of it is read, counted when
  chunked; a body not complete within ``body_timeout``;
- malformed framing (an invalid Content-Length or chunk size, a garbled request line).

A TLS handshake must finish within ``tls_timeout``; an idle keep-alive connection is closed after
``idle_timeout``; a connection past ``max_connections`` is answered bunq's way with a 503 and closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import formatdate
from typing import Any, Protocol

import h11

from .bunq_errors import BunqError, bad_request
from .http_io import REASONS, Disconnect, Request, Response, request_from_head

log = logging.getLogger("bunq_helpers.local_sandbox")

HARD_HEADER_BYTES = 16_384  # what the app allows in all; the message for heads over the hard limit too
STOP_GRACE_SECONDS = 5.0  # how long stop() waits for the loop to close its connections and end
SWEEP_SECONDS = 0.2  # how often deadlines are checked: cheaper than a timer per request, precise enough


@dataclass(frozen=True)
class ConnectionLimits:
    """What one connection may take before it is answered with an error and closed."""

    tls_timeout: float = 10.0
    head_timeout: float = 10.0
    body_timeout: float = 30.0
    idle_timeout: float = 30.0
    max_connections: int = 512
    max_head_bytes: int = 65_536
    # After refusing a request whose body is still coming, read and drop up to this much for up to this
    # long, so the client reads the answer instead of a reset.
    linger_bytes: int = 8 * 1024 * 1024
    linger_seconds: float = 2.0


class App(Protocol):
    """What the server needs from the app (``SandboxApp``)."""

    def handle(self, request: Request) -> Response: ...

    def refuse(self, request: Request | None, error: BunqError) -> Response: ...


def _outcome(function: Callable[..., Response], *args: Any) -> tuple[Response | None, BaseException | None]:
    """``function(*args)`` as (answer, None), or (None, what it raised): the caller decides."""
    try:
        return function(*args), None
    except BaseException as exc:
        return None, exc


class _Phase(enum.Enum):
    TLS = "tls"  # handshake under way
    IDLE = "idle"  # waiting for a request's first byte
    HEAD = "head"  # reading request line and headers
    BODY = "body"  # reading the body
    APP = "app"  # the app is answering, or its answer is held back (the ``slow`` fault)
    CLOSING = "closing"  # answered and closing; what still arrives is dropped


class HTTPServer:
    """Serves ``app`` on ``host:port`` (HTTPS when given an SSL context) from one event-loop thread.

    The loop calls the app itself for each request: no hand-off between threads. Measured
    (``benchmarks/run.py``), a worker pool cost 0.5 ms more CPU per handshake, and two loops sharing
    the port cost more still (they contend for the interpreter lock), for 5% more handshakes/s.
    """

    def __init__(
        self,
        app: App,
        *,
        host: str,
        port: int,
        ssl_context: ssl.SSLContext | None,
        max_body_bytes: int,
        limits: ConnectionLimits | None = None,
    ) -> None:
        self.app = app
        self.host = host
        self.port = port
        self.ssl_context = ssl_context
        self.max_body_bytes = max_body_bytes
        self.limits = limits or ConnectionLimits()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stopped: asyncio.Event | None = None
        self._failure: BaseException | None = None
        self.connections: set[_Connection] = set()

    def start(self) -> int:
        """Bind (errors such as a busy port are raised here), start serving, and return the port."""
        sock = _listening_socket(self.host, self.port)
        self.port = sock.getsockname()[1]
        self._loop = asyncio.new_event_loop()
        ready = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(sock, ready), name="bunq-local-sandbox", daemon=True
        )
        self._thread.start()
        ready.wait()
        if self._failure is not None:
            self.stop()
            raise self._failure
        return self.port

    def stop(self) -> None:
        """Close the port and every connection, and end the loop (an answer being made is finished first)."""
        loop, thread, self._thread = self._loop, self._thread, None
        if loop is not None and thread is not None:
            with contextlib.suppress(RuntimeError):  # the loop already ended
                loop.call_soon_threadsafe(self._request_stop)
            thread.join(timeout=STOP_GRACE_SECONDS)

    async def _sweep(self) -> None:
        """Act on every connection whose deadline (TLS, head, body, idle, linger) has passed."""
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(SWEEP_SECONDS)
            now = loop.time()
            for connection in [c for c in self.connections if c.deadline is not None and c.deadline <= now]:
                connection.expired()

    def _request_stop(self) -> None:
        if self._stopped is not None:
            self._stopped.set()

    def _run(self, sock: socket.socket, ready: threading.Event) -> None:
        loop = self._loop
        assert loop is not None
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._serve(sock, ready))
        except BaseException as exc:  # reported to start(), or logged if serving had begun
            if ready.is_set():
                log.exception("the local sandbox's HTTP server failed")
            self._failure = exc
        finally:
            ready.set()
            sock.close()
            loop.close()

    async def _serve(self, sock: socket.socket, ready: threading.Event) -> None:
        loop = asyncio.get_running_loop()
        self._stopped = asyncio.Event()
        server = await loop.create_server(lambda: _Connection(self), sock=sock, backlog=128)
        ready.set()
        sweeper = loop.create_task(self._sweep())
        await self._stopped.wait()
        sweeper.cancel()
        server.close()
        for connection in list(self.connections):
            connection.abort()
        await server.wait_closed()


def _listening_socket(host: str, port: int) -> socket.socket:
    """A bound, listening, non-blocking socket; ``::`` also takes IPv4 clients (as IPv4-mapped addresses)."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6 and hasattr(socket, "IPPROTO_IPV6"):
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        sock.bind(address)
        sock.listen(128)
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock


_date_cache: tuple[int, bytes] = (0, b"")


def _http_date() -> bytes:
    """The Date header's value, formatted once per second."""
    global _date_cache
    now = int(time.time())
    if _date_cache[0] != now:
        _date_cache = (now, formatdate(now, usegmt=True).encode("ascii"))
    return _date_cache[1]


class _Connection(asyncio.Protocol):
    """One client connection: TLS, then requests read by h11 and answered by the app, one at a time."""

    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        self.limits = server.limits
        self.loop = asyncio.get_running_loop()
        self.h11 = h11.Connection(h11.SERVER, max_incomplete_event_size=self.limits.max_head_bytes)
        self.transport: asyncio.Transport | None = None
        self.remote_addr = ""
        self.phase = _Phase.TLS
        self.deadline: float | None = None  # loop time by which the current phase must end
        self.hold: asyncio.TimerHandle | None = None
        self.head: h11.Request | None = None
        self.body = bytearray()
        self.dropped = 0
        self.tls_task: asyncio.Task[None] | None = None
        self.closed = False

    # -- life of the connection ---------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.server.connections.add(self)
        peer = transport.get_extra_info("peername")
        self.remote_addr = str(peer[0]) if peer else ""
        if self.server.ssl_context is None:
            self._open()
            return
        transport.pause_reading()  # the ClientHello is for start_tls, not for data_received
        self._arm(self.limits.tls_timeout + 1)  # start_tls enforces tls_timeout; this backs it
        self.tls_task = self.loop.create_task(self._start_tls(transport))

    async def _start_tls(self, raw: asyncio.Transport) -> None:
        try:
            secure = await self.loop.start_tls(
                raw,
                self,
                self.server.ssl_context,  # type: ignore[arg-type]
                server_side=True,
                ssl_handshake_timeout=self.limits.tls_timeout,
            )
        except (OSError, ssl.SSLError, asyncio.TimeoutError, ConnectionError, asyncio.CancelledError) as exc:
            log.debug("TLS handshake with %s failed: %r", self.remote_addr, exc)
            self._forget()
            raw.abort()
            return
        if secure is None or self.closed:
            self._forget()
            return
        self.transport = secure
        self._open()

    def _open(self) -> None:
        if len(self.server.connections) > self.limits.max_connections:
            self._refuse(
                None,
                BunqError(
                    503,
                    f"The local sandbox has {self.limits.max_connections} connections open, its limit; "
                    "close idle connections and try again.",
                ),
            )
            return
        self._wait_for_request()

    def connection_lost(self, exc: Exception | None) -> None:
        self._forget()

    def eof_received(self) -> bool | None:
        return None  # the client is done: close our side too

    def abort(self) -> None:
        """Close at once, without an answer."""
        if self.tls_task is not None and not self.tls_task.done():
            self.tls_task.cancel()
        if self.transport is not None:
            self.transport.abort()
        self._forget()

    def _forget(self) -> None:
        self.closed = True
        self._clear_deadline()
        self.server.connections.discard(self)

    def _close(self) -> None:
        self._clear_deadline()
        if self.transport is not None:
            self.transport.close()
        self._forget()

    # -- deadlines ----------------------------------------------------------------------------

    def _arm(self, seconds: float) -> None:
        self.deadline = self.loop.time() + seconds

    def _clear_deadline(self) -> None:
        self.deadline = None
        if self.hold is not None:
            self.hold.cancel()
            self.hold = None

    def expired(self) -> None:
        """The current phase ran out of time."""
        self.deadline = None
        if self.phase is _Phase.TLS:
            self.abort()
        elif self.phase is _Phase.IDLE:
            self._close()
        elif self.phase is _Phase.HEAD:
            self._refuse(
                None,
                bad_request(
                    f"The request headers did not arrive within {self.limits.head_timeout:g} seconds; "
                    "send the request line and headers at once."
                ),
            )
        elif self.phase is _Phase.BODY:
            self._refuse(
                self._request(),
                bad_request(
                    f"The request body did not arrive within {self.limits.body_timeout:g} seconds "
                    f"({len(self.body)} bytes came)."
                ),
            )
        elif self.phase is _Phase.CLOSING:
            self._close()

    # -- reading ------------------------------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        if self.phase is _Phase.CLOSING:
            self.dropped += len(data)
            if self.dropped > self.limits.linger_bytes:
                self._close()
            return
        if self.phase is _Phase.IDLE:
            self.phase = _Phase.HEAD
            self._arm(self.limits.head_timeout)
        self.h11.receive_data(data)
        if self.phase is not _Phase.APP:
            self._next()

    def _wait_for_request(self) -> None:
        """Between requests: wait idle, or go on with the next one if it has begun to arrive."""
        if self.h11.trailing_data[0]:
            self.phase = _Phase.HEAD
            self._arm(self.limits.head_timeout)
            self.loop.call_soon(self._next)  # later, not nested: pipelined requests must not recurse
        else:
            self.phase = _Phase.IDLE
            self._arm(self.limits.idle_timeout)

    def _next(self) -> None:
        while not self.closed and self.phase in (_Phase.HEAD, _Phase.BODY):
            try:
                event = self.h11.next_event()
            except h11.RemoteProtocolError as exc:
                self._protocol_error(exc)
                return
            if event is h11.NEED_DATA or event is h11.PAUSED:
                return
            if isinstance(event, h11.Request):
                self._head_arrived(event)
            elif isinstance(event, h11.Data):
                self.body += event.data
                if len(self.body) > self.server.max_body_bytes:
                    self._refuse(self._request(), self._too_large())
            elif isinstance(event, h11.EndOfMessage):
                self._call_app()
            elif isinstance(event, h11.ConnectionClosed):
                self._close()

    def _head_arrived(self, head: h11.Request) -> None:
        self.head = head
        self.body = bytearray()
        self.phase = _Phase.BODY
        self._arm(self.limits.body_timeout)
        for name, value in head.headers:
            if name == b"content-length" and int(value) > self.server.max_body_bytes:
                self._refuse(self._request(), self._too_large())
                return
        if self.h11.they_are_waiting_for_100_continue:
            self._write(self.h11.send(h11.InformationalResponse(status_code=100, headers=[])))

    def _too_large(self) -> BunqError:
        return bad_request(f"The request body is larger than {self.server.max_body_bytes} bytes.")

    def _protocol_error(self, exc: h11.RemoteProtocolError) -> None:
        text = str(exc)
        if "too long" in text or "too large" in text or exc.error_status_hint == 431:
            error = bad_request(f"The request headers are larger than {HARD_HEADER_BYTES} bytes in all.")
        elif self.phase is _Phase.BODY:
            error = bad_request(
                f"The request body's framing is invalid ({text}); send a Content-Length, or chunks "
                "whose sizes are hexadecimal numbers."
            )
        elif "content-length" in text.lower():
            error = bad_request("The request's Content-Length header is not a valid length.")
        else:
            error = bad_request(f"The request could not be read as HTTP/1.1 ({text}).")
        self._refuse(self._request() if self.phase is _Phase.BODY else None, error)

    def _request(self) -> Request:
        assert self.head is not None
        return request_from_head(
            self.head.method, self.head.target, self.head.headers, bytes(self.body), self.remote_addr
        )

    # -- the app ------------------------------------------------------------------------------

    def _call_app(self) -> None:
        self.phase = _Phase.APP
        self._clear_deadline()
        self._answered(*_outcome(self.server.app.handle, self._request()))

    def _answered(self, response: Response | None, error: BaseException | None) -> None:
        if self.closed:
            return
        if error is not None or response is None:
            if not isinstance(error, Disconnect):
                log.error("the app failed to answer", exc_info=error)
            self.abort()
            return
        if response.hold_seconds > 0:  # the ``slow`` fault: carried out, answered later
            hold, response.hold_seconds = response.hold_seconds, 0.0
            self.transport.pause_reading()  # type: ignore[union-attr]  # nothing piles up meanwhile
            self.hold = self.loop.call_later(hold, self._answer_held, response)
            return
        try:
            self._write(
                self.h11.send(
                    h11.Response(
                        status_code=response.status,
                        headers=[("Date", _http_date()), *response.headers],
                        reason=REASONS.get(response.status, "Error"),
                    )
                )
                + (self.h11.send(h11.Data(data=response.body)) if not self._head_only() else b"")
                + self.h11.send(h11.EndOfMessage())
            )
        except h11.LocalProtocolError:
            log.exception("the answer could not be framed")
            self.abort()
            return
        if self.h11.our_state is not h11.DONE or self.h11.their_state is not h11.DONE:
            self._close()
            return
        self.h11.start_next_cycle()
        self.head = None
        self.body = bytearray()
        self._wait_for_request()

    def _answer_held(self, response: Response) -> None:
        self.hold = None
        if self.transport is not None and not self.closed:
            self.transport.resume_reading()
        self._answered(response, None)

    def _head_only(self) -> bool:
        """A HEAD request: the answer's headers (Content-Length included), no body."""
        return self.head is not None and self.head.method == b"HEAD"

    def _refuse(self, request: Request | None, error: BunqError) -> None:
        """Answer with the app's signed error, then close (what is still arriving is dropped)."""
        self.phase = _Phase.APP
        self._clear_deadline()
        self._refused(*_outcome(self.server.app.refuse, request, error))

    def _refused(self, response: Response | None, error: BaseException | None) -> None:
        if self.closed:
            return
        if error is not None or response is None:
            log.error("the app failed to refuse a request", exc_info=error)
            self.abort()
            return
        lines = [f"HTTP/1.1 {response.status} {REASONS.get(response.status, 'Error')}"]
        lines += [f"{name}: {value}" for name, value in response.headers]
        lines += [f"Date: {_http_date().decode()}", "Connection: close", "", ""]
        self._write("\r\n".join(lines).encode("latin-1") + response.body)
        self.phase = _Phase.CLOSING
        self._arm(self.limits.linger_seconds)

    def _write(self, data: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(data)
