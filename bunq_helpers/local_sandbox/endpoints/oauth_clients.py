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
"""

from __future__ import annotations

import secrets
import sqlite3
from typing import Any
from urllib.parse import urlsplit

from ..bunq_errors import bad_request, not_found
from ..kit import op, own_user
from ..oauth_grants import revoke_all
from ..pagination import paginate
from ..render import id_and_stamps
from ..request import Request
from ..routing import Caller, HandlerContext, Reply
from ..validation import optional_choice, optional_string, parse_object, required_string

STATUSES = ("ACTIVE", "CANCELLED")
MAX_URL = 2048


def callback_url_object(row: sqlite3.Row) -> dict[str, Any]:
    """A callback URL as bunq shows it."""
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
        "callback_url": [callback_url_object(url) for url in urls.fetchall()],
    }


def _own_client(ctx: HandlerContext, caller: Caller, ids: dict[str, int], key: str) -> sqlite3.Row:
    user = own_user(caller, ids)
    row = (
        ctx.store.read()
        .execute("SELECT * FROM oauth_clients WHERE id = ? AND user_id = ?", (ids[key], user["id"]))
        .fetchone()
    )
    if row is None:
        raise not_found("OauthClient", ids[key])
    return row


def _display_name(body: dict[str, Any]) -> str | None:
    return optional_string(body, "display_name", None, max_length=255)


def create_client(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """POST user/{id}/oauth-client: a new app with its client_id and secret."""
    user = own_user(caller, ids)
    body = parse_object(request.body)
    status = optional_choice(body, "status", STATUSES) or "ACTIVE"
    now = ctx.now()
    with ctx.store.transaction() as db:
        client_row_id = db.execute(
            "INSERT INTO oauth_clients (user_id, client_id, secret, display_name, status, created, updated)"
            " VALUES (?, ?, ?, '', ?, ?, ?)",
            (user["id"], secrets.token_hex(32), secrets.token_hex(32), status, now, now),
        ).lastrowid
        name = _display_name(body) or f"OAuth client {client_row_id}"
        db.execute("UPDATE oauth_clients SET display_name = ? WHERE id = ?", (name, client_row_id))
    return Reply([{"Id": {"id": client_row_id}}])


def list_clients(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """GET user/{id}/oauth-client: the caller's apps, newest first."""
    user = own_user(caller, ids)
    db = ctx.store.read()
    rows = db.execute(
        "SELECT * FROM oauth_clients WHERE user_id = ? ORDER BY id DESC", (user["id"],)
    ).fetchall()
    return paginate(request, [client_object(db, row) for row in rows], "OauthClient")


def read_client(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """GET user/{id}/oauth-client/{id}."""
    row = _own_client(ctx, caller, ids, "oauth_client_id")
    return Reply([{"OauthClient": client_object(ctx.store.read(), row)}])


def update_client(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """PUT user/{id}/oauth-client/{id}: status and display name; CANCELLED revokes every grant."""
    row = _own_client(ctx, caller, ids, "oauth_client_id")
    body = parse_object(request.body)
    status = optional_choice(body, "status", STATUSES)
    name = _display_name(body)
    now = ctx.now()
    with ctx.store.transaction() as db:
        db.execute(
            "UPDATE oauth_clients SET status = ?, display_name = ?, updated = ? WHERE id = ?",
            (status or row["status"], name or row["display_name"], now, row["id"]),
        )
        if status == "CANCELLED":
            revoke_all(ctx, db, row["id"])
    return Reply([{"Id": {"id": row["id"]}}])


def _url(body: dict[str, Any]) -> str:
    url = required_string(body, "url", max_length=MAX_URL)
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc or parts.fragment or url != url.strip():
        raise bad_request(
            'Field "url" must be an absolute https:// (or http://) URL without a fragment or spaces, '
            "such as https://app.example/oauth/callback."
        )
    return url


def _own_url(ctx: HandlerContext, caller: Caller, ids: dict[str, int]) -> tuple[sqlite3.Row, sqlite3.Row]:
    client = _own_client(ctx, caller, ids, "oauth_client_id")
    row = (
        ctx.store.read()
        .execute(
            "SELECT * FROM oauth_callback_urls WHERE id = ? AND client_row_id = ?",
            (ids["item_id"], client["id"]),
        )
        .fetchone()
    )
    if row is None:
        raise not_found("OauthCallbackUrl", ids["item_id"])
    return client, row


def create_url(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """POST .../oauth-client/{id}/callback-url: register a redirect URI."""
    client = _own_client(ctx, caller, ids, "oauth_client_id")
    url = _url(parse_object(request.body))
    now = ctx.now()
    with ctx.store.transaction() as db:
        url_id = db.execute(
            "INSERT INTO oauth_callback_urls (client_row_id, url, created, updated) VALUES (?, ?, ?, ?)",
            (client["id"], url, now, now),
        ).lastrowid
    return Reply([{"Id": {"id": url_id}}])


def list_urls(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """GET .../callback-url: newest first."""
    client = _own_client(ctx, caller, ids, "oauth_client_id")
    rows = (
        ctx.store.read()
        .execute(
            "SELECT * FROM oauth_callback_urls WHERE client_row_id = ? ORDER BY id DESC", (client["id"],)
        )
        .fetchall()
    )
    return paginate(request, [callback_url_object(row) for row in rows], "OauthCallbackUrl")


def read_url(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """GET .../callback-url/{id}."""
    _, row = _own_url(ctx, caller, ids)
    return Reply([{"OauthCallbackUrl": callback_url_object(row)}])


def update_url(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """PUT .../callback-url/{id}: a new URL."""
    _, row = _own_url(ctx, caller, ids)
    url = _url(parse_object(request.body))
    with ctx.store.transaction() as db:
        db.execute(
            "UPDATE oauth_callback_urls SET url = ?, updated = ? WHERE id = ?", (url, ctx.now(), row["id"])
        )
    return Reply([{"Id": {"id": row["id"]}}])


def delete_url(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """DELETE .../callback-url/{id}."""
    _, row = _own_url(ctx, caller, ids)
    with ctx.store.transaction() as db:
        db.execute("DELETE FROM oauth_callback_urls WHERE id = ?", (row["id"],))
    return Reply([])


# bunq's operations, by id (paths and wrappers from catalogue.json): {oauth-clientID} is ids["oauth_client_id"].
ROUTES = [
    op("CREATE_OauthClient_for_User", create_client),
    op("List_all_OauthClient_for_User", list_clients),
    op("READ_OauthClient_for_User", read_client, item="oauth_client_id"),
    op("UPDATE_OauthClient_for_User", update_client, item="oauth_client_id"),
    op("CREATE_CallbackUrl_for_User_OauthClient", create_url),
    op("List_all_CallbackUrl_for_User_OauthClient", list_urls),
    op("READ_CallbackUrl_for_User_OauthClient", read_url),
    op("UPDATE_CallbackUrl_for_User_OauthClient", update_url),
    op("DELETE_CallbackUrl_for_User_OauthClient", delete_url),
]
