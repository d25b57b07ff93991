"""The Permitted IP endpoints: the IPs an API key may be used from (``credential-password-ip``).

Each API key has one CredentialPasswordIp; its PermittedIp entries are ACTIVE or INACTIVE. As bunq
documents, an IP cannot be edited (mark it INACTIVE and add a new one) and the wildcard ``*``
cannot be set here (only at device-server, or in bunq's app).
"""

from __future__ import annotations

import sqlite3

from ..bunq_errors import bad_request, not_found
from ..kit import op
from ..pagination import paginate
from ..render import credential_object, permitted_ip_object
from ..request import Request
from ..routing import Caller, HandlerContext, Reply
from ..validation import ip_or_wildcard, parse_object, required_string

STATUSES = ("ACTIVE", "INACTIVE")


def _own_credential(ctx: HandlerContext, caller: Caller, ids: dict[str, int]) -> sqlite3.Row:
    if ids["user_id"] != caller.user["id"]:
        raise not_found("User", ids["user_id"])
    row = (
        ctx.store.read()
        .execute(
            "SELECT * FROM credentials WHERE id = ? AND user_id = ?",
            (ids["credential_id"], caller.user["id"]),
        )
        .fetchone()
    )
    if row is None:
        raise not_found("CredentialPasswordIp", ids["credential_id"])
    return row


def _latest_device(ctx: HandlerContext, credential_id: int) -> sqlite3.Row | None:
    return (
        ctx.store.read()
        .execute("SELECT * FROM devices WHERE credential_id = ? ORDER BY id DESC LIMIT 1", (credential_id,))
        .fetchone()
    )


def list_credentials(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """GET user/{id}/credential-password-ip."""
    if ids["user_id"] != caller.user["id"]:
        raise not_found("User", ids["user_id"])
    rows = (
        ctx.store.read()
        .execute("SELECT * FROM credentials WHERE user_id = ?", (caller.user["id"],))
        .fetchall()
    )
    items = [credential_object(row, _latest_device(ctx, row["id"])) for row in rows]
    return paginate(request, items, "CredentialPasswordIp")


def read_credential(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """GET user/{id}/credential-password-ip/{id}."""
    row = _own_credential(ctx, caller, ids)
    return Reply([{"CredentialPasswordIp": credential_object(row, _latest_device(ctx, row["id"]))}])


def list_permitted_ips(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """GET …/credential-password-ip/{id}/ip."""
    credential = _own_credential(ctx, caller, ids)
    rows = (
        ctx.store.read()
        .execute("SELECT * FROM permitted_ips WHERE credential_id = ?", (credential["id"],))
        .fetchall()
    )
    page = paginate(request, [{"id": row["id"], **permitted_ip_object(row)} for row in rows], "PermittedIp")
    for item in page.items:
        del item["PermittedIp"]["id"]  # the id orders the page; bunq's PermittedIp does not show it
    return page


def _own_ip(ctx: HandlerContext, caller: Caller, ids: dict[str, int]) -> sqlite3.Row:
    credential = _own_credential(ctx, caller, ids)
    row = (
        ctx.store.read()
        .execute(
            "SELECT * FROM permitted_ips WHERE id = ? AND credential_id = ?", (ids["ip_id"], credential["id"])
        )
        .fetchone()
    )
    if row is None:
        raise not_found("PermittedIp", ids["ip_id"])
    return row


def read_permitted_ip(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """GET …/ip/{id}."""
    return Reply([{"PermittedIp": permitted_ip_object(_own_ip(ctx, caller, ids))}])


def _status(body: dict, default: str | None) -> str:
    status = body.get("status", default)
    if status not in STATUSES:
        raise bad_request('Field "status" must be "ACTIVE" or "INACTIVE".')
    return status


def create_permitted_ip(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """POST …/ip: add an IP (ACTIVE unless said otherwise)."""
    credential = _own_credential(ctx, caller, ids)
    body = parse_object(request.body)
    ip = ip_or_wildcard(required_string(body, "ip", max_length=64), "ip")
    if ip == "*":
        raise bad_request(
            'Field "ip" cannot be "*": the wildcard can only be set in the bunq app or at device-server.'
        )
    status = _status(body, "ACTIVE")
    now = ctx.now()
    with ctx.store.transaction() as db:
        if db.execute(
            "SELECT 1 FROM permitted_ips WHERE credential_id = ? AND ip = ?", (credential["id"], ip)
        ).fetchone():
            raise bad_request(f"The IP {ip} is already listed; change its status instead.")
        ip_id = db.execute(
            "INSERT INTO permitted_ips (credential_id, ip, status, created, updated) VALUES (?, ?, ?, ?, ?)",
            (credential["id"], ip, status, now, now),
        ).lastrowid
    return Reply([{"Id": {"id": ip_id}}])


def update_permitted_ip(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """PUT …/ip/{id}: change only the status; an IP itself cannot be edited."""
    row = _own_ip(ctx, caller, ids)
    body = parse_object(request.body)
    if "ip" in body:
        raise bad_request('Field "ip" cannot be changed: mark this IP INACTIVE and add a new one.')
    status = _status(body, None)
    with ctx.store.transaction() as db:
        db.execute(
            "UPDATE permitted_ips SET status = ?, updated = ? WHERE id = ?", (status, ctx.now(), row["id"])
        )
    return Reply([{"Id": {"id": row["id"]}}])


CREDENTIAL = "user/{user_id}/credential-password-ip/{credential_id}"
ROUTES = [
    op("List_all_CredentialPasswordIp_for_User", list_credentials),
    op("READ_CredentialPasswordIp_for_User", read_credential, item="credential_id"),
    op("List_all_Ip_for_User_CredentialPasswordIp", list_permitted_ips),
    op("CREATE_Ip_for_User_CredentialPasswordIp", create_permitted_ip),
    op("READ_Ip_for_User_CredentialPasswordIp", read_permitted_ip, item="ip_id"),
    op("UPDATE_Ip_for_User_CredentialPasswordIp", update_permitted_ip, item="ip_id"),
]
