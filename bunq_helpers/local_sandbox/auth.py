"""Who is calling: X-Bunq-Client-Authentication resolved to an installation or a live session.

An installation token is only good for device-server and session-server; a session token for
every other authenticated call. Unknown, expired, closed and wrong-kind tokens all get bunq's 401
``Insufficient authorisation.`` (bunq's texts for these cases vary; this is the one its clients
handle everywhere), except one: session-server called with a session token gets bunq's
``Authentication token already has a user session.``, the text bunqJSClient (``generateSession``)
turns into its INSTALLATION_HAS_SESSION error code. bunq's status for it is not documented; 400,
bunq's status for a request it refuses as given.

Session extension: bunq's pages disagree. Its API reference says a request made in the last 30
seconds extends the session by the auto-logout time, but never by more than 5 minutes; its API Keys
page says a request made 30 minutes before expiry extends it. The local sandbox follows the API
reference: a call with fewer than ``EXTENSION_WINDOW`` seconds left moves the expiry to
now + min(session timeout, ``MAX_EXTENSION``).
"""

from __future__ import annotations

from . import explain
from .bunq_errors import ALREADY_HAS_SESSION, BunqError, unauthorised
from .oauth_grants import granting_user
from .request import Request
from .routing import Caller, HandlerContext

EXTENSION_WINDOW = 30
MAX_EXTENSION = 300


def authenticate(ctx: HandlerContext, request: Request, kind: str) -> Caller:
    """Resolve X-Bunq-Client-Authentication to a caller, or raise bunq's 401.

    An installation token is only good for device-server and session-server; a session token
    for the rest. A session token is refused once closed or expired; a call in its last 30 s
    extends it.
    """
    token_value = (request.header("X-Bunq-Client-Authentication") or "").strip()
    if not token_value:
        raise unauthorised(explain.explain_missing_token())
    db = ctx.store.read()
    # the installation, the token's id (a session's id) and its kind in one statement
    installation = db.execute(
        "SELECT i.*, t.id AS token_id, t.kind AS token_kind"
        " FROM tokens t JOIN installations i ON i.id = t.installation_id WHERE t.token = ?",
        (token_value,),
    ).fetchone()
    kind_sent = installation["token_kind"] if installation is not None else None
    if kind_sent == "session" and request.route_path == "session-server":
        raise BunqError(
            400, ALREADY_HAS_SESSION, explain.explain_wrong_token_kind("session", kind, "session-server")
        )
    if kind_sent is None:
        raise unauthorised(lambda refusals: refusals.unknown_token(token_value))
    if kind_sent != kind:
        raise unauthorised(explain.explain_wrong_token_kind(kind_sent, kind, request.route_path))
    if kind == "installation":
        return Caller(installation=installation)
    now = ctx.now()
    session = db.execute("SELECT * FROM sessions WHERE id = ?", (installation["token_id"],)).fetchone()
    if session is None or session["closed"] or session["expires_at"] <= now:
        raise unauthorised(lambda refusals: refusals.session_ended(token_value, session, now))
    if session["expires_at"] - now < EXTENSION_WINDOW:
        with ctx.store.transaction() as write:
            write.execute(
                "UPDATE sessions SET expires_at = MAX(expires_at, ?) WHERE id = ? AND closed = 0",
                (now + min(session["timeout"], MAX_EXTENSION), session["id"]),
            )
    user = db.execute("SELECT * FROM users WHERE id = ?", (session["user_id"],)).fetchone()
    if user is None:
        raise unauthorised(explain.explain_user_gone(session["id"]))
    acting_for = granting_user(db, user) if user["kind"] == "UserApiKey" else None  # OAuth: oauth_grants
    return Caller(installation=installation, session=session, user=user, acting_for=acting_for)
