"""The HTTPS client every step uses: bunq's headers, request signing, response verification.

``BunqClient(endpoint, context=...)`` talks to one ``Endpoint``; ``request`` sends one call and
returns its ``Exchange``; on an error answer it raises the matching ``ApiError`` (which carries the
exchange). The keys are not the client's: it reads the private key and bunq's server key from
``context`` (an ``ApiContext``, or anything with those two attributes) each time it signs or
verifies, so what the handshake records there is what the next request uses. What it guarantees:

- HTTPS only: an ``http://`` URL is refused before anything is sent.
- Certificates and host names are verified, against the endpoint's ``verify`` (a CA file or the
  system store), passed on every request, so ``REQUESTS_CA_BUNDLE`` cannot silently replace it.
- Pins, if given, are checked as the TLS connection is made (see ``pinning``).
- bunq's headers, with a fresh ``X-Bunq-Client-Request-Id`` per request.
- With a token and a private key, every request is signed by a ``requests`` auth hook, which runs
  after the body is final: it signs exactly the bytes that are sent, and records them, their
  SHA-256 and the signature on the exchange.
- Once the server's key is known, every successful response must carry a valid
  ``X-Bunq-Server-Signature`` over its exact body bytes, or ``ResponseSignatureError`` is raised.
  Error answers are checked too when signed; an unsigned error answer still raises its ApiError.
  The installation answer brings the server's key; it is checked with that key (trust on first use).
- Limits: a deadline for the whole request (connecting, sending, the whole answer; ``deadline``,
  60 s) and a cap on the answer's size, counted after decompression (``max_response_bytes``, 32 MiB);
  no compression is asked for (``Accept-Encoding: identity``), so the bytes signed are the bytes sent.
- Errors keep the exchange and, as ``__cause__``, the exception of requests/urllib3 behind them.
  No error message holds a secret: each is masked with the exchange's secrets (the context's, the
  token, what the step registered) and the secret-shaped patterns before it is raised.
- The connection pool is closed by ``close()``, by ``with``, or when the client is collected.
- No ``requests.Session``: the client sends through requests' adapter itself (a Session's cookies,
  hooks and merged settings cost more per request than the HTTP parsing, and bunq uses none of
  them); proxies come from the environment as a Session's would, never for localhost.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import time
import weakref
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from requests.auth import AuthBase
from requests.utils import resolve_proxies

from .. import __version__
from ..crypto.keys import PrivateKey, PublicKey
from ..crypto.signing import (
    CLIENT_SIGNATURE_HEADER,
    SERVER_SIGNATURE_HEADER,
    body_digest,
    sign_body,
    verify_body,
)
from ..errors import (
    BunqHelpersError,
    ConfigurationError,
    ConnectionFailedError,
    DeadlineExceededError,
    PinMismatchError,
    ResponseSignatureError,
    ResponseTooLargeError,
    TlsVerificationError,
    UnexpectedResponseError,
    api_error_for,
)
from .context_file import header_problem
from .endpoint import Endpoint, require_https
from .exchange import Exchange
from .limits import DEFAULT_DEADLINE, DEFAULT_MAX_RESPONSE_BYTES, Deadline, read_body
from .masking import TOKEN, mask_text
from .pinning import BunqAdapter

USER_AGENT = f"bunq-helpers/{__version__}"
AUTH_HEADER = "X-Bunq-Client-Authentication"
DEFAULT_TIMEOUT = (10.0, 30.0)
HISTORY_SIZE = 200


def new_request_id() -> str:
    """A random (version 4) UUID, as ``str(uuid.uuid4())`` makes it: 16 bytes of ``os.urandom`` with the
    version and variant bits set. Not ``uuid`` itself: it loads ``platform`` (a few ms at every start)."""
    raw = bytearray(os.urandom(16))
    raw[6] = raw[6] & 0x0F | 0x40  # version 4
    raw[8] = raw[8] & 0x3F | 0x80  # the RFC 4122 variant
    text = raw.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def default_headers() -> dict[str, str]:
    """The headers bunq's SDKs send on every request (a new request id each time), after the ones
    ``requests`` sends by default, in its order."""
    return {
        "User-Agent": USER_AGENT,
        "Accept-Encoding": "identity",  # no compression: the bytes signed are the bytes sent
        "Accept": "*/*",
        "Connection": "keep-alive",
        "X-Bunq-Client-Request-Id": new_request_id(),
        "X-Bunq-Geolocation": "0 0 0 0 000",
        "X-Bunq-Language": "en_US",
        "X-Bunq-Region": "nl_NL",
        "Cache-Control": "no-cache",
    }


def encode_body(body: dict[str, Any] | list[Any] | bytes | str | None) -> bytes:
    """The bytes to send: JSON indented by two spaces for objects, bytes as they are."""
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    return json.dumps(body, indent=2, ensure_ascii=False).encode("utf-8")


SANDBOX_EXPLANATION_TIMEOUT = (2.0, 2.0)  # connect, read: a local server answers at once or not at all


def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class KeyHolder(Protocol):
    """Who owns the keys the client uses: an ``ApiContext``, read at the moment of signing or verifying."""

    @property
    def private_key(self) -> PrivateKey | None:
        """The installation's private key: signs requests that carry a token."""

    @property
    def server_public_key(self) -> PublicKey | None:
        """bunq's server key from the installation: verifies responses."""

    @property
    def secrets(self) -> dict[str, str]:
        """Every secret it holds (value -> kind), masked in every exchange and error."""


