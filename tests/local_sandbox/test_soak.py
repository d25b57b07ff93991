"""Soak: honest clients are served on time while attackers hold connections open.

A standalone sandbox (its own process, so its memory can be read from /proc) serves 50 clients doing
full handshakes and calls while 30 idle TLS connections, 30 slowloris connections (a header byte per
second) and 5 connections offering 400 MiB bodies (3 announced by Content-Length, 2 chunked, offered
again as soon as refused) are open. Every honest request is answered within 2 s, with 0 errors; the
sandbox's peak memory stays under 200 MB; the state is whole afterwards. Loopback only; bounded in
count (the clients' work) and time (every wait has a deadline).
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bunq_helpers.local_sandbox.store import DB_NAME
from tests.helpers import Handshake, Raw, standalone_sandbox

CLIENTS = 50
HANDSHAKES_EACH = 2
IDLE, SLOWLORIS, OVERSIZED = 30, 30, 5
OFFERED_BYTES = 400 * 1024 * 1024
MAX_SECONDS_PER_REQUEST = 2.0
MAX_RSS_BYTES = 200 * 1024 * 1024


class TimedRaw(Raw):
    """The plain client, recording how long every answer took."""

    def __init__(self, sandbox, latencies: list[float]) -> None:
        super().__init__(sandbox)
        self.latencies = latencies

    def call(self, *args, **kwargs):
        started = time.monotonic()
        try:
            return super().call(*args, **kwargs)
        finally:
            self.latencies.append(time.monotonic() - started)


def _peak_rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):  # the high-water mark of the resident set
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM in /proc")


class Attackers:
    """Idle, slowloris and oversized-body connections, held open until stopped."""

    def __init__(self, port: int, ca_file: str) -> None:
        self.port = port
        self.tls = ssl.create_default_context(cafile=ca_file)
        self.stop = threading.Event()
        self.held: list[socket.socket] = []
        self.offers = 0
        self.threads: list[threading.Thread] = []

    def connect(self) -> ssl.SSLSocket:
        raw = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        return self.tls.wrap_socket(raw, server_hostname="127.0.0.1")

    def start(self) -> None:
        self.held += [self.connect() for _ in range(IDLE)]
        slow = [self.connect() for _ in range(SLOWLORIS)]
        for sock in slow:
            sock.sendall(b"POST /v1/installation HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        self.held += slow
        self.threads.append(threading.Thread(target=self._drip, args=(slow,), daemon=True))
        for number in range(OVERSIZED):
            self.threads.append(threading.Thread(target=self._offer, args=(number < 3,), daemon=True))
        for thread in self.threads:
            thread.start()

    def _drip(self, sockets: list[socket.socket]) -> None:
        while not self.stop.wait(1.0):
            for sock in sockets:
                with contextlib.suppress(OSError):
                    sock.sendall(b"X")

    def _offer(self, announced: bool) -> None:
        """Offer a 400 MiB body, again and again: the sandbox must refuse it without reading it all."""
        framing = f"Content-Length: {OFFERED_BYTES}" if announced else "Transfer-Encoding: chunked"
        head = f"POST /v1/installation HTTP/1.1\r\nHost: 127.0.0.1\r\n{framing}\r\n\r\n".encode()
        piece = b"A" * 65536
        chunk = b"10000\r\n" + piece + b"\r\n"
        while not self.stop.is_set():
            with contextlib.suppress(OSError), self.connect() as sock:
                sock.sendall(head)
                self.offers += 1
                sent = 0
                while sent < OFFERED_BYTES and not self.stop.is_set():
                    sock.sendall(piece if announced else chunk)
                    sent += len(piece)
            self.stop.wait(0.2)

    def close(self) -> None:
        self.stop.set()
        for sock in self.held:
            with contextlib.suppress(OSError):
                sock.close()
        for thread in self.threads:
            thread.join(timeout=10)


def test_honest_clients_are_served_on_time_while_attackers_hold_connections(fresh_state, client_key) -> None:
    if not Path("/proc/self/status").exists():
        pytest.skip("reads the sandbox's memory from /proc (Linux)")
    with standalone_sandbox(fresh_state("soak")) as running:
        attackers = Attackers(int(running.base_url.rsplit(":", 1)[1].split("/")[0]), running.ca_file)
        attackers.start()
        latencies: list[float] = []
        done: list[Handshake] = []
        lock = threading.Lock()

        def client(number: int) -> None:
            raw = TimedRaw(running, latencies)
            api_key = raw.sandbox_user()
            for _ in range(HANDSHAKES_EACH):
                handshake = raw.handshake(client_key, api_key=api_key, permitted_ips=["*"])
                assert raw.call("GET", f"user/{handshake.user_id}", token=handshake.session_token).ok
                with lock:
                    done.append(handshake)

        try:
            with ThreadPoolExecutor(CLIENTS) as pool:
                list(pool.map(client, range(CLIENTS)))  # any error fails the test here
            peak = _peak_rss_bytes(running.process.pid)
            offers = attackers.offers
        finally:
            attackers.close()

        assert len(done) == CLIENTS * HANDSHAKES_EACH
        assert len(latencies) == CLIENTS * (1 + HANDSHAKES_EACH * 5)  # user; 4 handshake calls + 1
        assert max(latencies) < MAX_SECONDS_PER_REQUEST, sorted(latencies)[-5:]
        assert offers >= OVERSIZED  # the bodies really were offered while the clients ran
        assert peak < MAX_RSS_BYTES, f"peak RSS {peak / 2**20:.0f} MiB"

        checker = Raw(running)  # the state is whole: every session works and belongs to its user
        for handshake in done:
            response = checker.call("GET", "user", token=handshake.session_token)
            assert response.json()["Response"][0]["UserPerson"]["id"] == handshake.user_id
        print(
            f"\nsoak: {len(latencies)} requests, slowest {max(latencies) * 1000:.0f} ms, "
            f"median {sorted(latencies)[len(latencies) // 2] * 1000:.0f} ms, "
            f"{offers} oversized offers, sandbox peak RSS {peak / 2**20:.0f} MiB"
        )
    import sqlite3

    db = sqlite3.connect(running.state / DB_NAME)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        counts = {
            table: db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]  # noqa: S608 - fixed names
            for table in ("users", "installations", "devices", "sessions")
        }
        expected = CLIENTS * HANDSHAKES_EACH
        assert counts == {
            "users": CLIENTS,
            "installations": expected,
            "devices": expected,
            "sessions": expected,
        }
        orphans = db.execute(
            "SELECT COUNT(*) FROM sessions s LEFT JOIN tokens t ON t.id = s.id WHERE t.id IS NULL"
        ).fetchone()[0]
        assert orphans == 0
    finally:
        db.close()
