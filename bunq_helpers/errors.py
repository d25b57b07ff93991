"""Every error bunq_helpers raises, in one tree::

    BunqHelpersError
    ├── ConfigurationError        settings that cannot work (missing key, key for the other environment)
    ├── InvalidKeyError           a key that is not RSA PEM, or shorter than 2048 bits
    ├── ContextFileError          a saved API context that cannot be read or used
    ├── HandshakeIncompleteError  a call needs a step the API context has not done yet (no session)
    ├── TransportError            nothing usable came back over HTTPS
    │   ├── InsecureUrlError      an http:// URL: bunq only speaks HTTPS
    │   ├── PinMismatchError      the server's key is not one of the pinned keys (nothing was sent)
    │   ├── TlsVerificationError  the certificate or host name did not verify
    │   ├── ConnectionFailedError the server could not be reached or stopped answering
    │   │   └── DeadlineExceededError  the whole request took longer than the client's deadline
    │   └── ResponseTooLargeError the answer was larger than the client's cap (after decompression)
    ├── ResponseSignatureError    X-Bunq-Server-Signature missing or wrong: the response is not trusted
    ├── UnexpectedResponseError   a 200 whose body is not what bunq sends for that call
    └── ApiError                  bunq answered with {"Error": [...]}
        ├── BadRequestError             400
        │   ├── CredentialsError        400 "User credentials are incorrect. ..."
        │   └── SignatureInvalidError   400 "The request signature is invalid."
        ├── AuthorisationError          401 / 403: token unknown, expired or of the wrong kind
        ├── NotFoundError               404
        ├── MethodNotAllowedError       405
        ├── RateLimitError              429
        ├── SignatureRequiredError      466
        ├── NotEmulatedError            501 (the local sandbox only: an operation it does not emulate)
        └── ServerError                 5xx

Every message names the problem and what to do about it. Every error that came from an HTTP
exchange carries it as ``exchange`` (transport errors included; the original exception stays its
``__cause__``). An ``ApiError`` also keeps the HTTP status, bunq's error descriptions and
``X-Bunq-Client-Response-Id`` (bunq support asks for it).

No message may hold a secret. What the client raises it first passes through ``redact`` with the
masking the client knows (the context's secrets, secret-shaped text): a server that echoes the
request in its error text does not put the API key into ``str(error)``.

This module is a leaf: it imports nothing of the package, so every other module, on both sides, can
raise these. Showing an error (HTML in a notebook, masked text) is ``client.display``'s job.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # for type checkers only: at run time this module imports nothing of the package
    from .client.exchange import Exchange

__all__ = [
    "ApiError",
    "AuthorisationError",
    "BadRequestError",
    "BunqHelpersError",
    "ConfigurationError",
    "ConnectionFailedError",
    "ContextFileError",
    "CredentialsError",
    "DeadlineExceededError",
    "HandshakeIncompleteError",
    "InsecureUrlError",
    "InvalidKeyError",
    "MethodNotAllowedError",
    "NotEmulatedError",
    "NotFoundError",
    "PinMismatchError",
    "RateLimitError",
    "ResponseSignatureError",
    "ResponseTooLargeError",
    "ServerError",
    "SignatureInvalidError",
    "SignatureRequiredError",
    "TlsVerificationError",
    "TransportError",
    "UnexpectedResponseError",
    "api_error_for",
]

CREDENTIALS_INCORRECT = "User credentials are incorrect. Incorrect API key or IP address."
SIGNATURE_INVALID = "The request signature is invalid."


class BunqHelpersError(Exception):
    """Base of every error raised by bunq_helpers; ``exchange`` is the HTTP exchange it came from, if any."""

    def __init__(self, message: str = "", *, exchange: Exchange | None = None) -> None:
        super().__init__(message)
        self.exchange = exchange

    def redact(self, mask: Callable[[str], str]) -> BunqHelpersError:
        """Pass everything this error says through ``mask`` (which hides secrets); returns the error."""
        self.args = tuple(mask(arg) if isinstance(arg, str) else arg for arg in self.args)
        return self


class ConfigurationError(BunqHelpersError):
    """Settings that cannot work; raised before any request is sent."""


class WaitTimeoutError(BunqHelpersError, TimeoutError):
    """What was waited for (sandbox money arriving, say) did not happen in time."""


class InvalidKeyError(BunqHelpersError, ValueError):
    """A key that is not an RSA key in PEM, or is shorter than bunq's 2048 bits."""


