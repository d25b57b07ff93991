"""The user's monetary accounts: bank, savings and joint accounts, created, updated, listed and read.

``monetary-account`` lists every kind, each wrapped by its kind (``MonetaryAccountBank``,
``MonetaryAccountSavings``, ``MonetaryAccountJoint``); ``monetary-account-bank`` and its siblings list
only their own kind. Every create and update leaves an event whose object is the account; bunq's
event list cannot hold accounts, so these reach the log's listeners but not ``GET event``.

What bunq documents (in its API reference, as its SDKs carry it): ``currency`` is required on create;
``description`` defaults to "bunq account"; ``daily_limit`` defaults to 1000 EUR, must be in the
account's currency and at most 10000 EUR; ``status`` is ignored on create; on update ``status`` may be
``CANCELLED`` (``sub_status`` then ``REDEMPTION_VOLUNTARY``, ``reason`` ``OTHER``, an optional
``reason_description``) or ``PENDING_REOPEN`` (``sub_status`` ``NONE``), and a status change carries
no other field (and the other way round).

Choices where bunq is silent (said, not hidden, in the error texts):

- An account is closed only with a zero balance: move the money out first. A closed account sends
  and receives no payments but is still listed and readable, with its balance (0.00).
- The user's last ACTIVE bank account cannot be closed: bunq's SDK starts by looking for one.
- Reopening (``PENDING_REOPEN``) is reviewed by bunq; the local sandbox makes the account ACTIVE at once.
- Every account is in EUR; a user has at most 25 accounts.
- A payment may not take the day's outgoing total (UTC day) past the account's daily limit.
- Co-owners of a joint (or shared savings) account must be users of this sandbox, named by e-mail
  or IBAN; they stay ``PENDING`` (accepting a co-owner invite is not emulated), the creator is
  ``ACCEPTED``.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from functools import partial
from typing import Any

from ..amounts import CURRENCY, amount, cents_to_value
from ..bank.ledger import DEFAULT_DAILY_LIMIT_CENTS
from ..bunq_errors import bad_request, not_found
from ..events import renders
from ..field_rules import money, refused, text
from ..kit import body_of, op
from ..pagination import paginate
from ..render import iban_for, id_and_stamps, label_user
from ..request import Request
from ..routing import Caller, HandlerContext, Reply, Route
from ..validation import (
    checked_cents,
    optional_choice,
    optional_list,
    optional_object,
    optional_text,
    refuse_fields,
    required_choice,
)
from .lookups import own_account, own_user

BANK = "MonetaryAccountBank"
SAVINGS = "MonetaryAccountSavings"
JOINT = "MonetaryAccountJoint"
PATHS = {BANK: "monetary-account-bank", SAVINGS: "monetary-account-savings", JOINT: "monetary-account-joint"}

DEFAULT_DESCRIPTION = "bunq account"
MAX_DAILY_LIMIT_CENTS = 1_000_000
MAX_ACCOUNTS = 25
DEFAULT_SETTING = {
    "color": "#26A5E4",
    "default_avatar_status": "AVATAR_DEFAULT",
    "restriction_chat": "ALLOW_INCOMING",
}
SETTING_CHOICES = {
    "default_avatar_status": ("AVATAR_DEFAULT", "AVATAR_CUSTOM", "AVATAR_UNDETERMINED"),
    "restriction_chat": ("ALLOW_INCOMING", "BLOCK_INCOMING"),
    "sdd_expiration_action": ("REFUND", "KEEP"),
}
_RULES = {
    "description": text(255),
    "daily_limit": money(0, MAX_DAILY_LIMIT_CENTS),
    "avatar_uuid": refused("is not emulated by the local sandbox (it keeps no avatars); leave it out."),
}
ONLY_BANK = refused("is only for bank accounts (monetary-account-bank).")
ONLY_SAVINGS = refused("is only for savings accounts (monetary-account-savings).")
# checked whatever else the body says; display_name and savings_goal only where the kind has them
RULES = {
    BANK: {**_RULES, "display_name": text(255, blank=True), "savings_goal": ONLY_SAVINGS},
    SAVINGS: {**_RULES, "savings_goal": money(1), "display_name": ONLY_BANK},
    JOINT: {**_RULES, "savings_goal": ONLY_SAVINGS, "display_name": ONLY_BANK},
}
STATUS_FIELDS = ("status", "sub_status", "reason", "reason_description")

_SELECT = (
    "SELECT a.*, d.kind, d.daily_limit_cents, d.savings_goal_cents, d.sub_status, d.reason,"
    " d.reason_description, d.display_name, d.setting, d.co_owners"
    " FROM accounts a LEFT JOIN account_details d ON d.account_id = a.id"
)


# --- reading rows ------------------------------------------------------------------------------


def kind_of(row: sqlite3.Row) -> str:
    """The account's kind; an account without details (every user's first) is a bank account."""
    return row["kind"] or BANK


def account_rows(db: sqlite3.Connection, user_id: int, kind: str | None = None) -> list[sqlite3.Row]:
    """The user's accounts with their details, newest first, of one kind or all."""
    rows = db.execute(_SELECT + " WHERE a.user_id = ? ORDER BY a.id DESC", (user_id,)).fetchall()
    return [row for row in rows if kind is None or kind_of(row) == kind]


