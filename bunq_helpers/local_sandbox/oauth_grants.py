"""OAuth in the local sandbox: authorization codes, access tokens, grants, and what a grant may do.

The rules (bunq's pages: doc.bunq.com basics/authentication/oauth and its sub-pages, and the older
beta.doc.bunq.com/basics/oauth; RFC 6749 where bunq says nothing):

- **Redirect URI**: the ``redirect_uri`` of an authorization request must equal, character for
  character, one of the client's registered callback URLs ("Must match the URL registered with your
  OAuth client"). ``https://app.example/cb/`` is not ``https://app.example/cb``: the trailing-slash trap
  users report is real at bunq and real here. A mismatch is shown on the page and never redirected to.
- **Codes** are single use and short-lived (bunq: "a short-lived, one-time-use credential"; how short is
  not published: ``CODE_LIFETIME`` seconds here, RFC 6749 §4.1.2's recommended maximum). The token
  exchange must repeat the same ``redirect_uri``.
- **Client id**: the authorization URL carries the client's ``client_id`` (sdk_python
  ``OauthAuthorizationUri``, Postman, bunq's pages). sdk_python's ``OauthAccessToken.create_token_uri``
  sends the oauth-client's numeric ``id`` as ``client_id`` instead, and ``grant_type=1`` (the
  AutoNumberEnum value of its ``AUTHORIZATION_CODE``); the exchange accepts both as that SDK sends them.
- **Errors** of the token endpoint: bunq's OAuth host does not document its error body; the local
  sandbox answers RFC 6749 §5.2's ``{"error": ..., "error_description": ...}`` (``invalid_request``,
  ``invalid_client``, ``invalid_grant``, ``unsupported_grant_type``) with 400 (401 for a wrong client),
  plus bunq's usual ``Error`` list: sdk_python reads only that one (a body without it is a ``KeyError``
  inside the SDK, not an error the developer can read).
- **The access token** is an API key (bunq: "use the Access Token as a normal API Key"): 64 hex
  characters, stored as a credential of the grant's own ``UserApiKey`` user, so installation,
  device-server and session-server take it unchanged. The session's user item is ``UserApiKey``
  with ``requested_by_user`` (the app's owner) and ``granted_by_user`` (the user who approved).
- **What a grant may do** (beta.doc.bunq.com/basics/oauth, "What can my apps do with OAuth?"): read
  monetary accounts, payments and transactions; create payments between the granting user's own
  accounts; create draft payments; read request-inquiries and request-responses. ``allowed`` is that
  list as routes; anything else answers 403 ``OAUTH_NOT_ALLOWED``. bunq's text for it is unknown.
- **Revoking**: the app owner cancelling the oauth-client, or the granting user revoking the grant
  (the app's "connected apps" screen; here ``POST /auth/revoke`` on the page's origin), ends the grant:
  its token no longer opens sessions, its open sessions are closed, and an event of kind
  ``UserApiKey`` (action ``DELETE``) notifies the app owner's ``OAUTH`` callbacks.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from .bunq_errors import BunqError
from .callback_categories import notifies
from .events import Event, renders
from .render import id_and_stamps, user_object
from .routing import HandlerContext
from .store import new_token

# The paths of bunq's OAuth hosts, answered on the sandbox's own origin by ``oauth_pages`` (which the
# app loads on the first of them): the approval page, its revocation stand-in, the token exchange.
AUTH_PATH = "/auth"
REVOKE_PATH = "/auth/revoke"
TOKEN_PATHS = ("/v1/token", "/token")
OAUTH_PATHS = frozenset({AUTH_PATH, REVOKE_PATH, *TOKEN_PATHS})
CODE_LIFETIME = 600
# sdk_python 1.28.0 sends ``OauthGrantType.AUTHORIZATION_CODE.value``, which its AutoNumberEnum makes 1.
SDK_PYTHON_GRANT_TYPE = "1"
OAUTH_NOT_ALLOWED = "This call is not allowed with an OAuth access token: the user granted your app less."
GRANTEE_KINDS = ("UserPerson", "UserCompany")  # who can approve on the page

# What a UserApiKey session may call: (method, route template). Beyond these: 403.
ALLOWED = {
    ("GET", "user"),
    ("GET", "user/{user_id}"),
    ("DELETE", "session/{session_id}"),
    ("GET", "installation"),
    ("GET", "installation/{installation_id}"),
    ("GET", "installation/{installation_id}/server-public-key"),
    ("GET", "device-server"),
    ("GET", "device-server/{device_id}"),
    ("GET", "user/{user_id}/monetary-account"),
    ("GET", "user/{user_id}/monetary-account/{account_id}"),
    ("GET", "user/{user_id}/monetary-account-bank"),
    ("GET", "user/{user_id}/monetary-account-bank/{account_id}"),
    ("GET", "user/{user_id}/monetary-account-savings"),
    ("GET", "user/{user_id}/monetary-account-savings/{account_id}"),
    ("GET", "user/{user_id}/monetary-account-joint"),
    ("GET", "user/{user_id}/monetary-account-joint/{account_id}"),
    ("GET", "user/{user_id}/monetary-account/{account_id}/payment"),
    ("GET", "user/{user_id}/monetary-account/{account_id}/payment/{payment_id}"),
    ("POST", "user/{user_id}/monetary-account/{account_id}/payment"),
    ("GET", "user/{user_id}/monetary-account/{account_id}/draft-payment"),
    ("GET", "user/{user_id}/monetary-account/{account_id}/draft-payment/{item_id}"),
    ("POST", "user/{user_id}/monetary-account/{account_id}/draft-payment"),
    ("GET", "user/{user_id}/monetary-account/{account_id}/request-inquiry"),
    ("GET", "user/{user_id}/monetary-account/{account_id}/request-inquiry/{item_id}"),
    ("GET", "user/{user_id}/monetary-account/{account_id}/request-response"),
    ("GET", "user/{user_id}/monetary-account/{account_id}/request-response/{item_id}"),
}


class OAuthError(Exception):
    """An OAuth error as the token endpoint answers it (RFC 6749 §5.2)."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status

    def payload(self) -> dict[str, Any]:
        """The JSON body: RFC 6749's two fields, and bunq's ``Error`` list, which sdk_python reads."""
        shown = f"{self.error}: {self.description}"
        return {
            "error": self.error,
            "error_description": self.description,
            "Error": [{"error_description": shown, "error_description_translated": shown}],
        }


