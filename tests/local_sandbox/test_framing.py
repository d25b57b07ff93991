"""Strict HTTP/1.1 framing (RFC 9112), with bunq's 400 where the sandbox answers: trailers stay out of
the headers, an oversized chunk is refused at its size line, ``Expect: 100-continue`` is honoured in
order and only for a body that will be read, ``Upgrade``/``CONNECT`` never swallow the pipeline, a
half-closed connection gets every answer it asked for, and only well-formed request lines and
framings are accepted."""

from __future__ import annotations

import socket
import time

import pytest

from bunq_helpers.local_sandbox import LocalSandbox
from tests.helpers import Handshake, Raw
from tests.local_sandbox.test_hardening import assert_signed_bunq_error, head, read_answer, tls_socket

LIMIT = 1_048_576  # the default max_body_bytes


@pytest.fixture
def mine(raw: Raw, client_key) -> Handshake:
    return raw.handshake(client_key)


def answers_until_closed(sock: socket.socket) -> list:
    """Every answer the server writes until it closes (a read that times out fails the test)."""
    got = []
    while True:
        try:
            got.append(read_answer(sock))
        except ConnectionError:
            return got


def test_a_token_sent_only_in_a_trailer_does_not_authenticate(sandbox: LocalSandbox, mine: Handshake) -> None:
    token = f"X-Bunq-Client-Authentication: {mine.session_token}"
    with tls_socket(sandbox, timeout=5) as sock:
        sock.sendall(head(sandbox, "GET /v1/user HTTP/1.1", token))  # the control: in the head it counts
        assert read_answer(sock).status == 200
        chunked = head(sandbox, "GET /v1/user HTTP/1.1", "Transfer-Encoding: chunked")
        sock.sendall(chunked + f"0\r\n{token}\r\n\r\n".encode())
        answer = read_answer(sock)
    assert_signed_bunq_error(sandbox, answer, 401, "Insufficient authorisation")


@pytest.mark.parametrize("split", [None, 0, 20], ids=["head-then-size-line", "in-one-read", "head-split"])
def test_a_chunk_larger_than_the_limit_is_refused_when_its_size_line_is_read(
    sandbox: LocalSandbox, split: int | None
) -> None:
    data = head(sandbox, "POST /v1/installation HTTP/1.1", "Transfer-Encoding: chunked")
    size_line = b"%x\r\n" % (LIMIT + 1) + b"{}"  # the size line, and then the client dawdles
    sends = [data, size_line] if split is None else [data[:split], data[split:] + size_line]
    started = time.monotonic()
    with tls_socket(sandbox, timeout=5) as sock:
        for part in filter(None, sends):
            sock.sendall(part)
        answer = read_answer(sock)
    assert time.monotonic() - started < 2
    assert_signed_bunq_error(sandbox, answer, 400, f"larger than {LIMIT} bytes")
    assert answer.headers["connection"] == "close"


def test_chunks_that_add_up_past_the_limit_are_refused_at_the_size_line_that_crosses_it(sandbox) -> None:
    with tls_socket(sandbox, timeout=5) as sock:
        sock.sendall(head(sandbox, "POST /v1/installation HTTP/1.1", "Transfer-Encoding: chunked"))
        sock.sendall(b"80000\r\n" + b"A" * 0x80000 + b"\r\n")  # half the limit: fine
        sock.sendall(b"80001;ext=1\r\n")  # one byte too many, announced
        answer = read_answer(sock)
    assert_signed_bunq_error(sandbox, answer, 400, f"larger than {LIMIT} bytes")


def test_expect_100_continue_before_an_oversized_length_gets_only_the_400(sandbox: LocalSandbox) -> None:
    data = head(
        sandbox, "POST /v1/installation HTTP/1.1", "Expect: 100-continue", f"Content-Length: {LIMIT + 1}"
    )
    with tls_socket(sandbox, timeout=5) as sock:
        sock.sendall(data)
        answer = read_answer(sock)
    assert_signed_bunq_error(sandbox, answer, 400, f"larger than {LIMIT} bytes")


def test_expect_100_continue_is_sent_after_the_answers_before_it(sandbox: LocalSandbox) -> None:
    first = head(sandbox, "GET /v1/user HTTP/1.1")
    second = head(
        sandbox, "POST /v1/sandbox-user-person HTTP/1.1", "Expect: 100-continue", "Content-Length: 2"
    )
    with tls_socket(sandbox, timeout=5) as sock:
        sock.sendall(first + second)
        assert read_answer(sock).status == 401  # the first request's answer comes first
        reader = sock.makefile("rb")
        assert reader.readline() == b"HTTP/1.1 100 Continue\r\n" and reader.readline() == b"\r\n"
        reader.close()
        sock.sendall(b"{}")
        assert read_answer(sock).status == 200


