"""Callbacks: the local sandbox POSTs bunq's notification to every URL registered for an event.

1. ``CallbackDelivery.on_event`` hears of each committed event (``EventLog.listen``) in the thread
   of the API call that caused it. It finds the matching filters (the user's own list, and the list
   of the account the event happened on), renders the object as bunq wraps it and queues one
   ``Delivery`` per (URL, category). No network there: the API call never waits for a receiver.
2. One worker thread sends them: ``POST`` of ``{"NotificationUrl": {"target_url", "category",
   "event_type", "object"}}`` with ``X-Bunq-Server-Signature`` (the sandbox's response-signing key
   over the exact body bytes, as on every response), over HTTPS verified against
   ``callback_ca_file`` (default: the sandbox's own CA). A 2xx answer is delivered; any other
   status, a refused connection, a TLS failure or a timeout is a failed try.
3. bunq: a failed callback "is tried again for a maximum of 5 times, with an interval of one minute
   between each try"; after the 6th try it is not sent any more. So here, with the interval in
   ``SandboxOptions.callback_retry_interval``.

Callbacks only go to loopback addresses, or to hosts the user allowed (``callback_allowed_hosts``,
``--callback-allow-host``): a sandbox that anyone can point at any URL would be a way to make the
user's machine send requests elsewhere. Registration refuses other hosts (400, see
``target_problem``); the worker checks again before each try.

Where bunq's pages are silent, the sandbox chooses: the notification is rendered when the event
happens, so every try carries the same bytes; a URL registered both on the user and on the account
gets one callback per event; redirects are not followed; no proxy is used. bunq's callbacks page
does not mention a signature on callbacks; the sandbox signs them like its responses.
"""

from __future__ import annotations

import heapq
import http.client
import ipaddress
import itertools
import json
import logging
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

PENDING = "pending"
DELIVERED = "delivered"
FAILED = "failed"  # every try failed
REFUSED = "refused"  # the target is not (or no longer) allowed
ABANDONED = "abandoned"  # the sandbox stopped first


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this machine: ``localhost``, 127.0.0.0/8 or ::1 (also IPv4-mapped)."""
    host = normalise_host(host)
    if host in LOOPBACK_NAMES:
        return True
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or bool(mapped and mapped.is_loopback)


def _same_host(host: str, allowed: str) -> bool:
    try:
        return ipaddress.ip_address(host) == ipaddress.ip_address(allowed)
    except ValueError:
        return host == allowed


def target_problem(url: str, allowed_hosts: Iterable[str]) -> str | None:
    """Why the sandbox will not call ``url`` back, or None if it will."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "https":
        return f'Field "notification_target" must be an https:// URL (bunq calls back over HTTPS only); got "{url}".'
    try:
        host, _port = parts.hostname, parts.port
    except ValueError:
        host = None
    if not host:
        return f'Field "notification_target" is not a URL with a host and a valid port: "{url}".'
    host = normalise_host(host)
    if is_loopback(host) or any(_same_host(host, allowed) for allowed in allowed_hosts):
        return None
    return (
        f'The local sandbox only calls back loopback addresses (127.0.0.1, ::1, localhost); "{host}" is not '
        f"one. To receive callbacks there, start the sandbox with --callback-allow-host {host} "
        f'(or SandboxOptions(callback_allowed_hosts=("{host}",))).'
    )


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


