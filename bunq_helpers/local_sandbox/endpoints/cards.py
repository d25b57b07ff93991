"""Cards: ``card-debit`` and ``card-credit`` orders, ``card`` list/read/update, ``card-name``, generated CVC2s.

A new sandbox user has no cards. An order answers the whole card wrapped as ``CardDebit`` (or
``CardCredit``) and ``PUT card/{id}`` the whole card as ``Card``, as bunq's SDK reads them (bunq's
OpenAPI description says ``Id`` there; the SDK fails on that, and a real client wins). Orders and
updates leave events (``CardDebit`` on a debit order, ``Card`` otherwise) not tied to an
account, so ``display_user_event=false`` hides them. PIN codes are checked (four digits) and never
stored or shown.

Choices where bunq is silent: the local sandbox produces and delivers a card at once, so a new card
is ``ACTIVE`` with ``order_status`` ``DELIVERED_TO_CUSTOMER`` (``VIRTUAL_DELIVERY`` if asked for);
from there bunq's rules apply: ``ACTIVE`` and ``DEACTIVATED`` switch back and forth, ``LOST``,
``STOLEN`` and ``CANCELLED`` are final. Limits default to 1000.00 EUR (``card_limit``) and
500.00 EUR (``card_limit_atm``), at most 10000.00 EUR each. ``name_on_card`` must be one of the names
``card-name`` lists. A generated CVC2 is three digits, valid 24 hours (``GENERATED``) or until the
card expires (``STATIC``).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
import sqlite3
import uuid
from typing import Any

from ..amounts import amount
from ..bunq_errors import bad_request
from ..events import renders_rows
from ..field_rules import choice
from ..kit import Owned, body_of, op, operation_ids, plain_family
from ..render import id_and_stamps, own_label, timestamp
from ..request import Request
from ..routing import Caller, HandlerContext, Reply
from ..validation import (
    optional_amount,
    optional_choice,
    optional_list,
    optional_text,
    refuse_fields,
    required_choice,
)
from .lookups import own_user

TYPES = ("MAESTRO", "MASTERCARD")
PRODUCT_TYPE = re.compile(r"^[A-Z][A-Z0-9_]{0,63}$", re.ASCII)
PIN = re.compile(r"^\d{4}$", re.ASCII)
PIN_TYPES = ("PRIMARY", "SECONDARY", "TERTIARY")
ROUTING_TYPES = ("MANUAL", "AUTOMATIC")
ORDER_STATUSES = ("CARD_REQUEST_PENDING", "VIRTUAL_DELIVERY", "NEW_CARD_REQUEST_RECEIVED")
FINAL_STATUSES = ("LOST", "STOLEN", "CANCELLED")
STATUSES = ("ACTIVE", "DEACTIVATED", *FINAL_STATUSES)
DEFAULT_LIMIT_CENTS = 100_000
DEFAULT_ATM_LIMIT_CENTS = 50_000
MAX_LIMIT_CENTS = 1_000_000
SECOND_LINE_MAX = 17
CVC2_TYPES = ("STATIC", "GENERATED")
CVC2_LIFETIME = 24 * 3600
NOT_EMULATED = "is not emulated by the local sandbox; leave it out."


# --- names and shapes --------------------------------------------------------------------------


def card_names(user: sqlite3.Row) -> list[str]:
    """The names a card may carry (``card-name``): the legal name and its short form, or the company's."""
    if user["kind"] == "UserCompany":
        return [user["name"]]
    return [f"{user['first_name']} {user['last_name']}", f"{user['first_name'][0]}. {user['last_name']}"]


