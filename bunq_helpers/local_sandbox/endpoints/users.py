"""The session's user: ``user``, ``user/{id}``, ``user-person/{id}`` and ``user-company/{id}`` (read and PUT).

PUT takes the fields bunq's reference lists for ``UserPerson``/``UserCompany`` updates and answers
``{"Id": {"id": …}}`` as bunq's SDK reads it. Names, nick name and session timeout live in the users
table; the rest (addresses, date of birth, language, ...) in ``user_profiles``, shown as bunq shows
them. What bunq forbids or the local sandbox does not keep is refused with a 400 naming the field:
``status`` (bunq: not to be updated with PUT), ``sub_status`` (only in RECOVERY), avatars, identity
documents, tax residence, legal guardians. Choices where bunq is silent: ``session_timeout`` from 60
seconds to one week (bunq's default, 604800); it applies to sessions opened after the change.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from functools import partial
from typing import Any

from ..amounts import amount
from ..bunq_errors import bad_request, not_found
from ..field_rules import choice, matching, money, refused, text, whole
from ..kit import body_of, op
from ..oauth_grants import GRANTEE_KINDS, wrapped_user
from ..render import user_object, user_wrapper_name
from ..request import Request
from ..routing import Caller, HandlerContext, Reply
from ..validation import (
    checked_cents,
    optional_list,
    optional_object,
    optional_text,
    parse_date,
)
from .lookups import own_user

MIN_SESSION_TIMEOUT = 60
MAX_SESSION_TIMEOUT = 604_800
MAX_LOGIN_LIMIT_CENTS = 1_000_000
LOCALE = re.compile(r"^[a-z]{2}_[A-Z]{2}$", re.ASCII)
COUNTRY = re.compile(r"^[A-Z]{2}$", re.ASCII)
ADDRESS_REQUIRED = ("street", "house_number", "postal_code", "city", "country")
ADDRESS_OPTIONAL = ("po_box", "extra", "mailbox_name")
NOT_KEPT = refused("is not emulated by the local sandbox; leave it out.")
PERSON_NOT_KEPT = (
    "tax_resident",
    "document_type",
    "document_number",
    "document_country_of_issuance",
    "document_front_attachment_id",
    "document_back_attachment_id",
    "legal_guardian_alias",
    "subscription_type",
    "signup_track_type",
)
NAME = text(255)
# refused whatever their value; the rest are the fields PUT keeps
REFUSED = {
    "status": refused("cannot be updated with PUT (bunq's rule)."),
    "sub_status": refused("can only be set to SUBMIT by a user in RECOVERY; this user is ACTIVE."),
    "avatar_uuid": NOT_KEPT,
}
_COMMON = {
    "public_nick_name": NAME,
    "session_timeout": whole(MIN_SESSION_TIMEOUT, MAX_SESSION_TIMEOUT),
    "daily_limit_without_confirmation_login": money(0, MAX_LOGIN_LIMIT_CENTS),
    "language": matching(LOCALE, "en_US"),
    "region": matching(LOCALE, "en_US"),
}
# the fields PUT keeps as sent, by kind, with their rules; COLUMNS are the users table's, the rest profile
KEPT = {
    "UserPerson": {
        **_COMMON,
        "first_name": NAME,
        "last_name": NAME,
        "display_name": NAME,
        "middle_name": text(255, blank=True),
        "nationality": matching(COUNTRY, "NL"),
        "gender": choice("MALE", "FEMALE", "UNKNOWN"),
        **dict.fromkeys(PERSON_NOT_KEPT, NOT_KEPT),
    },
    "UserCompany": {
        **_COMMON,
        "name": NAME,
        "chamber_of_commerce_number": NAME,
        "legal_form": NAME,
        "country": matching(COUNTRY, "NL"),
    },
}
RULES = {kind: {**REFUSED, **kept} for kind, kept in KEPT.items()}
COLUMNS = ("public_nick_name", "session_timeout", "first_name", "last_name", "display_name", "name")


# --- showing users -----------------------------------------------------------------------------


def profile_of(db: sqlite3.Connection, user_id: int) -> dict[str, Any]:
    """The fields set with PUT that the users table has no column for."""
    row = db.execute("SELECT data FROM user_profiles WHERE user_id = ?", (user_id,)).fetchone()
    return json.loads(row["data"]) if row else {}


def user_view(ctx: HandlerContext, user: sqlite3.Row) -> dict[str, Any]:
    """The user as bunq shows it to itself, with the session timeout new sessions get."""
    timeout = ctx.options.session_timeout or user["session_timeout"]
    return user_object(user, session_timeout=timeout, profile=profile_of(ctx.store.read(), user["id"]))


def _shown(ctx: HandlerContext, user: sqlite3.Row) -> dict[str, Any]:
    """The user wrapped by its kind; an OAuth or PSD2 session's user as ``oauth_grants`` shows it."""
    if user["kind"] in GRANTEE_KINDS:
        return {user_wrapper_name(user): user_view(ctx, user)}
    return wrapped_user(ctx.store.read(), user, ctx.options.session_timeout or user["session_timeout"])


