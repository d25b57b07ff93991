"""Hardening: what a client with bad intentions (or a sloppy one) sends gets bunq's 400, signed, never a
500, a dropped connection or a stalled server; idle, slow and silent connections hold nobody up."""

from __future__ import annotations

import contextlib
import json
import select
import socket
import ssl
import threading
import time
from types import SimpleNamespace

import pytest

from bunq_helpers.crypto import signing
from bunq_helpers.local_sandbox import LocalSandbox, http_server
from bunq_helpers.local_sandbox.bank.ledger import credit
from bunq_helpers.local_sandbox.http_io import Response
from bunq_helpers.local_sandbox.http_server import ConnectionLimits
from tests.helpers import Handshake, Raw, error_of

SURROGATE = "\\ud800"  # as JSON text spells it: one half of a UTF-16 pair, alone


def tls_socket(sandbox: LocalSandbox, timeout: float = 10) -> ssl.SSLSocket:
    context = ssl.create_default_context(cafile=sandbox.ca_file)
    raw = socket.create_connection(("127.0.0.1", sandbox.port), timeout=timeout)
    return context.wrap_socket(raw, server_hostname="127.0.0.1")


def read_answer(sock: socket.socket) -> SimpleNamespace:
    """Status, headers (lower-cased) and body of one answer read from a socket."""
    reader = sock.makefile("rb")
    status_line = reader.readline()
    if not status_line:
        raise ConnectionError("closed without an answer")
    headers = {}
    while (line := reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    body = reader.read(int(headers.get("content-length", 0)))
    reader.close()
    return SimpleNamespace(status=int(status_line.split()[1]), headers=headers, body=body)


def pipeline(sock: ssl.SSLSocket, data: bytes, count: int, timeout: float = 30) -> list[SimpleNamespace]:
    """Send ``data`` (``count`` pipelined requests) while reading the ``count`` answers, in one thread.

    A TLS socket must not be written in one thread while read in another (OpenSSL's connection state is
    not thread-safe: a read can see a false end of stream), so both go through one non-blocking loop.
    """
    sock.setblocking(False)
    received, answers, sent = bytearray(), [], 0
    deadline = time.monotonic() + timeout
    while len(answers) < count:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{len(answers)} of {count} answers came within {timeout:g} s")
        writing = [sock] if sent < len(data) else []
        readable, writable, _ = select.select([sock], writing, [], 0.5)
        if writable:
            with contextlib.suppress(ssl.SSLWantReadError, ssl.SSLWantWriteError):
                sent += sock.send(data[sent : sent + 16384])
        if readable or sock.pending():
            try:
                chunk = sock.recv(65536)
            except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
                continue
            if not chunk:
                raise ConnectionError(f"closed after {len(answers)} of {count} answers")
            received += chunk
            while (answer := _take_answer(received)) is not None:
                answers.append(answer)
    return answers


def _take_answer(buffer: bytearray) -> SimpleNamespace | None:
    """The first whole answer in ``buffer``, removed from it; None while it is incomplete."""
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        return None
    status_line, *lines = buffer[:end].decode("latin-1").split("\r\n")
    headers = {name.strip().lower(): value.strip() for name, _, value in (x.partition(":") for x in lines)}
    length = int(headers.get("content-length", 0))
    if len(buffer) < end + 4 + length:
        return None
    body = bytes(buffer[end + 4 : end + 4 + length])
    del buffer[: end + 4 + length]
    return SimpleNamespace(status=int(status_line.split()[1]), headers=headers, body=body)


def assert_signed_bunq_error(sandbox: LocalSandbox, answer: SimpleNamespace, status: int, text: str) -> None:
    assert answer.status == status, answer
    assert answer.headers["content-type"] == "application/json"
    error = json.loads(answer.body)["Error"][0]
    assert set(error) == {"error_description", "error_description_translated"}
    assert text in error["error_description"], error
    server_key = sandbox.app.credentials.signing_key.public_key()
    assert signing.verify_body(server_key, answer.body, answer.headers["x-bunq-server-signature"])


def send_raw(sandbox: LocalSandbox, data: bytes) -> SimpleNamespace:
    with tls_socket(sandbox) as sock:
        sock.sendall(data)
        return read_answer(sock)


def head(sandbox: LocalSandbox, request_line: str, *headers: str) -> bytes:
    lines = [request_line, f"Host: 127.0.0.1:{sandbox.port}", *headers, "", ""]
    return "\r\n".join(lines).encode("latin-1")


@pytest.fixture
def mine(raw: Raw, client_key) -> Handshake:
    return raw.handshake(client_key)


# -- bodies and framing -------------------------------------------------------------------------


@pytest.mark.parametrize("length", ["99999999999999999999", "999999999999999999999999"])
def test_an_absurd_content_length_gets_bunqs_400_not_a_dropped_connection(sandbox, length: str) -> None:
    answer = send_raw(sandbox, head(sandbox, "POST /v1/installation HTTP/1.1", f"Content-Length: {length}"))
    assert_signed_bunq_error(sandbox, answer, 400, "larger than 1048576 bytes")  # past 2**64 too
    assert answer.headers["connection"] == "close"


def test_a_large_body_is_refused_from_its_content_length_before_it_is_sent(sandbox) -> None:
    with tls_socket(sandbox) as sock:
        sock.sendall(head(sandbox, "POST /v1/installation HTTP/1.1", "Content-Length: 419430400"))
        started = time.monotonic()
        answer = read_answer(sock)  # not one byte of the 400 MiB was sent
    assert time.monotonic() - started < 2
    assert_signed_bunq_error(sandbox, answer, 400, "larger than 1048576 bytes")


def test_a_chunked_body_is_counted_as_it_arrives(sandbox) -> None:
    before = sandbox.store.snapshot()
    chunk = b"%x\r\n%s\r\n" % (65536, b"A" * 65536)
    with tls_socket(sandbox) as sock:
        sock.sendall(head(sandbox, "POST /v1/installation HTTP/1.1", "Transfer-Encoding: chunked"))
        for _ in range(17):  # 1.06 MiB, over the 1 MiB limit; then the answer, without an end chunk
            sock.sendall(chunk)
        answer = read_answer(sock)
    assert_signed_bunq_error(sandbox, answer, 400, "larger than 1048576 bytes")
    assert sandbox.store.snapshot() == before


@pytest.mark.parametrize("size_line", [b"zz", b"-1", b"1" * 40, b"0x10", b""])
def test_invalid_chunk_sizes_get_bunqs_400_signed(sandbox, size_line: bytes) -> None:
    data = head(sandbox, "POST /v1/installation HTTP/1.1", "Transfer-Encoding: chunked")
    answer = send_raw(sandbox, data + size_line + b"\r\n{}\r\n0\r\n\r\n")
    assert_signed_bunq_error(sandbox, answer, 400, "framing is invalid")


@pytest.mark.parametrize("value", ["abc", "12, 13", "-1"])
def test_a_content_length_that_is_no_length_gets_bunqs_400(sandbox, value: str) -> None:
    answer = send_raw(sandbox, head(sandbox, "POST /v1/installation HTTP/1.1", f"Content-Length: {value}"))
    assert_signed_bunq_error(sandbox, answer, 400, "Content-Length header is not a valid length")
    assert answer.headers["connection"] == "close"


def test_a_garbled_request_line_gets_bunqs_400(sandbox) -> None:
    answer = send_raw(sandbox, b"GET\x00/v1/user HTTP/1.1\r\nHost: x\r\n\r\n")
    assert_signed_bunq_error(sandbox, answer, 400, "could not be read as HTTP/1.1")


# -- text, counts, amounts ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("sandbox-user-person", '{"note": "%s"}', "note"),
        ("installation", '{"client_public_key": "%s"}', "client_public_key"),
        ("device-server", '{"description": "a%s", "secret": "k"}', "description"),
        ("device-server", '{"description": "d", "secret": "k", "permitted_ips": ["%s"]}', "permitted_ips[0]"),
        ("payment", '{"amount": {"value": "1.00", "currency": "EUR"}, "description": "%s"}', "description"),
        (
            "payment",
            '{"amount": {"value": "1.00", "currency": "EUR"}, "description": "d",'
            ' "counterparty_alias": {"type": "EMAIL", "value": "a@b.c", "name": "x%s"}}',
            "counterparty_alias.name",
        ),
    ],
)
def test_a_lone_surrogate_in_any_text_field_is_a_400_naming_the_field(
    sandbox, raw: Raw, mine: Handshake, path: str, body: str, field: str
) -> None:
    data = (body % SURROGATE).encode()
    before = sandbox.store.snapshot()
    token, url = None, path
    if path == "device-server":
        token = mine.installation_token
    elif path == "payment":
        token, url = mine.session_token, f"user/{mine.user_id}/monetary-account/{mine.account_id}/payment"
    response = raw.call("POST", url, data, token=token, sign_with=mine.key)
    assert response.status_code == 400, response.text
    assert f'Field "{field}" contains a lone UTF-16 surrogate' in error_of(response)
    assert signing.verify_body(mine.server_key, response.content, response.headers["X-Bunq-Server-Signature"])
    assert sandbox.store.snapshot() == before


