"""``LocalSandbox``: the HTTPS server, in-process (``with LocalSandbox() as sandbox:``) or standalone.

It serves with ``http_server.HTTPServer``: one asyncio event loop for every connection (TLS,
keep-alive, request heads and bodies, each with its time and size limits), which also calls the
app. ``stop()`` closes the port and every connection and returns within milliseconds.
Callbacks go out from their own worker (``callbacks.CallbackDelivery``), started and stopped with
the server.
"""

from __future__ import annotations

import atexit
import json
import shutil
import tempfile
import threading
import weakref
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from .app import SandboxApp
from .bank.settlement import DueClock
from .callbacks import CallbackDelivery
from .certificates import load_or_create, server_tls_context
from .faults import Faults
from .http_server import ConnectionLimits, HTTPServer
from .options import SandboxOptions
from .request import Request
from .store import Store

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
        self.options = options or SandboxOptions()
        self.faults = Faults()
        self._limits = limits
        self._server: HTTPServer | None = None
        self._store: Store | None = None
        self._observers: list[Callable[[Request], None]] = []
        self._stop_lock = threading.Lock()
        self.info: ServerInfo | None = None
        self.callbacks: CallbackDelivery | None = None  # callback delivery and its log, while running
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
        )
        try:
            self.callbacks = CallbackDelivery(
                self._store, credentials.signing_key, self.options, credentials.ca_file
            ).start(self.app.events)
            self.port = server.start()
            self.due_clock = DueClock(self.app.context.bank).start()
        except BaseException:
            if self.callbacks is not None:
                self.callbacks.stop()
                self.callbacks = None
            self._store.close()
            self._store = None
            raise
        self._server = server
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
        if self.callbacks is not None:
            self.callbacks.stop()
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
    def store(self) -> Store:
        """The state database (for tests and resets)."""
        if self._store is None:
            raise RuntimeError("The local sandbox is not running.")
        return self._store

    # -- helpers -----------------------------------------------------------------------------

    def reset(self) -> None:
        """Wipe users, keys, installations, sessions and money (TLS files and the server key stay)."""
        self.store.reset()
        self.app.rate_limiter.clear()

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