def list_users(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """GET user: the session's user, wrapped as UserPerson or UserCompany."""
    return Reply([_shown(ctx, caller.user)])


def read_user(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """GET user/{id}."""
    own_user(caller, ids)
    return Reply([_shown(ctx, caller.user)])


def _own_user_of_kind(caller: Caller, ids: dict[str, int], kind: str) -> sqlite3.Row:
    if ids["user_id"] != caller.user["id"] or caller.user["kind"] != kind:
        raise not_found(kind, ids["user_id"])
    return caller.user


def _read(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int], kind: str) -> Reply:
    """GET user-person/{id} or user-company/{id}: the session's user, if it is of that ``kind``."""
    return Reply([{kind: user_view(ctx, _own_user_of_kind(caller, ids, kind))}])


def list_company_names(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """GET user-company/{id}/name: the names the company is registered under (here: its name)."""
    user = _own_user_of_kind(caller, ids, "UserCompany")
    return Reply([{"UserCompanyNameArray": {"name_array": [user["name"]]}}])


# --- checking what PUT sends -------------------------------------------------------------------


def _address(body: dict[str, Any], field: str) -> dict[str, Any] | None:
    given = optional_object(body, field)
    if given is None:
        return None
    unknown = [key for key in given if key not in ADDRESS_REQUIRED + ADDRESS_OPTIONAL]
    if unknown:
        raise bad_request(f'Field "{field}.{unknown[0]}" is not part of an Address.')
    address: dict[str, Any] = {}
    for key in ADDRESS_REQUIRED + ADDRESS_OPTIONAL:
        value = optional_text(given, key, max_length=255)
        if key in ADDRESS_REQUIRED and (value is None or not value.strip()):
            raise bad_request(f'Field "{field}.{key}" is required in an address.')
        if value is not None:
            address[key] = value.strip()
    if not COUNTRY.match(address["country"]):
        raise bad_request(f'Field "{field}.country" must be a country code such as "NL".')
    return address


def _date_of_birth(body: dict[str, Any], field: str, today: dt.date) -> str | None:
    if body.get(field) is None:
        return None
    born = parse_date(body[field], field)
    if born >= today:
        raise bad_request(f'Field "{field}" must be a date in the past.')
    return born.isoformat()


def _countries(body: dict[str, Any], field: str) -> list[str] | None:
    given = optional_list(body, field, max_items=10)
    if given is None:
        return None
    for index, code in enumerate(given):
        if not isinstance(code, str) or not COUNTRY.match(code):
            raise bad_request(f'Field "{field}[{index}]" must be a country code such as "NL".')
    return list(given)


def _ubo(body: dict[str, Any], today: dt.date) -> list[dict[str, str]] | None:
    given = optional_list(body, "ubo", max_items=25)
    if given is None:
        return None
    owners = []
    for index, entry in enumerate(given):
        field = f"ubo[{index}]"
        if not isinstance(entry, dict):
            raise bad_request(
                f'Field "{field}" must be an object with "name", "date_of_birth", "nationality".'
            )
        name = optional_text(entry, "name", max_length=255)
        if not name or not name.strip():
            raise bad_request(f'Field "{field}.name" is required.')
        owner = {"name": name.strip()}
        born = _date_of_birth(entry, "date_of_birth", today)
        if born:
            owner["date_of_birth"] = born
        nationality = entry.get("nationality")
        if nationality is not None:
            if not isinstance(nationality, str) or not COUNTRY.match(nationality):
                raise bad_request(f'Field "{field}.nationality" must be a country code such as "NL".')
            owner["nationality"] = nationality
        owners.append(owner)
    return owners


def _changes(
    body: dict[str, Any], user: sqlite3.Row, today: dt.date
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(columns, profile fields) the PUT changes: the kept fields as sent (the kit checked them, text
    stripped), then what needs more than its rule (addresses, a date in the past, UBOs)."""
    columns: dict[str, Any] = {}
    profile: dict[str, Any] = {}
    for field, value in body.items():
        if field in KEPT[user["kind"]] and value is not None:  # (the refused ones never get here)
            kept = columns if field in COLUMNS else profile
            kept[field] = value.strip() if isinstance(value, str) else value
    if "daily_limit_without_confirmation_login" in profile:
        profile["daily_limit_without_confirmation_login"] = amount(
            checked_cents(body, "daily_limit_without_confirmation_login")
        )
    if "name" in columns:  # a company's name is its display name too
        columns["display_name"] = columns["name"]
    if "first_name" in columns or "last_name" in columns:
        first = columns.get("first_name", user["first_name"])
        last = columns.get("last_name", user["last_name"])
        profile["legal_name"] = f"{first} {last}"
    more = {
        "address_main": _address(body, "address_main"),
        "address_postal": _address(body, "address_postal"),
        "date_of_birth": _date_of_birth(body, "date_of_birth", today),
        "all_nationality": _countries(body, "all_nationality"),  # a person's (the kit refuses it elsewhere)
        "ubo": _ubo(body, today),  # a company's
    }
    profile.update({field: value for field, value in more.items() if value is not None})
    return columns, profile


def _update(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int], kind: str) -> Reply:
    """PUT user-person/{id} or user-company/{id}: change the fields bunq lets a user of ``kind`` change."""
    user = _own_user_of_kind(caller, ids, kind)
    body = body_of(request)
    now = ctx.now()
    columns, profile = _changes(body, user, dt.datetime.fromtimestamp(now, dt.timezone.utc).date())
    with ctx.store.transaction() as db:
        if columns or profile:
            columns["updated"] = now
            assignments = ", ".join(f"{column} = ?" for column in columns)
            db.execute(f"UPDATE users SET {assignments} WHERE id = ?", (*columns.values(), user["id"]))  # noqa: S608
        if profile:
            merged = {**profile_of(db, user["id"]), **profile}
            db.execute(
                "INSERT INTO user_profiles (user_id, data) VALUES (?, ?)"
                " ON CONFLICT(user_id) DO UPDATE SET data = excluded.data",
                (user["id"], json.dumps(merged)),
            )
    return Reply([{"Id": {"id": user["id"]}}])


ROUTES = [
    op("List_all_User", list_users),
    op("READ_User", read_user, item="user_id"),
    op("READ_UserPerson", partial(_read, kind="UserPerson"), item="user_id"),
    op("UPDATE_UserPerson", partial(_update, kind="UserPerson"), item="user_id", rules=RULES["UserPerson"]),
    op("READ_UserCompany", partial(_read, kind="UserCompany"), item="user_id"),
    op(
        "UPDATE_UserCompany", partial(_update, kind="UserCompany"), item="user_id", rules=RULES["UserCompany"]
    ),
    op("List_all_Name_for_UserCompany", list_company_names),
]