def test_a_surrogate_pair_is_text_and_accepted(raw: Raw, mine: Handshake) -> None:
    body = b'{"description": "\\ud83d\\ude00", "secret": "%s"}' % mine.api_key.encode()
    response = raw.call("POST", "device-server", body, token=mine.installation_token)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("count", ["²", "9" * 5000, "٣", "１０", "3\n", " 3", "+3", "1e1"])
def test_count_takes_ascii_whole_numbers_only(raw: Raw, mine: Handshake, count: str) -> None:
    response = raw.call(
        "GET", f"user/{mine.user_id}/monetary-account?count={count}", token=mine.session_token
    )
    assert response.status_code == 400, response.text
    assert error_of(response) == 'Query parameter "count" must be a whole number from 1 to 200.'


@pytest.mark.parametrize("value", ["0.01\n", "١.٠٠", "１.00", "1.0０", " 1.00", "1.00 "])
def test_amounts_are_ascii_digits_and_nothing_else(sandbox, raw: Raw, mine: Handshake, value: str) -> None:
    with sandbox.store.transaction() as db:
        credit(db, mine.account_id, 10_000, time.time())
    before = sandbox.store.snapshot()
    body = {
        "amount": {"value": value, "currency": "EUR"},
        "counterparty_alias": {"type": "EMAIL", "value": "someone@example.com"},
        "description": "d",
    }
    path = f"user/{mine.user_id}/monetary-account/{mine.account_id}/payment"
    response = raw.call("POST", path, json.dumps(body), token=mine.session_token, sign_with=mine.key)
    assert response.status_code == 400, response.text
    assert 'Field "amount.value" must be a string amount such as "12.50"' in error_of(response)
    assert sandbox.store.snapshot() == before  # nothing paid


