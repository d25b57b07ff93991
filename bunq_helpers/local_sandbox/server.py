"""``LocalSandbox``: the HTTPS server, in-process (``with LocalSandbox() as sandbox:``) or standalone.

It serves with ``http_server.HTTPServer``: one asyncio event loop for every connection (TLS,
keep-alive, request heads and bodies, each with its time and size limits), which also calls the
app. ``stop()`` closes the port and every connection and returns within milliseconds.
Callbacks go out from their own worker (``callbacks.CallbackDelivery``), stopped with the server and
made with the first event (or the first look at ``callbacks``): a start that serves a few calls and
no event never loads that module. A ``callback_ca_file`` of one's own is checked at start, as before.
"""

from __future__ import annotations

import atexit
import json
import logging
import shutil
import tempfile
import threading
import weakref
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .app import SANDBOX_PREFIX, SandboxApp
from .bank.clock import SandboxClock
from .bank.settlement import DueClock
from .certificates import load_or_create, server_tls_context
from .faults import Faults
from .http_io import Response
from .http_server import ConnectionLimits, HTTPServer
from .options import SandboxOptions
from .request import Request
from .store import Store

if TYPE_CHECKING:  # the control, the /_sandbox/ API and callbacks are loaded on first use, not at start
    from .callbacks import CallbackDelivery
    from .control import SandboxControl
    from .events import Event
    from .sandbox_api import SandboxApi

log = logging.getLogger("bunq_helpers.local_sandbox")

SERVER_INFO_FILE = "server.json"
DEFAULT_HOST = "127.0.0.1"

_started: weakref.WeakSet[LocalSandbox] = weakref.WeakSet()


def _stop_all() -> None:
    """A script that never called stop(): stop its sandboxes at exit (removing temporary state)."""
    for sandbox in list(_started):
        sandbox.stop()


atexit.register(_stop_all)


@dataclass(frozen=True)
class ServerInfo:
    """Where a running sandbox is and how to trust it (what ``server.json`` holds)."""

    base_url: str
    ca_file: str
    pin: str

    def to_json(self) -> str:
        """The JSON written to ``server.json``."""
        return json.dumps(asdict(self), indent=2)