def card_object(db: sqlite3.Connection, card: sqlite3.Row) -> dict[str, Any]:
    """A Card object (the same fields under ``Card``, ``CardDebit`` and ``CardCredit``)."""
    user = db.execute("SELECT * FROM users WHERE id = ?", (card["user_id"],)).fetchone()
    ordered = db.execute("SELECT * FROM accounts WHERE id = ?", (card["account_id"],)).fetchone()
    pins = json.loads(card["pin_code_assignment"])
    primary = next((pin for pin in pins if pin["type"] == "PRIMARY"), None)
    current = ordered
    if primary is not None:
        current = db.execute(
            "SELECT * FROM accounts WHERE id = ?", (primary["monetary_account_id"],)
        ).fetchone()
    virtual = card["order_status"] == "VIRTUAL_DELIVERY"
    out: dict[str, Any] = {
        **id_and_stamps(card),
        "public_uuid": card["public_uuid"],
        "user_id": card["user_id"],
        "user_owner_id": card["user_id"],
        "user_holder_id": card["user_id"],
        "type": card["type"],
        "sub_type": "NONE",
        "product_type": card["product_type"],
        "product_sub_type": "NONE",
        "first_line": card["first_line"],
        "second_line": card["second_line"],
        "status": card["status"],
        "sub_status": "NONE",
        "order_status": card["order_status"],
        "expiry_date": card["expiry_date"],
        "name_on_card": card["name_on_card"],
        "primary_account_numbers": [
            {
                "id": card["id"],
                "description": card["second_line"],
                "status": "ACTIVE" if card["status"] == "ACTIVE" else "DEACTIVATED",
                "monetary_account_id": current["id"],
                "uuid": card["public_uuid"],
                "four_digit": card["last_four"],
                "type": "VIRTUAL" if virtual else "PHYSICAL",
            }
        ],
        "card_limit": amount(card["card_limit_cents"]),
        "card_limit_atm": amount(card["card_limit_atm_cents"]),
        "country_permission": json.loads(card["country_permission"]),
        "label_monetary_account_ordered": own_label(ordered, user),
        "label_monetary_account_current": own_label(current, user),
        "pin_code_assignment": [{**pin, "status": "ACTIVE"} for pin in pins],
        "country": "NL",
    }
    if card["preferred_name_on_card"]:
        out["preferred_name_on_card"] = card["preferred_name_on_card"]
    if card["fallback_account_id"] is not None:
        out["monetary_account_id_fallback"] = card["fallback_account_id"]
    return out


for _kind in ("Card", "CardDebit"):
    renders_rows(_kind, "cards", card_object)


# --- checking what orders and updates send -----------------------------------------------------


def _own_active_account(db: sqlite3.Connection, user: sqlite3.Row, account_id: Any, field: str) -> int:
    if isinstance(account_id, bool) or not isinstance(account_id, int):
        raise bad_request(f'Field "{field}" must be the id of one of your monetary accounts.')
    row = db.execute(
        "SELECT * FROM accounts WHERE id = ? AND user_id = ?", (account_id, user["id"])
    ).fetchone()
    if row is None:
        raise bad_request(f'Field "{field}": you have no monetary account {account_id}.')
    if row["status"] != "ACTIVE":
        raise bad_request(f'Field "{field}": monetary account {account_id} is {row["status"]}.')
    return int(row["id"])


def _pin_assignments(db: sqlite3.Connection, user: sqlite3.Row, body: dict[str, Any]) -> list[dict] | None:
    given = optional_list(body, "pin_code_assignment", max_items=3)
    if given is None:
        return None
    pins: list[dict[str, Any]] = []
    for index, entry in enumerate(given):
        field = f"pin_code_assignment[{index}]"
        if not isinstance(entry, dict):
            raise bad_request(f'Field "{field}" must be an object with "type" and "monetary_account_id".')
        kind = entry.get("type")
        if kind not in PIN_TYPES:
            raise bad_request(f'Field "{field}.type" must be one of {", ".join(PIN_TYPES)}.')
        if any(pin["type"] == kind for pin in pins):
            raise bad_request(f'Field "{field}.type": {kind} is assigned twice.')
        routing = entry.get("routing_type", "MANUAL")
        if routing not in ROUTING_TYPES:
            raise bad_request(f'Field "{field}.routing_type" must be one of {", ".join(ROUTING_TYPES)}.')
        pin_code = entry.get("pin_code")
        if pin_code is not None and (not isinstance(pin_code, str) or not PIN.match(pin_code)):
            raise bad_request(f'Field "{field}.pin_code" must be four digits, as a string.')
        account_id = _own_active_account(
            db, user, entry.get("monetary_account_id"), f"{field}.monetary_account_id"
        )
        pins.append({"type": kind, "routing_type": routing, "monetary_account_id": account_id})
    if pins and not any(pin["type"] == "PRIMARY" for pin in pins):
        raise bad_request('Field "pin_code_assignment" needs a PRIMARY assignment.')
    return pins


