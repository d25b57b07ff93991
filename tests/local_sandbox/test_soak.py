"""Soak: honest clients are served on time while attackers hold connections open.

A standalone sandbox (its own process, so its memory can be read from /proc) serves 50 clients doing
full handshakes and calls while 30 idle TLS connections, 30 slowloris connections (a header byte per
second) and 5 connections offering 400 MiB bodies (3 announced by Content-Length, 2 chunked, offered
again as soon as refused) are open, and (round three) 2 connections pipeline 600 GETs each of an
875 KiB attachment and never read, 2 connections flood cheap pipelined requests while reading their
answers slowly, and one user's callback receiver answers a byte every 1.5 s. Every honest request is
answered within 2 s, with 0 errors; the sandbox's peak memory stays under 200 MB; other users'
callbacks arrive within one attempt's deadline of the drip-fed one; the state is whole afterwards.
Loopback only; bounded in count (the clients' work) and time (every wait has a deadline).
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
import trustme

from bunq_helpers.local_sandbox.options import DEFAULT_CALLBACK_TIMEOUT
from bunq_helpers.local_sandbox.store import DB_NAME
from tests.helpers import Handshake, Raw, standalone_sandbox
from tests.local_sandbox.test_callbacks import DripReceiver, Receiver
from tests.local_sandbox.test_flow_control import upload_attachment

CLIENTS = 50
HANDSHAKES_EACH = 2
IDLE, SLOWLORIS, OVERSIZED = 30, 30, 5
OFFERED_BYTES = 400 * 1024 * 1024
MAX_SECONDS_PER_REQUEST = 2.0
MAX_RSS_BYTES = 200 * 1024 * 1024
NEVER_READING, PIPELINED = 2, 600  # connections, and the attachment GETs each pipelines
SLOW_DRAINING, FLOOD_REQUESTS = 2, 20_000  # connections, and the cheap requests each may send
CALLBACK_USERS = 5  # users whose callbacks must not wait behind the drip-fed receiver


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

    def __init__(self, port: int, ca_file: str, pipelined: bytes, cheap: bytes) -> None:
        self.port = port
        self.tls = ssl.create_default_context(cafile=ca_file)
        self.stop = threading.Event()
        self.held: list[socket.socket] = []
        self.offers = 0
        self.threads: list[threading.Thread] = []
        self.pipelined = pipelined  # one attachment GET, sent PIPELINED times and never read
        self.cheap = cheap  # one cheap request, flooded and read slowly
        self.drained = 0  # bytes the slow readers read

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
        for _ in range(NEVER_READING):
            greedy = self.connect()
            self.held.append(greedy)
            self.threads.append(threading.Thread(target=self._never_read, args=(greedy,), daemon=True))
        for _ in range(SLOW_DRAINING):
            self.threads.append(threading.Thread(target=self._flood_and_drain_slowly, daemon=True))
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

    def _never_read(self, sock: socket.socket) -> None:
        with contextlib.suppress(OSError):
            sock.sendall(self.pipelined * PIPELINED)  # about 150 KB asking for about 500 MB

    def _flood_and_drain_slowly(self) -> None:
        """Pipeline cheap requests as fast as the sandbox takes them; read the answers 4 KiB per 20 ms."""
        with contextlib.suppress(OSError), self.connect() as sock:
            batch = self.cheap * 100

            def flood() -> None:
                with contextlib.suppress(OSError):
                    for _ in range(FLOOD_REQUESTS // 100):
                        if self.stop.is_set():
                            return
                        sock.sendall(batch)

            sender = threading.Thread(target=flood, daemon=True)
            sender.start()
            while not self.stop.wait(0.02):
                data = sock.recv(4096)
                if not data:
                    break
                self.drained += len(data)
            sender.join(timeout=10)

    def close(self) -> None:
        self.stop.set()
        for sock in self.held:
            with contextlib.suppress(OSError):
                sock.close()
        for thread in self.threads:
            thread.join(timeout=10)


def request_inquiry(raw: Raw, hs: Handshake) -> None:
    """Ask sugar daddy for money: a REQUEST callback (REQUEST_INQUIRY_CREATED) goes out at once."""
    body = {
        "amount_inquired": {"value": "1.00", "currency": "EUR"},
        "counterparty_alias": {"type": "EMAIL", "value": "sugardaddy@bunq.com"},
        "description": "soak",
    }
    path = f"user/{hs.user_id}/monetary-account/{hs.account_id}/request-inquiry"
    assert raw.call("POST", path, body, token=hs.session_token).status_code == 200


def on_callbacks(raw: Raw, hs: Handshake, url: str) -> None:
    filters = {"notification_filters": [{"category": "REQUEST", "notification_target": url}]}
    path = f"user/{hs.user_id}/notification-filter-url"
    assert raw.call("POST", path, filters, token=hs.session_token).status_code == 200


def test_honest_clients_are_served_on_time_while_attackers_hold_connections(fresh_state, client_key) -> None:
    if not Path("/proc/self/status").exists():
        pytest.skip("reads the sandbox's memory from /proc (Linux)")
    with standalone_sandbox(fresh_state("soak")) as running:
        port = int(running.base_url.rsplit(":", 1)[1].split("/")[0])
        setup = Raw(running)
        attacker = setup.handshake(client_key, api_key=setup.sandbox_user(), permitted_ips=["*"])
        uuid = upload_attachment(setup, attacker)  # 875 KiB
        auth = f"X-Bunq-Client-Authentication: {attacker.session_token}\r\n"
        pipelined = f"GET /v1/attachment-public/{uuid}/content HTTP/1.1\r\nHost: x\r\n{auth}\r\n".encode()
        cheap = f"GET /v1/user/{attacker.user_id} HTTP/1.1\r\nHost: x\r\n{auth}\r\n".encode()

        state = running.state
        ca = trustme.CA.from_pem((state / "ca.pem").read_bytes(), (state / "ca-key.pem").read_bytes())
        drip = DripReceiver(ca, every=1.5)
        receivers = [Receiver(ca) for _ in range(CALLBACK_USERS)]
        on_callbacks(setup, attacker, drip.url)
        for _ in range(3):  # three callbacks queued for the drip-fed receiver, one attempt under way
            request_inquiry(setup, attacker)
        deadline = time.monotonic() + 10
        while drip.connections == 0 and time.monotonic() < deadline:
            drip.stop.wait(0.01)
        assert drip.connections == 1

        attackers = Attackers(port, running.ca_file, pipelined, cheap)
        attackers.start()
        latencies: list[float] = []
        callback_waits: list[float] = []
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
            if number < CALLBACK_USERS:  # and its callback comes while the drip-fed one is under way
                receiver = receivers[number]
                callback_latencies: list[float] = []
                timed = TimedRaw(running, callback_latencies)
                on_callbacks(timed, handshake, receiver.url)
                started = time.monotonic()
                request_inquiry(timed, handshake)
                receiver.wait(1, timeout=DEFAULT_CALLBACK_TIMEOUT + 5)
                with lock:
                    callback_waits.append(time.monotonic() - started)
                    latencies_extra.extend(callback_latencies)

        latencies_extra: list[float] = []
        try:
            with ThreadPoolExecutor(CLIENTS) as pool:
                list(pool.map(client, range(CLIENTS)))  # any error fails the test here
            peak = _peak_rss_bytes(running.process.pid)
            offers = attackers.offers
            drained = attackers.drained
        finally:
            attackers.close()
            drip.close()
            for receiver in receivers:
                receiver.close()

        assert len(done) == CLIENTS * HANDSHAKES_EACH
        assert len(latencies) == CLIENTS * (1 + HANDSHAKES_EACH * 5)  # user; 4 handshake calls + 1
        assert max(latencies) < MAX_SECONDS_PER_REQUEST, sorted(latencies)[-5:]
        assert max(latencies_extra) < MAX_SECONDS_PER_REQUEST, sorted(latencies_extra)[-5:]
        assert offers >= OVERSIZED  # the bodies really were offered while the clients ran
        assert drained > 0  # the slow readers were answered, slowly
        assert peak < MAX_RSS_BYTES, f"peak RSS {peak / 2**20:.0f} MiB"
        assert len(callback_waits) == CALLBACK_USERS
        assert max(callback_waits) < DEFAULT_CALLBACK_TIMEOUT, callback_waits  # not behind the drip

        checker = Raw(running)  # the state is whole: every session works and belongs to its user
        for handshake in done:
            response = checker.call("GET", "user", token=handshake.session_token)
            assert response.json()["Response"][0]["UserPerson"]["id"] == handshake.user_id
        print(
            f"\nsoak: {len(latencies)} requests, slowest {max(latencies) * 1000:.0f} ms, "
            f"median {sorted(latencies)[len(latencies) // 2] * 1000:.0f} ms, "
            f"{offers} oversized offers, {drained} bytes drained slowly, sandbox peak RSS {peak / 2**20:.0f} MiB, "
            f"other users' callbacks within {max(callback_waits) * 1000:.0f} ms of their request"
        )
    import sqlite3

    db = sqlite3.connect(running.state / DB_NAME)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        counts = {
            table: db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]  # noqa: S608 - fixed names
            for table in ("users", "installations", "devices", "sessions")
        }
        expected = CLIENTS * HANDSHAKES_EACH + 1  # and the attacker's
        assert counts == {
            "users": CLIENTS + 1,
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
