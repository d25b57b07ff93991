"""Receive bunq's callbacks: a small HTTPS server that checks each one's signature and records it.

    receiver = CallbackReceiver(context, ca_dir=state_dir).start()   # or t.callback_receiver()
    receiver.url                  # register this as a notification-filter-url's notification_target
    callback = receiver.next(timeout=10)   # the next callback, shown like every exchange
    receiver.stop()

Each POST is checked before it is believed: ``X-Bunq-Server-Signature`` must be the signature of
the server key in the API context over the exact body bytes, and the body must hold bunq's
``NotificationUrl`` object. A callback that is unsigned, tampered with or not bunq's is answered 400
and recorded as rejected; a good one is answered 200. Any 2xx tells bunq the callback arrived;
anything else makes bunq try again, up to 5 more times, a minute apart.

Against the local sandbox the receiver's certificate is issued by the sandbox's own CA (``ca.pem``
and ``ca-key.pem`` in its state folder, read as files: the client does not use sandbox code), which
the sandbox trusts when it calls back. Against bunq's real sandbox bunq must reach the URL: it calls
back only a publicly reachable ``https://`` URL (from its own servers; production from
185.40.108.0/22). Put the receiver behind one, e.g. a reverse proxy or a tunnel forwarding to
``receiver.local_url``, and pass that address as ``public_url``: ``receiver.url`` is then what you
register. bunq's callbacks page does not say whether bunq signs callbacks; if bunq's arrive without
``X-Bunq-Server-Signature``, ``require_signature=False`` records them as unverified instead of
rejecting them (and then re-read the object with the API before trusting it).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import socket
import ssl
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

import trustme

from ..crypto.keys import PublicKey
from ..crypto.signing import SERVER_SIGNATURE_HEADER, body_digest, verify_body
from ..errors import ConfigurationError
from .endpoint import require_https
from .envelope import response_items
from .exchange import Exchange

if TYPE_CHECKING:
    from .context import ApiContext
    from .transport import BunqClient

SANDBOX_CA_CERT = "ca.pem"  # what the local sandbox keeps in its state folder
SANDBOX_CA_KEY = "ca-key.pem"
DEFAULT_PATH = "/bunq/callback"
MAX_BODY_BYTES = 1_048_576
MAX_KEPT = 1000  # callbacks kept; the oldest go first
SOCKET_TIMEOUT = 10
SIGNATURE_NOTE = "Checked over the callback body with the server public key from the API context."


class _HasServerKey(Protocol):
    """What the receiver needs of an API context."""

    @property
    def server_public_key(self) -> PublicKey | None: ...

    @property
    def secrets(self) -> dict[str, str]: ...


@dataclass(frozen=True)
class Callback:
    """One callback that reached the receiver: the exchange, and whether it was believed."""

    exchange: Exchange
    accepted: bool
    reason: str  # why it was rejected ("" when accepted)
    notification: dict[str, Any] | None  # the NotificationUrl object, when the body held one
    received_at: dt.datetime

    @property
    def category(self) -> str | None:
        """``PAYMENT``, ``MUTATION``, ``REQUEST``, ..."""
        return (self.notification or {}).get("category")

    @property
    def event_type(self) -> str | None:
        """``PAYMENT_CREATED``, ``MUTATION_RECEIVED``, ..."""
        return (self.notification or {}).get("event_type")

    @property
    def object(self) -> dict[str, Any] | None:
        """The object the callback is about, as bunq wraps it: ``{"Payment": {...}}``."""
        return (self.notification or {}).get("object")

    @property
    def body(self) -> bytes:
        """The body bytes exactly as they arrived (what the signature covers)."""
        return self.exchange.request_body

    @property
    def signature(self) -> str | None:
        """The X-Bunq-Server-Signature header, if there was one."""
        return self.exchange.request_header(SERVER_SIGNATURE_HEADER)

    def text(self, *, reveal: bool = False) -> str:
        """The exchange as plain text."""
        return self.exchange.text(reveal=reveal)

    def _repr_html_(self) -> str:
        return self.exchange.html()

    def __repr__(self) -> str:
        if self.accepted:
            return f"<Callback {self.event_type or '(no event type)'} accepted>"
        return f"<Callback rejected: {self.reason}>"


class _Handler(BaseHTTPRequestHandler):
    """Reads one POST and lets the receiver judge it."""

    protocol_version = "HTTP/1.1"
    server: _Server

    def do_POST(self) -> None:
        started = time.perf_counter()
        length = self.headers.get("Content-Length", "")
        if not length.isdigit() or int(length) > MAX_BODY_BYTES:
            body, problem = b"", f"the body must have a Content-Length of at most {MAX_BODY_BYTES} bytes"
            self.close_connection = True
        else:
            body, problem = self.rfile.read(int(length)), None
        headers = list(self.headers.items())
        status, answer = self.server.receiver._judge(self.path, headers, body, problem, started)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, receiver: CallbackReceiver, address: tuple[str, int], tls: ssl.SSLContext) -> None:
        self.receiver = receiver
        self.tls = tls
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)

    def finish_request(self, request: Any, client_address: Any) -> None:
        request.settimeout(SOCKET_TIMEOUT)
        try:
            secured = self.tls.wrap_socket(request, server_side=True)
        except OSError:
            return  # a client that does not trust us, or is not speaking TLS: nothing to record
        try:
            super().finish_request(secured, client_address)
        finally:
            secured.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a connection dropped half-way: the callback was not received, bunq will try again


class CallbackReceiver:
    """An HTTPS server on a loopback port that receives, checks and records bunq's callbacks.

    ``context`` gives the server public key (read for each callback, so a new installation's key is
    used at once). ``ca_dir``: the local sandbox's state folder, to get a certificate from its CA;
    without it the receiver makes a CA of its own (``ca_file``). ``public_url``: the ``https://``
    address bunq reaches the receiver at, when it is behind a proxy or tunnel.
    """

    def __init__(
        self,
        context: _HasServerKey,
        *,
        ca_dir: str | Path | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        path: str = DEFAULT_PATH,
        public_url: str | None = None,
        require_signature: bool = True,
    ) -> None:
        self.context = context
        self.host = host
        self.port = port
        self.path = path if path.startswith("/") else "/" + path
        self.public_url = require_https(public_url) if public_url else None
        self.require_signature = require_signature
        self.compact = False  # show callbacks as one line each, details a click away
        self._ca_dir = Path(ca_dir) if ca_dir is not None else None
        self._own_dir: Path | None = None
        self.ca_file: str | None = None
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Condition()
        self._callbacks: list[Callback] = []
        self._taken = 0  # how many ``next`` has handed out

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> CallbackReceiver:
        """Listen (a free port unless one was given) and serve from a background thread."""
        if self._server is not None:
            return self
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._certificate().configure_cert(tls)
        self._server = _Server(self, (self.host, self.port), tls)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._serve, name="bunq-callback-receiver", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening at once and close the port (idempotent)."""
        server, self._server = self._server, None
        if server is not None:
            with suppress(OSError):
                server.socket.shutdown(socket.SHUT_RDWR)  # wakes the accept() below
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        if self._own_dir is not None:
            shutil.rmtree(self._own_dir, ignore_errors=True)
            self._own_dir = None

    def __enter__(self) -> CallbackReceiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        """Whether the receiver is listening."""
        return self._server is not None

    def _serve(self) -> None:
        server = self._server
        while server is not None:
            try:
                connection, address = server.socket.accept()
            except OSError:
                return  # stop() closed the socket
            server.process_request(connection, address)

    def _certificate(self) -> trustme.LeafCert:
        names = ("127.0.0.1", "localhost", "::1")
        if self._ca_dir is None:
            ca = trustme.CA(organization_name="bunq_helpers callback receiver CA")
            self._own_dir = Path(tempfile.mkdtemp(prefix="bunq-callback-receiver-"))
            self.ca_file = str(self._own_dir / SANDBOX_CA_CERT)
            ca.cert_pem.write_to_path(self.ca_file)
        else:
            cert, key = self._ca_dir / SANDBOX_CA_CERT, self._ca_dir / SANDBOX_CA_KEY
            try:
                ca = trustme.CA.from_pem(cert.read_bytes(), key.read_bytes())
            except (OSError, ValueError) as exc:
                raise ConfigurationError(
                    f"Cannot read the local sandbox's CA in {self._ca_dir} ({exc}). Give the sandbox's"
                    " state folder (it holds ca.pem and ca-key.pem once the sandbox has started)."
                ) from None
            self.ca_file = str(cert)
        return ca.issue_cert(*names, common_name="bunq callback receiver")

    # -- addresses ------------------------------------------------------------------------------

    @property
    def local_url(self) -> str:
        """Where the receiver listens: ``https://127.0.0.1:<port>/bunq/callback``."""
        if self._server is None:
            raise RuntimeError("The callback receiver is not running; call start() first.")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"https://{host}:{self.port}{self.path}"

    @property
    def url(self) -> str:
        """The URL to register as ``notification_target``: ``public_url`` if given, else ``local_url``."""
        return self.public_url or self.local_url

    # -- judging a callback -----------------------------------------------------------------------

    def _judge(
        self,
        path: str,
        headers: list[tuple[str, str]],
        body: bytes,
        problem: str | None,
        started: float,
    ) -> tuple[int, bytes]:
        signature = next((v for k, v in headers if k.lower() == SERVER_SIGNATURE_HEADER.lower()), None)
        valid: bool | None = None
        notification: dict[str, Any] | None = None
        if problem is None and urlsplit(path).path != self.path:
            problem = f"callbacks are received at {self.path}, not {urlsplit(path).path}"
        if problem is None:
            valid, problem = self._check_signature(body, signature)
        if problem is None:
            notification, problem = _notification_of(body)
        accepted = problem is None
        status = 200 if accepted else 400
        answer = b"{}" if accepted else json.dumps({"error": problem}).encode()
        exchange = Exchange(
            title=f"Callback {(notification or {}).get('event_type') or ''}".strip()
            if accepted
            else "Callback rejected",
            method="POST",
            url=self.local_url.removesuffix(self.path) + path,
            request_headers=headers,
            request_body=body,
            signed_bytes=body if signature else None,
            signed_digest=body_digest(body) if signature else None,
            signature=signature,
            status=status,
            reason="OK" if accepted else "Bad Request",
            response_headers=[("Content-Type", "application/json"), ("Content-Length", str(len(answer)))],
            response_body=answer,
            server_signature_valid=valid,
            server_signature_note=_signature_note(valid, problem),
            extracted=_picked_out(notification) if notification else {},
            elapsed=time.perf_counter() - started,
            error=problem,
            secrets=dict(self.context.secrets),
            received=True,
            compact=self.compact,
        )
        callback = Callback(exchange, accepted, problem or "", notification, dt.datetime.now(dt.timezone.utc))
        with self._lock:
            self._callbacks.append(callback)
            if len(self._callbacks) > MAX_KEPT:
                del self._callbacks[0]
                self._taken = max(0, self._taken - 1)
            self._lock.notify_all()
        return status, answer

    def _check_signature(self, body: bytes, signature: str | None) -> tuple[bool | None, str | None]:
        if not signature:
            if self.require_signature:
                return None, "no X-Bunq-Server-Signature header: not signed, so not believed"
            return None, None
        key = self.context.server_public_key
        if key is None:
            return None, "the API context has no server public key yet (create an installation first)"
        if not verify_body(key, body, signature):
            return (
                False,
                "X-Bunq-Server-Signature does not verify over the body: tampered with, or not from bunq",
            )
        return True, None

    # -- reading what arrived ----------------------------------------------------------------------

    @property
    def callbacks(self) -> list[Callback]:
        """Every callback so far, oldest first, accepted or rejected."""
        with self._lock:
            return list(self._callbacks)

    def next(self, timeout: float = 10.0) -> Callback:
        """The next callback not handed out yet, waiting up to ``timeout`` seconds for it."""
        with self._lock:
            if not self._lock.wait_for(lambda: len(self._callbacks) > self._taken, timeout):
                raise TimeoutError(
                    f"No callback arrived at {self.url} within {timeout:g} s. Is a notification filter"
                    " registered for this URL, and did something of its category happen?"
                )
            self._taken += 1
            return self._callbacks[self._taken - 1]

    def wait_for(
        self, count: int = 1, *, timeout: float = 10.0, where: Callable[[Callback], bool] | None = None
    ) -> list[Callback]:
        """Wait until ``count`` callbacks (matching ``where``) have arrived; return all that match."""

        def matching() -> list[Callback] | None:
            found = [c for c in self._callbacks if where is None or where(c)]
            return found if len(found) >= count else None

        with self._lock:
            found = self._lock.wait_for(matching, timeout)
            if not found:
                seen = ", ".join(repr(c) for c in self._callbacks) or "none"
                raise TimeoutError(f"Expected {count} callback(s) within {timeout:g} s; received {seen}.")
            self._taken = max(self._taken, len(self._callbacks))
            return found


