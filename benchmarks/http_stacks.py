"""Which HTTP stack should serve the local sandbox? The same app on each, measured side by side.

    .venv/bin/pip install -e .[bench]        # cheroot, uvicorn, hypercorn (requirements-dev has them)
    .venv/bin/python benchmarks/http_stacks.py [--quick] [--stacks ours,cheroot,...]

Stacks (the app is always ``SandboxApp``: same routes, store, signatures):

- ``cheroot``: what the sandbox used before, as it was configured (8 workers, 10 s socket timeout).
- ``cheroot-tuned``: cheroot with TLS handshakes done without blocking in its selector thread and new
  connections handed to a worker only once they are readable, 32 workers, 2 s socket timeout: as far
  as cheroot can be configured (and patched) to keep TLS and idle connections off its workers.
- ``uvicorn`` and ``hypercorn``: ASGI servers, the app served natively as ASGI (the body read from
  ``receive``, refused from Content-Length before reading; the handler in a thread pool).
- ``ours``: ``LocalSandbox``, asyncio + httptools (``bunq_helpers.local_sandbox.http_server``).

Every server runs in its own process; its CPU is read from ``/proc``. Per stack:

1. stalls: the worst time a new client waits for an answer (new TLS connection + a signed 401) while
   8 or 24 idle TLS connections are open, while 8 connections send a header byte per second
   (slowloris), and while one TCP connection never starts TLS;
2. throughput: full handshakes per second (installation, device-server, session-server) with 16
   keep-alive clients in a separate load process (bodies and signatures prepared in advance), and the
   server's CPU per handshake, also as a multiple of the CPU of its three RSA signatures;
3. behaviour: keep-alive, the raw request URI, bunq-shaped answers to a 100 KB header, to
   ``Content-Length: 99999999999999999999`` and to a bad chunk size, the ``disconnect`` fault, and
   the time to stop an in-process server; for ``ours`` also ``LocalSandbox`` start (from a prepared
   state) and stop, medians of 20.

Throughput is measured in two rounds, in opposite orders, and reported as the median, each stack
also as a ratio to cheroot measured in the same run. Loopback only; every loop is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import http.client
import json
import os
import selectors
import shutil
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bunq_helpers.crypto import keys, signing  # noqa: E402
from bunq_helpers.local_sandbox.app import SandboxApp  # noqa: E402
from bunq_helpers.local_sandbox.bunq_errors import BunqError, bad_request  # noqa: E402
from bunq_helpers.local_sandbox.certificates import load_or_create  # noqa: E402
from bunq_helpers.local_sandbox.faults import Faults  # noqa: E402
from bunq_helpers.local_sandbox.http_io import Disconnect  # noqa: E402
from bunq_helpers.local_sandbox.options import SandboxOptions  # noqa: E402
from bunq_helpers.local_sandbox.request import request_from_head  # noqa: E402
from bunq_helpers.local_sandbox.store import Store  # noqa: E402

STACKS = ("cheroot", "cheroot-tuned", "uvicorn", "hypercorn", "ours")
CLIENT_KEY = keys.load_private_key((REPO / "tests" / "keys" / "throwaway-client-key.pem").read_bytes())
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PROBE_TIMEOUT = 40.0


# -- the app on each stack ---------------------------------------------------------------------------


def make_app(state: Path) -> tuple[SandboxApp, Any]:
    credentials = load_or_create(state)
    faults = Faults()
    faults.add("disconnect", times=None, path="installation/1")  # GET installation/1: dropped
    return SandboxApp(Store(state), credentials, SandboxOptions(), faults), credentials


def wsgi_app(app: SandboxApp, max_body: int) -> Any:
    """The app as WSGI, reading the body the way the sandbox did under cheroot."""

    def call(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        length = environ.get("CONTENT_LENGTH") or ""
        stream = environ["wsgi.input"]
        too_large = False
        if length.isdigit():
            too_large = int(length) > max_body
            body = b"" if too_large else stream.read(int(length))
        elif environ.get("HTTP_TRANSFER_ENCODING"):
            body = stream.read(max_body + 1)
            too_large = len(body) > max_body
        else:
            body = b""
        headers = [
            (key[5:].replace("_", "-").lower().encode("latin-1"), str(value).encode("latin-1"))
            for key, value in environ.items()
            if key.startswith("HTTP_")
        ]
        target = environ.get("REQUEST_URI") or environ.get("PATH_INFO", "/")
        request = request_from_head(
            environ["REQUEST_METHOD"].encode(),
            target.encode("latin-1"),
            headers,
            body,
            environ["REMOTE_ADDR"],
        )
        try:
            if too_large:
                response = app.refuse(
                    request, bad_request(f"The request body is larger than {max_body} bytes.")
                )
                response.headers.append(("Connection", "close"))
            else:
                response = app.handle(request)
        except Disconnect:
            raise ConnectionResetError(errno.ECONNRESET, "disconnect fault") from None
        start_response(f"{response.status} X", response.headers)
        return [response.body]

    return call


class AsgiApp:
    """The app served natively as ASGI: no WSGI adapter; the handler runs in a thread pool."""

    def __init__(self, app: SandboxApp, max_body: int) -> None:
        self.app = app
        self.max_body = max_body
        self.pool = ThreadPoolExecutor(2)  # as many as LocalSandbox runs the app in

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                await send({"type": message["type"] + ".complete"})
                if message["type"] == "lifespan.shutdown":
                    return
        loop = asyncio.get_running_loop()
        target = scope.get("raw_path") or scope["path"].encode()
        if scope.get("query_string"):
            target += b"?" + scope["query_string"]
        client = scope.get("client") or ("", 0)
        length = next((int(v) for k, v in scope["headers"] if k == b"content-length"), None)
        error: BunqError | None = None
        body = bytearray()
        if length is not None and length > self.max_body:
            error = bad_request(f"The request body is larger than {self.max_body} bytes.")
        else:
            while True:
                message = await receive()
                body += message.get("body", b"")
                if len(body) > self.max_body:
                    error = bad_request(f"The request body is larger than {self.max_body} bytes.")
                    break
                if not message.get("more_body"):
                    break
        request = request_from_head(
            scope["method"].encode(), target, scope["headers"], bytes(body), client[0]
        )
        if error is not None:
            response = await loop.run_in_executor(self.pool, self.app.refuse, request, error)
        else:
            response = await loop.run_in_executor(self.pool, self.app.handle, request)
        headers = [(n.lower().encode(), v.encode("latin-1")) for n, v in response.headers]
        if error is not None:
            headers.append((b"connection", b"close"))
        await send({"type": "http.response.start", "status": response.status, "headers": headers})
        await send({"type": "http.response.body", "body": response.body})


def tuned_cheroot_server(app: SandboxApp, credentials: Any, port: int) -> Any:
    """cheroot with TLS handshakes stepped without blocking in the selector thread, connections
    dispatched to a worker only once readable, more workers and a shorter socket timeout."""
    from cheroot import connections, wsgi
    from cheroot.ssl.builtin import BuiltinSSLAdapter

    adapter = BuiltinSSLAdapter(str(credentials.cert_file), str(credentials.key_file))

    class Handshaking:
        def __init__(self, sock: ssl.SSLSocket, addr: Any) -> None:
            self.socket, self.addr, self.last_used = sock, addr, time.time()

        def close(self) -> None:
            self.socket.close()

    class Manager(connections.ConnectionManager):
        def _from_server_socket(self, server_socket: socket.socket) -> None:
            try:
                raw, addr = server_socket.accept()
            except OSError:
                return None
            raw.setblocking(False)
            tls = adapter.context.wrap_socket(raw, server_side=True, do_handshake_on_connect=False)
            self._selector.register(tls.fileno(), selectors.EVENT_READ, data=Handshaking(tls, addr))
            return None

    class Server(wsgi.Server):
        def prepare(self) -> None:
            super().prepare()
            self._connections = Manager(self)

        def process_conn(self, conn: Any) -> None:
            if not isinstance(conn, Handshaking):
                super().process_conn(conn)
                return
            try:
                conn.socket.do_handshake()
            except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
                self._connections._selector.register(conn.socket.fileno(), selectors.EVENT_READ, data=conn)
                return
            except OSError:
                conn.close()
                return
            conn.socket.settimeout(self.timeout)
            made = self.ConnectionClass(self, conn.socket, adapter.makefile)
            made.remote_addr, made.remote_port = conn.addr[0], conn.addr[1]
            made.ssl_env = adapter.get_environ(conn.socket)
            self._connections.put(made)  # to a worker only when a request has begun to arrive

    server = Server(("127.0.0.1", port), wsgi_app(app, 1_048_576), numthreads=32, timeout=2)
    server.keep_alive_conn_limit = 256
    server.ssl_adapter = adapter
    return server


def serve(stack: str, state: Path) -> None:
    """Run one stack on ``state`` until SIGTERM; print {"port", "ca_file"} once listening."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    port = _free_port()
    if stack == "ours":
        from bunq_helpers.local_sandbox import LocalSandbox

        sandbox = LocalSandbox(state, port=port).start()
        sandbox.faults.add("disconnect", times=None, path="installation/1")
        print(json.dumps({"port": sandbox.port, "ca_file": sandbox.ca_file}), flush=True)
        stop.wait()
        sandbox.stop()
        return
    app, credentials = make_app(state)
    if stack in ("cheroot", "cheroot-tuned"):
        from cheroot import wsgi
        from cheroot.ssl.builtin import BuiltinSSLAdapter

        if stack == "cheroot":
            server = wsgi.Server(("127.0.0.1", port), wsgi_app(app, 1_048_576), numthreads=8, timeout=10)
            server.keep_alive_conn_limit = 256
            server.ssl_adapter = BuiltinSSLAdapter(str(credentials.cert_file), str(credentials.key_file))
        else:
            server = tuned_cheroot_server(app, credentials, port)
        server.max_request_header_size = 262_144
        server.prepare()
        threading.Thread(target=server.serve, daemon=True).start()
        print(json.dumps({"port": port, "ca_file": str(credentials.ca_file)}), flush=True)
        stop.wait()
        server.stop()
        return
    asgi = AsgiApp(app, 1_048_576)
    if stack == "uvicorn":
        import uvicorn

        config = uvicorn.Config(
            asgi,
            host="127.0.0.1",
            port=port,
            ssl_certfile=str(credentials.cert_file),
            ssl_keyfile=str(credentials.key_file),
            lifespan="off",
            access_log=False,
            log_level="error",
            timeout_keep_alive=30,
        )
        server = uvicorn.Server(config)
        server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
        threading.Thread(
            target=lambda: (stop.wait(), setattr(server, "should_exit", True)), daemon=True
        ).start()
        threading.Thread(target=_announce_when_listening, args=(port, credentials), daemon=True).start()
        server.run()
        return
    from hypercorn.asyncio import serve as hypercorn_serve
    from hypercorn.config import Config

    config = Config()
    config.bind = [f"127.0.0.1:{port}"]
    config.certfile, config.keyfile = str(credentials.cert_file), str(credentials.key_file)
    config.keep_alive_timeout = 30
    config.loglevel = "ERROR"
    config.read_timeout = 10

    async def main() -> None:
        stopped = asyncio.Event()
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, stopped.set)
        threading.Thread(target=_announce_when_listening, args=(port, credentials), daemon=True).start()
        await hypercorn_serve(asgi, config, shutdown_trigger=stopped.wait)  # type: ignore[arg-type]

    asyncio.run(main())


