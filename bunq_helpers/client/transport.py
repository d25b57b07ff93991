"""The HTTPS client every step uses: bunq's headers, request signing, response verification.

``BunqClient.request`` sends one call and returns its ``Exchange``; on an error answer it raises
the matching ``ApiError`` (which carries the exchange). What it guarantees:

- HTTPS only: an ``http://`` URL is refused before anything is sent.
- Certificates and host names are verified, against ``verify`` (a CA file or the system store).
  ``verify`` is passed on every request, so ``REQUESTS_CA_BUNDLE`` cannot silently replace it.
- Pins, if given, are checked as the TLS connection is made (see ``pinning``).
- bunq's headers, with a fresh ``X-Bunq-Client-Request-Id`` per request.
- Once there is a token and a key, every request is signed by a ``requests`` auth hook, which
  runs after the body is final: it signs exactly the bytes that are sent.
- Once the server's key is known, every successful response must carry a valid
  ``X-Bunq-Server-Signature`` over its exact body bytes, or ``ResponseSignatureError`` is raised.
  Error answers are checked too when signed; an unsigned error answer still raises its ApiError.
"""

from __future__ import annotations

import ipaddress
import json
import time
import uuid
from collections import deque
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from requests.auth import AuthBase

from .. import __version__
from ..crypto.keys import PrivateKey, PublicKey
from ..crypto.signing import CLIENT_SIGNATURE_HEADER, SERVER_SIGNATURE_HEADER, sign_body, verify_body
from ..errors import (
    ConnectionFailedError,
    InsecureUrlError,
    ResponseSignatureError,
    TlsVerificationError,
    UnexpectedResponseError,
    api_error_for,
)
from .exchange import Exchange
from .masking import TOKEN
from .pinning import BunqAdapter

USER_AGENT = f"bunq-helpers/{__version__}"
AUTH_HEADER = "X-Bunq-Client-Authentication"
DEFAULT_TIMEOUT = (10.0, 30.0)
HISTORY_SIZE = 200