def _signature_note(valid: bool | None, problem: str | None) -> str:
    if valid is True:
        return SIGNATURE_NOTE
    if valid is False:
        return f"{SIGNATURE_NOTE} It does not match: the body was changed, or another key signed it."
    if problem:
        return f"Not verified: {problem}."
    return "Not verified: no X-Bunq-Server-Signature header (recorded, since require_signature=False)."


def _notification_of(body: bytes) -> tuple[dict[str, Any] | None, str | None]:
    try:
        data = json.loads(body)
    except ValueError:
        return None, "the body is not JSON"
    notification = data.get("NotificationUrl") if isinstance(data, dict) else None
    if not isinstance(notification, dict):
        return None, 'the body holds no "NotificationUrl" object'
    return notification, None


def _picked_out(notification: dict[str, Any]) -> dict[str, Any]:
    picked: dict[str, Any] = {
        "category": notification.get("category"),
        "event_type": notification.get("event_type"),
    }
    wrapped = notification.get("object")
    if isinstance(wrapped, dict) and len(wrapped) == 1:
        kind, fields = next(iter(wrapped.items()))
        picked["object"] = f"{kind} {fields.get('id')}" if isinstance(fields, dict) else kind
        if isinstance(fields, dict) and isinstance(fields.get("amount"), dict):
            amount = fields["amount"]
            picked["amount"] = f"{amount.get('value')} {amount.get('currency')}"
    return picked


