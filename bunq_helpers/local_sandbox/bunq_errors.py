"""The errors the local sandbox answers with: bunq's status codes and bunq's exact strings.

Strings quoted from bunq (see the protocol notes, section 7) are used verbatim. Where bunq's text
is unknown (bad JSON, a missing field, an unknown route's status) the sandbox says precisely what
is wrong and names the field, in bunq's error shape, with a status from bunq's table.
"""

from __future__ import annotations

from typing import Any

# Verbatim bunq strings.
CREDENTIALS_INCORRECT = "User credentials are incorrect. Incorrect API key or IP address."
SIGNATURE_INVALID = "The request signature is invalid."
SIGNATURE_REQUIRED = (
    "For this operation a request signature is required. Check the urls for more information."
)
INSUFFICIENT_AUTHORISATION = "Insufficient authorisation."
ALREADY_HAS_SESSION = "Authentication token already has a user session."
ROUTE_NOT_FOUND = "Route not found."
UNHANDLED_EXCEPTION = "Encountered unhandled exception."
RATE_LIMITED = (
    "Too many requests. You can do a maximum of {limit} calls per {window} second to this endpoint."
)

# Our wording where bunq's is unknown.
METHOD_NOT_ALLOWED = "Method {method} is not allowed for this route; it accepts {allowed}."
OBJECT_NOT_FOUND = "{kind} with id {id} not found."
NOT_EMULATED = (
    "{operation} ({operation_id} in bunq's API) is not emulated by the local sandbox. "
    "To call it, use bunq's own sandbox: set BUNQ_ENVIRONMENT=sandbox (base URL {sandbox_url})."
)

# The one translation bunq's own fixtures show; other texts are returned untranslated.
TRANSLATIONS_NL = {INSUFFICIENT_AUTHORISATION: "Onvoldoende autorisatie."}


class BunqError(Exception):
    """An error answer: HTTP status and bunq's error description.

    ``explanation`` (never sent to the client) says why, for the journal: an ``explain.Explanation``
    or a function that makes one, called only when the refusal is recorded.
    """

    def __init__(self, status: int, description: str, explanation: Any = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.explanation = explanation

    def translated(self, language: str | None) -> str:
        """``error_description_translated`` for the request's X-Bunq-Language."""
        if language == "nl_NL":
            return TRANSLATIONS_NL.get(self.description, self.description)
        return self.description


def bad_request(description: str) -> BunqError:
    """400, bunq's answer for a missing or invalid parameter."""
    return BunqError(400, description)


def credentials_incorrect() -> BunqError:
    """400 for a wrong API key, or a caller IP the key is not bound to."""
    return BunqError(400, CREDENTIALS_INCORRECT)


def unauthorised(explanation: Any = None) -> BunqError:
    """401 for a missing, unknown, expired or wrong-kind token (``explanation``: why, for the journal)."""
    return BunqError(401, INSUFFICIENT_AUTHORISATION, explanation)


def not_found(kind: str | None = None, object_id: int | str | None = None) -> BunqError:
    """404 for an unknown route, or an object the caller cannot see."""
    if kind is None:
        return BunqError(404, ROUTE_NOT_FOUND)
    return BunqError(404, OBJECT_NOT_FOUND.format(kind=kind, id=object_id))
