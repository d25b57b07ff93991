"""A record of one HTTP request and its response: what the notebooks show, cell by cell.

An ``Exchange`` keeps the request as it was sent (headers, body bytes, the exact bytes signed, their
SHA-256 and the signature), the response as it came (status, headers, body bytes, whether the server's
signature verified), the values picked out of it, and how long it took. Showing it masks secrets
unless ``reveal=True`` is passed; see ``display`` for the text, HTML and curl forms.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from . import display
from .masking import mask_text


@dataclass
class Exchange:
    """One request/response pair."""

    title: str
    method: str
    url: str
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    request_body: bytes = b""
    signed_bytes: bytes | None = None
    signed_digest: str | None = None
    signature: str | None = None
    status: int | None = None
    reason: str = ""
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    response_body: bytes = b""
    server_signature_valid: bool | None = None
    server_signature_note: str = ""
    extracted: dict[str, Any] = field(default_factory=dict)
    elapsed: float = 0.0
    answered_at: dt.datetime | None = None  # when the answer arrived, by this machine's clock
    error: str | None = None
    secrets: dict[str, str] = field(default_factory=dict, repr=False)
    received: bool = False
    """True for a request that came *to* us (a callback): its headers are the sender's, its signature
    only a claim until checked, and the response is the receiver's own answer."""
    compact: bool = False
    """Shown as one line (method, path, status, token, signed, verified, time), the rest one click away."""
    _parsed: tuple[bytes, Any] | None = field(default=None, init=False, repr=False, compare=False)

    # -- reading it -----------------------------------------------------------------------

    @property
    def path(self) -> str:
        """The URL's path, e.g. ``/v1/installation``."""
        parts = urlsplit(self.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def _header(self, headers: list[tuple[str, str]], name: str) -> str | None:
        for key, value in headers:
            if key.lower() == name.lower():
                return value
        return None

    def request_header(self, name: str) -> str | None:
        """A request header by case-insensitive name."""
        return self._header(self.request_headers, name)

    def response_header(self, name: str) -> str | None:
        """A response header by case-insensitive name."""
        return self._header(self.response_headers, name)

    @property
    def request_id(self) -> str | None:
        """The X-Bunq-Client-Request-Id that was sent."""
        return self.request_header("X-Bunq-Client-Request-Id")

    @property
    def response_id(self) -> str | None:
        """X-Bunq-Client-Response-Id: quote it to bunq support."""
        return self.response_header("X-Bunq-Client-Response-Id")

    def response_json(self) -> Any:
        """The response body parsed as JSON (None if it is not JSON); parsed once per body, and the
        same object returned each time: read it, do not change it."""
        if self._parsed is None or self._parsed[0] is not self.response_body:
            try:
                parsed = json.loads(self.response_body)
            except ValueError:
                parsed = None
            self._parsed = (self.response_body, parsed)
        return self._parsed[1]

    def add_secret(self, value: str | None, kind: str) -> None:
        """Register a value to mask wherever it appears."""
        if value:
            self.secrets[value] = kind

    # -- showing it ---------------------------------------------------------------------------

    def __repr__(self) -> str:
        outcome = (
            f"{self.status} {self.reason}".strip() if self.status is not None else (self.error or "no answer")
        )
        path = mask_text(self.path, self.secrets)  # a query string can carry secrets (OAuth's code)
        return f"<Exchange {self.title!r}: {self.method} {path} -> {outcome} in {self.elapsed * 1000:.0f} ms>"

    def text(self, *, reveal: bool = False) -> str:
        """A plain-text rendering (secrets masked unless ``reveal``)."""
        return display.exchange_text(self, reveal=reveal)

    def curl(self, *, reveal: bool = False) -> str:
        """An equivalent curl command (secrets masked unless ``reveal``)."""
        return display.curl_command(self, reveal=reveal)

    def html(self, *, reveal: bool = False) -> str:
        """The HTML rendering used in notebooks (inline styles only)."""
        return display.exchange_html(self, reveal=reveal)

    def _repr_html_(self) -> str:
        return self.html()

    def __str__(self) -> str:
        return self.text()
