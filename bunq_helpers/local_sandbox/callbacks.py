"""Callbacks: the local sandbox POSTs bunq's notification to every URL registered for an event.

1. ``CallbackDelivery.on_event`` hears of each committed event (``EventLog.listen``) in the thread
   of the API call that caused it. It finds the matching filters (the user's own list, and the list
   of the account the event happened on), renders the object as bunq wraps it and queues one
   ``Delivery`` per (URL, category). No network there: the API call never waits for a receiver.
2. A few worker threads (``WORKERS``) send them, one attempt at a time per receiver (host and
   port), in order, so a slow or silent receiver only delays its own callbacks: ``POST`` of
   ``{"NotificationUrl": {"target_url", "category", "event_type", "object"}}`` with ``X-Bunq-Server-Signature`` (the sandbox's response-signing key
   over the exact body bytes, as on every response), over HTTPS verified against
   ``callback_ca_file`` (default: the sandbox's own CA). A 2xx answer is delivered; any other
   status, a refused connection, a TLS failure or a timeout is a failed try. An attempt has one
   deadline, ``callback_timeout``, for all of it after the name is resolved (connecting, TLS,
   writing, reading): a receiver that answers a byte at a time is cut off when it passes.
3. bunq: a failed callback "is tried again for a maximum of 5 times, with an interval of one minute
   between each try"; after the 6th try it is not sent any more. So here, with the interval in
   ``SandboxOptions.callback_retry_interval``.

Callbacks only go to loopback addresses, or to hosts the user allowed (``callback_allowed_hosts``,
``--callback-allow-host``): a sandbox that anyone can point at any URL would be a way to make the
user's machine send requests elsewhere. Registration refuses other hosts (400, see
``target_problem``); the worker checks again before each try. Both read the URL with one function,
``callback_target``: the host must be an IP address or a plain DNS name (letters, digits, hyphens,
dots), lower-cased, one trailing dot dropped; a ``%`` (a zone id, an encoded byte), a control
character or a name that looks numeric (``127.1``, ``0x7f.1``) is refused. The sender resolves the
name once, checks the address it got (loopback, unless the user allowed the host), and connects to
exactly that address, with the name for TLS (SNI and certificate check).

Where bunq's pages are silent, the sandbox chooses: the notification is rendered when the event
happens, so every try carries the same bytes; a URL registered both on the user and on the account
gets one callback per event; redirects are not followed; no proxy is used. bunq's callbacks page
does not mention a signature on callbacks; the sandbox signs them like its responses.
"""

from __future__ import annotations

import functools
import heapq
import http.client
import ipaddress
import itertools
import json
import logging
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..crypto.keys import PrivateKey
from ..crypto.signing import SERVER_SIGNATURE_HEADER, sign_body
from .callback_categories import classifier_for, notifications_for
from .encoding import JSON_CONTENT_TYPE, encode_json
from .events import Event, EventLog, render_object
from .options import SandboxOptions, normalise_host
from .store import Store

log = logging.getLogger("bunq_helpers.local_sandbox.callbacks")

MAX_RETRIES = 5  # bunq: tried again at most 5 times, so 6 tries in all
USER_AGENT = "bunq-local-sandbox-callbacks/1"
LOOPBACK_NAMES = ("localhost",)
MAX_LOG = 1000  # finished deliveries kept in the log; the oldest go first
STOP_JOIN_SECONDS = 5
WORKERS = 4  # attempts under way at once (one per receiver at most)
MAX_ANSWER_BYTES = 65_536  # what is read of a receiver's answer
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_NAME = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")

PENDING = "pending"
DELIVERED = "delivered"
FAILED = "failed"  # every try failed
REFUSED = "refused"  # the target is not (or no longer) allowed
ABANDONED = "abandoned"  # the sandbox stopped first


@dataclass(frozen=True)
class Target:
    """Where a callback URL points, as both the check and the sender read it."""

    host: str  # lower case, no brackets, no trailing dot: the name for DNS, SNI and the Host header
    port: int
    path: str  # path and query, as sent in the request line
    address: ipaddress.IPv4Address | ipaddress.IPv6Address | None  # when the host is an IP address

    @property
    def key(self) -> tuple[str, int]:
        """The receiver: its callbacks are sent one at a time, in order."""
        return self.host, self.port