class ContextFileError(BunqHelpersError):
    """A saved API context that cannot be read, parsed or used."""


class HandshakeIncompleteError(BunqHelpersError):
    """The API context lacks a handshake step this call needs (no installation, or no session yet)."""


class TransportError(BunqHelpersError):
    """The request did not get a usable HTTPS answer."""


class InsecureUrlError(TransportError):
    """A plain http:// URL; bunq (and the local sandbox) only speak HTTPS."""


class PinMismatchError(TransportError):
    """The server's public key matched none of the configured pins; nothing was sent."""

    def __init__(
        self,
        message: str,
        *,
        seen_pin: str,
        expected_pins: tuple[str, ...],
        exchange: Exchange | None = None,
    ) -> None:
        super().__init__(message, exchange=exchange)
        self.seen_pin = seen_pin
        self.expected_pins = expected_pins


class TlsVerificationError(TransportError):
    """The server's certificate chain or host name did not verify."""


class ConnectionFailedError(TransportError):
    """The server could not be reached, or the connection broke before an answer came."""


class DeadlineExceededError(ConnectionFailedError):
    """The whole request (connecting, sending, the whole answer) took longer than the client's deadline."""


class ResponseTooLargeError(TransportError):
    """The answer was larger than the client's cap (counted after decompression); it was not kept."""


class ResponseSignatureError(BunqHelpersError):
    """The response's X-Bunq-Server-Signature is missing or does not verify."""


class UnexpectedResponseError(BunqHelpersError):
    """A successful response whose body lacks what bunq sends for this call."""


class ApiError(BunqHelpersError):
    """bunq answered with an error body: status, descriptions, response id and the exchange."""

    hint = "Read bunq's error description above; the exchange shows what was sent."

    def __init__(
        self,
        status: int,
        descriptions: list[str],
        response_id: str | None,
        exchange: Exchange | None = None,
        translated: list[str] | None = None,
        sandbox_explanation: str | None = None,
    ) -> None:
        self.status = status
        self.descriptions = list(descriptions)
        self.translated = list(translated or [])
        self.response_id = response_id
        self.exchange = exchange
        self.sandbox_explanation = sandbox_explanation  # a local sandbox's own note, never bunq's
        super().__init__(self._message(), exchange=exchange)

    def redact(self, mask: Callable[[str], str]) -> ApiError:
        """Mask bunq's descriptions (a server may echo the request in them), then the message built from them."""
        self.descriptions = [mask(text) for text in self.descriptions]
        self.translated = [mask(text) for text in self.translated]
        if self.sandbox_explanation:
            self.sandbox_explanation = mask(self.sandbox_explanation)
        self.args = (mask(self._message()),)  # the path too: a query string can carry secrets (OAuth)
        return self

    @property
    def description(self) -> str:
        """bunq's error descriptions joined into one line."""
        return " ".join(self.descriptions)

    def _message(self) -> str:
        request = ""
        if self.exchange is not None:
            request = f" for {self.exchange.method} {self.exchange.path}"
        lines = [f"bunq answered HTTP {self.status}{request}: {self.description or '(no description)'}"]
        if self.sandbox_explanation:
            lines.append(
                f"The local sandbox explains (its own note, not bunq's answer): {self.sandbox_explanation}"
            )
        lines += [
            f"What to check: {self.hint}",
            f"Response id (give it to bunq support): {self.response_id or '(none sent)'}",
        ]
        return "\n".join(lines)


class BadRequestError(ApiError):
    """HTTP 400: a parameter is missing or invalid."""

    hint = "A field in the request body is missing or has the wrong value or type."