def _second_line(body: dict[str, Any]) -> str | None:
    return optional_text(body, "second_line", max_length=SECOND_LINE_MAX)


def _limit(body: dict[str, Any], field: str) -> int | None:
    return optional_amount(body, field, minimum_cents=0, maximum_cents=MAX_LIMIT_CENTS)


def _country_permissions(body: dict[str, Any]) -> list[dict[str, Any]] | None:
    given = optional_list(body, "country_permission", max_items=250)
    if given is None:
        return None
    out = []
    for index, entry in enumerate(given):
        country = entry.get("country") if isinstance(entry, dict) else None
        if not isinstance(country, str) or not re.match(r"^[A-Z]{2}$", country, re.ASCII):
            raise bad_request(
                f'Field "country_permission[{index}].country" must be a country code such as "NL".'
            )
        out.append({"country": country})
    return out


def _expiry(now: float) -> str:
    made = dt.datetime.fromtimestamp(now, dt.timezone.utc).date()
    return dt.date(made.year + 5, made.month, 1).isoformat()


# --- orders ------------------------------------------------------------------------------------


def _order(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int], kind: str) -> Reply:
    user = own_user(caller, ids)
    body = body_of(request)
    second_line = _second_line(body) or ""  # the kit's check: second_line, name_on_card, product_type sent
    name_on_card = optional_text(body, "name_on_card", max_length=255) or ""
    names = card_names(user)
    if name_on_card not in names:
        raise bad_request(f'Field "name_on_card" must be one of {json.dumps(names)} (see GET card-name).')
    card_type = required_choice(body, "type", TYPES)
    product_type = body["product_type"]
    if not PRODUCT_TYPE.match(product_type):
        raise bad_request('Field "product_type" must be a product name such as "MASTERCARD_DEBIT".')
    preferred = optional_text(body, "preferred_name_on_card", max_length=255)
    first_line = (
        optional_text(body, "first_line", max_length=SECOND_LINE_MAX) if kind == "CardCredit" else None
    )
    order_status = optional_choice(body, "order_status", ORDER_STATUSES)
    now = ctx.now()
    with ctx.store.transaction() as db:
        pins = _pin_assignments(db, user, body)
        alias = body.get("alias")
        if alias is not None:
            if (
                not isinstance(alias, dict)
                or alias.get("type") != "IBAN"
                or not isinstance(alias.get("value"), str)
            ):
                raise bad_request('Field "alias" must be an IBAN pointer to one of your monetary accounts.')
            row = db.execute(
                "SELECT id FROM accounts WHERE iban = ? AND user_id = ?",
                (alias["value"].replace(" ", "").upper(), user["id"]),
            ).fetchone()
            if row is None:
                raise bad_request(
                    f'Field "alias": you have no monetary account with IBAN {alias["value"][:40]}.'
                )
            account_id = _own_active_account(db, user, row["id"], "alias")
        elif pins:
            account_id = next(pin["monetary_account_id"] for pin in pins if pin["type"] == "PRIMARY")
        else:
            first = db.execute(
                "SELECT id FROM accounts WHERE user_id = ? AND status = 'ACTIVE' ORDER BY id LIMIT 1",
                (user["id"],),
            ).fetchone()
            account_id = first["id"]
        if not pins:
            pins = [{"type": "PRIMARY", "routing_type": "MANUAL", "monetary_account_id": account_id}]
        fallback = body.get("monetary_account_id_fallback")
        if fallback is not None:
            fallback = _own_active_account(db, user, fallback, "monetary_account_id_fallback")
        card_id = db.execute(
            "INSERT INTO cards (user_id, kind, type, product_type, first_line, second_line, name_on_card,"
            " preferred_name_on_card, status, order_status, card_limit_cents, card_limit_atm_cents, account_id,"
            " pin_code_assignment, fallback_account_id, country_permission, last_four, expiry_date, public_uuid,"
            " created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'ACTIVE', ?, ?, ?, ?, ?, ?, '[]', ?, ?, ?, ?, ?)",
            (
                user["id"],
                kind,
                card_type,
                product_type,
                first_line or name_on_card,
                second_line,
                name_on_card,
                preferred,
                "VIRTUAL_DELIVERY" if order_status == "VIRTUAL_DELIVERY" else "DELIVERED_TO_CUSTOMER",
                DEFAULT_LIMIT_CENTS,
                DEFAULT_ATM_LIMIT_CENTS,
                account_id,
                json.dumps(pins),
                fallback,
                f"{secrets.randbelow(10_000):04d}",
                _expiry(now),
                str(uuid.uuid4()),
                now,
                now,
            ),
        ).lastrowid
        event_kind = kind if kind == "CardDebit" else "Card"  # bunq's events hold no CardCredit
        ctx.events.record(db, event_kind, card_id, user_id=user["id"], account_id=None)
        card = db.execute("SELECT * FROM cards WHERE id = ?", (card_id,)).fetchone()
        shown = card_object(db, card)
    return Reply([{kind: shown}])


