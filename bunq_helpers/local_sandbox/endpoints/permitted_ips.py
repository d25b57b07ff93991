"""The Permitted IP endpoints: the IPs an API key may be used from (``credential-password-ip``).

Each API key has one CredentialPasswordIp; its PermittedIp entries are ACTIVE or INACTIVE. As bunq
documents, an IP cannot be edited (mark it INACTIVE and add a new one) and the wildcard ``*``
cannot be set here (only at device-server, or in bunq's app). Both are plain families of the kit.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from ..bunq_errors import bad_request
from ..kit import Owned, operation_ids, plain_family
from ..render import credential_object
from ..routing import HandlerContext
from ..validation import ip_or_wildcard, required_string

STATUSES = ("ACTIVE", "INACTIVE")
CREDENTIAL = Owned("credentials", "CredentialPasswordIp", key="credential_id")
PERMITTED_IP = Owned("permitted_ips", "PermittedIp", key="ip_id", parent=CREDENTIAL, link="credential_id")


def _credential(db: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    """A CredentialPasswordIp, with the device the key was last registered from."""
    device = db.execute(
        "SELECT * FROM devices WHERE credential_id = ? ORDER BY id DESC LIMIT 1", (row["id"],)
    ).fetchone()
    return credential_object(row, device)


def _status(body: dict, default: str | None) -> str:
    status = body.get("status", default)
    if status not in STATUSES:
        raise bad_request('Field "status" must be "ACTIVE" or "INACTIVE".')
    return status


def _ip_columns(ctx: HandlerContext, row: sqlite3.Row, body: dict, creating: bool) -> dict[str, Any]:
    """A new IP (ACTIVE unless said otherwise), or a new status: an IP itself cannot be edited."""
    if not creating:
        if "ip" in body:
            raise bad_request('Field "ip" cannot be changed: mark this IP INACTIVE and add a new one.')
        return {"status": _status(body, None)}
    ip = ip_or_wildcard(required_string(body, "ip", max_length=64), "ip")
    if ip == "*":
        raise bad_request(
            'Field "ip" cannot be "*": the wildcard can only be set in the bunq app or at device-server.'
        )
    listed = ctx.store.read().execute(
        "SELECT 1 FROM permitted_ips WHERE credential_id = ? AND ip = ?", (row["id"], ip)
    )
    if listed.fetchone():
        raise bad_request(f"The IP {ip} is already listed; change its status instead.")
    return {"ip": ip, "status": _status(body, "ACTIVE")}


ROUTES = [
    *plain_family(
        CREDENTIAL,
        **operation_ids("CredentialPasswordIp", "User", "list read"),
        render=_credential,
        wrapper="CredentialPasswordIp",
    ),
    *plain_family(
        PERMITTED_IP,
        **operation_ids("Ip", "User_CredentialPasswordIp", "list read create update"),
        validate=_ip_columns,
    ),
]