@dataclass(frozen=True)
class Approval:
    """What the page needs to show an authorization request that passed the checks."""

    client: sqlite3.Row
    owner: sqlite3.Row
    redirect_uri: str
    state: str | None


def find_client(db: sqlite3.Connection, client_id: str) -> sqlite3.Row | None:
    """The oauth-client by its ``client_id``, or by its numeric ``id`` (what sdk_python's exchange sends)."""
    row = db.execute("SELECT * FROM oauth_clients WHERE client_id = ?", (client_id,)).fetchone()
    if row is None and client_id.isdigit() and len(client_id) < 19:
        row = db.execute("SELECT * FROM oauth_clients WHERE id = ?", (int(client_id),)).fetchone()
    return row


def callback_urls(db: sqlite3.Connection, client_row_id: int) -> list[str]:
    """The client's registered callback URLs, oldest first."""
    rows = db.execute(
        "SELECT url FROM oauth_callback_urls WHERE client_row_id = ? ORDER BY id", (client_row_id,)
    ).fetchall()
    return [row["url"] for row in rows]


def near_miss(registered: list[str], redirect_uri: str) -> str | None:
    """A registered URL that differs from ``redirect_uri`` only by a trailing slash or case, for the hint."""
    for url in registered:
        if url.rstrip("/") == redirect_uri.rstrip("/") or url.lower() == redirect_uri.lower():
            return url
    return None


class RequestRefused(ValueError):
    """An authorization request the page refuses to act on (and never redirects for)."""


