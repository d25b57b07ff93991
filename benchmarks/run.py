"""Benchmarks: how fast the handshake is, against a floor and against bunq's official SDK.

    .venv/bin/python benchmarks/run.py [--quick]

Everything is reported as medians of repeated runs and as ratios to a baseline measured in the same
run, because the machines are shared and noisy. The local sandbox runs as its own process (as a
developer would run it), so client and server do not share one interpreter lock.

1. Handshake latency: our full API-context creation (key generation and the three calls) vs bunq's
   SDK's ``ApiContext.create`` on the same sandbox, vs the floor: one RSA-2048 key generation, every
   signature and verification of a handshake (client and server), and three HTTPS round trips on a
   fresh keep-alive connection to a server that does nothing.
2. Restore: creating a context from a saved file: calls made, and time besides reading the file.
3. Throughput: full handshakes per second with many concurrent clients (keys made in advance), vs
   what the server's own RSA signing allows on this machine's cores, with the CPU that the server,
   its signing and the load generator each spent per handshake (Linux), which explain the ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import requests  # noqa: E402
from cheroot import wsgi  # noqa: E402
from cheroot.ssl.builtin import BuiltinSSLAdapter  # noqa: E402

from bunq_helpers import ApiContext, BunqClient, Endpoint, Environment, Settings, create_api_context  # noqa: E402
from bunq_helpers.client.device_server import register_device  # noqa: E402
from bunq_helpers.client.installation import create_installation  # noqa: E402
from bunq_helpers.client.session_server import open_session  # noqa: E402
from bunq_helpers.crypto import keys, signing  # noqa: E402

SIGNS_PER_HANDSHAKE_SERVER = 3  # installation, device-server and session-server answers
SIGNS_PER_HANDSHAKE_CLIENT = 2  # device-server and session-server requests
VERIFIES_PER_HANDSHAKE = 4  # the server checks session-server; the client checks three answers


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def start_sandbox(state: Path, threads: int | None = None) -> tuple[subprocess.Popen, SimpleNamespace]:
    extra = ["--threads", str(threads)] if threads else []
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bunq_helpers.local_sandbox",
            "--port",
            "0",
            "--state-dir",
            str(state),
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=REPO,
    )
    info = SimpleNamespace(**json.loads(process.stdout.readline()))
    return process, info


def new_api_key(info: SimpleNamespace) -> str:
    response = requests.post(info.base_url + "sandbox-user-person", verify=info.ca_file, timeout=30)
    return response.json()["Response"][0]["ApiKey"]["api_key"]


def timed_key() -> tuple[keys.PrivateKey, float]:
    started = time.perf_counter()
    return keys.generate_private_key(), time.perf_counter() - started


def our_handshake(endpoint: Endpoint, api_key: str) -> tuple[float, float]:
    """One full API-context creation with our client: (seconds in all, seconds of key generation)."""
    started = time.perf_counter()
    key, keygen = timed_key()
    context = ApiContext(Environment.LOCAL, api_key=api_key)
    with BunqClient(endpoint, context=context) as client:
        installation = create_installation(client, key)
        context.record_installation(installation, key)
        register_device(client, installation.token, api_key, "benchmark", ["*"])
        open_session(client, installation.token, api_key)
    return time.perf_counter() - started, keygen


def floor_once(server_url: str, ca_file: str, server_key: keys.PrivateKey) -> tuple[float, float]:
    """Key generation + every handshake signature/verification + 3 round trips to a do-nothing server:
    (seconds in all, seconds of key generation)."""
    body = b'{\n  "secret": "sandbox_benchmark"\n}'
    started = time.perf_counter()
    key, keygen = timed_key()
    for _ in range(SIGNS_PER_HANDSHAKE_CLIENT):
        signature = signing.sign_body(key, body)
    for _ in range(SIGNS_PER_HANDSHAKE_SERVER):
        server_signature = signing.sign_body(server_key, body)
    signing.verify_body(key.public_key(), body, signature)
    for _ in range(VERIFIES_PER_HANDSHAKE - 1):
        signing.verify_body(server_key.public_key(), body, server_signature)
    with requests.Session() as session:
        session.trust_env = False
        for _ in range(3):
            session.post(server_url, data=body, verify=ca_file, timeout=30)
    return time.perf_counter() - started, keygen


def start_floor_server(cert_file: str, key_file: str) -> wsgi.Server:
    def app(environ, start_response):
        environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", "2")])
        return [b"{}"]

    server = wsgi.Server(("127.0.0.1", 0), app, numthreads=4)
    server.ssl_adapter = BuiltinSSLAdapter(cert_file, key_file)
    server.prepare()
    threading.Thread(target=server.serve, daemon=True).start()
    return server


def sdk_handshakes(info: SimpleNamespace, api_key: str, runs: int) -> list[float] | str:
    sys.path.insert(0, str(REPO))
    from tests.sdk import sdk_venv

    try:
        python = sdk_venv.sdk_python()
    except sdk_venv.SdkUnavailable as exc:
        return str(exc)
    result = subprocess.run(
        [
            str(python),
            str(REPO / "benchmarks" / "sdk_handshake.py"),
            info.base_url,
            info.ca_file,
            api_key,
            str(runs),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env=sdk_venv.sdk_environment(),
    )
    if result.returncode != 0:
        return result.stderr[-500:]
    return json.loads(result.stdout)


def signing_rate(threads: int, seconds: float = 2.0) -> float:
    """RSA-2048 signatures per second with ``threads`` threads (cryptography releases the GIL)."""
    key = keys.generate_private_key()
    body = b"x" * 300
    counts = [0] * threads
    stop = time.perf_counter() + seconds

    def work(index: int) -> None:
        while time.perf_counter() < stop:
            signing.sign_body(key, body)
            counts[index] += 1

    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sum(counts) / seconds


class LeanClient:
    """A load generator that costs the machine's CPU as little as possible of its own, so the cores
    go to the server: one keep-alive TLS socket, each request's bytes built in advance (PKCS#1 v1.5
    is deterministic and the bodies never change, so are the two signatures), and a minimal reader
    of the answer. It still checks every status and reads every token it needs."""

    def __init__(self, info: SimpleNamespace, api_key: str, key: keys.PrivateKey) -> None:
        parts = urlsplit(info.base_url)
        self.address = (parts.hostname, parts.port)
        self.context = ssl.create_default_context(cafile=info.ca_file)
        self.sock: ssl.SSLSocket | None = None  # connected at the first request, not while keys are made
        self.host = f"{parts.hostname}:{parts.port}"
        self.buffer = b""
        bodies = {
            "installation": json.dumps({"client_public_key": keys.public_key_to_pem(key)}).encode(),
            "device-server": json.dumps(
                {"description": "load", "secret": api_key, "permitted_ips": ["*"]}
            ).encode(),
            "session-server": json.dumps({"secret": api_key}).encode(),
        }
        self.requests = {}
        for path, body in bodies.items():
            signature = (
                ""
                if path == "installation"
                else f"X-Bunq-Client-Signature: {signing.sign_body(key, body)}\r\n"
            )
            head = (
                f"POST /v1/{path} HTTP/1.1\r\nHost: {self.host}\r\nUser-Agent: benchmark\r\n"
                f"Cache-Control: no-cache\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n{signature}"
            )
            self.requests[path] = (head.encode(), body)

    def _post(self, path: str, token: str | None = None) -> bytes:
        head, body = self.requests[path]
        if self.sock is None:
            raw = socket.create_connection(self.address, timeout=60)
            raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.sock = self.context.wrap_socket(raw, server_hostname=self.address[0])
        auth = f"X-Bunq-Client-Authentication: {token}\r\n".encode() if token else b""
        self.sock.sendall(head + auth + b"\r\n" + body)
        while b"\r\n\r\n" not in self.buffer:
            self._fill()
        header, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        status = header[9:12]
        length = int(header.lower().split(b"content-length:", 1)[1].split(b"\r\n", 1)[0])
        while len(self.buffer) < length:
            self._fill()
        answer, self.buffer = self.buffer[:length], self.buffer[length:]
        if b"\r\nconnection: close" in header.lower():
            self.sock.close()
            self.sock, self.buffer = None, b""
        if status != b"200":
            raise RuntimeError(f"{path}: {status!r} {answer[:200]!r}")
        return answer

    def _fill(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise RuntimeError("the server closed the connection")
        self.buffer += chunk

    def handshake(self) -> None:
        token = json.loads(self._post("installation"))["Response"][1]["Token"]["token"]
        self._post("device-server", token)
        session = json.loads(self._post("session-server", token))["Response"]
        if not session[1]["Token"]["token"]:
            raise RuntimeError("session-server answered without a session token")


def process_cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds a process has used so far (Linux's /proc), or None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def throughput(info: SimpleNamespace, server_pid: int, clients: int, seconds: float) -> dict[str, float]:
    """Full handshakes per second by ``clients`` concurrent lean clients (keys made in advance), and
    the CPU each side spent per handshake, so the ratio to the signing limit can be explained."""
    leans = [LeanClient(info, new_api_key(info), keys.generate_private_key()) for _ in range(clients)]

    def client(lean: LeanClient) -> int:
        done = 0
        while time.perf_counter() < deadline:
            lean.handshake()
            done += 1
        return done

    server_cpu, own_cpu = process_cpu_seconds(server_pid), time.process_time()
    started = time.perf_counter()
    deadline = started + seconds
    with ThreadPoolExecutor(clients) as pool:
        total = sum(pool.map(client, leans))
    elapsed = time.perf_counter() - started
    result = {
        "handshakes_per_s": total / elapsed,
        "handshakes": total,
        "load_generator_cpu_ms_per_handshake": (time.process_time() - own_cpu) / total * 1000,
    }
    if server_cpu is not None:
        result["server_cpu_ms_per_handshake"] = (process_cpu_seconds(server_pid) - server_cpu) / total * 1000
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs (for a smoke test)")
    args = parser.parse_args()
    runs = 5 if args.quick else 25
    cores = os.cpu_count() or 1
    state = REPO / ".cache" / "benchmark-sandbox"
    subprocess.run(
        [sys.executable, "-m", "bunq_helpers.local_sandbox", "--reset", "--state-dir", str(state)],
        check=True,
        capture_output=True,
        cwd=REPO,
    )
    process, info = start_sandbox(state)
    results: dict[str, object] = {
        "machine": f"{platform.machine()}, {cores} cores, Python {platform.python_version()}"
    }
    try:
        endpoint = Endpoint(info.base_url, info.ca_file, (info.pin,))
        api_key = new_api_key(info)
        floor_server = start_floor_server(str(state / "server-cert.pem"), str(state / "server-key.pem"))
        server_key = keys.load_private_key((state / "response-signing-key.pem").read_bytes())
        floor_url = f"https://127.0.0.1:{floor_server.bind_addr[1]}/"
        our_handshake(endpoint, api_key)  # warm-up
        floor_once(floor_url, info.ca_file, server_key)
        ours, floor = [], []
        for _ in range(runs):  # interleaved, so that the machine's noise falls on both alike
            ours.append(our_handshake(endpoint, api_key))
            floor.append(floor_once(floor_url, info.ca_file, server_key))
        floor_server.stop()

        sdk = sdk_handshakes(info, new_api_key(info), runs)
        ours_ms, floor_ms = median_ms([t for t, _ in ours]), median_ms([t for t, _ in floor])
        # Key generation alone varies by 2-4x from one key to the next (it searches for primes), so
        # the same comparison is also given without it: the part that is the handshake's own.
        ours_rest = median_ms([t - k for t, k in ours])
        floor_rest = median_ms([t - k for t, k in floor])
        results["handshake_ms"] = {"ours": ours_ms, "floor": floor_ms}
        results["ours_over_floor"] = ours_ms / floor_ms
        results["handshake_ms_without_key_generation"] = {"ours": ours_rest, "floor": floor_rest}
        results["ours_over_floor_without_key_generation"] = ours_rest / floor_rest
        results["key_generation_ms"] = median_ms([k for _, k in ours + floor])
        if isinstance(sdk, list):
            results["handshake_ms"]["bunq_sdk"] = median_ms(sdk)
            results["sdk_over_ours"] = median_ms(sdk) / ours_ms
        else:
            results["bunq_sdk"] = f"not measured: {sdk}"

        # Restore: a saved context with a live session, opened again.
        home = state / "restore-home"
        settings = Settings(environment=Environment.LOCAL, home=home, context_file=home / "ctx.json")
        create_api_context(settings, endpoint=endpoint)
        reads, restores, calls = [], [], set()
        for _ in range(runs * 4):
            started = time.perf_counter()
            settings.context_file_path.read_bytes()
            reads.append(time.perf_counter() - started)
            started = time.perf_counter()
            run = create_api_context(settings, endpoint=endpoint)
            restores.append(time.perf_counter() - started)
            calls.add(len(run.calls))
        results["restore"] = {
            "calls": sorted(calls),
            "ms_total": median_ms(restores),
            "ms_reading_the_file": median_ms(reads),
            "ms_besides_reading": median_ms(restores) - median_ms(reads),
        }

        seconds = 4.0 if args.quick else 10.0
        measured = throughput(info, process.pid, clients=16, seconds=seconds)
        signs_per_s = signing_rate(cores)
        limit = signs_per_s / SIGNS_PER_HANDSHAKE_SERVER
        results["throughput"] = {
            **measured,
            "server_signing_cpu_ms_per_handshake": cores / signs_per_s * SIGNS_PER_HANDSHAKE_SERVER * 1000,
            "server_signing_limit_per_s": limit,
            "ratio_to_limit": measured["handshakes_per_s"] / limit,
        }
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