def test_ipv4_clients_of_a_dual_stack_sandbox_match_ipv4_permitted_ips(fresh_state, client_key) -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6 on this machine")
    try:
        sandbox = LocalSandbox(fresh_state("v6"), host="::").start()
    except OSError as exc:
        pytest.skip(f"cannot listen on '::': {exc}")
    try:
        seen: list[str] = []
        sandbox.observe(lambda request: seen.append(request.remote_addr))
        over_ipv4 = SimpleNamespace(base_url=f"https://127.0.0.1:{sandbox.port}/v1/", ca_file=sandbox.ca_file)
        done = Raw(over_ipv4).handshake(client_key, permitted_ips=["127.0.0.1"])  # session-server passes
        assert done.session_token and set(seen) == {"127.0.0.1"}  # not ::ffff:127.0.0.1
        rows = sandbox.store.read().execute("SELECT DISTINCT ip FROM devices").fetchall()
        assert [row["ip"] for row in rows] == ["127.0.0.1"]
    finally:
        sandbox.stop()


# -- connections that hold on -------------------------------------------------------------------


def served_within(sandbox: LocalSandbox, seconds: float) -> None:
    started = time.monotonic()
    response = Raw(sandbox).call("POST", "sandbox-user-person")
    assert response.status_code == 200
    assert time.monotonic() - started < seconds