def check_authorization_request(db: sqlite3.Connection, query: dict[str, str]) -> Approval:
    """The request's client and redirect URI if they may be used; else ``RequestRefused`` saying why."""
    response_type = query.get("response_type", "")
    if response_type != "code":
        raise RequestRefused(
            f"response_type must be 'code' (bunq supports the authorization code grant only); got {response_type!r}."
        )
    client_id = query.get("client_id", "")
    if not client_id:
        raise RequestRefused("client_id is missing: put your OAuth client's client_id in the URL.")
    client = db.execute("SELECT * FROM oauth_clients WHERE client_id = ?", (client_id,)).fetchone()
    if client is None:
        raise RequestRefused("No OAuth client has this client_id. Copy it from GET user/{id}/oauth-client.")
    if client["status"] != "ACTIVE":
        raise RequestRefused("This OAuth client is not active (its status is CANCELLED).")
    redirect_uri = query.get("redirect_uri", "")
    registered = callback_urls(db, client["id"])
    if not registered:
        raise RequestRefused(
            "This OAuth client has no callback URL registered. Add one with POST "
            "user/{id}/oauth-client/{id}/callback-url before sending users here."
        )
    if redirect_uri not in registered:
        hint = near_miss(registered, redirect_uri)
        extra = f" Did you mean {hint!r}? It differs only by a trailing slash or case." if hint else ""
        raise RequestRefused(
            f"redirect_uri {redirect_uri!r} is not one of this client's callback URLs; it must match one "
            f"exactly.{extra}"
        )
    owner = db.execute("SELECT * FROM users WHERE id = ?", (client["user_id"],)).fetchone()
    return Approval(client, owner, redirect_uri, query.get("state"))


def grantees(db: sqlite3.Connection) -> list[sqlite3.Row]:
    """The sandbox users who can approve on the page: people and companies, oldest first."""
    marks = ",".join("?" * len(GRANTEE_KINDS))
    return db.execute(f"SELECT * FROM users WHERE kind IN ({marks}) ORDER BY id", GRANTEE_KINDS).fetchall()  # noqa: S608


def issue_code(db: sqlite3.Connection, approval: Approval, user_id: int, now: float) -> str:
    """A fresh authorization code for ``user_id``'s approval."""
    code = new_token()
    db.execute(
        "INSERT INTO oauth_codes (code, client_row_id, granted_by_user_id, redirect_uri, state, expires_at,"
        " created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            code,
            approval.client["id"],
            user_id,
            approval.redirect_uri,
            approval.state,
            now + CODE_LIFETIME,
            now,
            now,
        ),
    )
    return code


TOKEN_PARAMETERS = ("grant_type", "code", "redirect_uri", "client_id", "client_secret")


def exchange_code(db: sqlite3.Connection, params: dict[str, str], now: float) -> dict[str, Any]:
    """The token answer for an authorization code (in the caller's write transaction); else ``OAuthError``."""
    import hmac

    grant_type = params.get("grant_type", "")
    if grant_type == SDK_PYTHON_GRANT_TYPE:
        grant_type = "authorization_code"
    if not grant_type:
        raise OAuthError("invalid_request", "grant_type is missing; use grant_type=authorization_code.")
    if grant_type != "authorization_code":
        raise OAuthError(
            "unsupported_grant_type", f"grant_type {grant_type!r} is not supported; use authorization_code."
        )
    missing = [name for name in TOKEN_PARAMETERS if not params.get(name)]
    if missing:
        raise OAuthError(
            "invalid_request", f"Missing parameter(s): {', '.join(missing)}. Send them in the query string."
        )
    client = find_client(db, params["client_id"])
    if client is None or not hmac.compare_digest(client["secret"], params["client_secret"]):
        raise OAuthError(
            "invalid_client", "The client_id and client_secret do not match an OAuth client.", 401
        )
    if client["status"] != "ACTIVE":
        raise OAuthError("invalid_client", "This OAuth client is not active.", 401)
    code = db.execute(
        "SELECT * FROM oauth_codes WHERE code = ? AND client_row_id = ?", (params["code"], client["id"])
    ).fetchone()
    if code is None:
        raise OAuthError("invalid_grant", "The authorization code is unknown to this client.")
    if code["used"]:
        raise OAuthError("invalid_grant", "The authorization code was already used; codes are single use.")
    if code["expires_at"] <= now:
        raise OAuthError("invalid_grant", "The authorization code has expired; send the user to /auth again.")
    if params["redirect_uri"] != code["redirect_uri"]:
        raise OAuthError(
            "invalid_grant",
            "redirect_uri differs from the one in the authorization request; send the same URL.",
        )
    db.execute("UPDATE oauth_codes SET used = 1, updated = ? WHERE id = ?", (now, code["id"]))
    token = create_grant(db, client, code["granted_by_user_id"], now)
    return {"access_token": token, "token_type": "bearer", "state": code["state"]}


