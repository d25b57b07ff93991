"""``user/{id}/oauth-client`` and its callback URLs (``callback-url``): the apps a user registers to act for other users.

bunq's API (its OpenAPI description and sdk_python ``OauthClientApiObject``, ``OauthCallbackUrlApiObject``):
create, list, read and update a client (``status`` ACTIVE or CANCELLED; bunq's spec and SDKs send
only ``status``; ``display_name`` is accepted too, as the issue's stand-in for naming the app in bunq's
app); create, list, read, update and delete its callback URLs (``url``). A client shows its
``client_id`` and ``secret`` (64 hex characters each, as bunq's example values are) and its callback
URLs, to its owner only; other users' clients are 404.

Cancelling a client revokes every grant made to it (``oauth_grants.revoke_all``). A callback URL must
be an absolute ``https://`` or ``http://`` URL without a fragment (RFC 6749 §3.1.2): it is where the
page redirects with the code, so anything a browser would run (``javascript:``, ``data:``) is refused
when it is registered. bunq's own limits on these URLs are not published.

On the kit: the owner chain user -> client -> callback URL is data (``OAUTH_CLIENT``, ``CALLBACK_URL``);
listing and reading clients, and all of the callback URLs, are plain families; creating and updating
a client are handlers of their own (secrets are made, a cancellation revokes grants).
"""

from __future__ import annotations

import secrets
import sqlite3
from typing import Any
from urllib.parse import urlsplit

from ..bunq_errors import bad_request
from ..field_rules import choice, text
from ..kit import Owned, body_of, op, operation_ids, own_user, plain_family
from ..oauth_grants import revoke_all
from ..render import id_and_stamps
from ..request import Request
from ..routing import Caller, HandlerContext, Reply

CLIENT_RULES = {"status": choice("ACTIVE", "CANCELLED"), "display_name": text(255)}


OAUTH_CLIENT = Owned("oauth_clients", "OauthClient", key="oauth_client_id")
CALLBACK_URL = Owned("oauth_callback_urls", "OauthCallbackUrl", parent=OAUTH_CLIENT, link="client_row_id")


def callback_url_object(db: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    """A callback URL as bunq shows it (with its id, as sdk_python's OauthCallbackUrlObject has it)."""
    return {**id_and_stamps(row), "url": row["url"]}


def client_object(db: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    """An oauth-client as bunq shows it to its owner."""
    urls = db.execute("SELECT * FROM oauth_callback_urls WHERE client_row_id = ? ORDER BY id", (row["id"],))
    return {
        "id": row["id"],
        "status": row["status"],
        "display_name": row["display_name"],
        "client_id": row["client_id"],
        "secret": row["secret"],
        "callback_url": [callback_url_object(db, url) for url in urls.fetchall()],
    }


def create_client(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """POST user/{id}/oauth-client: a new app with its client_id and secret."""
    user = own_user(caller, ids)
    body = body_of(request)
    status = body.get("status") or "ACTIVE"
    now = ctx.now()
    with ctx.store.transaction() as db:
        client_row_id = db.execute(
            "INSERT INTO oauth_clients (user_id, client_id, secret, display_name, status, created, updated)"
            " VALUES (?, ?, ?, '', ?, ?, ?)",
            (user["id"], secrets.token_hex(32), secrets.token_hex(32), status, now, now),
        ).lastrowid
        name = body.get("display_name") or f"OAuth client {client_row_id}"
        db.execute("UPDATE oauth_clients SET display_name = ? WHERE id = ?", (name, client_row_id))
    return Reply([{"Id": {"id": client_row_id}}])


def update_client(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """PUT user/{id}/oauth-client/{id}: status and display name; CANCELLED revokes every grant."""
    row = OAUTH_CLIENT.find(ctx, caller, ids)
    body = body_of(request)
    status, name = body.get("status"), body.get("display_name")
    now = ctx.now()
    with ctx.store.transaction() as db:
        db.execute(
            "UPDATE oauth_clients SET status = ?, display_name = ?, updated = ? WHERE id = ?",
            (status or row["status"], name or row["display_name"], now, row["id"]),
        )
        if status == "CANCELLED":
            revoke_all(ctx, db, row["id"])
    return Reply([{"Id": {"id": row["id"]}}])


def _url_columns(
    ctx: HandlerContext, row: sqlite3.Row, body: dict[str, Any], creating: bool
) -> dict[str, Any]:
    """The ``url``: absolute http(s), no fragment (RFC 6749 §3.1.2), never a script a browser would run."""
    url = body["url"]
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc or parts.fragment or url != url.strip():
        raise bad_request(
            'Field "url" must be an absolute https:// (or http://) URL without a fragment or spaces, '
            "such as https://app.example/oauth/callback."
        )
    return {"url": url}


# bunq's operations, by id (paths and wrappers from catalogue.json): {oauth-clientID} is ids["oauth_client_id"].
ROUTES = [
    op("CREATE_OauthClient_for_User", create_client, rules=CLIENT_RULES),
    op("UPDATE_OauthClient_for_User", update_client, item="oauth_client_id", rules=CLIENT_RULES),
    *plain_family(
        OAUTH_CLIENT,
        **operation_ids("OauthClient", "User", "list read"),
        render=client_object,
        wrapper="OauthClient",
    ),
    *plain_family(
        CALLBACK_URL,
        **operation_ids("CallbackUrl", "User_OauthClient"),
        validate=_url_columns,
        rules={"url": text(2048)},
        render=callback_url_object,
        wrapper="OauthCallbackUrl",
    ),
]