def account_row(db: sqlite3.Connection, account_id: int) -> sqlite3.Row | None:
    """One account with its details, whoever owns it."""
    return db.execute(_SELECT + " WHERE a.id = ?", (account_id,)).fetchone()


def daily_limit_cents(row: sqlite3.Row) -> int:
    """The account's daily spending limit."""
    limit = row["daily_limit_cents"]
    return DEFAULT_DAILY_LIMIT_CENTS if limit is None else int(limit)


# --- bunq's shapes -----------------------------------------------------------------------------


def account_object(row: sqlite3.Row, user: sqlite3.Row) -> dict[str, Any]:
    """A MonetaryAccountBank, MonetaryAccountSavings or MonetaryAccountJoint object (see ``kind_of``)."""
    kind = kind_of(row)
    currency = row["currency"]
    cancelled = row["status"] == "CANCELLED"
    out: dict[str, Any] = {
        **id_and_stamps(row),
        "alias": [{"type": "IBAN", "value": row["iban"], "name": user["display_name"]}],
        "balance": amount(row["balance_cents"], currency),
        "currency": currency,
        "daily_limit": amount(daily_limit_cents(row), currency),
        "description": row["description"],
        "public_uuid": row["public_uuid"],
        "status": row["status"],
        "sub_status": row["sub_status"] or "VALID",
        "user_id": user["id"],
        "setting": json.loads(row["setting"]) if row["setting"] else dict(DEFAULT_SETTING),
        "all_auto_save_id": [],
    }
    if cancelled:
        out["reason"] = row["reason"]
        out["reason_description"] = row["reason_description"] or ""
    if kind in (BANK, JOINT):
        out["overdraft_limit"] = amount(0, currency)
    if kind == BANK:
        out["display_name"] = row["display_name"] or user["display_name"]
    if kind in (SAVINGS, JOINT):
        out["all_co_owner"] = json.loads(row["co_owners"] or "[]")
    if kind == SAVINGS:
        goal = row["savings_goal_cents"]
        if goal:
            out["savings_goal"] = amount(goal, currency)
        out["savings_goal_progress"] = min(100, max(0, row["balance_cents"]) * 100 // goal) if goal else 0
    return out


def _wrapped(db: sqlite3.Connection, account_id: int) -> dict[str, Any] | None:
    row = account_row(db, account_id)
    if row is None:
        return None
    user = db.execute("SELECT * FROM users WHERE id = ?", (row["user_id"],)).fetchone()
    return {kind_of(row): account_object(row, user)}


for _kind in PATHS:
    renders(_kind)(_wrapped)


# --- list and read -----------------------------------------------------------------------------


def _listing(
    ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int], kind: str | None
) -> Reply:
    """GET the user's accounts (of ``kind``, or every kind), newest first, each wrapped by its kind."""
    user = own_user(caller, ids)
    rows = account_rows(ctx.store.read(), user["id"], kind)
    kinds = {row["id"]: kind_of(row) for row in rows}
    reply = paginate(request, [account_object(row, user) for row in rows], BANK)
    reply.items = [{kinds[item[BANK]["id"]]: item[BANK]} for item in reply.items]  # each by its own kind
    return reply