def create_grant(db: sqlite3.Connection, client: sqlite3.Row, granted_by_user_id: int, now: float) -> str:
    """A UserApiKey for the approval and its access token (returned), stored as that user's API key."""
    import uuid  # loads platform: not at every sandbox start

    owner = db.execute("SELECT * FROM users WHERE id = ?", (client["user_id"],)).fetchone()
    user_api_key_id = db.execute(
        "INSERT INTO users (kind, display_name, public_nick_name, email, public_uuid, session_timeout,"
        " created, updated) VALUES ('UserApiKey', ?, ?, '', ?, ?, ?, ?)",
        (
            client["display_name"],
            client["display_name"],
            str(uuid.uuid4()),
            owner["session_timeout"],
            now,
            now,
        ),
    ).lastrowid
    token = new_token()
    credential_id = db.execute(
        "INSERT INTO credentials (user_id, api_key, status, wildcard, created, updated)"
        " VALUES (?, ?, 'ACTIVE', 0, ?, ?)",
        (user_api_key_id, token, now, now),
    ).lastrowid
    db.execute(
        "INSERT INTO oauth_grants (client_row_id, user_api_key_id, granted_by_user_id, credential_id, status,"
        " created, updated) VALUES (?, ?, ?, ?, 'ACTIVE', ?, ?)",
        (client["id"], user_api_key_id, granted_by_user_id, credential_id, now, now),
    )
    return token


def grant_of(db: sqlite3.Connection, user_api_key_id: int) -> sqlite3.Row | None:
    """The grant behind a UserApiKey user."""
    return db.execute("SELECT * FROM oauth_grants WHERE user_api_key_id = ?", (user_api_key_id,)).fetchone()


def granting_user(db: sqlite3.Connection, user: sqlite3.Row) -> sqlite3.Row:
    """Whose data a session's user reaches: the granting user for a UserApiKey, else the user itself."""
    if user["kind"] != "UserApiKey":
        return user
    grant = grant_of(db, user["id"])
    if grant is None or grant["status"] != "ACTIVE":
        raise BunqError(401, "Insufficient authorisation.")
    return db.execute("SELECT * FROM users WHERE id = ?", (grant["granted_by_user_id"],)).fetchone()


def revoke(ctx: HandlerContext, db: sqlite3.Connection, grant: sqlite3.Row) -> None:
    """End a grant: its token stops working, its sessions close, the app owner's OAUTH callbacks hear of it."""
    if grant["status"] != "ACTIVE":
        return
    now = ctx.now()
    db.execute("UPDATE oauth_grants SET status = 'REVOKED', updated = ? WHERE id = ?", (now, grant["id"]))
    db.execute(
        "UPDATE credentials SET status = 'CANCELLED', updated = ? WHERE id = ?", (now, grant["credential_id"])
    )
    db.execute("UPDATE sessions SET closed = 1 WHERE user_id = ?", (grant["user_api_key_id"],))
    owner_id = db.execute(
        "SELECT user_id FROM oauth_clients WHERE id = ?", (grant["client_row_id"],)
    ).fetchone()[0]
    ctx.events.record(
        db, "UserApiKey", grant["user_api_key_id"], user_id=owner_id, account_id=None, action="DELETE"
    )


def revoke_all(ctx: HandlerContext, db: sqlite3.Connection, client_row_id: int) -> None:
    """Revoke every active grant of a client (the client was cancelled)."""
    for grant in db.execute(
        "SELECT * FROM oauth_grants WHERE client_row_id = ? AND status = 'ACTIVE'", (client_row_id,)
    ).fetchall():
        revoke(ctx, db, grant)