def callback_target(url: str) -> Target:
    """The one reading of a callback URL; ValueError (its message names the problem) if it is unusable."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "https":
        raise ValueError(
            f'Field "notification_target" must be an https:// URL (bunq calls back over HTTPS only); got "{url}".'
        )
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        host, port = None, None
    if not host:
        raise ValueError(f'Field "notification_target" is not a URL with a host and a valid port: "{url}".')
    name = host[:-1] if host.endswith(".") else host
    address = _ip(name)
    if address is None and (
        not _NAME.fullmatch(name)
        or name.rsplit(".", 1)[-1].isdigit()
        or name.rsplit(".", 1)[-1].startswith("0x")
    ):
        raise ValueError(
            f'Field "notification_target" has the host "{host}", which is not an IP address or a plain host '
            "name (letters, digits, hyphens and dots; no %-escapes, zone ids or spaces)."
        )
    return Target(
        name, port or 443, (parts.path or "/") + (f"?{parts.query}" if parts.query else ""), address
    )


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    if "%" in host:  # an IPv6 zone id (or an escape): never an address to call back
        return None
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this machine: ``localhost``, 127.0.0.0/8 or ::1 (also IPv4-mapped)."""
    host = normalise_host(host)
    if host in LOOPBACK_NAMES:
        return True
    address = _ip(host)
    return address is not None and _loopback_address(address)


def _loopback_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or bool(mapped and mapped.is_loopback)


def _allowed(target: Target, allowed_hosts: Iterable[str]) -> bool:
    """Whether the user allowed this host by name or address (``callback_allowed_hosts``)."""
    for allowed in allowed_hosts:
        other = _ip(allowed)
        if (target.address is not None and other is not None and target.address == other) or (
            target.host == allowed
        ):
            return True
    return False


def target_problem(url: str, allowed_hosts: Iterable[str]) -> str | None:
    """Why the sandbox will not call ``url`` back, or None if it will."""
    try:
        target = callback_target(url)
    except ValueError as exc:
        return str(exc)
    if is_loopback(target.host) or _allowed(target, allowed_hosts):
        return None
    host = target.host
    return (
        f'The local sandbox only calls back loopback addresses (127.0.0.1, ::1, localhost); "{host}" is not '
        f"one. To receive callbacks there, start the sandbox with --callback-allow-host {host} "
        f'(or SandboxOptions(callback_allowed_hosts=("{host}",))).'
    )


class _Refused(Exception):
    """The target resolved to an address callbacks may not go to."""


@dataclass(frozen=True)
class Attempt:
    """One try at delivering a callback."""

    number: int  # 1 for the first try
    started: float  # the sandbox clock, epoch seconds
    seconds: float  # how long the try took
    status: int | None  # the receiver's HTTP status, None when none came
    error: str | None  # why it failed; None when delivered

    @property
    def ok(self) -> bool:
        """Whether this try delivered the callback."""
        return self.error is None


@dataclass
class Delivery:
    """One callback: an event's notification for one URL, and what became of it."""

    id: int
    event_id: int
    user_id: int
    target_url: str
    category: str
    event_type: str
    body: bytes
    signature: str = ""
    outcome: str = PENDING
    attempts: list[Attempt] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        """Whether nothing more will happen to this delivery."""
        return self.outcome != PENDING

    @property
    def notification(self) -> dict[str, Any]:
        """The ``NotificationUrl`` object the body carries."""
        return json.loads(self.body)["NotificationUrl"]

    def __str__(self) -> str:
        tries = len(self.attempts)
        return (
            f"#{self.id} {self.event_type} -> {self.target_url}: {self.outcome}"
            f" after {tries} tr{'y' if tries == 1 else 'ies'}"
        )


@dataclass
class _Flight:
    """An attempt under way: a descriptor of its socket (to cut it off) and its deadline."""

    handle: socket.socket
    deadline: float
    expired: bool = False


@functools.lru_cache(maxsize=1024)
def _receiver(url: str) -> tuple[str, int] | str:
    """The receiver a URL's callbacks go to, one attempt at a time."""
    try:
        return callback_target(url).key
    except ValueError:
        return url