def test_expect_100_continue_without_a_body_gets_no_100(sandbox: LocalSandbox) -> None:
    with tls_socket(sandbox, timeout=5) as sock:
        sock.sendall(head(sandbox, "GET /v1/user HTTP/1.1", "Expect: 100-continue"))
        assert read_answer(sock).status == 401


def test_upgrade_is_ignored_and_the_pipeline_behind_it_answered(sandbox: LocalSandbox) -> None:
    upgrade = head(sandbox, "GET /v1/user HTTP/1.1", "Connection: Upgrade", "Upgrade: websocket")
    with tls_socket(sandbox, timeout=5) as sock:
        sock.sendall(
            upgrade + head(sandbox, "GET /v1/user HTTP/1.1") + head(sandbox, "GET /v1/nope HTTP/1.1")
        )
        statuses = [read_answer(sock).status for _ in range(3)]
    assert statuses == [401, 401, 404]


def test_connect_is_refused_clearly_and_the_connection_closed(sandbox: LocalSandbox) -> None:
    connect = b"CONNECT 127.0.0.1:443 HTTP/1.1\r\nHost: 127.0.0.1:443\r\n\r\n"
    with tls_socket(sandbox, timeout=5) as sock:
        sock.sendall(
            head(sandbox, "GET /v1/user HTTP/1.1") + connect + head(sandbox, "GET /v1/user HTTP/1.1")
        )
        answers = answers_until_closed(sock)
    assert [a.status for a in answers] == [401, 400]
    assert_signed_bunq_error(sandbox, answers[1], 400, "CONNECT")
    assert answers[1].headers["connection"] == "close"


def test_a_half_closed_connection_gets_every_answer_it_asked_for(sandbox: LocalSandbox) -> None:
    sandbox.faults.add("slow", path="sandbox-user-company", seconds=0.3)  # answers wait; the rest arrives
    slow = head(sandbox, "POST /v1/sandbox-user-company HTTP/1.1", "Content-Length: 0")
    with tls_socket(sandbox, timeout=5) as sock:
        sock.sendall(slow)
        for _ in range(4):
            sock.sendall(head(sandbox, "GET /v1/user HTTP/1.1"))
        socket.socket.shutdown(sock, socket.SHUT_WR)  # TCP half-close under the TLS layer
        answers = answers_until_closed(sock)
    assert [a.status for a in answers] == [200, 401, 401, 401, 401]


@pytest.mark.parametrize(
    ("request_line", "headers", "says"),
    [
        ("GET /v1/user HTTP/1.1", [], 'exactly one "Host" header'),
        ("GET /v1/user HTTP/1.1", ["Host: a", "Host: b"], 'exactly one "Host" header'),
        ("GET /v1/user HTTP/2.0", ["Host: a"], "HTTP/1.0 and HTTP/1.1"),
        ("GET /v1/user HTTP/0.9", ["Host: a"], "HTTP/1.0 and HTTP/1.1"),
        (
            "POST /v1/installation HTTP/1.1",
            ["Host: a", "Transfer-Encoding: gzip, chunked"],
            "Transfer-Encoding",
        ),
        (
            "POST /v1/installation HTTP/1.1",
            ["Host: a", "Transfer-Encoding: identity, chunked"],
            "Transfer-Encoding",
        ),
        (
            "POST /v1/installation HTTP/1.1",
            ["Host: a", "Transfer-Encoding: chunked, chunked"],
            "Transfer-Encoding",
        ),
    ],
)
def test_framing_rfc_9112_refuses_gets_bunqs_400(
    sandbox, request_line: str, headers: list, says: str
) -> None:
    data = "\r\n".join([request_line, *headers, "", ""]).encode()
    if "chunked" in data.decode():
        data += b"0\r\n\r\n"
    with tls_socket(sandbox, timeout=5) as sock:
        sock.sendall(data)
        answer = read_answer(sock)
    assert_signed_bunq_error(sandbox, answer, 400, says)
    assert answer.headers["connection"] == "close"


def test_an_http_0_9_request_line_is_refused(sandbox: LocalSandbox) -> None:
    with tls_socket(sandbox, timeout=5) as sock:
        sock.sendall(b"GET /v1/user\r\n\r\n")
        answer = read_answer(sock)
    assert answer.status == 400


def test_http_1_0_without_host_is_still_served(sandbox: LocalSandbox) -> None:
    with tls_socket(sandbox, timeout=5) as sock:
        sock.sendall(b"GET /v1/user HTTP/1.0\r\n\r\n")
        assert read_answer(sock).status == 401
