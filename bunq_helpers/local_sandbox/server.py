"""``LocalSandbox``: the HTTPS server, in-process (``with LocalSandbox() as sandbox:``) or standalone.

It serves with cheroot, CherryPy's production WSGI server: a pool of worker threads, HTTP/1.1
keep-alive (idle connections wait in a selector, not in a thread), TLS from Python's ``ssl``,
and a clean ``stop()`` that closes the listening socket and joins its threads.
"""

from __future__ import annotations

import atexit
import errno
import json
import logging
import shutil
import tempfile
import threading
import weakref
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from cheroot import wsgi
from cheroot.ssl.builtin import BuiltinSSLAdapter

from . import app as app_module
from .callbacks import CallbackDelivery
from .certificates import load_or_create
from .faults import Faults
from .http_io import Request
from .options import SandboxOptions
from .store import Store

log = logging.getLogger("bunq_helpers.local_sandbox")

SERVER_INFO_FILE = "server.json"
DEFAULT_HOST = "127.0.0.1"
WORKER_THREADS = 8
MAX_HEADER_BYTES_HARD = 262_144  # cheroot's own limit; the app answers bunq-style above 16 KiB
SOCKET_TIMEOUT = 10
# cheroot keeps at most 10 idle keep-alive connections by default and closes the 11th after its
# answer, so 16 SDK clients in parallel would pay a new TLS handshake every few requests. bunq keeps
# them open; so do we, up to a bound that stays well inside the usual 1024 open files (idle ones
# are closed after SOCKET_TIMEOUT anyway).
KEEP_ALIVE_CONNECTIONS = 256


EXIT_WATCHER_NAME = "bunq-local-sandbox-exit-watcher"
_running: weakref.WeakSet[LocalSandbox] = weakref.WeakSet()
_watcher_lock = threading.Lock()
_watcher: threading.Thread | None = None


def _stop_when_the_main_thread_ends() -> None:
    """cheroot's workers are not daemon threads, so Python would wait for them at exit before any
    atexit handler runs. The main thread is marked finished before that wait: stop the servers then."""
    threading.main_thread().join()
    for sandbox in list(_running):
        sandbox.stop()


def _finish_stopping() -> None:
    """At exit, complete any stop the watcher began (removing temporary state)."""
    for sandbox in list(_started):
        sandbox.stop()


_started: weakref.WeakSet[LocalSandbox] = weakref.WeakSet()
atexit.register(_finish_stopping)


def _stop_at_exit(sandbox: LocalSandbox) -> None:
    global _watcher
    with _watcher_lock:
        _running.add(sandbox)
        _started.add(sandbox)
        if _watcher is None:
            _watcher = threading.Thread(
                target=_stop_when_the_main_thread_ends, name=EXIT_WATCHER_NAME, daemon=True
            )
            _watcher.start()


@dataclass(frozen=True)
class ServerInfo:
    """Where a running sandbox is and how to trust it (what ``server.json`` holds)."""

    base_url: str
    ca_file: str
    pin: str

    def to_json(self) -> str:
        """The JSON written to ``server.json``."""
        return json.dumps(asdict(self), indent=2)


class _DroppingWsgiApp:
    """Wraps the app so the ``disconnect`` fault closes the socket without an answer."""

    def __init__(self, inner: app_module.SandboxApp) -> None:
        self.inner = inner

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        try:
            return self.inner(environ, start_response)
        except app_module.Disconnect:
            # cheroot closes the connection quietly on a reset; nothing is written back.
            raise ConnectionResetError(errno.ECONNRESET, "disconnect fault") from None


class LocalSandbox:
    """A local stand-in for bunq's sandbox, over real HTTPS with real signatures.

    ``state_dir=None`` uses a fresh temporary directory removed on stop; give a directory to keep
    users, keys and sessions between runs and share them with other sandboxes on it.
    ``port=0`` picks a free port. ``options`` holds the teaching switches, all off by default.
    """

    def __init__(
        self,
        state_dir: str | Path | None = None,
        *,
        host: str = DEFAULT_HOST,
        port: int = 0,
        options: SandboxOptions | None = None,
        threads: int = WORKER_THREADS,
    ) -> None:
        self._temporary = state_dir is None
        self.state_dir = (
            Path(tempfile.mkdtemp(prefix="bunq-local-sandbox-")) if state_dir is None else Path(state_dir)
        )
        self.host = host
        self.port = port
        self.options = options or SandboxOptions()
        self.faults = Faults()
        self._threads = threads
        self._server: wsgi.Server | None = None
        self._thread: threading.Thread | None = None
        self._store: Store | None = None
        self._observers: list[Callable[[Request], None]] = []
        self._stop_lock = threading.Lock()
        self.info: ServerInfo | None = None
        self.callbacks: CallbackDelivery | None = None  # callback delivery and its log, while running

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> LocalSandbox:
        """Bind, start serving in a background thread, and write ``server.json``."""
        if self._server is not None:
            return self
        self.state_dir.mkdir(parents=True, exist_ok=True)
        credentials = load_or_create(self.state_dir)
        self._store = Store(self.state_dir)
        self.app = app_module.SandboxApp(
            self._store, credentials, self.options, self.faults, requests_seen=self._notify
        )
        self.callbacks = CallbackDelivery(
            self._store, credentials.signing_key, self.options, credentials.ca_file
        ).start(self.app.events)
        server = wsgi.Server(
            (self.host, self.port),
            _DroppingWsgiApp(self.app),
            numthreads=self._threads,
            server_name="bunq-local-sandbox",
            timeout=SOCKET_TIMEOUT,
            request_queue_size=128,
        )
        server.max_request_header_size = MAX_HEADER_BYTES_HARD
        server.keep_alive_conn_limit = KEEP_ALIVE_CONNECTIONS
        server.error_log = _log_server_message
        server.ssl_adapter = BuiltinSSLAdapter(str(credentials.cert_file), str(credentials.key_file))
        try:
            server.prepare()
        except BaseException:
            self.callbacks.stop()
            raise
        self._server = server
        self.port = server.bind_addr[1]
        self._thread = threading.Thread(target=server.serve, name="bunq-local-sandbox", daemon=True)
        self._thread.start()
        _stop_at_exit(self)
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
        _running.discard(self)
        if server is not None:
            server.stop()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
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


def _log_server_message(msg: str = "", level: int = logging.INFO, traceback: bool = False) -> None:
    """cheroot's messages (mostly clients dropping TLS connections) go to logging, not stderr."""
    log.log(logging.DEBUG if level < logging.ERROR else level, msg, exc_info=traceback)


def reset_state(state_dir: str | Path) -> None:
    """Wipe a state directory's bunq data without starting a server."""
    store = Store(Path(state_dir))
    try:
        store.reset()
    finally:
        store.close()
