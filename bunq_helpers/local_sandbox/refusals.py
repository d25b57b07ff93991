"""The facts behind a refusal, gathered from the state and the journal, turned into an explanation.

``auth`` and the signature check attach a function to the ``BunqError`` they raise; it is called
with a ``Refusals`` once the refusal is recorded (never on the way to the client, and only for
refusals). bunq's credentials error (``Incorrect API key or IP address.``), raised in the handshake
endpoints, is diagnosed here from the request and the state, so those endpoints stay as they are.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from . import explain
from .bunq_errors import CREDENTIALS_INCORRECT, ROUTE_NOT_FOUND, BunqError
from .journal import Journal
from .request import Request, normal_ip
from .store import Store
from .validation import client_public_key

OTHER_KEYS_CHECKED = 50  # the newest installations whose keys a foreign signature is tried against


class Refusals:
    """Explains refusals from the store (read only), the journal and the clock."""

    def __init__(self, store: Store, journal: Journal, clock: Callable[[], float]) -> None:
        self.store = store
        self.journal = journal
        self.clock = clock

    def explain(self, request: Request | None, error: BunqError) -> explain.Explanation | None:
        """Why ``error`` was answered, or None when there is nothing more to say than bunq's text."""
        found = error.explanation
        if callable(found):
            found = found(self)
        if found is None and request is not None and error.description == CREDENTIALS_INCORRECT:
            found = self.credentials(request)
        if found is None and request is not None and error.description == ROUTE_NOT_FOUND:
            found = explain.explain_route_not_found(request.raw_path)
        return found

    def unknown_token(self, token: str) -> explain.Explanation:
        """A token the store does not hold."""
        return explain.explain_unknown_token(
            token, looks_like_api_key=token.startswith("sandbox_"), reset_at=self.journal.reset_at(token)
        )

    def session_ended(self, token: str, session: sqlite3.Row | None, now: float) -> explain.Explanation:
        """A session token that no longer works."""
        if session is None:
            return self.unknown_token(token)
        return explain.explain_session_ended(
            dict(session), now, logged_out_at=self.journal.logged_out_at(token)
        )

    def signature(self, request: Request, installation: sqlite3.Row) -> explain.Explanation:
        """What the client signed instead of the body, from the digest its signature carries."""
        key = client_public_key(installation["client_public_key"])
        signed = explain.SignedRequest(
            request.method,
            request.raw_path + (f"?{urlencode(request.query)}" if request.query else ""),
            request.headers,
            request.body,
        )
        return explain.explain_signature(
            key,
            request.header("X-Bunq-Client-Signature"),
            signed,
            host=request.header("Host"),
            other_keys=self._other_keys(installation["id"]),
        )

    def _other_keys(self, installation_id: int):
        rows = (
            self.store.read()
            .execute(
                "SELECT id, client_public_key FROM installations WHERE id != ? ORDER BY id DESC LIMIT ?",
                (installation_id, OTHER_KEYS_CHECKED),
            )
            .fetchall()
        )
        for row in rows:
            try:
                yield row["id"], client_public_key(row["client_public_key"])
            except Exception:  # noqa: S112 - a key that no longer loads is simply not a candidate
                continue

    def credentials(self, request: Request) -> explain.Explanation:
        """Which cause of ``Incorrect API key or IP address.`` this request met."""
        db = self.store.read()
        api_key = _secret_of(request.body)
        caller_ip = normal_ip(request.remote_addr)
        credential = (
            db.execute(
                "SELECT * FROM credentials WHERE api_key = ? AND status = 'ACTIVE'", (api_key,)
            ).fetchone()
            if api_key
            else None
        )
        installation = db.execute(
            "SELECT t.installation_id FROM tokens t WHERE t.token = ? AND t.kind = 'installation'",
            ((request.header("X-Bunq-Client-Authentication") or "").strip(),),
        ).fetchone()
        installation_id = installation["installation_id"] if installation else None
        permitted: list[str] | None = None
        devices: list[int] = []
        if credential is not None:
            rows = db.execute(
                "SELECT ip FROM permitted_ips WHERE credential_id = ? AND status = 'ACTIVE' ORDER BY id",
                (credential["id"],),
            ).fetchall()
            permitted = [row["ip"] for row in rows]
            if not permitted and request.route_path == "device-server":
                permitted = None  # an unbound key takes the caller's IP at its first device-server
            devices = [
                row["installation_id"]
                for row in db.execute(
                    "SELECT DISTINCT installation_id FROM devices WHERE credential_id = ? AND status = 'ACTIVE'",
                    (credential["id"],),
                ).fetchall()
            ]
        return explain.explain_credentials(
            api_key=api_key,
            key_known=credential is not None,
            caller_ip=caller_ip,
            permitted_ips=permitted,
            wildcard=bool(credential["wildcard"]) if credential is not None else False,
            step=request.route_path,
            device_installations=devices,
            installation_id=installation_id,
        )


def _secret_of(body: bytes) -> str | None:
    try:
        value: Any = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    secret = value.get("secret") if isinstance(value, dict) else None
    return secret if isinstance(secret, str) else None