class CallbackDelivery:
    """Hears of events, queues their callbacks and sends them from one background thread."""

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
        self._ids = itertools.count(1)
        self._stopping = False
        self._in_flight: socket.socket | None = None  # the socket of the try under way
        self._thread: threading.Thread | None = None
        self._unlisten: Callable[[], None] | None = None
        self._tls: ssl.SSLContext | None = None

    # -- lifecycle --------------------------------------------------------------------------

    def start(self, events: EventLog) -> CallbackDelivery:
        """Start the worker and listen to ``events``."""
        try:
            self._tls = ssl.create_default_context(cafile=self.ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise ValueError(
                f"callback_ca_file {self.ca_file!r} cannot be used as a CA bundle ({exc}); "
                "give a PEM file of the CA that issued your receiver's certificate."
            ) from None
        self._thread = threading.Thread(target=self._run, name="bunq-local-sandbox-callbacks", daemon=True)
        self._thread.start()
        self._unlisten = events.listen(self.on_event)
        return self

    def stop(self) -> None:
        """Stop at once: an attempt under way is cut off, queued callbacks are abandoned."""
        if self._unlisten is not None:
            self._unlisten()
            self._unlisten = None
        with self._lock:
            self._stopping = True
            in_flight = self._in_flight
            self._lock.notify_all()
        if in_flight is not None:
            with suppress(OSError):
                in_flight.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=STOP_JOIN_SECONDS)
            self._thread = None
        with self._lock:
            for _, _, delivery in self._due:
                delivery.outcome = ABANDONED
            self._due.clear()
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
            self._lock.notify_all()

    def _trim_log(self) -> None:
        excess = len(self._log) - MAX_LOG
        if excess > 0:
            dropped = {d.id for d in [d for d in self._log if d.finished][:excess]}
            self._log = [d for d in self._log if d.id not in dropped]

    # -- the worker -------------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._lock:
                delivery = self._next_due()
            if delivery is None:
                return
            self._try(delivery)

    def _next_due(self) -> Delivery | None:
        """The next delivery whose time has come, waiting for it; None once stopping (lock held)."""
        while not self._stopping:
            if not self._due:
                self._lock.wait()
                continue
            wait = self._due[0][0] - time.monotonic()
            if wait <= 0:
                return heapq.heappop(self._due)[2]
            self._lock.wait(wait)
        return None

    def _try(self, delivery: Delivery) -> None:
        problem = target_problem(delivery.target_url, self._options.callback_allowed_hosts)
        if problem is not None:
            log.warning("callback %s refused: %s", delivery.id, problem)
            with self._lock:
                delivery.outcome = REFUSED
                self._lock.notify_all()
            return
        if not delivery.signature:
            delivery.signature = sign_body(self._key, delivery.body)
        started, began = self._options.clock(), time.monotonic()
        status, error = self._post(delivery)
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
            self._lock.notify_all()

    def _post(self, delivery: Delivery) -> tuple[int | None, str | None]:
        """POST the callback once: (status, None) when delivered, else (status or None, why not)."""
        parts = urlsplit(delivery.target_url)
        host, port = str(parts.hostname), parts.port or 443
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        timeout = self._options.callback_timeout
        headers = {
            "Content-Type": JSON_CONTENT_TYPE,
            "User-Agent": USER_AGENT,
            "Cache-Control": "no-cache",
            SERVER_SIGNATURE_HEADER: delivery.signature,
        }
        connection = http.client.HTTPSConnection(host, port, context=self._tls, timeout=timeout)
        handle: socket.socket | None = None
        try:
            raw = socket.create_connection((host, port), timeout=timeout)
            # A second descriptor of the same socket: stop() shuts it down to end this try at once,
            # also during the TLS handshake (wrapping takes the first descriptor away).
            handle = raw.dup()
            with self._lock:
                if self._stopping:  # the connection is open already: the try had begun
                    raw.close()
                    return None, "the sandbox stopped during this try"
                self._in_flight = handle
            connection.sock = self._tls.wrap_socket(raw, server_hostname=host)
            connection.request("POST", path, body=delivery.body, headers=headers)
            response = connection.getresponse()
            response.read(65_536)
            if 200 <= response.status < 300:
                return response.status, None
            return response.status, f"the receiver answered {response.status} {response.reason}"
        except ssl.SSLCertVerificationError as exc:
            return None, f"its certificate is not trusted ({exc.verify_message}; CA file {self.ca_file})"
        except (OSError, http.client.HTTPException) as exc:
            if self._stopping:
                return None, "the sandbox stopped during this try"
            if isinstance(exc, TimeoutError):
                return None, f"no answer within {timeout:g} s"
            return None, f"could not reach it ({exc.__class__.__name__}: {exc})"
        finally:
            with self._lock:
                self._in_flight = None
            if handle is not None:
                handle.close()
            connection.close()