def _announce_when_listening(port: int, credentials: Any) -> None:
    for _ in range(500):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.01)
    print(json.dumps({"port": port, "ca_file": str(credentials.ca_file)}), flush=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- clients ---------------------------------------------------------------------------------------


class Running:
    """A stack serving in its own process."""

    def __init__(self, stack: str, prepared: Path) -> None:
        self.state = Path(tempfile.mkdtemp(prefix=f"stack-{stack}-"))
        shutil.copytree(prepared, self.state, dirs_exist_ok=True)
        self.process = subprocess.Popen(
            [sys.executable, __file__, "serve", stack, str(self.state)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        info = json.loads(self.process.stdout.readline())  # type: ignore[union-attr]
        self.port, self.ca_file = info["port"], info["ca_file"]
        self.tls = ssl.create_default_context(cafile=self.ca_file)

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS

    def connect(self, timeout: float = PROBE_TIMEOUT) -> http.client.HTTPSConnection:
        return http.client.HTTPSConnection("127.0.0.1", self.port, context=self.tls, timeout=timeout)

    def tls_socket(self) -> ssl.SSLSocket:
        raw = socket.create_connection(("127.0.0.1", self.port), timeout=PROBE_TIMEOUT)
        return self.tls.wrap_socket(raw, server_hostname="127.0.0.1")

    def close(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.state, ignore_errors=True)


def probe(running: Running) -> float:
    """Seconds for a new client to get an answer: a new TLS connection and GET /v1/user (a signed 401)."""
    started = time.perf_counter()
    try:
        connection = running.connect()
        connection.request("GET", "/v1/user")
        response = connection.getresponse()
        response.read()
        connection.close()
    except OSError:
        return PROBE_TIMEOUT
    return time.perf_counter() - started


def worst_probe_during(running: Running, attack: str, seconds: float) -> float:
    """The worst probe latency while an attack holds its connections open."""
    held: list[socket.socket] = []
    stop = threading.Event()
    threads: list[threading.Thread] = []
    try:
        if attack.startswith("idle"):
            held = [running.tls_socket() for _ in range(int(attack[4:]))]
        elif attack == "no-tls":
            held = [socket.create_connection(("127.0.0.1", running.port))]
        elif attack.startswith("slowloris"):
            count = int(attack[9:])
            opened: list[socket.socket] = []

            def drip() -> None:
                for _ in range(count):
                    sock = running.tls_socket()
                    sock.sendall(b"POST /v1/installation HTTP/1.1\r\nHost: x\r\n")
                    opened.append(sock)
                while not stop.wait(1.0):
                    for sock in opened:
                        with contextlib.suppress(OSError):
                            sock.sendall(b"X")

            threads.append(threading.Thread(target=drip, daemon=True))
            threads[0].start()
            held = opened
            time.sleep(0.3)
        deadline = time.monotonic() + seconds
        worst = 0.0
        probes = 0
        while time.monotonic() < deadline or probes < 2:
            worst = max(worst, probe(running))
            probes += 1
            time.sleep(0.2)
        return worst
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=5)
        for sock in held:
            with contextlib.suppress(OSError):
                sock.close()


def load(port: int, ca_file: str, clients: int, seconds: float) -> None:
    """The load process: ``clients`` keep-alive connections doing full handshakes; prints counts."""
    tls = ssl.create_default_context(cafile=ca_file)
    pem = json.dumps({"client_public_key": keys.public_key_to_pem(CLIENT_KEY)}).encode()
    counts = [0] * clients
    errors = [0]
    start_at = time.monotonic() + 1.0  # every client has its user and connection by then
    end_at = start_at + seconds

    def call(
        connection: http.client.HTTPSConnection, method: str, path: str, body: bytes, **headers: str
    ) -> Any:
        connection.request(method, path, body=body, headers={"Content-Type": "application/json", **headers})
        response = connection.getresponse()
        data = response.read()
        if response.status != 200:
            errors[0] += 1
        return json.loads(data)

    def client(number: int) -> None:
        connection = http.client.HTTPSConnection("127.0.0.1", port, context=tls, timeout=60)
        api_key = call(connection, "POST", "/v1/sandbox-user-person", b"")["Response"][0]["ApiKey"]["api_key"]
        device = json.dumps({"description": "bench", "secret": api_key, "permitted_ips": ["*"]}).encode()
        session = json.dumps({"secret": api_key}).encode()
        device_signature = signing.sign_body(CLIENT_KEY, device)
        session_signature = signing.sign_body(CLIENT_KEY, session)
        while time.monotonic() < start_at:
            time.sleep(0.01)
        while time.monotonic() < end_at:
            token = call(connection, "POST", "/v1/installation", pem)["Response"][1]["Token"]["token"]
            auth = {"X-Bunq-Client-Authentication": token}
            call(
                connection,
                "POST",
                "/v1/device-server",
                device,
                **auth,
                **{"X-Bunq-Client-Signature": device_signature},
            )
            call(
                connection,
                "POST",
                "/v1/session-server",
                session,
                **auth,
                **{"X-Bunq-Client-Signature": session_signature},
            )
            if time.monotonic() < end_at:
                counts[number] += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(json.dumps({"handshakes": sum(counts), "errors": errors[0]}), flush=True)


def throughput(running: Running, clients: int, seconds: float) -> dict[str, float]:
    loader = subprocess.Popen(
        [sys.executable, __file__, "load", str(running.port), running.ca_file, str(clients), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    time.sleep(1.0)  # the load process's warm-up (users, connections)
    cpu_before = running.cpu_seconds()
    time.sleep(seconds)
    cpu_after = running.cpu_seconds()
    result = json.loads(loader.communicate(timeout=120)[0])
    handshakes = max(result["handshakes"], 1)
    return {
        "handshakes_per_s": result["handshakes"] / seconds,
        "server_cpu_ms_per_handshake": (cpu_after - cpu_before) * 1000 / handshakes,
        "errors": result["errors"],
    }


def behaviour(running: Running) -> dict[str, Any]:
    """What else keeps working: keep-alive, raw URI, bunq's shape for limits and framing, the fault."""
    out: dict[str, Any] = {}
    connection = running.connect(10)
    sockets = set()
    for _ in range(3):
        connection.request("POST", "/v1/sandbox-user-person", body=b"")
        connection.getresponse().read()
        sockets.add(id(connection.sock))
    out["keep_alive"] = len(sockets) == 1
    connection.close()

    def answer(raw: bytes) -> str:
        sock = running.tls_socket()
        sock.settimeout(10)
        try:
            sock.sendall(raw)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
            head = data.partition(b"\r\n\r\n")[0]
            status = head.split(b" ")[1].decode() if head else "dropped"
            bunq_shape = b"x-bunq-server-signature" in head.lower()
            return f"{status} {'bunq' if bunq_shape else 'own'}" if head else "dropped"
        except OSError as exc:
            return f"dropped ({type(exc).__name__})"
        finally:
            sock.close()

    host = f"Host: 127.0.0.1:{running.port}\r\n".encode()
    out["raw_uri"] = answer(b"GET /v1/..%2Fuser HTTP/1.1\r\n" + host + b"\r\n")
    out["header_100k"] = answer(b"GET /v1/user HTTP/1.1\r\n" + host + b"X-A: " + b"0" * 100_000 + b"\r\n\r\n")
    out["huge_content_length"] = answer(
        b"POST /v1/installation HTTP/1.1\r\n" + host + b"Content-Length: 99999999999999999999\r\n\r\n"
    )
    out["bad_chunk_size"] = answer(
        b"POST /v1/installation HTTP/1.1\r\n"
        + host
        + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"
    )
    out["disconnect_fault"] = answer(b"GET /v1/installation/1 HTTP/1.1\r\n" + host + b"\r\n")
    return out


def stop_time_ms(stack: str, prepared: Path) -> float | str:
    """Milliseconds from asking an in-process server (in a thread) to stop until it has."""
    state = Path(tempfile.mkdtemp(prefix="stop-"))
    shutil.copytree(prepared, state, dirs_exist_ok=True)
    try:
        if stack == "ours":
            from bunq_helpers.local_sandbox import LocalSandbox

            sandbox = LocalSandbox(state).start()
            time.sleep(0.3)
            started = time.perf_counter()
            sandbox.stop()
            return (time.perf_counter() - started) * 1000
        app, credentials = make_app(state)
        if stack.startswith("cheroot"):
            from cheroot import wsgi

            server = (
                wsgi.Server(("127.0.0.1", 0), wsgi_app(app, 1_048_576), numthreads=8)
                if stack == "cheroot"
                else tuned_cheroot_server(app, credentials, 0)
            )
            server.prepare()
            thread = threading.Thread(target=server.serve, daemon=True)
            thread.start()
            time.sleep(0.3)
            started = time.perf_counter()
            server.stop()
            thread.join()
            return (time.perf_counter() - started) * 1000
        asgi = AsgiApp(app, 1_048_576)
        if stack == "uvicorn":
            import uvicorn

            server = uvicorn.Server(uvicorn.Config(asgi, port=0, lifespan="off", log_level="error"))
            server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
            thread = threading.Thread(target=server.run, daemon=True)
            thread.start()
            time.sleep(0.5)
            started = time.perf_counter()
            server.should_exit = True
            thread.join()
            return (time.perf_counter() - started) * 1000
        from hypercorn.asyncio import serve as hypercorn_serve
        from hypercorn.config import Config

        loop = asyncio.new_event_loop()
        stopped = asyncio.Event()
        config = Config()
        config.bind = ["127.0.0.1:0"]
        config.loglevel = "ERROR"
        thread = threading.Thread(
            target=loop.run_until_complete,
            args=(hypercorn_serve(asgi, config, shutdown_trigger=stopped.wait),),  # type: ignore[arg-type]
            daemon=True,
        )
        thread.start()
        time.sleep(0.5)
        started = time.perf_counter()
        loop.call_soon_threadsafe(stopped.set)
        thread.join()
        return (time.perf_counter() - started) * 1000
    finally:
        shutil.rmtree(state, ignore_errors=True)


def lifecycle(prepared: Path, runs: int = 20) -> dict[str, float]:
    """``LocalSandbox`` start from a prepared state and stop with a keep-alive connection open:
    medians of ``runs``, in milliseconds."""
    from bunq_helpers.local_sandbox import LocalSandbox

    starts, stops = [], []
    for _ in range(runs):
        state = Path(tempfile.mkdtemp(prefix="lifecycle-"))
        shutil.copytree(prepared, state, dirs_exist_ok=True)
        started = time.perf_counter()
        sandbox = LocalSandbox(state).start()
        starts.append(time.perf_counter() - started)
        connection = http.client.HTTPSConnection(
            "127.0.0.1", sandbox.port, context=ssl.create_default_context(cafile=sandbox.ca_file)
        )
        connection.request("GET", "/v1/user")
        connection.getresponse().read()
        started = time.perf_counter()
        sandbox.stop()
        stops.append(time.perf_counter() - started)
        connection.close()
        shutil.rmtree(state, ignore_errors=True)
    return {
        "start_ms_median": round(statistics.median(starts) * 1000, 2),
        "stop_ms_median": round(statistics.median(stops) * 1000, 2),
    }


def signing_cpu_ms() -> float:
    """CPU milliseconds of one RSA-2048 signature of a handshake-sized body, median of 5 batches."""
    key = keys.generate_private_key()
    body = b"x" * 600
    samples = []
    for _ in range(5):
        started = time.process_time()
        for _ in range(100):
            signing.sign_body(key, body)
        samples.append((time.process_time() - started) * 10)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="short attacks and one throughput round")
    parser.add_argument("--stacks", default=",".join(STACKS))
    args = parser.parse_args()
    stacks = args.stacks.split(",")
    attack_seconds, load_seconds = (2.0, 3.0) if args.quick else (6.0, 8.0)
    prepared = Path(tempfile.mkdtemp(prefix="stacks-prepared-"))
    load_or_create(prepared)
    results: dict[str, dict[str, Any]] = {stack: {} for stack in stacks}
    sign_ms = signing_cpu_ms()
    for stack in stacks:
        running = Running(stack, prepared)
        try:
            results[stack]["behaviour"] = behaviour(running)
            for attack in ("idle8", "idle24", "slowloris8", "no-tls"):
                results[stack][f"stall_{attack}_s"] = round(
                    worst_probe_during(running, attack, attack_seconds), 3
                )
            results[stack]["unloaded_probe_s"] = round(min(probe(running) for _ in range(5)), 4)
        finally:
            running.close()
        results[stack]["stop_ms"] = stop_time_ms(stack, prepared)
        print(stack, json.dumps(results[stack]), file=sys.stderr, flush=True)
    rounds = [stacks] if args.quick else [stacks, stacks[::-1]]
    for order in rounds:
        for stack in order:
            running = Running(stack, prepared)
            try:
                results[stack].setdefault("rounds", []).append(throughput(running, 16, load_seconds))
            finally:
                running.close()
            print(stack, json.dumps(results[stack]["rounds"][-1]), file=sys.stderr, flush=True)
    base = results.get("cheroot", {})
    for stack in stacks:
        entry = results[stack]
        rate = statistics.median(r["handshakes_per_s"] for r in entry["rounds"])
        cpu = statistics.median(r["server_cpu_ms_per_handshake"] for r in entry["rounds"])
        entry["handshakes_per_s"] = round(rate, 1)
        entry["server_cpu_ms_per_handshake"] = round(cpu, 3)
        entry["cpu_per_handshake_over_3_signatures"] = round(cpu / (3 * sign_ms), 2)
        if base.get("handshakes_per_s"):
            entry["handshakes_vs_cheroot"] = round(rate / base["handshakes_per_s"], 2)
            entry["cpu_vs_cheroot"] = round(cpu / base["server_cpu_ms_per_handshake"], 2)
    ours_lifecycle = lifecycle(prepared) if "ours" in stacks else {}
    shutil.rmtree(prepared, ignore_errors=True)
    print(
        json.dumps(
            {"signature_cpu_ms": round(sign_ms, 3), "ours": ours_lifecycle, "stacks": results}, indent=2
        )
    )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        serve(sys.argv[2], Path(sys.argv[3]))
    elif len(sys.argv) > 1 and sys.argv[1] == "load":
        load(int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), float(sys.argv[5]))
    else:
        main()
