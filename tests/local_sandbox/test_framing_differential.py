"""A differential check that keeps the hand-written server honest: every case of a framing battery is
sent to the sandbox and fed to h11 (a strict, independent HTTP/1.1 implementation); where the two
disagree on accept/refuse the test fails, unless the difference is in ``DOCUMENTED`` with its reason."""

from __future__ import annotations

import h11
import pytest

from bunq_helpers.local_sandbox import LocalSandbox
from tests.local_sandbox.test_hardening import read_answer, tls_socket

GET = b"GET /v1/user HTTP/1.1\r\n"
HOST = b"Host: 127.0.0.1\r\n"
POST = b"POST /v1/user HTTP/1.1\r\n"

BATTERY: dict[str, bytes] = {
    "plain GET": GET + HOST + b"\r\n",
    "HTTP/1.0 without Host": b"GET /v1/user HTTP/1.0\r\n\r\n",
    "HTTP/1.1 without Host": GET + b"\r\n",
    "two Host headers": GET + HOST + HOST + b"\r\n",
    "HTTP/2.0 request line": b"GET /v1/user HTTP/2.0\r\n" + HOST + b"\r\n",
    "HTTP/0.9 request line": b"GET /v1/user\r\n\r\n",
    "HTTP/1.2 request line": b"GET /v1/user HTTP/1.2\r\n" + HOST + b"\r\n",
    "lower-case protocol name": b"GET /v1/user http/1.1\r\n" + HOST + b"\r\n",
    "two spaces in the request line": b"GET  /v1/user HTTP/1.1\r\n" + HOST + b"\r\n",
    "a space in the target": b"GET /v1/us er HTTP/1.1\r\n" + HOST + b"\r\n",
    "absolute-form target": b"GET https://127.0.0.1/v1/user HTTP/1.1\r\n" + HOST + b"\r\n",
    "a leading empty line": b"\r\n" + GET + HOST + b"\r\n",
    "Content-Length body": POST + HOST + b"Content-Length: 2\r\n\r\n{}",
    "Content-Length not a number": POST + HOST + b"Content-Length: abc\r\n\r\n",
    "Content-Length negative": POST + HOST + b"Content-Length: -1\r\n\r\n",
    "two different Content-Lengths": POST + HOST + b"Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
    "Content-Length list": POST + HOST + b"Content-Length: 2, 2\r\n\r\n{}",
    "chunked body": POST + HOST + b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
    "chunked, upper case": POST + HOST + b"Transfer-Encoding: CHUNKED\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
    "chunked with an extension": POST + HOST + b"Transfer-Encoding: chunked\r\n\r\n2;a=b\r\n{}\r\n0\r\n\r\n",
    "chunked with a trailer": POST
    + HOST
    + b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\nX-T: 1\r\n\r\n",
    "gzip, chunked": POST + HOST + b"Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
    "identity, chunked": POST + HOST + b"Transfer-Encoding: identity, chunked\r\n\r\n0\r\n\r\n",
    "chunked, chunked": POST + HOST + b"Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n",
    "chunked then gzip": POST + HOST + b"Transfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n",
    "Transfer-Encoding gzip alone": POST + HOST + b"Transfer-Encoding: gzip\r\n\r\n",
    "Transfer-Encoding and Content-Length": POST
    + HOST
    + b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    "chunk size not hexadecimal": POST + HOST + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
    "chunk size with 0x": POST + HOST + b"Transfer-Encoding: chunked\r\n\r\n0x2\r\n{}\r\n0\r\n\r\n",
    "chunk data longer than its size": POST
    + HOST
    + b"Transfer-Encoding: chunked\r\n\r\n1\r\n{}\r\n0\r\n\r\n",
    "obs-fold": GET + HOST + b"X-A: 1\r\n 2\r\n\r\n",
    "whitespace before the first header": GET + b" Host: 127.0.0.1\r\n\r\n",
    "space before the colon": GET + b"Host : 127.0.0.1\r\n\r\n",
    "a header name with a slash": GET + HOST + b"X/A: 1\r\n\r\n",
    "NUL in a header value": GET + HOST + b"X-A: a\x00b\r\n\r\n",
    "bare LF line ends": b"GET /v1/user HTTP/1.1\nHost: 127.0.0.1\n\n",
    "bare CR in a header value": GET + HOST + b"X-A: a\rb\r\n\r\n",
    "a header without a colon": GET + HOST + b"X-A\r\n\r\n",
    "an empty header name": GET + HOST + b": x\r\n\r\n",
    "a lower-case method": b"get /v1/user HTTP/1.1\r\n" + HOST + b"\r\n",
    "an unknown method": b"BREW /v1/user HTTP/1.1\r\n" + HOST + b"\r\n",
    "Upgrade": GET + HOST + b"Connection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
    "CONNECT": b"CONNECT 127.0.0.1:443 HTTP/1.1\r\nHost: 127.0.0.1:443\r\n\r\n",
    "Expect: 100-continue": POST + HOST + b"Expect: 100-continue\r\nContent-Length: 2\r\n\r\n{}",
    "tab in a header value": GET + HOST + b"X-A: a\tb\r\n\r\n",
    "Latin-1 in a header value": GET + HOST + b"X-A: caf\xe9\r\n\r\n",
}