class CallbackDelivery:
    """Hears of events, queues their callbacks and sends them from a few background threads."""

    def __init__(
        self, store: Store, signing_key: PrivateKey, options: SandboxOptions, default_ca_file: str | Path
    ) -> None:
        self._store = store
        self._key = signing_key
        self._options = options
        self.ca_file = options.callback_ca_file or str(default_ca_file)
        self._lock = threading.Condition()
        self._log: list[Delivery] = []
        self._due: list[tuple[float, int, Delivery]] = []  # a heap by due time (monotonic)
        self._order = itertools.count()
        self._clock_due: dict[int, float] = {}  # delivery id -> when it is due on the sandbox clock
        self._ids = itertools.count(1)
        self._stopping = False
        self._in_flight: dict[int, _Flight] = {}  # by worker thread
        self._busy: set[tuple[str, int] | str] = set()  # receivers with an attempt under way
        self._threads: list[threading.Thread] = []
        self._unlisten: Callable[[], None] | None = None
        self._tls: ssl.SSLContext | None = None

    # -- lifecycle --------------------------------------------------------------------------

    def start(self, events: EventLog | None) -> CallbackDelivery:
        """Listen to ``events`` (None: the owner passes each event to ``on_event``); the workers start
        with the first callback."""
        try:
            self._tls = ssl.create_default_context(cafile=self.ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise ValueError(
                f"callback_ca_file {self.ca_file!r} cannot be used as a CA bundle ({exc}); "
                "give a PEM file of the CA that issued your receiver's certificate."
            ) from None
        self._unlisten = events.listen(self.on_event) if events is not None else None
        return self

    def _start_workers(self) -> None:
        """The workers and the deadline watch, started with the first callback (lock held)."""
        self._threads = [
            threading.Thread(target=self._run, name=f"bunq-local-sandbox-callbacks-{n}", daemon=True)
            for n in range(WORKERS)
        ]
        self._threads.append(
            threading.Thread(target=self._watch, name="bunq-local-sandbox-deadlines", daemon=True)
        )
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        """Stop at once: an attempt under way is cut off, queued callbacks are abandoned."""
        if self._unlisten is not None:
            self._unlisten()
            self._unlisten = None
        with self._lock:
            self._stopping = True
            in_flight = [flight.handle for flight in self._in_flight.values()]
            self._lock.notify_all()
        for handle in in_flight:
            with suppress(OSError):
                handle.shutdown(socket.SHUT_RDWR)
        ends = time.monotonic() + STOP_JOIN_SECONDS
        for thread in self._threads:
            thread.join(timeout=max(0.0, ends - time.monotonic()))
        self._threads = []
        with self._lock:
            for _, _, delivery in self._due:
                delivery.outcome = ABANDONED
            self._due.clear()
            self._clock_due.clear()
            self._lock.notify_all()

    # -- what the tests and the notebook read ----------------------------------------------

    @property
    def deliveries(self) -> list[Delivery]:
        """Every callback so far, oldest first (copies: they do not change under you)."""
        with self._lock:
            return [self._copy(delivery) for delivery in self._log]

    def wait_for(
        self,
        count: int = 1,
        *,
        timeout: float = 10.0,
        where: Callable[[Delivery], bool] | None = None,
        finished: bool = True,
    ) -> list[Delivery]:
        """Block until ``count`` deliveries match ``where`` (and are finished, unless told); return them.

        Raises ``TimeoutError`` naming what the log holds when they do not come within ``timeout``.
        """

        def found() -> list[Delivery] | None:
            matches = [d for d in self._log if (d.finished or not finished) and (where is None or where(d))]
            return matches if len(matches) >= count else None

        with self._lock:
            matches = self._lock.wait_for(found, timeout)
            if not matches:
                seen = "; ".join(str(d) for d in self._log) or "nothing"
                raise TimeoutError(f"expected {count} callback(s) within {timeout:g} s; the log holds {seen}")
            return [self._copy(delivery) for delivery in matches]

    @staticmethod
    def _copy(delivery: Delivery) -> Delivery:
        return replace(delivery, attempts=list(delivery.attempts))

    # -- from event to queue ----------------------------------------------------------------

    def on_event(self, event: Event) -> None:
        """Queue the callbacks an event causes (runs in the API call's thread; never raises)."""
        try:
            self._queue_for(event)
        except Exception:  # a callback problem must never fail the API call that caused it
            log.exception("could not prepare the callbacks of event %s", event.id)

    def _queue_for(self, event: Event) -> None:
        db = self._store.read()
        rows = db.execute(
            "SELECT category, target FROM notification_filters"
            " WHERE user_id = ? AND (account_id IS NULL OR account_id = ?) ORDER BY id",
            (event.user_id, event.account_id),
        ).fetchall()
        if not rows or classifier_for(event.object_kind) is None:
            return
        wrapped = render_object(db, event.object_kind, event.object_id)
        if wrapped is None:
            return
        targets: dict[str, list[str]] = {}
        for row in rows:
            urls = targets.setdefault(row["category"], [])
            if row["target"] not in urls:
                urls.append(row["target"])
        for category, event_type in notifications_for(event, wrapped):
            for url in targets.get(category, []):
                notification = {"target_url": url, "category": category, "event_type": event_type}
                body = encode_json({"NotificationUrl": {**notification, "object": wrapped}})
                self._queue(Delivery(0, event.id, event.user_id, url, category, event_type, body))

    def _queue(self, delivery: Delivery) -> None:
        with self._lock:
            if self._stopping:
                return
            delivery.id = next(self._ids)
            self._log.append(delivery)
            self._trim_log()
            heapq.heappush(self._due, (time.monotonic(), next(self._order), delivery))
            self._clock_due[delivery.id] = self._options.clock()
            if not self._threads:
                self._start_workers()
            self._lock.notify_all()

    def retry(self, delivery_ids: Iterable[int]) -> None:
        """Send failed callbacks again, with a fresh set of tries (``notification-filter-failure``)."""
        wanted = set(delivery_ids)
        with self._lock:
            for delivery in self._log:
                if delivery.id in wanted and delivery.outcome == FAILED and not self._stopping:
                    delivery.outcome, delivery.attempts = PENDING, []
                    heapq.heappush(self._due, (time.monotonic(), next(self._order), delivery))
            self._lock.notify_all()

    def _trim_log(self) -> None:
        excess = len(self._log) - MAX_LOG
        if excess > 0:
            dropped = {d.id for d in [d for d in self._log if d.finished][:excess]}
            self._log = [d for d in self._log if d.id not in dropped]

    # -- the workers ------------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._lock:
                delivery = self._next_due()
            if delivery is None:
                return
            try:
                self._try(delivery)
            finally:
                with self._lock:
                    self._busy.discard(_receiver(delivery.target_url))
                    self._lock.notify_all()

    def _next_due(self) -> Delivery | None:
        """The next delivery whose time has come and whose receiver is free, waiting for one; None once
        stopping (lock held). The receiver is marked busy until the attempt ends."""
        while not self._stopping:
            now, wait, found, skipped = time.monotonic(), None, None, []
            while self._due:
                due, _, delivery = self._due[0]
                if due > now:
                    wait = due - now
                    break
                item = heapq.heappop(self._due)
                if _receiver(delivery.target_url) in self._busy:
                    skipped.append(item)  # its receiver is busy: it keeps its place
                    continue
                found = delivery
                break
            for item in skipped:
                heapq.heappush(self._due, item)
            if found is not None:
                self._busy.add(_receiver(found.target_url))
                self._clock_due.pop(found.id, None)
                return found
            self._lock.wait(wait)
        return None

    def wake(self) -> None:
        """The sandbox clock moved: what fell due on it (a retry's interval) is due now."""
        with self._lock:
            clock_now, now = self._options.clock(), time.monotonic()
            self._due = [
                (min(due, now) if self._clock_due.get(d.id, clock_now + 1) <= clock_now else due, order, d)
                for due, order, d in self._due
            ]
            heapq.heapify(self._due)
            self._lock.notify_all()

    def _watch(self) -> None:
        """Cut off every attempt whose deadline passed (whatever it was doing: connect, TLS, write, read)."""
        with self._lock:
            while not self._stopping:
                now = time.monotonic()
                for flight in self._in_flight.values():
                    if not flight.expired and flight.deadline <= now:
                        flight.expired = True
                        with suppress(OSError):
                            flight.handle.shutdown(socket.SHUT_RDWR)
                pending = [f.deadline for f in self._in_flight.values() if not f.expired]
                self._lock.wait(min(pending) - now if pending else None)

    def _refuse(self, delivery: Delivery, problem: str) -> None:
        log.warning("callback %s refused: %s", delivery.id, problem)
        with self._lock:
            delivery.outcome = REFUSED
            self._lock.notify_all()

    def _try(self, delivery: Delivery) -> None:
        problem = target_problem(delivery.target_url, self._options.callback_allowed_hosts)
        if problem is not None:
            self._refuse(delivery, problem)
            return
        if not delivery.signature:
            delivery.signature = sign_body(self._key, delivery.body)
        started, began = self._options.clock(), time.monotonic()
        try:
            status, error = self._post(delivery, callback_target(delivery.target_url))
        except _Refused as exc:
            self._refuse(delivery, str(exc))
            return
        attempt = Attempt(len(delivery.attempts) + 1, started, time.monotonic() - began, status, error)
        with self._lock:
            delivery.attempts.append(attempt)
            if error is None:
                delivery.outcome = DELIVERED
            elif attempt.number > MAX_RETRIES:
                delivery.outcome = FAILED
            elif self._stopping:
                delivery.outcome = ABANDONED
            else:
                due = time.monotonic() + self._options.callback_retry_interval
                heapq.heappush(self._due, (due, next(self._order), delivery))
                self._clock_due[delivery.id] = self._options.clock() + self._options.callback_retry_interval
            self._lock.notify_all()

    def _address(self, target: Target) -> tuple[int, tuple[Any, ...]]:
        """Resolve the host once and pick an address callbacks may go to: (family, socket address).

        ``_Refused`` when it resolves only to addresses that are not loopback and not allowed;
        OSError when it does not resolve."""
        if target.address is not None:
            family = socket.AF_INET6 if target.address.version == 6 else socket.AF_INET
            found = [(family, (str(target.address), target.port))]
        else:
            found = [
                (info[0], info[4])
                for info in socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
            ]
        allowed = _allowed(target, self._options.callback_allowed_hosts)
        for family, sockaddr in found:
            address = _ip(str(sockaddr[0]))
            if address is not None and (allowed or _loopback_address(address)):
                return family, sockaddr
        shown = ", ".join(str(sockaddr[0]) for _, sockaddr in found) or "nothing"
        raise _Refused(f'"{target.host}" resolves to {shown}, not to a loopback address')

    def _post(self, delivery: Delivery, target: Target) -> tuple[int | None, str | None]:
        """POST the callback once: (status, None) when delivered, else (status or None, why not)."""
        timeout = self._options.callback_timeout
        deadline = time.monotonic() + timeout
        headers = {
            "Content-Type": JSON_CONTENT_TYPE,
            "User-Agent": USER_AGENT,
            "Cache-Control": "no-cache",
            SERVER_SIGNATURE_HEADER: delivery.signature,
        }
        flight: _Flight | None = None
        connection: http.client.HTTPSConnection | None = None

        def left() -> float:
            return max(deadline - time.monotonic(), 0.001)

        try:
            family, sockaddr = self._address(target)
            raw = socket.socket(family, socket.SOCK_STREAM)
            # A second descriptor of the same socket: the deadline watch and stop() shut it down to
            # end this try at once, in any step (wrapping in TLS takes the first descriptor away).
            flight = _Flight(raw.dup(), deadline)
            with self._lock:
                if self._stopping:
                    raw.close()
                    return None, "the sandbox stopped during this try"
                self._in_flight[threading.get_ident()] = flight
                self._lock.notify_all()  # the watch learns the new deadline
            raw.settimeout(left())
            raw.connect(sockaddr)  # exactly the address that was checked
            secure = self._tls.wrap_socket(raw, server_hostname=target.host)  # type: ignore[union-attr]
            connection = http.client.HTTPSConnection(target.host, target.port, context=self._tls)
            connection.sock = secure
            secure.settimeout(left())
            connection.request("POST", target.path, body=delivery.body, headers=headers)
            secure.settimeout(left())
            response = connection.getresponse()
            response.read(MAX_ANSWER_BYTES)
            if 200 <= response.status < 300:
                return response.status, None
            return response.status, f"the receiver answered {response.status} {response.reason}"
        except _Refused:
            raise
        except ssl.SSLCertVerificationError as exc:
            return None, f"its certificate is not trusted ({exc.verify_message}; CA file {self.ca_file})"
        except (OSError, http.client.HTTPException) as exc:
            if self._stopping:
                return None, "the sandbox stopped during this try"
            if isinstance(exc, TimeoutError) or (flight is not None and flight.expired):
                return None, f"no answer within {timeout:g} s"
            return None, f"could not reach it ({exc.__class__.__name__}: {exc})"
        finally:
            with self._lock:
                self._in_flight.pop(threading.get_ident(), None)
            if flight is not None:
                flight.handle.close()
            if connection is not None:
                connection.close()
