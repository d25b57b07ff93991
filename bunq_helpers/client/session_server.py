"""Step 3, "Add a session": ``POST /v1/session-server``, and closing a session.

The API key again, authenticated with the installation token and **signed** (bunq refuses an
unsigned one with 466). The answer: the session id, the session token (for every later call) and
the user, whose ``session_timeout`` says how long the session lives. The step returns a
``Session`` record (``ApiContext.record_session`` keeps it).
"""

from __future__ import annotations

import datetime as dt

from ..errors import UnexpectedResponseError
from .envelope import item, user_item
from .exchange import Exchange
from .masking import API_KEY, TOKEN
from .records import Session, session_timeout_of
from .transport import BunqClient

ENDPOINT = "session-server"
TITLE = "Add a session"


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