def test_idle_tls_connections_and_a_silent_tcp_connection_hold_nobody_up(sandbox) -> None:
    idle = [tls_socket(sandbox) for _ in range(24)]
    silent = socket.create_connection(("127.0.0.1", sandbox.port))  # never starts TLS
    try:
        for _ in range(3):
            served_within(sandbox, 1.0)
    finally:
        for sock in [*idle, silent]:
            sock.close()


def test_slowloris_holds_nobody_up_and_gets_a_400_when_its_time_is_up(fresh_state) -> None:
    limits = ConnectionLimits(head_timeout=1.0)
    with LocalSandbox(fresh_state("s"), limits=limits) as sandbox:
        drips = [tls_socket(sandbox) for _ in range(8)]
        for sock in drips:
            sock.sendall(b"POST /v1/installation HTTP/1.1\r\nHost: x\r\n")
        stop = threading.Event()

        def drip() -> None:
            while not stop.wait(0.2):
                for sock in drips:
                    sock.sendall(b"X")

        dripping = threading.Thread(target=drip, daemon=True)
        dripping.start()
        try:
            served_within(sandbox, 0.5)
            time.sleep(0.3)
            served_within(sandbox, 0.5)
        finally:
            stop.set()
            dripping.join()
        answer = read_answer(drips[0])  # the head timeout: bunq's 400, then closed
        assert_signed_bunq_error(sandbox, answer, 400, "headers did not arrive within 1 seconds")
        for sock in drips:
            sock.close()


def test_idle_keep_alive_and_unfinished_tls_are_closed_after_their_timeouts(fresh_state) -> None:
    limits = ConnectionLimits(idle_timeout=0.5, tls_timeout=0.5)
    with LocalSandbox(fresh_state("s"), limits=limits) as sandbox:
        idle = tls_socket(sandbox)
        silent = socket.create_connection(("127.0.0.1", sandbox.port), timeout=5)
        started = time.monotonic()
        assert idle.recv(1) == b""  # closed by the server (a TLS close_notify reads as EOF)
        assert silent.recv(1) == b""
        assert 0.4 < time.monotonic() - started < 3
        idle.close()
        silent.close()


def test_open_connections_are_capped_with_a_clear_refusal(fresh_state) -> None:
    with LocalSandbox(fresh_state("s"), limits=ConnectionLimits(max_connections=3)) as sandbox:
        held = [tls_socket(sandbox) for _ in range(3)]
        try:
            with tls_socket(sandbox) as fourth:
                answer = read_answer(fourth)
            assert_signed_bunq_error(sandbox, answer, 503, "has 3 connections open, its limit")
            held.pop().close()
            deadline = time.monotonic() + 5
            while len(sandbox._server.connections) > 2 and time.monotonic() < deadline:
                time.sleep(0.01)
            served_within(sandbox, 1.0)  # room again once one closed
        finally:
            for sock in held:
                sock.close()


def test_the_slow_fault_holds_one_answer_back_and_no_one_else(sandbox) -> None:
    sandbox.faults.add("slow", path="sandbox-user-company", seconds=0.5)
    slow = Raw(sandbox)
    result: dict[str, float] = {}

    def call_slowly() -> None:
        started = time.monotonic()
        assert slow.call("POST", "sandbox-user-company").status_code == 200
        result["slow"] = time.monotonic() - started

    thread = threading.Thread(target=call_slowly)
    thread.start()
    time.sleep(0.05)
    for _ in range(5):
        served_within(sandbox, 0.3)
    thread.join()
    assert result["slow"] >= 0.5
    users = sandbox.store.read().execute("SELECT kind FROM users").fetchall()
    assert sorted(row["kind"] for row in users).count("UserCompany") == 1  # carried out once


