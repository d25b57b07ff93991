"""Connect: ``share-invite-monetary-account-inquiry`` (the owner shares an account with another sandbox user:
create, list, read, update) and ``share-invite-monetary-account-response`` (the invitee's side: list,
read, update to accept or reject).

One row holds both sides (``share_invites``): the owner reaches it through the shared account, the
invitee through ``counter_user_id``, under the same id. The invitee is named by
``counter_user_alias``, an EMAIL pointer or a LabelUser's ``uuid`` (400 if no sandbox user has it).
``access_type`` is one of VIEW_BALANCE, VIEW_TRANSACTION, DRAFT_PAYMENT, FULL_TRANSIENT; the deprecated
``share_detail`` is taken instead (``payment`` -> FULL_TRANSIENT, ``draft_payment`` -> DRAFT_PAYMENT,
``read_only`` -> VIEW_TRANSACTION) and shown derived from ``access_type``. An invite starts PENDING;
the invitee answers ACCEPTED or REJECTED and may later CANCEL an accepted share; the owner may set
REVOKED (or change the access) while it is PENDING or ACCEPTED. Each change is recorded in the acting
user's event log (``ShareInviteMonetaryAccountInquiry`` for the owner, ``…Response`` for the invitee).
An accepted response shows the shared account's id (``monetary_account_id``; null otherwise, as bunq's
reference says). Stand-in: the sandbox records the connection but does not yet let the invitee act on
the shared account through ``monetary-account/{id}``.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from ..bunq_errors import bad_request
from ..kit import ACCOUNT, Owned, operation_ids, plain_family
from ..render import id_and_stamps, label_user, own_label
from ..routing import HandlerContext
from ..validation import optional_choice

ACCESS = ("VIEW_BALANCE", "VIEW_TRANSACTION", "DRAFT_PAYMENT", "FULL_TRANSIENT")
_FROM_DETAIL = {
    "payment": "FULL_TRANSIENT",
    "draft_payment": "DRAFT_PAYMENT",
    "read_only": "VIEW_TRANSACTION",
}
_VIEW = {"view_balance": True, "view_old_events": True, "view_new_events": True}
_DETAIL = {
    "FULL_TRANSIENT": {"payment": {"make_payments": True, "make_draft_payments": True, **_VIEW}},
    "DRAFT_PAYMENT": {"draft_payment": {"make_draft_payments": True, **_VIEW}},
    "VIEW_TRANSACTION": {"read_only": _VIEW},
    "VIEW_BALANCE": {"read_only": {**_VIEW, "view_old_events": False, "view_new_events": False}},
}
# who may move an invite from one status to another: the owner (inquiry) or the invitee (response)
OWNER_MOVES = {("PENDING", "REVOKED"), ("ACCEPTED", "REVOKED")}
INVITEE_MOVES = {("PENDING", "ACCEPTED"), ("PENDING", "REJECTED"), ("ACCEPTED", "CANCELLED")}

INQUIRY = Owned("share_invites", "ShareInviteMonetaryAccountInquiry", parent=ACCOUNT, link="account_id")
RESPONSE = Owned("share_invites", "ShareInviteMonetaryAccountResponse", link="counter_user_id")


def _access(body: dict[str, Any]) -> str | None:
    access = optional_choice(body, "access_type", ACCESS)
    detail = body.get("share_detail") or {}
    return access or next((_FROM_DETAIL[key] for key in _FROM_DETAIL if key in detail), None)


def _invitee(db: sqlite3.Connection, alias: dict[str, Any]) -> sqlite3.Row:
    if alias.get("type") == "EMAIL":
        found = db.execute("SELECT * FROM users WHERE email = ?", (alias.get("value"),)).fetchone()
    else:
        found = db.execute("SELECT * FROM users WHERE public_uuid = ?", (alias.get("uuid"),)).fetchone()
    if found is None:
        raise bad_request(
            'Field "counter_user_alias" names no sandbox user: give {"type": "EMAIL", "value": <their email>} '
            'or their LabelUser\'s "uuid".'
        )
    return found


def _moved(row: sqlite3.Row, body: dict[str, Any], allowed: set[tuple[str, str]]) -> dict[str, Any]:
    status = body.get("status")
    if status is None or status == row["status"]:
        return {}
    if (row["status"], status) not in allowed:
        choices = sorted(new for old, new in allowed if old == row["status"]) or ["nothing"]
        raise bad_request(f'This share is {row["status"]}; "status" can become {" or ".join(choices)} here.')
    return {"status": status}


def _inquiry_columns(ctx: HandlerContext, row: sqlite3.Row, body: dict, creating: bool) -> dict[str, Any]:
    access = _access(body)
    dates = {field: body[field] for field in ("start_date", "end_date", "relationship") if field in body}
    if not creating:
        return {**dates, **({"access_type": access} if access else {}), **_moved(row, body, OWNER_MOVES)}
    if access is None:
        raise bad_request(f'Field "access_type" is required: one of {", ".join(ACCESS)}.')
    if "counter_user_alias" not in body:
        raise bad_request('Field "counter_user_alias" is required: the user to share this account with.')
    invitee = _invitee(ctx.store.read(), body["counter_user_alias"])
    if invitee["id"] == row["user_id"]:
        raise bad_request("You cannot share an account with yourself.")
    user_id, counter = row["user_id"], invitee["id"]
    return {
        **dates,
        "user_id": user_id,
        "counter_user_id": counter,
        "access_type": access,
        "status": "PENDING",
    }


def _response_columns(ctx: HandlerContext, row: sqlite3.Row, body: dict, creating: bool) -> dict[str, Any]:
    return _moved(row, body, INVITEE_MOVES)


def _parties(db: sqlite3.Connection, row: sqlite3.Row) -> tuple[sqlite3.Row, sqlite3.Row, sqlite3.Row]:
    account = db.execute("SELECT * FROM accounts WHERE id = ?", (row["account_id"],)).fetchone()
    owner = db.execute("SELECT * FROM users WHERE id = ?", (row["user_id"],)).fetchone()
    invitee = db.execute("SELECT * FROM users WHERE id = ?", (row["counter_user_id"],)).fetchone()
    return account, owner, invitee


def render_inquiry(db: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    """A ShareInviteMonetaryAccountInquiry: the owner's side."""
    account, owner, invitee = _parties(db, row)
    return {
        "id": row["id"],
        "alias": own_label(account, owner),
        "user_alias_created": label_user(owner),
        "user_alias_revoked": label_user(owner) if row["status"] == "REVOKED" else None,
        "counter_user_alias": label_user(invitee),
        "monetary_account_id": account["id"],
        "access_type": row["access_type"],
        "relationship": row["relationship"],
        "status": row["status"],
    }