class LocalSandbox:
    """A local stand-in for bunq's sandbox, over real HTTPS with real signatures.

    ``state_dir=None`` uses a fresh temporary directory removed on stop; give a directory to keep
    users, keys and sessions between runs and share them with other sandboxes on it.
    ``port=0`` picks a free port. ``options`` holds the teaching switches, all off by default.
    ``limits`` bound what one connection may take (``ConnectionLimits``).
    """

    def __init__(
        self,
        state_dir: str | Path | None = None,
        *,
        host: str = DEFAULT_HOST,
        port: int = 0,
        options: SandboxOptions | None = None,
        limits: ConnectionLimits | None = None,
    ) -> None:
        self._temporary = state_dir is None
        self.state_dir = (
            Path(tempfile.mkdtemp(prefix="bunq-local-sandbox-")) if state_dir is None else Path(state_dir)
        )
        self.host = host
        self.port = port
        options = options or SandboxOptions()
        self.clock = SandboxClock(options.clock)  # what /_sandbox/clock moves; every time rule reads it
        self.options = replace(options, clock=self.clock)
        self.faults = Faults()
        self.control: SandboxControl | None = None  # made on first use, once started
        self._control_lock = threading.Lock()
        self._sandbox_api: SandboxApi | None = None
        self._has_served = False  # the control needs an app that started
        self._limits = limits
        self._server: HTTPServer | None = None
        self._store: Store | None = None
        self._observers: list[Callable[[Request], None]] = []
        self._stop_lock = threading.Lock()
        self.info: ServerInfo | None = None
        self._callbacks: CallbackDelivery | None = None
        self._callbacks_lock = threading.Lock()
        self._unlisten_events: Callable[[], None] | None = None  # while running: events to the delivery
        self._unlisten_clock: Callable[[], None] | None = None  # while running: clock moves wake it
        self.due_clock: DueClock | None = None  # runs due scheduled payments in the background, while running

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> LocalSandbox:
        """Bind, start serving in a background thread, and write ``server.json``."""
        if self._server is not None:
            return self
        self.state_dir.mkdir(parents=True, exist_ok=True)
        credentials = load_or_create(self.state_dir)
        self._store = Store(self.state_dir)
        self.app = SandboxApp(self._store, credentials, self.options, self.faults, requests_seen=self._notify)
        server = HTTPServer(
            self.app,
            host=self.host,
            port=self.port,
            ssl_context=server_tls_context(credentials),
            max_body_bytes=self.options.max_body_bytes,
            limits=self._limits,
            clock=self.app.clock,
        )
        self._callbacks = None
        self._unlisten_events = self.app.events.listen(self._on_event)
        try:
            if self.options.callback_ca_file is not None:  # one's own CA file: a bad one fails the start
                self._callback_delivery()
            self.port = server.start()
            self.due_clock = DueClock(self.app.context.bank).start()
        except BaseException:
            if self._callbacks is not None:
                self._callbacks.stop()
                self._callbacks = None
            self._store.close()
            self._store = None
            raise
        self._server = server
        self._has_served = True
        self.app.sandbox_api = self._answer_sandbox_api
        self._unlisten_clock = self.clock.listen(self._wake_callbacks)
        _started.add(self)
        host = f"[{self.host}]" if ":" in self.host else self.host
        self.info = ServerInfo(f"https://{host}:{self.port}/v1/", str(credentials.ca_file), credentials.pin)
        (self.state_dir / SERVER_INFO_FILE).write_text(self.info.to_json() + "\n", encoding="utf-8")
        return self

    def stop(self) -> None:
        """Stop serving, close the port and the database, and remove a temporary state dir (idempotent)."""
        with self._stop_lock:
            self._stop()

    def _stop(self) -> None:
        server, self._server = self._server, None
        _started.discard(self)
        if server is not None:
            server.stop()
        if self.due_clock is not None:
            self.due_clock.stop()
            self.due_clock = None
        if self._unlisten_events is not None:
            self._unlisten_events()
            self._unlisten_events = None
        if self._callbacks is not None:
            self._callbacks.stop()
        if self._unlisten_clock is not None:
            self._unlisten_clock()
            self._unlisten_clock = None
        if self._store is not None:
            self._store.close()
            self._store = None
        info_file = self.state_dir / SERVER_INFO_FILE
        if self.info is not None and info_file.exists():
            try:
                if json.loads(info_file.read_text("utf-8")).get("base_url") == self.info.base_url:
                    info_file.unlink()
            except (OSError, ValueError):
                pass
        if self._temporary:
            shutil.rmtree(self.state_dir, ignore_errors=True)

    def __enter__(self) -> LocalSandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        """Whether the server is serving."""
        return self._server is not None

    # -- what clients need ------------------------------------------------------------------

    def _require_info(self) -> ServerInfo:
        if self.info is None:
            raise RuntimeError("The local sandbox is not running; call start() or use it in a with block.")
        return self.info

    @property
    def base_url(self) -> str:
        """``https://127.0.0.1:<port>/v1/``."""
        return self._require_info().base_url

    @property
    def ca_file(self) -> str:
        """The CA certificate clients must trust."""
        return self._require_info().ca_file

    @property
    def pin(self) -> str:
        """``sha256/…`` of the server certificate's public key."""
        return self._require_info().pin

    @property
    def callbacks(self) -> CallbackDelivery | None:
        """Callback delivery and its log (None before the first start); made on first use."""
        if not self._has_served:
            return None
        return self._callback_delivery()

    def _callback_delivery(self) -> CallbackDelivery:
        """The delivery, made now if not yet: listening while the sandbox runs, idle once it stopped."""
        with self._callbacks_lock:
            if self._callbacks is None:
                from .callbacks import CallbackDelivery

                credentials = self.app.credentials
                delivery = CallbackDelivery(
                    self._store, credentials.signing_key, self.options, credentials.ca_file
                )
                self._callbacks = delivery.start(None) if self._store is not None else delivery
                self.app.context.callbacks = self._callbacks
            return self._callbacks

    def _on_event(self, event: Event) -> None:
        """Every committed event, to the callback delivery (made with the first; never raises, as
        ``CallbackDelivery.on_event``: a callback problem must not fail the API call that caused it)."""
        delivery = self._callbacks
        if delivery is None:
            try:
                delivery = self._callback_delivery()
            except Exception:
                log.exception("could not start the callback delivery for event %s", event.id)
                return
        delivery.on_event(event)

    def _wake_callbacks(self) -> None:
        if self._callbacks is not None:
            self._callbacks.wake()

    @property
    def store(self) -> Store:
        """The state database (for tests and resets)."""
        if self._store is None:
            raise RuntimeError("The local sandbox is not running.")
        return self._store

    # -- helpers -----------------------------------------------------------------------------

    def reset(self) -> None:
        """Wipe users, keys, installations, sessions and money (TLS files and the server key stay)."""
        self._require_control().reset()

    # -- the sandbox's own operations (also at /_sandbox/ and on the command line) ----------------

    def _require_control(self) -> SandboxControl:
        with self._control_lock:
            if self.control is None:
                if not self._has_served:
                    raise RuntimeError(
                        "The local sandbox is not running; call start() or use it in a with block."
                    )
                from .control import SandboxControl

                self.control = SandboxControl(self.app, self.state_dir, lambda: self.callbacks)
            return self.control

    def _answer_sandbox_api(self, request: Request) -> Response:
        """``/_sandbox/``: its module (and the dashboard's) loaded on the first such request."""
        if self._sandbox_api is None:
            from .sandbox_api import SandboxApi

            self._sandbox_api = SandboxApi(self._require_control(), self.app.credentials.signing_key)
        return self._sandbox_api(request)

    @property
    def sandbox_url(self) -> str:
        """``https://127.0.0.1:<port>/_sandbox/``: the dashboard, and the root of the sandbox's own API."""
        return self.base_url[: -len("/v1/")] + SANDBOX_PREFIX + "/"

    def journal(
        self,
        *,
        request_id: str | None = None,
        response_id: str | None = None,
        status: int | None = None,
        path: str | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """The last exchanges, newest first, each refusal with its ``explanation`` (as GET /_sandbox/journal)."""
        return self._require_control().journal(
            request_id=request_id, response_id=response_id, status=status, path=path, limit=limit
        )

    def advance_clock(self, seconds: float) -> str:
        """Move the sandbox clock forward; returns its new time (ISO 8601). Sessions expire, schedules run."""
        self.clock.advance(seconds)
        return self.clock.to_json()["now"]

    def set_clock(self, when: Any) -> str:
        """Set the sandbox clock (ISO 8601 text, datetime or epoch seconds), never backwards."""
        self.clock.set(when)
        return self.clock.to_json()["now"]

    def save_snapshot(self, name: str) -> dict[str, Any]:
        """Save the whole state under ``name``."""
        return self._require_control().snapshots.save(name)

    def restore_snapshot(self, name: str) -> dict[str, Any]:
        """Make the state what snapshot ``name`` holds (all at once, or not at all)."""
        return self._require_control().restore(name)

    def snapshots(self) -> list[dict[str, Any]]:
        """The snapshots saved, oldest first."""
        return self._require_control().snapshots.list()

    def delete_snapshot(self, name: str) -> None:
        """Remove snapshot ``name``."""
        self._require_control().snapshots.delete(name)

    def load_scenario(self, name: str) -> dict[str, Any]:
        """Wipe the state and seed scenario ``name``; answers its users with their API keys."""
        return self._require_control().load_scenario(name)

    def create_user(self, company: bool = False) -> dict[str, Any]:
        """A new sandbox user: ``name``, ``user_id``, ``account_id``, ``iban`` and its ``api_key``."""
        return self._require_control().create_user(company=company)

    def trigger(self, name: str, **params: Any) -> dict[str, Any]:
        """Make an event happen: ``incoming-payment``, ``card-payment``, ``request``, ``direct-debit``."""
        return self._require_control().trigger(name, params)

    def observe(self, callback: Callable[[Request], None]) -> Callable[[], None]:
        """Call ``callback`` with every request received; returns a function that stops it."""
        self._observers.append(callback)
        return lambda: self._observers.remove(callback)

    def _notify(self, request: Request) -> None:
        for callback in list(self._observers):
            callback(request)


def reset_state(state_dir: str | Path) -> None:
    """Wipe a state directory's bunq data without starting a server."""
    store = Store(Path(state_dir))
    try:
        store.reset()
    finally:
        store.close()
