"""Getting an API key for a sandbox: ``POST /v1/sandbox-user-person`` (or ``-company``).

No token, no signature, no body: bunq's sandbox (and the local sandbox) answer with a new user, an
empty EUR account and its API key, ``sandbox_`` plus 56 hex characters.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import UnexpectedResponseError
from .envelope import item
from .exchange import Exchange
from .masking import API_KEY, mask_value
from .transport import BunqClient

PERSON = "sandbox-user-person"
COMPANY = "sandbox-user-company"


@dataclass(frozen=True)
class SandboxUser:
    """A new sandbox user's API key."""

    api_key: str = field(repr=False)
    exchange: Exchange = field(repr=False)

    def __repr__(self) -> str:
        return f"SandboxUser(api_key={mask_value(self.api_key, API_KEY)!r})"


def create_sandbox_user(client: BunqClient, *, company: bool = False) -> SandboxUser:
    """Create a sandbox user (a person, or a company) and return its API key."""
    endpoint = COMPANY if company else PERSON
    exchange = client.request(
        "POST", endpoint, title=f"Create a sandbox user ({'company' if company else 'person'})"
    )
    api_key = item(exchange, "ApiKey", 0).get("api_key")
    if not isinstance(api_key, str) or not api_key:
        raise UnexpectedResponseError("The sandbox user answer has no ApiKey.api_key.", exchange=exchange)
    exchange.add_secret(api_key, API_KEY)
    exchange.extracted["api_key"] = api_key
    return SandboxUser(api_key, exchange)