# -- registering where callbacks go --------------------------------------------------------------


def notification_filter_path(context: ApiContext, account_id: int | None = None) -> str:
    """``user/{id}/notification-filter-url``, or the one of a monetary account."""
    account = f"/monetary-account/{account_id}" if account_id is not None else ""
    return f"user/{context.user_id}{account}/notification-filter-url"


def _filters_of(exchange: Exchange) -> list[tuple[str, str]]:
    filters = [item.get("NotificationFilterUrl", {}) for item in response_items(exchange)]
    found = [(f.get("category", ""), f.get("notification_target", "")) for f in filters]
    exchange.extracted["notification_filters"] = [
        f"{category} -> {url}" for category, url in found
    ] or "(none)"
    return found


def set_notification_filters(
    client: BunqClient,
    context: ApiContext,
    filters: Iterable[tuple[str, str]],
    *,
    account_id: int | None = None,
) -> tuple[list[tuple[str, str]], Exchange]:
    """Replace the user's (or an account's) callback list with ``(category, url)`` pairs; ``[]`` removes all.

    bunq answers with the list now registered (not an ``Id``, whatever its API reference says).
    """
    body = {"notification_filters": [{"category": c, "notification_target": url} for c, url in filters]}
    exchange = client.request(
        "POST",
        notification_filter_path(context, account_id),
        body=body,
        token=context.session_token,
        title="Register callback URLs" if body["notification_filters"] else "Remove every callback URL",
    )
    return _filters_of(exchange), exchange


def list_notification_filters(
    client: BunqClient, context: ApiContext, *, account_id: int | None = None
) -> tuple[list[tuple[str, str]], Exchange]:
    """The user's (or an account's) callback list as ``(category, url)`` pairs."""
    exchange = client.request(
        "GET",
        notification_filter_path(context, account_id),
        token=context.session_token,
        title="List callback URLs",
    )
    return _filters_of(exchange), exchange