class CredentialsError(BadRequestError):
    """HTTP 400 'User credentials are incorrect. Incorrect API key or IP address.'"""

    hint = (
        "the API key belongs to this environment (sandbox keys start with 'sandbox_' and work only "
        "on the sandbox; production keys only on production), it is typed in full, and this "
        "machine's IP address is among the device's permitted IPs (register the device with "
        "permitted_ips ['*'] or add the IP through the Permitted IP endpoint)."
    )


class SignatureInvalidError(BadRequestError):
    """HTTP 400 'The request signature is invalid.'"""

    hint = (
        "sign the exact body bytes that are sent (no re-serialising, no added newline) with the "
        "private key whose public key was sent at installation: RSA PKCS#1 v1.5, SHA-256, base64."
    )


class AuthorisationError(ApiError):
    """HTTP 401 or 403: the token is unknown, expired, or of the wrong kind for this call; or (403) it
    may not make this call, as an OAuth access token beyond what the user granted."""

    WRONG_KIND_HINT = (
        "device-server and session-server take the installation token, every other call the "
        "session token. If the session expired, open a new one (session-server with the "
        "installation token); after a sandbox reset, create a new API context."
    )
    REFUSED_HINT = (
        "the token is known but may not make this call. A session made with an OAuth access token "
        "(a UserApiKey) may do only what the user granted: read accounts, payments and requests, pay "
        "between the user's own accounts, and make draft payments."
    )

    @property
    def hint(self) -> str:  # type: ignore[override]
        """What to check: 403 is a refusal of a known token, 401 a token that is not (or no longer) good."""
        return self.REFUSED_HINT if self.status == 403 else self.WRONG_KIND_HINT


class NotFoundError(ApiError):
    """HTTP 404: no such route or object."""

    hint = "the path (it starts with /v1/) and the ids in it (user id, monetary account id)."


class MethodNotAllowedError(ApiError):
    """HTTP 405: the route exists but not for this HTTP method."""

    hint = "the HTTP method: bunq's reference lists which methods each endpoint takes."


class RateLimitError(ApiError):
    """HTTP 429: too many calls to this endpoint from this IP."""

    hint = (
        "bunq's limits differ per endpoint (its message names this one's; its older page says 3 GET, "
        "5 POST, 2 PUT per 3 s and one session-server call per 30 s). Back off: wait, retry, and wait "
        "longer if it comes again (no Retry-After is sent); reuse the saved API context instead of "
        "creating a new one on every run."
    )


class SignatureRequiredError(ApiError):
    """HTTP 466: this call must carry X-Bunq-Client-Signature."""

    hint = (
        "opening a session and making a payment must be signed: put the base64 RSA-SHA256 "
        "signature of the body bytes in the X-Bunq-Client-Signature header."
    )


class NotEmulatedError(ApiError):
    """HTTP 501 from the local sandbox: bunq has this operation, the local sandbox does not emulate it."""

    hint = (
        "the call is right for bunq, but the local sandbox does not emulate it. Run it against "
        "bunq's own sandbox: set BUNQ_ENVIRONMENT=sandbox (https://public-api.sandbox.bunq.com/v1/)."
    )


class ServerError(ApiError):
    """HTTP 5xx: something failed on the server's side."""

    hint = "nothing on your side; retry later and quote the response id if it persists."


_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequestError,
    401: AuthorisationError,
    403: AuthorisationError,
    404: NotFoundError,
    405: MethodNotAllowedError,
    429: RateLimitError,
    466: SignatureRequiredError,
    501: NotEmulatedError,
}


def api_error_for(status: int, descriptions: list[str], **kwargs: Any) -> ApiError:
    """The most specific ApiError for a status and bunq's error descriptions."""
    if status == 400 and CREDENTIALS_INCORRECT in descriptions:
        return CredentialsError(status, descriptions, **kwargs)
    if status == 400 and SIGNATURE_INVALID in descriptions:
        return SignatureInvalidError(status, descriptions, **kwargs)
    if status >= 500 and status not in _BY_STATUS:
        return ServerError(status, descriptions, **kwargs)
    return _BY_STATUS.get(status, ApiError)(status, descriptions, **kwargs)
