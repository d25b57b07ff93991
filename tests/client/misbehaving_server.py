"""A tiny HTTPS server of the tests' own, on loopback, that answers however a test scripts it.

Not the local sandbox: the client's limits and masking must hold against a server that follows no
rule at all (one that drips, never ends, compresses a bomb, or echoes the request in its errors).
Each connection is handled in its own thread, TLS included; ``answer(connection, request, stop)``
writes whatever bytes it likes. Everything is bounded: answers stop when ``stop`` is set (at the end
of the ``with``) or when the client goes away.
"""

from __future__ import annotations

import socket
import socketserver
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import trustme

from bunq_helpers.client.endpoint import Endpoint

GONE = (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError)
"""What writing to a client that went away raises."""


@dataclass
class Request:
    """What the client sent: the request line and headers (as text) and the body."""

    head: str
    body: bytes

    def header(self, name: str) -> str | None:
        for line in self.head.split("\r\n")[1:]:
            key, _, value = line.partition(":")
            if key.strip().lower() == name.lower():
                return value.strip()
        return None


Answer = Callable[[ssl.SSLSocket, Request, threading.Event], None]


@dataclass
class Served:
    """A running server: where to reach it, what it received, and whether a client has gone."""

    endpoint: Endpoint
    requests: list[Request] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)


def _read_request(connection: ssl.SSLSocket) -> Request | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    request = Request(head.decode("latin-1"), body)
    length = int(request.header("Content-Length") or 0)
    while len(request.body) < length:
        chunk = connection.recv(65536)
        if not chunk:
            break
        request.body += chunk
    return request


@contextmanager
def misbehaving_server(answer: Answer, folder: Path, *, handshake: bool = True) -> Iterator[Served]:
    """Serve ``answer`` over HTTPS on 127.0.0.1 (a CA of its own, written to ``folder``).

    ``handshake=False`` accepts TCP connections and never starts TLS.
    """
    ca = trustme.CA()
    ca_file = folder / "misbehaving-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(tls)
    served: Served

    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            self.request.settimeout(20)
            if not handshake:
                served.stop.wait(20)
                return
            try:
                with tls.wrap_socket(self.request, server_side=True) as connection:
                    request = _read_request(connection)
                    if request is not None:
                        served.requests.append(request)
                        answer(connection, request, served.stop)
            except GONE:
                pass  # the client cut the connection: what the tests want

    class Server(socketserver.ThreadingTCPServer):
        daemon_threads = True
        allow_reuse_address = True

    with Server(("127.0.0.1", 0), Handler) as server:
        port = server.server_address[1]
        served = Served(Endpoint(f"https://127.0.0.1:{port}/v1/", str(ca_file)))
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        try:
            yield served
        finally:
            served.stop.set()
            server.shutdown()
            thread.join(timeout=10)


def drip(connection: socket.socket, data: bytes, stop: threading.Event, every: float = 0.2) -> None:
    """Send ``data`` one byte at a time, ``every`` seconds apart, until done or stopped."""
    for index in range(len(data)):
        if stop.wait(every):
            return
        connection.sendall(data[index : index + 1])