def _read(
    ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int], kind: str | None
) -> Reply:
    """GET one account (of ``kind``, or any kind), wrapped by its kind."""
    own_account(ctx, caller, ids)  # 404 for other users' ids
    row = account_row(ctx.store.read(), ids["account_id"])
    if kind is not None and kind_of(row) != kind:
        raise not_found(kind, ids["account_id"])
    return Reply([{kind_of(row): account_object(row, caller.user)}])


# --- create ------------------------------------------------------------------------------------


def _setting(body: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    given = optional_object(body, "setting")
    if given is None:
        return current
    merged = dict(current)
    for key, value in given.items():
        field = f"setting.{key}"
        if key not in (*SETTING_CHOICES, "color", "icon"):
            allowed = ", ".join(["color", "icon", *SETTING_CHOICES])
            raise bad_request(f'Field "{field}" is not a setting bunq has; use {allowed}.')
        if value is None:
            merged.pop(key, None)
        elif key in SETTING_CHOICES:
            if value not in SETTING_CHOICES[key]:
                raise bad_request(f'Field "{field}" must be one of {", ".join(SETTING_CHOICES[key])}.')
            merged[key] = value
        elif key == "color":
            if not isinstance(value, str) or len(value) != 7 or value[0] != "#" or not _is_hex(value[1:]):
                raise bad_request(f'Field "{field}" must be a colour as "#RRGGBB".')
            merged[key] = value.upper()
        else:
            if not isinstance(value, str) or len(value) > 64:
                raise bad_request(f'Field "{field}" must be a string of at most 64 characters.')
            merged[key] = value
    return merged


def _is_hex(text: str) -> bool:
    return all(ch in "0123456789abcdefABCDEF" for ch in text)


def _co_owners(db: sqlite3.Connection, body: dict[str, Any], user: sqlite3.Row, required: bool) -> list[dict]:
    given = optional_list(body, "all_co_owner", max_items=10)
    if not given:
        if required:
            raise bad_request(
                'Field "all_co_owner" is required: a joint account needs at least one co-owner.'
            )
        return []
    owners = [{"alias": label_user(user), "status": "ACCEPTED"}]
    seen = {user["id"]}
    for index, entry in enumerate(given):
        field = f"all_co_owner[{index}].alias"
        pointer = entry.get("alias") if isinstance(entry, dict) else None
        if not isinstance(pointer, dict):
            raise bad_request(f'Field "{field}" must be a pointer object with "type" and "value".')
        kind, value = pointer.get("type"), pointer.get("value")
        if kind not in ("EMAIL", "IBAN") or not isinstance(value, str) or not value.strip():
            raise bad_request(f'Field "{field}" must be an EMAIL or IBAN pointer with a "value".')
        if kind == "EMAIL":
            found = db.execute(
                "SELECT * FROM users WHERE lower(email) = ?", (value.strip().lower(),)
            ).fetchone()
        else:
            found = db.execute(
                "SELECT u.* FROM users u JOIN accounts a ON a.user_id = u.id WHERE a.iban = ?",
                (value.replace(" ", "").upper(),),
            ).fetchone()
        if found is None:
            raise bad_request(f'Field "{field}": no user of this sandbox has {kind} {value[:80]}.')
        if found["id"] in seen:
            raise bad_request(f'Field "{field}" names a co-owner twice (or yourself).')
        seen.add(found["id"])
        owners.append({"alias": label_user(found), "status": "PENDING"})
    return owners


def _create(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int], kind: str) -> Reply:
    user = own_user(caller, ids)
    body = body_of(request)
    if body.get("currency") is None:
        raise bad_request('Field "currency" is required (the local sandbox keeps EUR accounts: "EUR").')
    description = body.get("description") or DEFAULT_DESCRIPTION
    limit = checked_cents(body, "daily_limit")
    setting = _setting(body, dict(DEFAULT_SETTING))
    display_name = body.get("display_name")
    goal = checked_cents(body, "savings_goal")
    now = ctx.now()
    with ctx.store.transaction() as db:
        count = db.execute("SELECT COUNT(*) FROM accounts WHERE user_id = ?", (user["id"],)).fetchone()[0]
        if count >= MAX_ACCOUNTS:
            raise bad_request(
                f"You have {count} monetary accounts, the most a user can have; close one first."
            )
        owners = _co_owners(db, body, user, required=kind == JOINT) if kind in (SAVINGS, JOINT) else []
        account_id = db.execute(
            "INSERT INTO accounts (user_id, iban, description, currency, balance_cents, status,"
            " public_uuid, created, updated) VALUES (?, '', ?, ?, 0, 'ACTIVE', ?, ?, ?)",
            (user["id"], description, CURRENCY, str(uuid.uuid4()), now, now),
        ).lastrowid
        db.execute("UPDATE accounts SET iban = ? WHERE id = ?", (iban_for(account_id), account_id))
        db.execute(
            "INSERT INTO account_details (account_id, kind, daily_limit_cents, savings_goal_cents, sub_status,"
            " display_name, setting, co_owners) VALUES (?, ?, ?, ?, 'VALID', ?, ?, ?)",
            (
                account_id,
                kind,
                DEFAULT_DAILY_LIMIT_CENTS if limit is None else limit,
                goal,
                display_name,
                json.dumps(setting),
                json.dumps(owners),
            ),
        )
        ctx.events.record(db, kind, account_id, user_id=user["id"], account_id=account_id)
    return Reply([{"Id": {"id": account_id}}])