def order_debit_card(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """POST user/{id}/card-debit: order a debit card; answers the card as ``CardDebit``."""
    return _order(ctx, request, caller, ids, "CardDebit")


def order_credit_card(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """POST user/{id}/card-credit: order a credit card; answers the card as ``CardCredit``."""
    return _order(ctx, request, caller, ids, "CardCredit")


def list_card_names(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """GET user/{id}/card-name: the names a card may carry."""
    user = own_user(caller, ids)
    return Reply([{"CardUserNameArray": {"possible_card_name_array": card_names(user)}}])


# --- list, read, update ------------------------------------------------------------------------


CARD = Owned("cards", "Card", key="card_id")


def _status_change(card: sqlite3.Row, body: dict[str, Any]) -> str | None:
    status = optional_choice(body, "status", STATUSES)
    reason = optional_text(body, "cancellation_reason", max_length=255)
    if reason is not None and status != "CANCELLED":
        raise bad_request('Field "cancellation_reason" goes with status "CANCELLED" only.')
    if status is None or status == card["status"]:
        return None
    return status


def update_card(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """PUT user/{id}/card/{id}: status, limits, PIN assignments, fallback account, names, countries."""
    card = CARD.find(ctx, caller, ids)
    body = body_of(request)
    with ctx.store.transaction() as db:
        change_card(ctx, db, caller, card, body)
        shown = card_object(db, db.execute("SELECT * FROM cards WHERE id = ?", (card["id"],)).fetchone())
    return Reply([{"Card": shown}])


def change_card(
    ctx: HandlerContext, db: sqlite3.Connection, caller: Caller, card: sqlite3.Row, body: dict
) -> None:
    """Apply one card update in the caller's transaction (``card`` PUT, and each entry of ``card-batch``)."""
    if card["status"] in FINAL_STATUSES and any(value is not None for value in body.values()):
        raise bad_request(f"Card {card['id']} is {card['status']}, which is final; order a new card.")
    refuse_fields(body, ("activation_code", "primary_account_numbers"), NOT_EMULATED)
    refuse_fields(
        body, ("order_status",), "is set by bunq as the card is made and sent; it cannot be changed."
    )
    pin_code = body.get("pin_code")
    if pin_code is not None and (not isinstance(pin_code, str) or not PIN.match(pin_code)):
        raise bad_request('Field "pin_code" must be four digits, as a string.')
    status = _status_change(card, body)
    columns: dict[str, Any] = {}
    if status is not None:
        columns["status"] = status
    for field, column in (("card_limit", "card_limit_cents"), ("card_limit_atm", "card_limit_atm_cents")):
        cents = _limit(body, field)
        if cents is not None:
            columns[column] = cents
    second_line = _second_line(body)
    if second_line is not None:
        columns["second_line"] = second_line
    preferred = optional_text(body, "preferred_name_on_card", max_length=255)
    if preferred is not None:
        columns["preferred_name_on_card"] = preferred
    countries = _country_permissions(body)
    if countries is not None:
        columns["country_permission"] = json.dumps(countries)
    pins = _pin_assignments(db, caller.user, body)
    if pins is not None:
        columns["pin_code_assignment"] = json.dumps(pins)
    if "monetary_account_id_fallback" in body:
        fallback = body["monetary_account_id_fallback"]
        columns["fallback_account_id"] = (
            None
            if fallback is None
            else _own_active_account(db, caller.user, fallback, "monetary_account_id_fallback")
        )
    if columns:
        columns["updated"] = ctx.now()
        assignments = ", ".join(f"{column} = ?" for column in columns)
        db.execute(f"UPDATE cards SET {assignments} WHERE id = ?", (*columns.values(), card["id"]))  # noqa: S608
        ctx.events.record(db, "Card", card["id"], user_id=caller.user["id"], account_id=None, action="UPDATE")


# --- generated CVC2 ----------------------------------------------------------------------------


def _cvc2_object(db: sqlite3.Connection, row: sqlite3.Row, now: float) -> dict[str, Any]:
    expired = row["status"] == "AVAILABLE" and row["expiry_time"] <= now
    return {
        **id_and_stamps(row),
        "type": row["type"],
        "cvc2": row["cvc2"],
        "status": "EXPIRED" if expired else row["status"],
        "expiry_time": timestamp(row["expiry_time"]),
    }


def _cvc2_expiry(card: sqlite3.Row, kind: str, now: float) -> float:
    if kind == "GENERATED":
        return now + CVC2_LIFETIME
    until = dt.datetime.fromisoformat(card["expiry_date"]).replace(tzinfo=dt.timezone.utc)
    return until.timestamp()


def _cvc2_columns(ctx: HandlerContext, row: sqlite3.Row, body: dict[str, Any], creating: bool) -> dict:
    """A new CVC2 of an ACTIVE card (``row``: the card), or a changed type (``row``: the CVC2; its expiry follows)."""
    if not creating:
        card = ctx.store.read().execute("SELECT * FROM cards WHERE id = ?", (row["card_id"],)).fetchone()
        kind = body.get("type")
        if kind is None or kind == row["type"]:
            return {}
        return {"type": kind, "expiry_time": _cvc2_expiry(card, kind, ctx.now())}
    if row["status"] != "ACTIVE":
        raise bad_request(f"Card {row['id']} is {row['status']}; only an ACTIVE card gets a CVC2.")
    kind = body.get("type") or "GENERATED"
    cvc2 = f"{secrets.randbelow(1000):03d}"
    return {
        "type": kind,
        "cvc2": cvc2,
        "status": "AVAILABLE",
        "expiry_time": _cvc2_expiry(row, kind, ctx.now()),
    }


CVC2 = Owned("card_cvc2", "CardGeneratedCvc2", key="cvc2_id", parent=CARD, link="card_id")


ROUTES = [
    op("CREATE_CardDebit_for_User", order_debit_card),
    op("CREATE_CardCredit_for_User", order_credit_card),
    op("List_all_CardName_for_User", list_card_names),
    *plain_family(CARD, list_op="List_all_Card_for_User", read_op="READ_Card_for_User", render=card_object),
    op("UPDATE_Card_for_User", update_card, item="card_id"),
    *plain_family(
        CVC2,
        **operation_ids("GeneratedCvc2", "User_Card", "list read create update"),
        validate=_cvc2_columns,
        clocked=_cvc2_object,
        rules={"type": choice(*CVC2_TYPES)},
    ),
]