def _wrapped(db: sqlite3.Connection, user_id: int) -> dict[str, Any]:
    user = db.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone()
    return wrapped_user(db, user)


def user_api_key_object(db: sqlite3.Connection, user: sqlite3.Row) -> dict[str, Any]:
    """A UserApiKey as bunq shows it: its id, stamps, and the two users wrapped by their kinds."""
    grant = grant_of(db, user["id"])
    requested_by = db.execute(
        "SELECT user_id FROM oauth_clients WHERE id = ?", (grant["client_row_id"],)
    ).fetchone()
    return {
        **id_and_stamps(user),
        "requested_by_user": _wrapped(db, requested_by["user_id"]),
        "granted_by_user": _wrapped(db, grant["granted_by_user_id"]),
    }


def psp_object(
    db: sqlite3.Connection, user: sqlite3.Row, session_timeout: int | None = None
) -> dict[str, Any]:
    """A UserPaymentServiceProvider: the provider a certificate identifies."""
    credential = db.execute(
        "SELECT distinguished_name FROM psd2_credentials WHERE user_id = ? ORDER BY id DESC LIMIT 1",
        (user["id"],),
    ).fetchone()
    return {
        **id_and_stamps(user),
        "certificate_distinguished_name": credential["distinguished_name"]
        if credential
        else user["display_name"],
        "alias": [],
        "avatar": None,
        "status": "ACTIVE",
        "sub_status": "NONE",
        "public_uuid": user["public_uuid"],
        "display_name": user["display_name"],
        "public_nick_name": user["public_nick_name"],
        "language": "en_US",
        "region": "nl_NL",
        "session_timeout": session_timeout or user["session_timeout"],
    }


def wrapped_user(
    db: sqlite3.Connection,
    user: sqlite3.Row,
    session_timeout: int | None = None,
    profile: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Any user wrapped by its kind, as session-server and GET user show it."""
    kind = user["kind"]
    if kind == "UserApiKey":
        return {kind: user_api_key_object(db, user)}
    if kind == "UserPaymentServiceProvider":
        return {kind: psp_object(db, user, session_timeout)}
    if profile is None:
        row = db.execute("SELECT data FROM user_profiles WHERE user_id = ?", (user["id"],)).fetchone()
        profile = json.loads(row["data"]) if row else {}
    return {kind: user_object(user, session_timeout=session_timeout, profile=profile)}


def check_allowed(
    db: sqlite3.Connection, method: str, template: str, body: bytes, granting: sqlite3.Row
) -> None:
    """Raise 403 unless a UserApiKey session may make this call (see ``ALLOWED``); payments only between
    the granting user's own accounts."""
    if (method, template) not in ALLOWED:
        raise BunqError(403, OAUTH_NOT_ALLOWED)
    if method == "POST" and template.endswith("/payment"):
        try:
            alias = json.loads(body or b"{}").get("counterparty_alias") or {}
        except (ValueError, AttributeError):
            return  # the payment handler names what is wrong with the body
        if not isinstance(alias, dict) or alias.get("type") != "IBAN":
            raise BunqError(
                403, OAUTH_NOT_ALLOWED + " Payments may only go to the user's own accounts (by IBAN)."
            )
        own = db.execute(
            "SELECT 1 FROM accounts WHERE user_id = ? AND iban = ?",
            (granting["id"], str(alias.get("value", ""))),
        ).fetchone()
        if own is None:
            raise BunqError(
                403, OAUTH_NOT_ALLOWED + " Payments may only go to the user's own accounts (by IBAN)."
            )


@renders("UserApiKey")
def _render_user_api_key(db: sqlite3.Connection, object_id: int) -> dict[str, Any] | None:
    user = db.execute("SELECT * FROM users WHERE id = ? AND kind = 'UserApiKey'", (object_id,)).fetchone()
    return {"UserApiKey": user_api_key_object(db, user)} if user is not None else None


@notifies("UserApiKey")
def _user_api_key_notifications(event: Event, fields: dict[str, Any]) -> list[tuple[str, str]]:
    return [("OAUTH", "OAUTH_REVOKED" if event.action == "DELETE" else "OAUTH_GRANTED")]
