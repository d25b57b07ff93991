"""What the handshake steps make and the API context keeps: the installation, the device, the session.

Plain records, below both the step modules that create them and the context that saves them, so the
saved state does not depend on how it was made. Each may carry the exchange that made it, to show it;
the exchange is never saved. Tokens are masked in every ``repr``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .masking import mask_value

if TYPE_CHECKING:
    from .exchange import Exchange

DEFAULT_SESSION_TIMEOUT = int(dt.timedelta(days=7).total_seconds())
"""Seconds a session lives when the user object names no ``session_timeout``: one week, bunq's default."""
MAX_SESSION_TIMEOUT = int(dt.timedelta(days=3650).total_seconds())
"""Ten years: a longer ``session_timeout`` is a typo, read as the default."""


@dataclass(frozen=True)
class Installation:
    """What ``POST /v1/installation`` made: its id, the installation token and bunq's server key (PEM)."""

    id: int
    token: str = field(repr=False)
    server_public_key: str = field(repr=False)
    exchange: Exchange | None = field(default=None, repr=False, compare=False)

    def __repr__(self) -> str:
        return f"Installation(id={self.id}, token={mask_value(self.token)!r}, server_public_key=<PEM>)"


@dataclass(frozen=True)
class Device:
    """What ``POST /v1/device-server`` registered."""

    id: int
    description: str
    permitted_ips: tuple[str, ...]
    exchange: Exchange | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class Session:
    """An open session: its token, its user, and when it expires (UTC)."""

    id: int
    token: str = field(repr=False)
    user_id: int
    user_kind: str
    user: dict[str, Any] = field(repr=False)
    session_timeout: int
    expires_at: dt.datetime
    exchange: Exchange | None = field(default=None, repr=False, compare=False)

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
    valid = isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_SESSION_TIMEOUT
    return value if valid else DEFAULT_SESSION_TIMEOUT
