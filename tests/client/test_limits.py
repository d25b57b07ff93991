"""The client's limits against a server of the test's own that misbehaves: a deadline for the whole
request (drip in the body, in the headers, a TLS handshake that never comes), a cap on the answer
(announced, streamed, or a gzip bomb), and no compression asked for."""

from __future__ import annotations

import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from bunq_helpers.client.limits import DEFAULT_DEADLINE, DEFAULT_MAX_RESPONSE_BYTES, DeadlineConnection
from bunq_helpers.client.transport import BunqClient
from bunq_helpers.errors import ConnectionFailedError, DeadlineExceededError, ResponseTooLargeError
from tests.client.misbehaving_server import Request, drip, misbehaving_server

MiB = 1024 * 1024
DEADLINE = 1.0
SLACK = 2.0  # what the machine (two cores, shared) may add to the deadline


def _timed(expected: type[BaseException], action: Callable[[], object]) -> tuple[BaseException, float]:
    started = time.monotonic()
    with pytest.raises(expected) as caught:
        action()
    return caught.value, time.monotonic() - started


def _drip_body(connection, request: Request, stop: threading.Event) -> None:
    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n")
    drip(connection, b"{" + b" " * 998 + b"}", stop)


def _drip_head(connection, request: Request, stop: threading.Event) -> None:
    drip(connection, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}", stop)


@pytest.mark.parametrize("answer", [_drip_body, _drip_head], ids=["body", "headers"])
def test_a_dripping_server_is_cut_off_at_the_deadline(tmp_path: Path, answer) -> None:
    with misbehaving_server(answer, tmp_path) as served:
        client = BunqClient(served.endpoint, deadline=DEADLINE)
        error, took = _timed(DeadlineExceededError, lambda: client.request("GET", "user"))
    assert isinstance(error, ConnectionFailedError)  # what callers already catch
    assert DEADLINE <= took < DEADLINE + SLACK, took  # each byte came well within the read timeout (30 s)
    assert "deadline of 1 s" in str(error) and "BunqClient(..., deadline=2)" in str(error)
    assert error.exchange is client.last_exchange and "deadline" in error.exchange.error


def test_a_tls_handshake_that_never_comes_is_cut_off_at_the_deadline(tmp_path: Path) -> None:
    with misbehaving_server(_drip_body, tmp_path, handshake=False) as served:
        client = BunqClient(served.endpoint, deadline=DEADLINE)
        _, took = _timed(DeadlineExceededError, lambda: client.request("GET", "user"))
    assert took < DEADLINE + SLACK


def _endless(connection, request: Request, stop: threading.Event, *, length: bool) -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
    head += b"Content-Length: %d\r\n\r\n" % (400 * MiB) if length else b"Connection: close\r\n\r\n"
    connection.sendall(head)
    block = b"0" * (64 * 1024)
    for _ in range(400 * 16):  # 400 MiB at most
        if stop.is_set():
            return
        connection.sendall(block)


def _too_large(client: BunqClient) -> tuple[BaseException, float, int]:
    """The error, the seconds it took, and the peak of memory allocated meanwhile."""
    tracemalloc.start()
    try:
        error, took = _timed(ResponseTooLargeError, lambda: client.request("GET", "user"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return error, took, peak


@pytest.mark.parametrize("length", [True, False], ids=["announced", "streamed"])
def test_a_huge_answer_stops_at_the_cap(tmp_path: Path, length: bool) -> None:
    def answer(connection, request, stop):
        _endless(connection, request, stop, length=length)

    with misbehaving_server(answer, tmp_path) as served:
        client = BunqClient(served.endpoint, max_response_bytes=2 * MiB)
        error, took, peak = _too_large(client)
    message = str(error)
    assert "cap of 2 MiB" in message and "BunqClient(..., max_response_bytes=8388608)" in message
    assert ("announced 400 MiB (Content-Length)" in message) is length
    assert peak < 8 * MiB and took < 10, (peak, took)  # 400 MiB on offer
    assert error.exchange.status == 200 and error.exchange.response_body == b""


def _gzip_bomb(decompressed_mib: int) -> bytes:
    """Concatenated gzip members of 1 MiB of zeros each (about 1 kB apiece): a bomb made in milliseconds."""
    member = zlib.compressobj(9, zlib.DEFLATED, 31)
    one = member.compress(b"\0" * MiB) + member.flush()
    return one * decompressed_mib


BOMB = _gzip_bomb(2048)  # about 2 MiB that become 2 GiB


def test_a_gzip_bomb_stops_at_the_cap_after_decompression(tmp_path: Path) -> None:
    def answer(connection, request, stop):
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
        connection.sendall(head + b"Content-Length: %d\r\n\r\n" % len(BOMB) + BOMB)

    with misbehaving_server(answer, tmp_path) as served:
        client = BunqClient(served.endpoint, max_response_bytes=4 * MiB)
        error, took, peak = _too_large(client)
    assert "cap of 4 MiB" in str(error) and "after decompression" in str(error)
    assert peak < 16 * MiB and took < 10, (peak, took)
    assert served.requests[0].header("Accept-Encoding") == "identity"  # it was not asked for


def test_a_compressed_answer_within_the_cap_is_read(tmp_path: Path) -> None:
    body = b'{"Response": [' + b'{"Id": {"id": 1}},' * 1000 + b'{"Id": {"id": 2}}]}'
    packed = zlib.compressobj(9, zlib.DEFLATED, 31)
    packed = packed.compress(body) + packed.flush()

    def answer(connection, request, stop):
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
        connection.sendall(head + b"Content-Length: %d\r\n\r\n" % len(packed) + packed)

    with misbehaving_server(answer, tmp_path) as served:
        exchange = BunqClient(served.endpoint).request("GET", "user")
    assert exchange.response_body == body and len(packed) < len(body) // 10


def test_defaults_and_keep_alive(sandbox, endpoint, monkeypatch) -> None:
    connects = []
    real_connect = DeadlineConnection.connect
    monkeypatch.setattr(DeadlineConnection, "connect", lambda self: connects.append(1) or real_connect(self))
    client = BunqClient(endpoint)
    assert client.deadline == DEFAULT_DEADLINE == 60
    assert client.max_response_bytes == DEFAULT_MAX_RESPONSE_BYTES
    first = client.request("POST", "sandbox-user-person")
    second = client.request("POST", "sandbox-user-person")
    assert first.request_header("Accept-Encoding") == "identity"
    assert first.response_header("Content-Encoding") is None and second.status == 200
    assert len(connects) == 1  # the streamed answers went back to the pool: one TLS handshake for both


def test_one_watcher_cuts_the_earliest_deadline_first_and_forgets_finished_ones() -> None:
    import socket
    from types import SimpleNamespace

    from bunq_helpers.client import limits

    waiting, peer = socket.socketpair()
    try:
        with limits.Deadline(60), limits.Deadline(0.3) as short:  # a later one is already watched
            short.watch(SimpleNamespace(sock=waiting))
            started = time.monotonic()
            assert waiting.recv(1) == b""  # woken by the shutdown, not by the peer
            assert 0.2 < time.monotonic() - started < SLACK and short.expired
    finally:
        waiting.close()
        peer.close()
    threads = threading.active_count()
    for _ in range(3 * limits._Watcher.COMPACT_AT):
        with limits.Deadline(60):
            pass
    assert len(limits._watcher._heap) <= 2 * limits._Watcher.COMPACT_AT  # finished ones do not pile up
    assert threading.active_count() == threads  # and no thread per request