# --- update ------------------------------------------------------------------------------------


def _ensure_details(db: sqlite3.Connection, row: sqlite3.Row) -> None:
    if row["kind"] is None:
        db.execute(
            "INSERT INTO account_details (account_id, kind, daily_limit_cents, sub_status, setting, co_owners)"
            " VALUES (?, ?, ?, 'VALID', ?, '[]')",
            (row["id"], BANK, DEFAULT_DAILY_LIMIT_CENTS, json.dumps(DEFAULT_SETTING)),
        )


def _change_status(db: sqlite3.Connection, row: sqlite3.Row, body: dict[str, Any], now: float) -> None:
    others = [key for key in body if key not in STATUS_FIELDS and body[key] is not None]
    if others:
        raise bad_request(
            f'Field "{others[0]}" cannot be updated together with "status"; '
            "change the status in a request of its own (bunq's rule)."
        )
    status = required_choice(body, "status", ("CANCELLED", "PENDING_REOPEN"))
    if status == "CANCELLED":
        optional_choice(body, "sub_status", ("REDEMPTION_VOLUNTARY",))
        reason = required_choice(body, "reason", ("OTHER",))
        reason_description = optional_text(body, "reason_description", max_length=1000) or ""
        if row["status"] == "CANCELLED":
            raise bad_request(f"Monetary account {row['id']} is already CANCELLED.")
        if kind_of(row) == BANK:
            active_banks = [
                r
                for r in account_rows(db, row["user_id"], BANK)
                if r["status"] == "ACTIVE" and r["id"] != row["id"]
            ]
            if not active_banks:
                raise bad_request(
                    f"Monetary account {row['id']} is your last ACTIVE bank account; open another before "
                    "closing this one (bunq's SDK needs an active bank account to start)."
                )
        pending = db.execute(
            "SELECT COUNT(*) FROM request_inquiries WHERE account_id = ? AND status = 'PENDING'", (row["id"],)
        ).fetchone()[0]
        if pending:
            raise bad_request(
                f"Monetary account {row['id']} has {pending} pending request(s) for money; "
                "wait until they are answered before closing it."
            )
        if row["balance_cents"] != 0:
            raise bad_request(
                f"Monetary account {row['id']} still holds {cents_to_value(row['balance_cents'])} EUR; "
                "move the money to another account before closing it."
            )
        db.execute("UPDATE accounts SET status = 'CANCELLED', updated = ? WHERE id = ?", (now, row["id"]))
        db.execute(
            "UPDATE account_details SET sub_status = 'REDEMPTION_VOLUNTARY', reason = ?, reason_description = ?"
            " WHERE account_id = ?",
            (reason, reason_description, row["id"]),
        )
        return
    optional_choice(body, "sub_status", ("NONE",))
    refuse_fields(
        body, ("reason", "reason_description"), 'is only for closing an account (status "CANCELLED").'
    )
    if row["status"] != "CANCELLED":
        raise bad_request(
            f"Monetary account {row['id']} is {row['status']}; only a CANCELLED account is reopened."
        )
    db.execute("UPDATE accounts SET status = 'ACTIVE', updated = ? WHERE id = ?", (now, row["id"]))
    db.execute(
        "UPDATE account_details SET sub_status = 'VALID', reason = NULL, reason_description = NULL"
        " WHERE account_id = ?",
        (row["id"],),
    )