def test_the_disconnect_fault_closes_without_an_answer(sandbox) -> None:
    sandbox.faults.add("disconnect", path="user")
    with tls_socket(sandbox) as sock:
        sock.sendall(head(sandbox, "GET /v1/user HTTP/1.1"))
        with pytest.raises((ConnectionError, ssl.SSLError, OSError)):
            read_answer(sock)


def test_pipelined_requests_are_answered_in_order(sandbox) -> None:
    one = head(sandbox, "POST /v1/sandbox-user-person HTTP/1.1", "Content-Length: 0")
    two = head(sandbox, "GET /v1/user HTTP/1.1")
    with tls_socket(sandbox) as sock:
        sock.sendall(one + two)
        first, second = read_answer(sock), read_answer(sock)
    assert first.status == 200 and second.status == 401


def test_hundreds_of_pipelined_requests_are_answered_without_recursing(sandbox) -> None:
    """The loop answers each request itself; the next pipelined one must wait its turn, not nest."""
    count = 400  # at about 5 frames per nested answer, past Python's recursion limit
    request = head(sandbox, "GET /v1/user HTTP/1.1")
    with tls_socket(sandbox) as sock:
        answers = pipeline(sock, request * count, count)
    assert [a.status for a in answers] == [401] * count
    assert len({a.headers["x-bunq-client-response-id"] for a in answers}) == count


def test_client_keys_with_the_throwaway_key_still_verify(sandbox, raw: Raw, client_key) -> None:
    """The parsed-key cache is keyed by the PEM: a second installation of the same key verifies too."""
    first = raw.handshake(client_key)
    second = raw.handshake(client_key, api_key=first.api_key)
    assert second.session_token != first.session_token
    other = sandbox.app.credentials.signing_key  # any other RSA key will do
    response = raw.call(
        "POST", "session-server", {"secret": first.api_key}, token=second.installation_token, sign_with=other
    )
    assert response.status_code == 400 and error_of(response) == "The request signature is invalid."


def test_head_gets_the_headers_of_bunqs_405_and_no_body(sandbox) -> None:
    with tls_socket(sandbox) as sock:
        sock.sendall(head(sandbox, "HEAD /v1/user HTTP/1.1") + head(sandbox, "GET /v1/user HTTP/1.1"))
        reader = sock.makefile("rb")
        status = reader.readline()
        while reader.readline() not in (b"\r\n", b""):
            pass
        assert status.startswith(b"HTTP/1.1 405")
        assert reader.readline().startswith(b"HTTP/1.1 401")  # the next answer follows at once: no body
        reader.close()


@pytest.mark.parametrize(
    "header", [("X-Note", "a\r\nSet-Cookie: x=1"), ("X-Note", "a\nb"), ("X-Note", "a\0b"), ("Bad Name", "v")]
)
def test_an_answer_header_that_would_inject_lines_is_never_written(header: tuple[str, str]) -> None:
    """The server writes answers' heads itself: a line break, NUL or non-token name is refused."""
    with pytest.raises(ValueError):
        http_server._head(Response(200, b"{}", [header]), [])


def test_an_answers_head_is_date_then_the_apps_headers_then_its_length() -> None:
    head = http_server._head(Response(200, b"{}", [("Content-Type", "application/json")]), [])
    lines = head.decode("latin-1").split("\r\n")
    assert lines[0] == "HTTP/1.1 200 OK" and lines[1].startswith("Date: ")
    assert lines[2:] == ["Content-Type: application/json", "Content-Length: 2", "", ""]
