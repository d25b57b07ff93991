"""Bytes on the wire: the response record the HTTP layer writes, its status line, and the
``Disconnect`` a teaching fault raises to drop the connection. Nothing here knows JSON or signatures
(``answers``), or what a request means (``request``).
"""

from __future__ import annotations

from dataclasses import dataclass

REASONS = {
    200: "OK",
    302: "Found",
    303: "See Other",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    429: "Too Many Requests",
    466: "Request Signature Required",
    500: "Internal Server Error",
    501: "Not Implemented",
    503: "Service Unavailable",
}


class Disconnect(Exception):
    """Raised by the app to drop the connection without an answer (the ``disconnect`` fault)."""


@dataclass
class Response:
    """Status, headers and body bytes, ready to send."""

    status: int
    body: bytes
    headers: list[tuple[str, str]]
    hold_seconds: float = 0.0  # the ``slow`` fault: how long the server holds the answer back

    @property
    def status_line(self) -> str:
        """``"200 OK"`` and friends, including bunq's own 466."""
        return f"{self.status} {REASONS.get(self.status, 'Error')}"