def _change_fields(db: sqlite3.Connection, row: sqlite3.Row, body: dict[str, Any], now: float) -> bool:
    refuse_fields(body, ("currency",), "cannot be changed; open a new account in another currency.")
    description = body.get("description")
    limit = checked_cents(body, "daily_limit")
    goal = checked_cents(body, "savings_goal")
    display_name = body.get("display_name")
    current = json.loads(row["setting"]) if row["setting"] else dict(DEFAULT_SETTING)
    setting = _setting(body, current)
    if all(value is None for value in (description, limit, goal, display_name)) and setting == current:
        return False
    if row["status"] == "CANCELLED":
        raise bad_request(
            f"Monetary account {row['id']} is CANCELLED; reopen it (status PENDING_REOPEN) first."
        )
    if description is not None:
        db.execute("UPDATE accounts SET description = ? WHERE id = ?", (description, row["id"]))
    updates = {
        "daily_limit_cents": limit,
        "savings_goal_cents": goal,
        "display_name": display_name,
        "setting": json.dumps(setting) if setting != current else None,
    }
    for column, value in updates.items():
        if value is not None:
            db.execute(f"UPDATE account_details SET {column} = ? WHERE account_id = ?", (value, row["id"]))  # noqa: S608
    db.execute("UPDATE accounts SET updated = ? WHERE id = ?", (now, row["id"]))
    return True


def _update(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int], kind: str) -> Reply:
    own_account(ctx, caller, ids)
    body = body_of(request)
    now = ctx.now()
    with ctx.store.transaction() as db:
        row = account_row(db, ids["account_id"])
        if kind_of(row) != kind:
            raise not_found(kind, ids["account_id"])
        _ensure_details(db, row)
        if body.get("status") is not None or body.get("sub_status") is not None:
            _change_status(db, row, body, now)
            changed = True
        else:
            changed = _change_fields(db, row, body, now)
        if changed:
            ctx.events.updated(db, kind, row["id"], caller.user["id"], row["id"])
    return Reply([{"Id": {"id": ids["account_id"]}}])


# --- routes ------------------------------------------------------------------------------------


def _family(kind: str) -> list[Route]:
    """POST, GET (list), GET and PUT on one kind's path."""
    return [
        op(f"CREATE_{kind}_for_User", partial(_create, kind=kind), rules=RULES[kind]),
        op(f"List_all_{kind}_for_User", partial(_listing, kind=kind)),
        op(f"READ_{kind}_for_User", partial(_read, kind=kind), item="account_id"),
        op(f"UPDATE_{kind}_for_User", partial(_update, kind=kind), item="account_id", rules=RULES[kind]),
    ]


ROUTES = [
    op("List_all_MonetaryAccount_for_User", partial(_listing, kind=None)),
    op("READ_MonetaryAccount_for_User", partial(_read, kind=None), item="account_id"),
    *_family(BANK),
    *_family(SAVINGS),
    *_family(JOINT),
]