def render_response(db: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    """A ShareInviteMonetaryAccountResponse: the invitee's side."""
    account, owner, invitee = _parties(db, row)
    cancelled_by = {"REVOKED": owner, "REJECTED": invitee, "CANCELLED": invitee}.get(row["status"])
    return {
        **id_and_stamps(row),
        "counter_alias": own_label(account, owner),
        "user_alias_cancelled": label_user(cancelled_by) if cancelled_by is not None else None,
        "monetary_account_id": account["id"] if row["status"] == "ACCEPTED" else None,
        "draft_share_invite_bank_id": None,
        "share_detail": _DETAIL[row["access_type"]],
        "access_type": row["access_type"],
        "status": row["status"],
        "share_type": "STANDARD",
        "start_date": row["start_date"],
        "end_date": row["end_date"],
        "description": account["description"],
    }


ROUTES = [
    *plain_family(
        INQUIRY,
        **operation_ids(
            "ShareInviteMonetaryAccountInquiry", "User_MonetaryAccount", "list read create update"
        ),
        validate=_inquiry_columns,
        render=render_inquiry,
        event_kind="ShareInviteMonetaryAccountInquiry",
    ),
    *plain_family(
        RESPONSE,
        **operation_ids("ShareInviteMonetaryAccountResponse", kinds="list read update"),
        validate=_response_columns,
        render=render_response,
        event_kind="ShareInviteMonetaryAccountResponse",
    ),
]