class NoKeys:
    """No keys yet (before an installation): nothing is signed, no response is verified."""

    private_key: PrivateKey | None = None
    server_public_key: PublicKey | None = None
    secrets: dict[str, str] = {}  # noqa: RUF012 - read only


ServerKeyInAnswer = Callable[[Exchange], PublicKey]
"""Finds the server key inside an answer (the installation's), to check that answer with it."""

FIRST_USE_NOTE = (
    "Checked with the server public key inside this very answer: consistent, but only TLS "
    "(and a pin) vouch that it came from bunq."
)


class BunqAuth(AuthBase):
    """Adds the token and signs the final body bytes; runs last, after requests built the body.

    It records what it signed (``signed_bytes``, ``signed_digest``, ``signature``) for the exchange.
    """

    def __init__(
        self, token: str | None, private_key: PrivateKey | None, signature: str | None = None
    ) -> None:
        self.token = token
        self.private_key = private_key
        self.fixed_signature = signature
        self.signed_bytes: bytes | None = None
        self.signed_digest: str | None = None
        self.signature: str | None = None

    def __call__(self, prepared: requests.PreparedRequest) -> requests.PreparedRequest:
        if self.token is not None:
            prepared.headers[AUTH_HEADER] = self.token
        body = prepared.body or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        if self.fixed_signature is not None:
            signature = self.fixed_signature
        elif self.private_key is not None:
            signature = sign_body(self.private_key, body)
        else:
            return prepared
        prepared.headers[CLIENT_SIGNATURE_HEADER] = signature
        self.signed_bytes, self.signed_digest, self.signature = body, body_digest(body), signature
        return prepared


