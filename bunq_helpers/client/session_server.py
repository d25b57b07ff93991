"""Step 3, "Add a session": ``POST /v1/session-server``, and closing a session.

The API key again, authenticated with the installation token and **signed** (bunq refuses an
unsigned one with 466). The answer: the session id, the session token (for every later call) and
the user, whose ``session_timeout`` says how long the session lives.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ..errors import UnexpectedResponseError
from .envelope import item, user_item
from .exchange import Exchange
from .masking import API_KEY, TOKEN, mask_value
from .transport import BunqClient

ENDPOINT = "session-server"
TITLE = "Add a session"
DEFAULT_SESSION_TIMEOUT = 604_800


@dataclass(frozen=True)
class Session:
    """An open session."""

    id: int
    token: str = field(repr=False)
    user_id: int
    user_kind: str
    user: dict[str, Any] = field(repr=False)
    session_timeout: int
    expires_at: dt.datetime
    exchange: Exchange | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        return (
            f"Session(id={self.id}, token={mask_value(self.token)!r}, user_id={self.user_id}, "
            f"user_kind={self.user_kind!r}, expires_at={self.expires_at.isoformat(timespec='seconds')})"
        )


def session_timeout_of(kind: str, user: dict[str, Any]) -> int:
    """The user's session timeout in seconds (for UserApiKey, that of the user who granted it)."""
    if kind == "UserApiKey":
        granting = user.get("requested_by_user") or {}
        inner = next((v for v in granting.values() if isinstance(v, dict)), {})
        value = inner.get("session_timeout")
    else:
        value = user.get("session_timeout")
    return value if isinstance(value, int) and value > 0 else DEFAULT_SESSION_TIMEOUT


def open_session(client: BunqClient, installation_token: str, api_key: str) -> Session:
    """Open a session for ``api_key``; return its token, user and expiry time."""
    exchange = client.request(
        "POST",
        ENDPOINT,
        body={"secret": api_key},
        token=installation_token,
        title=TITLE,
        secrets={api_key: API_KEY},
    )
    opened = dt.datetime.now(dt.timezone.utc)
    session_id = item(exchange, "Id", 0).get("id")
    token = item(exchange, "Token", 1).get("token")
    kind, user = user_item(exchange, 2)
    if not isinstance(session_id, int) or not isinstance(token, str) or not isinstance(user.get("id"), int):
        raise UnexpectedResponseError("The session answer lacks an id, token or user id.", exchange=exchange)
    exchange.add_secret(token, TOKEN)
    timeout = session_timeout_of(kind, user)
    expires_at = opened + dt.timedelta(seconds=timeout)
    exchange.extracted.update(
        session_id=session_id,
        session_token=token,
        user_id=user["id"],
        user_kind=kind,
        session_timeout=timeout,
        expires_at=expires_at.isoformat(timespec="seconds"),
    )
    return Session(session_id, token, user["id"], kind, user, timeout, expires_at, exchange)


def close_session(client: BunqClient, session_token: str, session_id: int) -> Exchange:
    """Log out: ``DELETE /v1/session/{id}`` with the session token."""
    return client.request("DELETE", f"session/{session_id}", token=session_token, title="Close the session")
