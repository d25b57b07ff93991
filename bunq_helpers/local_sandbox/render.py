"""bunq's objects as the local sandbox renders them from rows: the field names bunq uses.

Timestamps are UTC ``YYYY-MM-DD hh:mm:ss.ffffff``; amounts are strings; ids are integers. Only the
fields clients read in practice are filled (bunq's objects have many more); bunq's SDK ignores
missing fields and the objects here deserialise into its model classes.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import sqlite3
from typing import Any

from .amounts import amount

SUGAR_DADDY_EMAIL = "sugardaddy@bunq.com"
SUGAR_DADDY_NAME = "Sugar Daddy"
SUGAR_DADDY_IBAN = "NL65BUNQ9900000188"
DAILY_LIMIT_LOGIN_CENTS = 25_000


_second: tuple[float, str] = (math.nan, "")


def timestamp(epoch: float) -> str:
    """bunq's time format, in UTC (what ``datetime.fromtimestamp`` gives, the second formatted once)."""
    global _second
    fraction, whole = math.modf(epoch)
    micro = round(fraction * 1e6)
    if micro >= 1_000_000:
        whole, micro = whole + 1, micro - 1_000_000
    elif micro < 0:
        whole, micro = whole - 1, micro + 1_000_000
    second = _second  # one read: other threads may replace it meanwhile
    if second[0] != whole:
        second = _second = (
            whole,
            dt.datetime.fromtimestamp(whole, dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S"),
        )
    return f"{second[1]}.{micro:06d}"


def iban_for(account_id: int) -> str:
    """A valid Dutch IBAN at bank code BUNQ, derived from the account id (so it is unique)."""
    bban = f"BUNQ{account_id:010d}"
    digits = "".join(str(int(ch, 36)) for ch in bban + "NL00")
    check = 98 - int(digits) % 97
    return f"NL{check:02d}{bban}"


def id_and_stamps(row: sqlite3.Row) -> dict[str, Any]:
    """The ``id``, ``created`` and ``updated`` every bunq object starts with."""
    return {"id": row["id"], "created": timestamp(row["created"]), "updated": timestamp(row["updated"])}


def user_wrapper_name(user: sqlite3.Row) -> str:
    """``UserPerson`` or ``UserCompany``: the key bunq wraps a user in."""
    return str(user["kind"])


def user_object(
    user: sqlite3.Row, session_timeout: int | None = None, profile: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A UserPerson or UserCompany object; ``profile`` holds the fields set with PUT (see endpoints.users)."""
    common: dict[str, Any] = {
        **id_and_stamps(user),
        "public_uuid": user["public_uuid"],
        "display_name": user["display_name"],
        "public_nick_name": user["public_nick_name"],
        "alias": [{"type": "EMAIL", "value": user["email"], "name": user["display_name"]}],
        "language": "en_US",
        "region": "nl_NL",
        "status": "ACTIVE",
        "sub_status": "NONE",
        "session_timeout": session_timeout if session_timeout is not None else user["session_timeout"],
        "daily_limit_without_confirmation_login": amount(DAILY_LIMIT_LOGIN_CENTS),
        "notification_filters": [],
    }
    if user["kind"] == "UserCompany":
        common["name"] = user["name"]
    else:
        common.update(
            first_name=user["first_name"],
            middle_name="",
            last_name=user["last_name"],
            legal_name=f"{user['first_name']} {user['last_name']}",
        )
    common.update(profile or {})
    return common


def label_user(user: sqlite3.Row) -> dict[str, Any]:
    """The LabelUser of one of our users."""
    return {
        "uuid": user["public_uuid"],
        "display_name": user["display_name"],
        "public_nick_name": user["public_nick_name"],
        "country": "NL",
    }


def own_label(account: sqlite3.Row, user: sqlite3.Row) -> dict[str, Any]:
    """The LabelMonetaryAccount of one of our accounts."""
    return {
        "iban": account["iban"],
        "display_name": user["display_name"],
        "country": "NL",
        "label_user": label_user(user),
    }


def counterparty_label(pointer: dict[str, str]) -> dict[str, Any]:
    """A LabelMonetaryAccount for the other side of a payment, from the pointer the client sent."""
    label: dict[str, Any] = {"display_name": pointer.get("name") or pointer["value"], "country": "NL"}
    if pointer.get("iban"):
        label["iban"] = pointer["iban"]
    elif pointer["type"] == "IBAN":
        label["iban"] = pointer["value"]
    label["label_user"] = {
        "uuid": None,
        "display_name": label["display_name"],
        "public_nick_name": label["display_name"],
        "country": "NL",
    }
    return label


def payment_object(payment: sqlite3.Row, account: sqlite3.Row, user: sqlite3.Row) -> dict[str, Any]:
    """A Payment object as seen from ``account``."""
    return {
        **id_and_stamps(payment),
        "monetary_account_id": account["id"],
        "amount": amount(payment["amount_cents"], payment["currency"]),
        "description": payment["description"],
        "type": payment["type"],
        "sub_type": payment["sub_type"],
        "alias": own_label(account, user),
        "counterparty_alias": counterparty_label(json.loads(payment["counterparty"])),
        "balance_after_mutation": amount(payment["balance_after_cents"], payment["currency"]),
        "attachment": [],
    }


def attachment_object(attachment: sqlite3.Row, content_url: str) -> dict[str, Any]:
    """The Attachment inside AttachmentPublic and AttachmentUser: what the file is and where it is."""
    return {
        "description": attachment["description"],
        "content_type": attachment["content_type"],
        "urls": [{"type": "ORIGINAL", "url": content_url}],
    }


def note_object(note: sqlite3.Row, author: sqlite3.Row, attachment: sqlite3.Row | None) -> dict[str, Any]:
    """A NoteText (``content``) or NoteAttachment (``description`` and ``attachment``)."""
    out: dict[str, Any] = {**id_and_stamps(note), "label_user_creator": label_user(author)}
    if note["kind"] == "note-text":
        out["content"] = note["content"]
    else:
        out["description"] = note["content"]
        out["attachment"] = (
            [{"id": attachment["id"], "monetary_account_id": attachment["account_id"]}] if attachment else []
        )
    return out


def device_object(device: sqlite3.Row) -> dict[str, Any]:
    """A DeviceServer object."""
    return {
        **id_and_stamps(device),
        "description": device["description"],
        "ip": device["ip"],
        "status": device["status"],
    }


def credential_object(credential: sqlite3.Row, device: sqlite3.Row | None) -> dict[str, Any]:
    """A CredentialPasswordIp object (an API key's IP whitelist holder)."""
    return {
        **id_and_stamps(credential),
        "status": credential["status"],
        "expiry_time": None,
        "token_value": None,
        "permitted_device": (
            {"description": device["description"], "ip": device["ip"]} if device is not None else None
        ),
    }


def token_object(token: sqlite3.Row | dict[str, Any]) -> dict[str, Any]:
    """The Token item of installation and session-server answers."""
    return {**id_and_stamps(token), "token": token["token"]}