class BunqClient:
    """Talks to one ``Endpoint`` (or an ``https://…/v1/`` URL, trusted through the system CA store).

    ``context`` holds the keys (see ``KeyHolder``); without one nothing is signed or verified.
    ``source_address`` binds the local end of the connection (the local sandbox uses 127.0.0.2
    to show IP binding). ``history`` keeps the latest exchanges, failed ones included.
    ``timeout`` (connect, read) bounds each wait on the socket; ``deadline`` the whole request, in
    seconds; ``max_response_bytes`` the answer, after decompression.
    """

    def __init__(
        self,
        endpoint: Endpoint | str,
        *,
        context: KeyHolder | None = None,
        source_address: str | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        deadline: float = DEFAULT_DEADLINE,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        self.endpoint = endpoint if isinstance(endpoint, Endpoint) else Endpoint(endpoint)
        self.context: KeyHolder = context if context is not None else NoKeys()
        self.timeout = timeout
        self.deadline = deadline
        self.max_response_bytes = max_response_bytes
        self.history: deque[Exchange] = deque(maxlen=HISTORY_SIZE)
        self.compact = False  # show exchanges as one line each (the notebooks after the handshake)
        # requests' adapter without a Session: no cookies, hooks, redirects or merged settings to
        # carry, each of which costs time on every request; proxies come from the environment, as a
        # Session's would, except for localhost.
        self.trust_env = not _is_loopback(self.base_url)
        self.adapter = BunqAdapter(pins=self.endpoint.pins, source_address=source_address)
        self._close = weakref.finalize(self, self.adapter.close)

    @property
    def base_url(self) -> str:
        """The endpoint's base URL, ``https://…/v1/``."""
        return self.endpoint.base_url

    def close(self) -> None:
        """Close pooled connections (also done when the client is collected or the process exits)."""
        self._close()

    def __enter__(self) -> BunqClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def last_exchange(self) -> Exchange | None:
        """The most recent exchange, if any."""
        return self.history[-1] if self.history else None

    def url_for(self, path: str) -> str:
        """The full URL of an endpoint path such as ``installation`` or ``/v1/user``."""
        if path.startswith("/v1/"):
            path = path[len("/v1/") :]
        return require_https(urljoin(self.base_url, path.lstrip("/")))

    def request(
        self,
        method: str,
        path: str,
        *,
        body: dict[str, Any] | list[Any] | bytes | str | None = None,
        token: str | None = None,
        title: str | None = None,
        sign: bool = True,
        signature: str | None = None,
        secrets: dict[str, str] | None = None,
        server_key_in_answer: ServerKeyInAnswer | None = None,
    ) -> Exchange:
        """Send one call; return its exchange, or raise the matching error (which carries it).

        ``token`` goes in X-Bunq-Client-Authentication. With a token and the context's private key
        the body is signed, unless ``sign=False``; ``signature`` sends that exact header value
        instead (to show what bunq does with a wrong or empty one). ``server_key_in_answer`` finds
        the server key in a successful answer that brings it (the installation's); the answer is
        then checked with that key instead of the context's.
        """
        url = self.url_for(path)
        data = encode_body(body)
        headers = default_headers()
        if data:
            headers["Content-Type"] = "application/json"
        exchange = Exchange(
            title=title or f"{method} {urlsplit(url).path}", method=method, url=url, compact=self.compact
        )
        for value, kind in {
            **getattr(self.context, "secrets", {}),
            **({token: TOKEN} if token else {}),
            **(secrets or {}),
        }.items():
            exchange.add_secret(value, kind)
        self.history.append(exchange)
        try:
            return self._exchange(exchange, data, headers, token, sign, signature, server_key_in_answer)
        except BunqHelpersError as error:
            error.exchange = error.exchange or exchange
            error.redact(lambda text: mask_text(text, exchange.secrets))
            raise

    def _exchange(
        self,
        exchange: Exchange,
        data: bytes,
        headers: dict[str, str],
        token: str | None,
        sign: bool,
        signature: str | None,
        server_key_in_answer: ServerKeyInAnswer | None,
    ) -> Exchange:
        """Sign, send, read and check one call, recording it all on ``exchange``."""
        for name, value in ((AUTH_HEADER, token), (CLIENT_SIGNATURE_HEADER, signature)):
            problem = header_problem(value) if value else None
            if problem:
                exchange.error = f"not sent: {name} has {problem}"
                raise ConfigurationError(
                    f"Nothing was sent: the value for {name} has {problem}, which an HTTP header cannot "
                    "carry. Use it exactly as bunq sent it; if it came from a context file, correct the "
                    "file or delete it to start over."
                )
        signer = self.context.private_key if (sign and token is not None) else None
        auth = BunqAuth(token, signer, signature)
        prepared = requests.PreparedRequest()  # prepared step by step: no cookies to carry, nor hooks
        prepared.prepare_method(exchange.method)
        prepared.prepare_url(exchange.url, None)
        prepared.prepare_headers(headers)
        prepared.prepare_body(data or None, None)
        prepared.prepare_auth(auth, exchange.url)
        exchange.request_headers = list(prepared.headers.items())
        exchange.request_body = data
        exchange.signed_bytes, exchange.signed_digest = auth.signed_bytes, auth.signed_digest
        exchange.signature = auth.signature
        started = time.perf_counter()
        try:
            with Deadline(self.deadline) as deadline, self._failures(exchange, deadline):
                response = self.adapter.send(
                    prepared,
                    stream=True,
                    timeout=self.timeout,
                    verify=self.endpoint.verify,
                    proxies=resolve_proxies(prepared, {}, self.trust_env),
                )
                try:
                    exchange.status = response.status_code
                    exchange.answered_at = dt.datetime.now(dt.timezone.utc)
                    exchange.reason = response.reason or ""
                    exchange.response_headers = list(response.headers.items())
                    exchange.response_body = read_body(response.raw, self.max_response_bytes)
                finally:
                    response.close()  # a whole answer has already gone back to the pool; a cut one is closed
        finally:
            exchange.elapsed = time.perf_counter() - started
        self._check_server_signature(exchange, server_key_in_answer)
        if exchange.status != 200:
            raise self._api_error(exchange)
        if exchange.response_json() is None:
            raise UnexpectedResponseError(
                f"{exchange.method} {exchange.url} answered 200 with a body that is not JSON.",
                exchange=exchange,
            )
        return exchange

    @contextmanager
    def _failures(self, exchange: Exchange, deadline: Deadline) -> Iterator[None]:
        """What goes wrong while sending or reading becomes our error, caused by requests' or urllib3's."""
        try:
            yield
        except PinMismatchError as exc:
            exchange.error = f"pin mismatch: {exc.seen_pin}"
            raise
        except ResponseTooLargeError as exc:
            exchange.error = f"answer too large (cap {self.max_response_bytes} bytes)"
            raise exc from None
        except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            if deadline.passed:
                exchange.error = f"deadline of {deadline.seconds:g} s passed"
                raise DeadlineExceededError(
                    f"{exchange.method} {exchange.url} took longer than this client's deadline of "
                    f"{deadline.seconds:g} s (connecting, sending and the whole answer) and was cut off. "
                    "Nothing was lost: run the step again. If the server is just slow, give it longer: "
                    f"BunqClient(..., deadline={deadline.seconds * 2:g}).",
                    exchange=exchange,
                ) from exc
            if isinstance(exc, requests.exceptions.SSLError):
                exchange.error = f"TLS verification failed: {root_cause(exc)}"
                raise TlsVerificationError(
                    f"The TLS certificate of {urlsplit(exchange.url).netloc} did not verify "
                    f"({root_cause(exc)}). For the local sandbox, trust its CA file (sandbox.ca_file); "
                    "for bunq, check the system clock and that nothing intercepts HTTPS.",
                    exchange=exchange,
                ) from exc
            exchange.error = f"connection failed: {root_cause(exc)}"
            raise ConnectionFailedError(
                f"{exchange.method} {exchange.url} got no answer: {root_cause(exc)}. Is the server "
                "running and reachable? Nothing was lost: run the step again (a saved context "
                "resumes where it stopped).",
                exchange=exchange,
            ) from exc

    def _check_server_signature(
        self, exchange: Exchange, server_key_in_answer: ServerKeyInAnswer | None
    ) -> None:
        first_use = server_key_in_answer is not None and exchange.status == 200
        key = server_key_in_answer(exchange) if first_use else self.context.server_public_key
        if key is None:
            exchange.server_signature_note = (
                "Not checked: the server's key is not known yet (it comes with the installation)."
            )
            return
        signature = exchange.response_header(SERVER_SIGNATURE_HEADER)
        if not signature:
            exchange.server_signature_valid = False if exchange.status == 200 else None
            exchange.server_signature_note = "The response has no X-Bunq-Server-Signature."
            if exchange.status == 200:
                raise ResponseSignatureError(
                    f"{exchange.method} {exchange.path} answered without X-Bunq-Server-Signature, so the answer "
                    "cannot be trusted. bunq signs every response; something between you and bunq removed it.",
                    exchange=exchange,
                )
            return
        exchange.server_signature_valid = verify_body(key, exchange.response_body, signature)
        if exchange.server_signature_valid:
            exchange.server_signature_note = (
                FIRST_USE_NOTE
                if first_use
                else "It matches the body bytes and the server public key from the installation."
            )
            return
        exchange.server_signature_note = "It does not match the body bytes and the server public key."
        raise ResponseSignatureError(
            f"The X-Bunq-Server-Signature of the answer to {exchange.method} {exchange.path} does not match its "
            "body: the response was changed on the way or did not come from bunq. It was not used.",
            exchange=exchange,
        )

    def sandbox_clock(
        self, *, advance_seconds: float | None = None, now: str | None = None
    ) -> dict[str, Any]:
        """Read a local sandbox's clock, or move it forward (``advance_seconds``, or ``now`` in ISO 8601).

        Answers ``{"now", "epoch", "offset_seconds"}``. Only for a local sandbox on this machine: bunq's
        servers have no clock to move. A refusal (backwards, bad input) raises its ``ApiError``.
        """
        if not _is_loopback(self.base_url):
            raise ConfigurationError(
                f"{self.base_url} is not a local sandbox on this machine; only a local sandbox's clock can be moved."
            )
        body = (
            {"advance_seconds": advance_seconds}
            if advance_seconds is not None
            else {"now": now}
            if now
            else None
        )
        parts = urlsplit(self.base_url)
        prepared = requests.PreparedRequest()
        prepared.prepare_method("POST" if body is not None else "GET")
        prepared.prepare_url(f"{parts.scheme}://{parts.netloc}/_sandbox/clock", None)
        prepared.prepare_headers({"Content-Type": "application/json", "Accept": "application/json"})
        prepared.prepare_body(json.dumps(body).encode() if body is not None else None, None)
        exchange = Exchange(
            title="The local sandbox's clock", method=prepared.method or "GET", url=prepared.url or ""
        )
        with Deadline(self.deadline) as deadline, self._failures(exchange, deadline):
            response = self.adapter.send(prepared, timeout=self.timeout, verify=self.endpoint.verify)
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if response.status_code != 200 or not isinstance(answer, dict):
            errors = answer.get("Error", []) if isinstance(answer, dict) else []
            texts = [str(e.get("error_description", "")) for e in errors if isinstance(e, dict)] or [
                response.text[:300]
            ]
            raise api_error_for(
                response.status_code, texts, response_id=response.headers.get("X-Bunq-Client-Response-Id")
            )
        return answer

    def sandbox_explanation(self, response_id: str | None) -> str | None:
        """The local sandbox's own explanation of a refused call (by its response id), or None.

        Only asked of a server on this machine (a local sandbox answers ``/_sandbox/journal``); any
        failure to get it is silent: bunq's own answer is what counts.
        """
        if not response_id or not _is_loopback(self.base_url):
            return None
        parts = urlsplit(self.base_url)
        prepared = requests.PreparedRequest()
        prepared.prepare_method("GET")
        prepared.prepare_url(
            f"{parts.scheme}://{parts.netloc}/_sandbox/journal", {"response_id": response_id}
        )
        prepared.prepare_headers({"Accept": "application/json"})
        try:
            response = self.adapter.send(
                prepared, timeout=SANDBOX_EXPLANATION_TIMEOUT, verify=self.endpoint.verify
            )
            entries = response.json().get("entries") if response.status_code == 200 else None
        except (
            requests.exceptions.RequestException,
            urllib3.exceptions.HTTPError,
            OSError,
            ValueError,
            AttributeError,
        ):
            return None
        if not isinstance(entries, list) or not entries or not isinstance(entries[0], dict):
            return None
        explanation = entries[0].get("explanation")
        return explanation if isinstance(explanation, str) else None

    def _api_error(self, exchange: Exchange) -> BunqHelpersError:
        payload = exchange.response_json()
        descriptions: list[str] = []
        translated: list[str] = []
        if isinstance(payload, dict) and isinstance(payload.get("Error"), list):
            for item in payload["Error"]:
                if isinstance(item, dict):
                    descriptions.append(str(item.get("error_description", "")))
                    translated.append(str(item.get("error_description_translated", "")))
        if not descriptions:
            descriptions = [exchange.response_body.decode("utf-8", "replace")[:500] or "(empty body)"]
        return api_error_for(
            exchange.status or 0,
            descriptions,
            response_id=exchange.response_id,
            exchange=exchange,
            translated=translated,
            sandbox_explanation=self.sandbox_explanation(exchange.response_id),
        )


MAX_CAUSE_DEPTH = 12
MAX_REASON_CHARS = 300


def root_cause(exc: BaseException) -> str:
    """The innermost exception behind a requests/urllib3 error, as text: the one that names the problem.

    requests wraps urllib3, which wraps ``ssl``/``socket``: the chain is followed through
    ``__cause__``, urllib3's ``reason``, exceptions passed as arguments, and ``__context__``.
    """
    current = exc
    for _ in range(MAX_CAUSE_DEPTH):
        inner = [current.__cause__, getattr(current, "reason", None)]
        inner += [arg for arg in reversed(current.args) if isinstance(arg, BaseException)]
        inner.append(current.__context__)
        found = next((e for e in inner if isinstance(e, BaseException) and e is not current), None)
        if found is None:
            break
        current = found
    return (str(current) or type(current).__name__)[:MAX_REASON_CHARS]