# Where the sandbox and h11 disagree on purpose, and why. Anything else that differs fails the test.
DOCUMENTED: dict[str, str] = {
    "CONNECT": "h11 reads CONNECT and pauses for a tunnel; the sandbox is no proxy and refuses it (400).",
    "an unknown method": "llhttp knows the registered methods only; h11 takes any token. bunq's API "
    "uses GET, POST, PUT, DELETE: either way the request gets no 200.",
    "a lower-case method": "methods are case-sensitive tokens (RFC 9110 §9.1): h11 takes 'get' as an "
    "unknown method, llhttp refuses it. Either way no route answers it.",
    "bare LF line ends": "h11 accepts a bare LF as a line end (RFC 9112 §2.2 MAY); the sandbox refuses "
    "it, as nginx does, since a bare LF is a request-smuggling ingredient.",
    "Content-Length list": "h11 folds identical repeated lengths into one (RFC 9112 §6.3 MAY); llhttp "
    "refuses any list, which is the stricter reading and safe.",
    "HTTP/2.0 request line": "h11 reads any one-digit version and leaves it to the server; RFC 9110 §6.2 "
    "lets a server refuse a major version it does not speak (505). The sandbox speaks 1.0 and 1.1 and "
    "refuses others with bunq's 400.",
    "HTTP/1.2 request line": "RFC 9110 §2.5 suggests reading a higher 1.x as 1.1; llhttp refuses it as "
    "an invalid version, and no client sends it. The sandbox's answer is bunq's 400.",
    "two spaces in the request line": "RFC 9112 §3 lets a recipient split the request line on runs of "
    "whitespace; llhttp does, h11 does not. The request ends in the same place either way.",
    "Transfer-Encoding and Content-Length": "RFC 9112 §6.3: a server MAY reject a request with both (or "
    "read it by Transfer-Encoding and close); the sandbox rejects it, a classic smuggling vector.",
    "obs-fold": "RFC 9112 §5.2: a server MUST either reject obs-fold with 400 or unfold it; h11 unfolds, "
    "the sandbox rejects.",
    "a leading empty line": "RFC 9112 §2.2: a server SHOULD ignore at least one empty line before a "
    "request line; llhttp does, h11 does not.",
}


def sandbox_verdict(sandbox: LocalSandbox, data: bytes) -> str:
    """'accept' when the request reached the app (any answer but the HTTP layer's 400), else 'refuse'."""
    with tls_socket(sandbox, timeout=5) as sock:
        sock.sendall(data)
        try:
            answer = read_answer(sock)
        except ConnectionError:
            return "refuse"
    return "refuse" if answer.status == 400 else "accept"


def h11_verdict(data: bytes) -> str:
    """'accept' when h11 reads a whole request from ``data``, 'refuse' when it raises, else 'incomplete'."""
    connection = h11.Connection(h11.SERVER)
    connection.receive_data(data)
    try:
        while True:
            event = connection.next_event()
            if event is h11.NEED_DATA:
                return "incomplete"
            if isinstance(event, h11.EndOfMessage) or event is h11.PAUSED:
                return "accept"
    except h11.RemoteProtocolError:
        return "refuse"


def test_the_documented_differences_are_cases_of_the_battery() -> None:
    assert set(DOCUMENTED) <= set(BATTERY)


@pytest.mark.parametrize("name", list(BATTERY))
def test_the_sandbox_and_h11_agree_on_accept_or_refuse(sandbox: LocalSandbox, name: str) -> None:
    data = BATTERY[name]
    ours, theirs = sandbox_verdict(sandbox, data), h11_verdict(data)
    if name in DOCUMENTED:
        assert ours != theirs, f"{name}: documented as a difference, but both {ours}; drop it from DOCUMENTED"
    else:
        assert ours == theirs, f"{name}: the sandbox would {ours}, h11 would {theirs}"
