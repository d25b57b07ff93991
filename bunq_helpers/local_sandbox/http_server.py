"""The local sandbox's HTTP/1.1 server: one asyncio event loop for connections and the app, httptools to parse.

One event-loop thread owns every connection: accepting, TLS, reading request heads and bodies,
calling the app, writing answers. An idle, slow or silent connection is a little state in that loop,
never a thread, so it keeps nobody waiting (a thread-per-connection server stalled for seconds behind
a few idle TLS connections). The app (about a millisecond: RSA signing, SQLite) runs in the loop
itself; handing it to worker threads and back cost more CPU than it saved.

httptools (llhttp, Node.js's HTTP/1.1 parser, strict) parses requests: keep-alive, chunked bodies,
pipelining, the literal request target; answers are written here (status line, headers checked
against injection, Content-Length). It replaced h11, whose pure-Python parsing and framing cost
about 85 µs per request, more than the rest of the HTTP layer. What a client can get wrong at this
level is answered by the app's ``refuse``, in bunq's error shape and signed, and the connection is
then closed:

- a request whose headers are not complete within ``head_timeout`` of its first byte;
- a head larger than ``max_head_bytes``;
- a body over ``max_body_bytes``: known from Content-Length before any of it is read, counted when
  chunked; a body not complete within ``body_timeout``;
- malformed framing (an invalid Content-Length or chunk size, a garbled request line), and what RFC
  9112 refuses: a request line other than HTTP/1.0 or 1.1, ``Host`` missing or repeated (HTTP/1.1),
  a ``Transfer-Encoding`` other than exactly ``chunked``; a chunk whose announced size would take the
  body past the limit is refused when its size line is read. ``CONNECT`` is refused (the sandbox is no
  proxy) after the requests before it are answered; ``Upgrade`` is ignored (no protocol switch) and the
  requests behind it are answered. Trailer fields are read and dropped: they never become headers.
  ``Expect: 100-continue`` gets its 100 only for a body that will be read, after the answers before it.

Flow control: a connection is not read while its answers are unread past the transport's write
limits (``pause_writing``/``resume_writing``) or while ``MAX_QUEUED`` requests wait for an answer;
answers are made only while the client reads them, so a client that sends but never reads holds at
most about one answer and ``WRITE_HIGH_WATER`` bytes. A client that half-closes (EOF) still gets an
answer to every whole request it sent.

A TLS handshake must finish within ``tls_timeout``; an idle keep-alive connection is closed after
``idle_timeout``; a connection past ``max_connections`` is answered bunq's way with a 503 and closed.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import enum
import logging
import re
import socket
import ssl
import threading
import time
from asyncio import sslproto
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import formatdate
from typing import Any, Protocol

import httptools

from .bunq_errors import BunqError, bad_request
from .http_io import REASONS, Disconnect, Response
from .request import Request, request_from_head

log = logging.getLogger("bunq_helpers.local_sandbox")

HARD_HEADER_BYTES = 16_384  # what the app allows in all; the message for heads over the hard limit too
STOP_GRACE_SECONDS = 5.0  # how long stop() waits for the loop to close its connections and end
SWEEP_SECONDS = 0.2  # how often deadlines are checked: cheaper than a timer per request, precise enough
MAX_QUEUED = 16  # requests read but not yet answered, per connection; past it the connection is not read
FEED_BYTES = 16_384  # at most this much is parsed at a time (less: up to a head's end), so MAX_QUEUED holds
WRITE_HIGH_WATER = 65_536  # unread answer bytes past which a connection's answering (and reading) pauses
ANSWERS_PER_TURN = 8  # answers one connection gets before the others have their turn in the loop
CLOSE_GRACE_SECONDS = 10.0  # how long a closing connection may take to flush its last answer
_FRAMING_NAMES = frozenset((b"content-length", b"host", b"transfer-encoding", b"expect"))


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
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.app = app
        self.clock = clock  # the Date header's time: the sandbox's clock, moved with it
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


if hasattr(sslproto, "SSLProtocolState"):  # Python 3.11+: asyncio's own TLS layer, one change

    class _TLSProtocol(sslproto.SSLProtocol):
        """asyncio's TLS layer, except at the client's half-close (TCP EOF): asyncio stops writing
        there, dropping the answers to requests still being read; this keeps writing until the
        connection has answered them and closes (the peer's close_notify is not awaited)."""

        def eof_received(self) -> bool | None:
            if self._state is not sslproto.SSLProtocolState.WRAPPED:
                return super().eof_received()
            self._eof_received = True
            self._do_read()  # what was decrypted before the end (unless the app paused reading)
            if self._app_state is sslproto.AppProtocolState.STATE_CON_MADE:
                self._app_state = sslproto.AppProtocolState.STATE_EOF
                self._app_protocol.eof_received()
            return True

else:  # pragma: no cover - Python 3.10: asyncio's TLS layer as it is (a half-close may lose answers)
    _TLSProtocol = None  # type: ignore[assignment,misc]


async def _start_tls(
    loop: asyncio.AbstractEventLoop,
    raw: asyncio.Transport,
    protocol: asyncio.Protocol,
    context: ssl.SSLContext,
    timeout: float,
) -> asyncio.Transport:
    """``loop.start_tls(server_side=True)``, with ``_TLSProtocol`` where there is one (asyncio's steps)."""
    if _TLSProtocol is None:  # pragma: no cover
        secure = await loop.start_tls(raw, protocol, context, server_side=True, ssl_handshake_timeout=timeout)
        assert secure is not None
        return secure
    waiter = loop.create_future()
    tls = _TLSProtocol(
        loop, protocol, context, waiter, True, None, ssl_handshake_timeout=timeout, call_connection_made=False
    )
    raw.pause_reading()
    raw.set_protocol(tls)
    made = loop.call_soon(tls.connection_made, raw)
    resumed = loop.call_soon(raw.resume_reading)
    try:
        await waiter
    except BaseException:
        raw.close()
        made.cancel()
        resumed.cancel()
        raise
    return tls._app_transport


_date_cache: tuple[int, bytes] = (0, b"")


def _http_date(clock: Callable[[], float]) -> bytes:
    """The Date header's value at ``clock``'s time, formatted once per second."""
    global _date_cache
    now = int(clock())
    if _date_cache[0] != now:
        _date_cache = (now, formatdate(now, usegmt=True).encode("ascii"))
    return _date_cache[1]


class _Refusal(Exception):
    """Raised inside a parser callback to stop reading and refuse the request with ``error``."""

    def __init__(self, error: BunqError) -> None:
        super().__init__(error.description)
        self.error = error


class _Connection(asyncio.Protocol):
    """One client connection: TLS, then requests parsed by httptools and answered by the app in order.

    The parser's callbacks only record where it is (``in_message``, ``head_done``) and queue each
    whole request; answering happens after each feed, one request at a time, so pipelined requests
    are answered in the order they came and an answer held back (the ``slow`` fault) holds back the
    ones after it. Answering stops while the client does not read (``write_paused``), and reading
    stops while answers are owed (``_flow``).
    """

    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        self.limits = server.limits
        self.loop = asyncio.get_running_loop()
        self.parser = httptools.HttpRequestParser(self)
        self.transport: asyncio.Transport | None = None
        self.remote_addr = ""
        self.phase = _Phase.TLS
        self.deadline: float | None = None  # loop time by which the current phase must end
        self.hold: asyncio.TimerHandle | None = None
        self.in_message = False  # the parser is inside a request
        self.head_done = False  # ... and has read its whole head
        self.head_bytes = 0  # bytes read while the head was incomplete
        self.target = bytearray()
        self.headers: list[tuple[bytes, bytes]] = []
        self.framing: list[tuple[bytes, bytes]] = []  # the headers _framing reads
        self.body = bytearray()
        self.ready: collections.deque[tuple[Request, bool, bool]] = collections.deque()
        self.refusal: tuple[Request | None, BunqError] | None = None  # after the requests before it
        self.early = bytearray()  # what arrived before the connection was open
        self.unfed = b""  # what arrived while MAX_QUEUED requests waited: parsed once they are answered
        self.dropped = 0
        self.tls_task: asyncio.Task[None] | None = None
        self.closed = False
        self.eof = False  # the client sent everything it will send
        self.write_paused = False  # the transport holds more unread answer bytes than it should
        self.reading_paused = False
        self.answering = False  # _go_on is running (a resume_writing inside it must not nest)
        self.turn_over = False  # ANSWERS_PER_TURN were answered: the rest waits for the next loop turn
        self.chunked = False  # the request being read has a chunked body
        self.chunk_announced = False  # a chunk's size line was just read
        self.line = b""  # the current line of a chunked body, to read a size line's number
        self.continue_owed = False  # a 100 Continue is due once the answers before it are out

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
            secure = await _start_tls(self.loop, raw, self, self.server.ssl_context, self.limits.tls_timeout)
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
        self.transport.set_write_buffer_limits(high=WRITE_HIGH_WATER)  # type: ignore[union-attr]
        self.phase = _Phase.IDLE
        self._arm(self.limits.idle_timeout)
        if self.early:
            early, self.early = bytes(self.early), bytearray()
            self.data_received(early)

    def connection_lost(self, exc: Exception | None) -> None:
        self._forget()

    def eof_received(self) -> bool | None:
        """The client is done sending: answer what it sent, then close (``_go_on``)."""
        self.eof = True
        if not self.closed and not self.answering and self.phase is not _Phase.TLS:  # else _open goes on
            self._go_on()
        return True  # the transport stays open for the answers

    def pause_writing(self) -> None:
        self.write_paused = True

    def resume_writing(self) -> None:
        self.write_paused = False
        if not self.closed and not self.answering:
            self._go_on()

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
        """Close after the last answer is written; a client that does not read it is cut off in time."""
        self.closed = True
        self._clear_deadline()
        self.phase = _Phase.CLOSING
        self._arm(CLOSE_GRACE_SECONDS)
        if self.transport is not None:
            if self.reading_paused:  # TLS flushes its last records from its reading side
                self.transport.resume_reading()
            self.transport.close()

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
                self._partial_request(),
                bad_request(
                    f"The request body did not arrive within {self.limits.body_timeout:g} seconds "
                    f"({len(self.body)} bytes came)."
                ),
            )
        elif self.phase is _Phase.CLOSING:
            if self.closed:  # the last answer was not read in time
                self.abort()
            else:  # the linger after a refusal is over
                self._close()
        elif self.phase is _Phase.APP and self.write_paused:  # answers unread for a whole idle timeout
            self.abort()

    # -- reading ------------------------------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        if self.phase is _Phase.TLS:  # decrypted before start_tls handed over the secure transport
            self.early += data
            return
        if self.closed or self.phase is _Phase.CLOSING or self.refusal is not None:
            self.dropped += len(data)
            if self.dropped > self.limits.linger_bytes:
                self._close()
            return
        if self.unfed:  # a read that came before the pause took effect waits its turn too
            self.unfed += data
        else:
            self._feed(data)
        if not self.answering:
            self._go_on()

    def _feed(self, data: bytes) -> None:
        """Parse ``data`` a piece at a time, keeping the rest in ``unfed`` once MAX_QUEUED wait.

        A piece ends at a head's end, so at most a request or two complete per piece and a head is
        parsed before the body after it; a chunked body (and a head split across reads) goes a line
        at a time, so a chunk's size line is seen as it ends. Most reads are one piece.
        """
        size = len(data)
        mid_head = self.in_message and not self.head_done
        if size <= FEED_BYTES and len(self.ready) < MAX_QUEUED - 1 and not self.chunked and not mid_head:
            blank = data.find(b"\r\n\r\n")
            # no head; or one head, and no chunked body or second head after it
            if blank < 0 or (
                data.find(b"\r\n\r\n", blank + 4) < 0 and b"chunked" not in data[:blank].lower()
            ):
                self._feed_piece(data, False)
                return
        view, at = memoryview(data), 0
        while at < size and self.refusal is None:
            if len(self.ready) >= MAX_QUEUED:
                self.unfed = bytes(view[at:])
                return
            end = min(at + FEED_BYTES, size)
            if self.chunked or (self.in_message and not self.head_done):  # by line
                newline = data.find(b"\n", at, end)
                end = newline + 1 if newline >= 0 else end
            else:
                blank = data.find(b"\r\n\r\n", at, end)
                end = blank + 4 if blank >= 0 else end
            self._feed_piece(view[at:end], self.chunked)
            at = end

    def _feed_piece(self, piece: memoryview, by_line: bool) -> None:
        try:
            self.parser.feed_data(piece)
        except httptools.HttpParserCallbackError as exc:
            cause = exc.__context__
            if isinstance(cause, _Refusal):
                self.refusal = (self._partial_request(), cause.error)
            else:  # a bug of ours in a callback: the client still gets bunq's shape, not a dropped line
                log.error("reading a request failed", exc_info=cause)
                self.refusal = (None, bad_request("The request could not be read as HTTP/1.1."))
            return
        except httptools.HttpParserUpgrade as exc:
            # An Upgrade request was read whole and is answered as any other (no protocol switch);
            # what follows it is the next request, for a fresh parser. (CONNECT is refused before this.)
            self.parser = httptools.HttpRequestParser(self)
            offset = int(exc.args[0]) if exc.args else len(piece)
            if offset < len(piece):
                self._feed_piece(piece[offset:], by_line)
            return
        except httptools.HttpParserError as exc:
            self.refusal = (self._partial_request(), self._framing_error(exc))
            return
        if self.in_message and not self.head_done:
            self.head_bytes += len(piece)
            if self.head_bytes > self.limits.max_head_bytes:
                self.refusal = (None, _headers_too_large())
        if by_line and self.chunked:
            self._check_chunk_size(bytes(piece))

    def _check_chunk_size(self, piece: bytes) -> None:
        """Refuse a chunk whose size line announces more than the body limit has room for."""
        self.line = (self.line + piece)[-1024:] if not self.line.endswith(b"\n") else piece[-1024:]
        if not self.chunk_announced:
            return
        self.chunk_announced = False
        digits = self.line.split(b";", 1)[0].strip(b" \t\r\n")
        try:
            size = int(digits, 16)
        except ValueError:  # llhttp checked it; a size line longer than we keep is left to it
            return
        if len(self.body) + size > self.server.max_body_bytes:
            self.refusal = (self._partial_request(), self._too_large())

    # httptools calls these while it parses

    def on_message_begin(self) -> None:
        self.in_message, self.head_done, self.head_bytes = True, False, 0
        self.target, self.headers, self.framing, self.body = bytearray(), [], [], bytearray()
        self.chunked, self.chunk_announced, self.line = False, False, b""
        if self.phase is _Phase.IDLE:
            self.phase = _Phase.HEAD
            self._arm(self.limits.head_timeout)

    def on_url(self, url: bytes) -> None:
        self.target += url

    def on_header(self, name: bytes, value: bytes) -> None:
        if not self.head_done:  # after the head, these are trailer fields: read, never headers
            name = name.lower()
            self.headers.append((name, value))
            if name in _FRAMING_NAMES:
                self.framing.append((name, value))

    def on_headers_complete(self) -> None:
        self.head_done = True
        if self.phase is _Phase.HEAD:
            self.phase = _Phase.BODY
            self._arm(self.limits.body_timeout)
        length, self.chunked, expect = _framing(
            self.parser.get_method(), self.parser.get_http_version(), self.framing
        )
        if length > self.server.max_body_bytes:
            raise _Refusal(self._too_large())
        if expect and (length > 0 or self.chunked):  # a 100 only for a body that will be read
            if self.ready or self.hold is not None or self.write_paused:
                self.continue_owed = True  # after the answers before it (``_go_on``)
            else:
                self._write(b"HTTP/1.1 100 Continue\r\n\r\n")

    def on_chunk_header(self) -> None:
        self.chunk_announced = True

    def on_body(self, data: bytes) -> None:
        self.body += data
        if len(self.body) > self.server.max_body_bytes:
            raise _Refusal(self._too_large())

    def on_message_complete(self) -> None:
        self.in_message = self.continue_owed = False
        method = self.parser.get_method()
        request = self._request(method)
        self.ready.append((request, self.parser.should_keep_alive(), method == b"HEAD"))

    # what was read, and what went wrong

    def _request(self, method: bytes) -> Request:
        return request_from_head(method, bytes(self.target), self.headers, bytes(self.body), self.remote_addr)

    def _partial_request(self) -> Request | None:
        """The request being read, once its head is whole (so its refusal can echo its request id)."""
        return self._request(self.parser.get_method()) if self.in_message and self.head_done else None

    def _too_large(self) -> BunqError:
        return bad_request(f"The request body is larger than {self.server.max_body_bytes} bytes.")

    def _framing_error(self, exc: httptools.HttpParserError) -> BunqError:
        text = str(exc)
        if "Content-Length overflow" in text:
            return self._too_large()  # more digits than any length: larger than the limit, whatever it is
        if self.in_message and self.head_done:
            return bad_request(
                f"The request body's framing is invalid ({text}); send a Content-Length, or chunks "
                "whose sizes are hexadecimal numbers."
            )
        if "Content-Length" in text:
            return bad_request("The request's Content-Length header is not a valid length.")
        if "Invalid HTTP version" in text or "Expected HTTP/" in text:
            return _wrong_version()
        return bad_request(f"The request could not be read as HTTP/1.1 ({text}).")

    # -- answering ----------------------------------------------------------------------------

    def _go_on(self) -> None:
        """Answer what is queued, in order, while the client reads; then read on or close."""
        self.answering = True
        try:
            self._answer_queued()
        finally:
            self.answering = False
        if not self.closed:
            self._flow()

    def _answer_queued(self) -> None:
        answered = 0
        while not self.closed and self.hold is None and not self.write_paused and not self.turn_over:
            if self.ready:
                if answered == ANSWERS_PER_TURN:  # a pipeline is answered in turns, fair to other clients
                    self.turn_over = True
                    self.loop.call_soon(self._next_turn)
                    break
                self._answer_next()
                answered += 1
                continue
            if self.unfed and self.refusal is None:
                unfed, self.unfed = self.unfed, b""
                self._feed(unfed)
                continue
            break
        if self.closed or self.hold is not None or self.ready or self.write_paused or self.turn_over:
            if self.write_paused and not self.closed and self.hold is None:
                self.phase = _Phase.APP  # waiting for the client to read: the idle timeout bounds it
                self._arm(self.limits.idle_timeout)
            return
        if self.refusal is not None:
            self._refuse(*self.refusal)
        elif self.eof:  # everything the client sent is answered (a request it left unfinished is dropped)
            if not self.reading_paused:  # else TLS may still hold some: _flow resumes, then decides again
                self._close()
        elif not self.in_message:
            self.phase = _Phase.IDLE
            self._arm(self.limits.idle_timeout)
        else:
            if self.continue_owed and self.head_done:
                self.continue_owed = False
                self._write(b"HTTP/1.1 100 Continue\r\n\r\n")
            if self.phase is not (_Phase.BODY if self.head_done else _Phase.HEAD):
                self.phase = _Phase.BODY if self.head_done else _Phase.HEAD
                self._arm(self.limits.body_timeout if self.head_done else self.limits.head_timeout)

    def _answer_next(self) -> None:
        request, keep_alive, head_only = self.ready.popleft()
        self.phase = _Phase.APP
        self._clear_deadline()
        response, error = _outcome(self.server.app.handle, request)
        if response is None:
            if not isinstance(error, Disconnect):
                log.error("the app failed to answer", exc_info=error)
            self.abort()
            return
        if response.hold_seconds > 0:  # the ``slow`` fault: carried out, answered later
            hold, response.hold_seconds = response.hold_seconds, 0.0
            self.hold = self.loop.call_later(hold, self._answer_held, response, keep_alive, head_only)
            return
        self._answer(response, keep_alive, head_only)

    def _flow(self) -> None:
        """Read the connection only while nothing is owed to it: no answer held, unread or queued."""
        if self.transport is None or self.phase is _Phase.CLOSING:
            return
        pause = (
            self.write_paused or self.hold is not None or bool(self.unfed) or len(self.ready) >= MAX_QUEUED
        )
        if pause == self.reading_paused:
            return
        self.reading_paused = pause
        if pause:
            self.transport.pause_reading()
        else:
            self.transport.resume_reading()
            if self.eof:  # what TLS still holds is delivered first; then the close is decided again
                self.loop.call_soon(self._after_resume)

    def _next_turn(self) -> None:
        self.turn_over = False
        if not self.closed and not self.answering:
            self._go_on()

    def _after_resume(self) -> None:
        if not self.closed and not self.answering:
            self._go_on()

    def _answer_held(self, response: Response, keep_alive: bool, head_only: bool) -> None:
        self.hold = None
        if self.closed:
            return
        self._answer(response, keep_alive, head_only)
        if not self.closed:
            self._go_on()

    def _answer(self, response: Response, keep_alive: bool, head_only: bool) -> None:
        """Write one answer; the connection closes after it when it is the last."""
        if self._send(response, keep_alive=keep_alive, head_only=head_only) and not keep_alive:
            self._close()

    def _send(self, response: Response, *, keep_alive: bool, head_only: bool = False) -> bool:
        """Frame and write ``response``; an answer that cannot be framed drops the connection (False)."""
        try:
            head = _head(response, [] if keep_alive else [("Connection", "close")], self.server.clock)
        except ValueError:
            log.exception("the answer could not be framed")
            self.abort()
            return False
        if head_only or len(response.body) > WRITE_HIGH_WATER:  # a big body is written as it is, not copied
            self._write(head)
            if not head_only:
                self._write(response.body)
        else:
            self._write(head + response.body)
        return True

    def _refuse(self, request: Request | None, error: BunqError) -> None:
        """Answer with the app's signed error, then close (what is still arriving is dropped)."""
        self.refusal = (request, error)  # nothing more is read or answered on this connection
        self.ready.clear()
        self.unfed = b""
        self.phase = _Phase.APP
        self._clear_deadline()
        response, failure = _outcome(self.server.app.refuse, request, error)
        if self.closed:
            return
        if response is None:
            log.error("the app failed to refuse a request", exc_info=failure)
            self.abort()
            return
        if not self._send(response, keep_alive=False):
            return
        if self.eof:
            self._close()
            return
        self.phase = _Phase.CLOSING
        self._arm(self.limits.linger_seconds)
        if self.reading_paused and self.transport is not None:  # read on, to drop what still comes
            self.reading_paused = False
            self.transport.resume_reading()

    def _write(self, data: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(data)


def _framing(
    method: bytes, version: str | None, headers: list[tuple[bytes, bytes]]
) -> tuple[int, bool, bool]:
    """(Content-Length or 0, chunked, Expect: 100-continue to honour) of a head, or a _Refusal (RFC 9112)."""
    if version not in ("1.1", "1.0"):
        raise _Refusal(_wrong_version())
    length, hosts, codings, expect = 0, 0, [], False
    for name, value in headers:
        if name == b"content-length":
            length = int(value)
        elif name == b"host":
            hosts += 1
        elif name == b"transfer-encoding":
            codings += [c.strip().lower() for c in value.split(b",")]
        elif name == b"expect":
            expect = value.strip().lower() == b"100-continue" and version == "1.1"  # RFC 9110 §10.1.1
    if hosts > 1 or (hosts == 0 and version == "1.1"):
        raise _Refusal(
            bad_request(f'An HTTP/1.1 request needs exactly one "Host" header; this one has {hosts}.')
        )
    if codings and codings != [b"chunked"]:
        shown = ", ".join(c.decode("latin-1") for c in codings)
        raise _Refusal(
            bad_request(
                f'The request\'s Transfer-Encoding "{shown}" is not supported; send the body with a '
                "Content-Length, or with Transfer-Encoding: chunked alone."
            )
        )
    if method == b"CONNECT":
        raise _Refusal(
            bad_request("CONNECT is not supported: the local sandbox is an HTTPS API, not a proxy.")
        )
    return length, bool(codings), expect


def _wrong_version() -> BunqError:
    return bad_request("The local sandbox speaks HTTP/1.0 and HTTP/1.1; send a request line ending HTTP/1.1.")


def _headers_too_large() -> BunqError:
    return bad_request(f"The request headers are larger than {HARD_HEADER_BYTES} bytes in all.")


_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")  # RFC 9110 field name
_good_names: set[str] = set()  # names already checked: the app sends a handful, over and over


def _head(response: Response, extra: list[tuple[str, str]], clock: Callable[[], float] = time.time) -> bytes:
    """Status line and headers: Date, the app's (its own framing left out), Content-Length, ``extra``.

    ValueError for a header name that is not a token or a value holding a line break or NUL (a
    header injection), or text outside ISO-8859-1.
    """
    headers = [
        ("Date", _http_date(clock).decode("ascii")),
        *((n, v) for n, v in response.headers if n.lower() not in _FRAMING),
        ("Content-Length", str(len(response.body))),
        *extra,
    ]
    for name, _ in headers:
        if name not in _good_names:
            if not _TOKEN.fullmatch(name):
                raise ValueError(f"illegal header name {name!r}")
            _good_names.add(name)
    lines = "".join(f"{name}: {value}\r\n" for name, value in headers)
    if lines.count("\n") != len(headers) or lines.count("\r") != len(headers) or "\0" in lines:
        raise ValueError("a header value holds a line break or NUL")
    status = f"HTTP/1.1 {response.status} {REASONS.get(response.status, 'Error')}\r\n"
    return (status + lines + "\r\n").encode("latin-1")


_FRAMING = {"content-length", "transfer-encoding", "connection"}  # the server's to set, not the app's