def default_headers() -> dict[str, str]:
    """The headers bunq's SDKs send on every request (a new request id each time)."""
    return {
        "User-Agent": USER_AGENT,
        "X-Bunq-Client-Request-Id": str(uuid.uuid4()),
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


def require_https(url: str) -> str:
    """The URL, if it is https://; otherwise InsecureUrlError."""
    scheme = urlsplit(url).scheme.lower()
    if scheme != "https":
        raise InsecureUrlError(
            f'Refusing {url!r}: bunq only speaks HTTPS ("All requests must use HTTPS. HTTP calls will '
            'fail."), and the API key and tokens must never travel in clear text. Use an https:// URL.'
        )
    return url


def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class BunqAuth(AuthBase):
    """Adds the token and signs the final body bytes; runs last, after requests built the body."""

    def __init__(
        self, token: str | None, private_key: PrivateKey | None, signature: str | None = None
    ) -> None:
        self.token = token
        self.private_key = private_key
        self.signature = signature

    def __call__(self, prepared: requests.PreparedRequest) -> requests.PreparedRequest:
        if self.token is not None:
            prepared.headers[AUTH_HEADER] = self.token
        body = prepared.body or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        if self.signature is not None:
            signature = self.signature
        elif self.private_key is not None:
            signature = sign_body(self.private_key, body)
        else:
            return prepared
        prepared.headers[CLIENT_SIGNATURE_HEADER] = signature
        prepared.bunq_signed_bytes = body  # type: ignore[attr-defined]
        prepared.bunq_signature = signature  # type: ignore[attr-defined]
        return prepared


class BunqClient:
    """Talks to one bunq API base URL (``https://…/v1/``) for one installation's keys.

    ``private_key`` signs requests that carry a token; ``server_public_key`` verifies responses.
    ``source_address`` binds the local end of the connection (the local sandbox uses 127.0.0.2
    to show IP binding). ``history`` keeps the latest exchanges, failed ones included.
    """

    def __init__(
        self,
        base_url: str,
        *,
        verify: bool | str = True,
        pins: tuple[str, ...] | list[str] = (),
        private_key: PrivateKey | None = None,
        server_public_key: PublicKey | None = None,
        source_address: str | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    ) -> None:
        self.base_url = require_https(base_url if base_url.endswith("/") else base_url + "/")
        self.verify = verify
        self.pins = tuple(pins)
        self.private_key = private_key
        self.server_public_key = server_public_key
        self.timeout = timeout
        self.history: deque[Exchange] = deque(maxlen=HISTORY_SIZE)
        self.session = requests.Session()
        self.session.trust_env = not _is_loopback(self.base_url)  # no proxy between us and localhost
        adapter = BunqAdapter(pins=self.pins, source_address=source_address)
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)  # never reached: require_https refuses first

    def close(self) -> None:
        """Close pooled connections."""
        self.session.close()

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
    ) -> Exchange:
        """Send one call; return its exchange, or raise the matching error (which carries it).

        ``token`` goes in X-Bunq-Client-Authentication. With a token and a private key the
        body is signed, unless ``sign=False``; ``signature`` sends that exact header value
        instead (to show what bunq does with a wrong or empty one).
        """
        url = self.url_for(path)
        data = encode_body(body)
        headers = default_headers()
        if data:
            headers["Content-Type"] = "application/json"
        signer = self.private_key if (sign and token is not None) else None
        auth = BunqAuth(token, signer, signature)
        exchange = Exchange(title=title or f"{method} {urlsplit(url).path}", method=method, url=url)
        exchange.add_secret(token, TOKEN)
        for value, kind in (secrets or {}).items():
            exchange.add_secret(value, kind)
        self.history.append(exchange)
        prepared = self.session.prepare_request(
            requests.Request(method, url, data=data or None, headers=headers, auth=auth)
        )
        exchange.request_headers = list(prepared.headers.items())
        exchange.request_body = data
        exchange.signed_bytes = getattr(prepared, "bunq_signed_bytes", None)
        exchange.signature = getattr(prepared, "bunq_signature", None)
        started = time.perf_counter()
        try:
            response = self.session.send(
                prepared, verify=self.verify, timeout=self.timeout, allow_redirects=False
            )
        except requests.exceptions.SSLError as exc:
            exchange.elapsed = time.perf_counter() - started
            exchange.error = f"TLS verification failed: {exc}"
            raise TlsVerificationError(
                f"The TLS certificate of {urlsplit(url).netloc} did not verify ({_reason(exc)}). For the local "
                "sandbox, trust its CA file (sandbox.ca_file); for bunq, check the system clock and "
                "that nothing intercepts HTTPS."
            ) from None
        except (
            requests.exceptions.ConnectionError,
            requests.exceptions.Timeout,
            requests.exceptions.ChunkedEncodingError,
        ) as exc:
            exchange.elapsed = time.perf_counter() - started
            exchange.error = f"connection failed: {_reason(exc)}"
            raise ConnectionFailedError(
                f"{method} {url} got no answer: {_reason(exc)}. Is the server running and reachable? "
                "Nothing was lost: run the step again (a saved context resumes where it stopped)."
            ) from None
        exchange.elapsed = time.perf_counter() - started
        exchange.status = response.status_code
        exchange.reason = response.reason or ""
        exchange.response_headers = list(response.headers.items())
        exchange.response_body = response.content
        self._check_server_signature(exchange)
        if response.status_code != 200:
            raise self._api_error(exchange)
        if exchange.response_json() is None:
            raise UnexpectedResponseError(
                f"{method} {url} answered 200 with a body that is not JSON.", exchange=exchange
            )
        return exchange

    def _check_server_signature(self, exchange: Exchange) -> None:
        if self.server_public_key is None:
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
        exchange.server_signature_valid = verify_body(
            self.server_public_key, exchange.response_body, signature
        )
        if exchange.server_signature_valid:
            exchange.server_signature_note = (
                "It matches the body bytes and the server public key from the installation."
            )
            return
        exchange.server_signature_note = "It does not match the body bytes and the server public key."
        raise ResponseSignatureError(
            f"The X-Bunq-Server-Signature of the answer to {exchange.method} {exchange.path} does not match its "
            "body: the response was changed on the way or did not come from bunq. It was not used.",
            exchange=exchange,
        )

    @staticmethod
    def _api_error(exchange: Exchange) -> Exception:
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
        )


def _reason(exc: BaseException) -> str:
    """The innermost, most telling part of a requests/urllib3 error."""
    seen = exc
    while seen.__context__ is not None or getattr(seen, "reason", None) is not None:
        nxt = getattr(seen, "reason", None) or seen.__context__
        if not isinstance(nxt, BaseException) or nxt is seen:
            break
        seen = nxt
    text = str(seen) or type(seen).__name__
    return text.split("(Caused by ")[-1].rstrip(")")[:300]
