"""Parsing and checking request bodies, with errors that name the field.

bunq parses bodies as JSON whatever the Content-Type (the Python, PHP and C# SDKs send none), so
this does too. Bodies are checked strictly: not UTF-8, not JSON, not an object, a field given
twice, a missing field or one of the wrong type each gets its own 400 message.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from .amounts import CURRENCY
from .bunq_errors import BunqError, bad_request

AMOUNT_PATTERN = re.compile(r"^\d{1,9}(\.\d{1,2})?$", re.ASCII)  # ASCII: "١٠.٠٠" is not an amount
DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)
MAX_STRING = 10_000


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in JSON")


def _unique_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise bad_request(f'The request body has the field "{key}" more than once.')
        out[key] = value
    return out


def parse_object(body: bytes) -> dict[str, Any]:
    """The body as a JSON object; an empty body is ``{}``."""
    if not body.strip():
        return {}
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise bad_request(
            f"The request body is not valid UTF-8 (byte {exc.start}); send JSON encoded as UTF-8."
        ) from None
    try:
        value = json.loads(text, object_pairs_hook=_unique_object, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise bad_request(
            f"The request body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}."
        ) from None
    except ValueError as exc:
        raise bad_request(f"The request body is not valid JSON: {exc}.") from None
    except RecursionError:
        raise bad_request("The request body is nested too deeply.") from None
    if not isinstance(value, dict):
        raise bad_request(f"The request body must be a JSON object, not {type(value).__name__}.")
    try:  # "\ud800" is valid JSON but not text: it could be neither stored nor sent back
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise bad_request(
            f"The request body has an unpaired surrogate \\u{ord(exc.object[exc.start]):04x} in a string; "
            "send each character whole (a \\ud83d\\ude00 pair, or the character itself)."
        ) from None
    return value


def _type_name(value: Any) -> str:
    return {
        bool: "boolean",
        int: "number",
        float: "number",
        str: "string",
        list: "array",
        dict: "object",
        type(None): "null",
    }.get(type(value), type(value).__name__)


def required_string(body: dict[str, Any], field: str, *, max_length: int = MAX_STRING) -> str:
    """A non-empty string field."""
    if field not in body:
        raise bad_request(f'Field "{field}" is required.')
    return _string(body[field], field, max_length)


def optional_string(
    body: dict[str, Any], field: str, default: str = "", *, max_length: int = MAX_STRING
) -> str:
    """A string field that may be absent."""
    if body.get(field) is None:
        return default
    return _string(body[field], field, max_length)


def _string(value: Any, field: str, max_length: int) -> str:
    if not isinstance(value, str):
        raise bad_request(f'Field "{field}" must be a string, not {_type_name(value)}.')
    if not value.strip():
        raise bad_request(f'Field "{field}" must not be empty.')
    if len(value) > max_length:
        raise bad_request(f'Field "{field}" is longer than {max_length} characters.')
    return value


def optional_ip_list(body: dict[str, Any], field: str) -> list[str]:
    """A list of IPv4/IPv6 addresses or ``*``; absent or null is an empty list."""
    value = body.get(field)
    if value is None:
        return []
    if not isinstance(value, list):
        raise bad_request(f'Field "{field}" must be an array of IP addresses, not {_type_name(value)}.')
    ips: list[str] = []
    for item in value:
        if not isinstance(item, str):
            raise bad_request(f'Field "{field}" must contain strings, found {_type_name(item)}.')
        ips.append(ip_or_wildcard(item, field))
    return ips


def ip_or_wildcard(value: str, field: str) -> str:
    """A normalised IP address, or ``*``."""
    value = value.strip()
    if value == "*":
        return value
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        raise bad_request(f'Field "{field}" has "{value[:64]}", which is not an IP address or "*".') from None


def required_amount(body: dict[str, Any], field: str) -> tuple[int, str]:
    """``{"value": "12.50", "currency": "EUR"}`` as (cents, currency); amounts are strings, positive."""
    amount = body.get(field)
    if amount is None:
        raise bad_request(f'Field "{field}" is required.')
    return amount_cents(amount, field), CURRENCY


def optional_amount(
    body: dict[str, Any], field: str, *, minimum_cents: int = 0, maximum_cents: int | None = None
) -> int | None:
    """An Amount field that may be absent, in cents, within the bounds given."""
    if body.get(field) is None:
        return None
    cents = amount_cents(body[field], field, minimum_cents=minimum_cents)
    if maximum_cents is not None and cents > maximum_cents:
        limit = f"{maximum_cents // 100}.{maximum_cents % 100:02d}"
        raise bad_request(f'Field "{field}.value" must be at most {limit} {CURRENCY}.')
    return cents


def amount_cents(amount: Any, field: str, *, minimum_cents: int = 1) -> int:
    """An Amount object's value in cents: a string of ASCII digits, in EUR, at least ``minimum_cents``."""
    if not isinstance(amount, dict):
        raise bad_request(f'Field "{field}" must be an object with "value" and "currency".')
    value = amount.get("value")
    currency = amount.get("currency")
    if not isinstance(value, str) or not AMOUNT_PATTERN.match(value):
        raise bad_request(
            f'Field "{field}.value" must be a string amount such as "12.50", got {json.dumps(value)[:40]}.'
        )
    if currency != CURRENCY:
        raise bad_request(f'Field "{field}.currency" must be "EUR", got {json.dumps(currency)[:40]}.')
    try:
        cents = int((Decimal(value) * 100).to_integral_exact())
    except (InvalidOperation, ArithmeticError):
        raise bad_request(f'Field "{field}.value" is not a valid amount.') from None
    if cents < minimum_cents:
        floor = f"{minimum_cents // 100}.{minimum_cents % 100:02d}"
        relation = "more than 0.00" if minimum_cents == 1 else f"at least {floor}"
        raise bad_request(f'Field "{field}.value" must be {relation}.')
    return cents


def optional_choice(body: dict[str, Any], field: str, choices: Iterable[str]) -> str | None:
    """A string field that must be one of ``choices``, or absent."""
    value = body.get(field)
    if value is None:
        return None
    choices = tuple(choices)
    if not isinstance(value, str) or value not in choices:
        shown = json.dumps(value)[:40]
        raise bad_request(f'Field "{field}" must be one of {", ".join(choices)}; got {shown}.')
    return value


def required_choice(body: dict[str, Any], field: str, choices: Iterable[str]) -> str:
    """A string field that must be present and one of ``choices``."""
    if body.get(field) is None:
        raise bad_request(f'Field "{field}" is required.')
    return optional_choice(body, field, choices) or ""


def optional_text(body: dict[str, Any], field: str, *, max_length: int = MAX_STRING) -> str | None:
    """A string field that may be absent or empty."""
    value = body.get(field)
    if value is None:
        return None
    if not isinstance(value, str):
        raise bad_request(f'Field "{field}" must be a string, not {_type_name(value)}.')
    if len(value) > max_length:
        raise bad_request(f'Field "{field}" is longer than {max_length} characters.')
    return value


def optional_int(body: dict[str, Any], field: str, low: int, high: int) -> int | None:
    """A whole-number field within [low, high], or absent (``true`` is not a number here)."""
    value = body.get(field)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad_request(f'Field "{field}" must be a whole number, not {_type_name(value)}.')
    if not low <= value <= high:
        raise bad_request(f'Field "{field}" must be from {low} to {high}, got {value}.')
    return value


def optional_object(body: dict[str, Any], field: str) -> dict[str, Any] | None:
    """A JSON-object field, or absent."""
    value = body.get(field)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise bad_request(f'Field "{field}" must be an object, not {_type_name(value)}.')
    return value


def optional_list(body: dict[str, Any], field: str, *, max_items: int = 100) -> list[Any] | None:
    """A JSON-array field, or absent."""
    value = body.get(field)
    if value is None:
        return None
    if not isinstance(value, list):
        raise bad_request(f'Field "{field}" must be an array, not {_type_name(value)}.')
    if len(value) > max_items:
        raise bad_request(f'Field "{field}" has more than {max_items} items.')
    return value


def required_date(body: dict[str, Any], field: str) -> dt.date:
    """A ``YYYY-MM-DD`` date (ASCII digits), present."""
    value = body.get(field)
    if value is None:
        raise bad_request(f'Field "{field}" is required.')
    return parse_date(value, field)


def parse_date(value: Any, field: str) -> dt.date:
    """``YYYY-MM-DD`` as a date, or bunq's 400 naming the field."""
    if not isinstance(value, str) or not DATE_PATTERN.match(value):
        raise bad_request(f'Field "{field}" must be a date as "YYYY-MM-DD", got {json.dumps(value)[:40]}.')
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise bad_request(f'Field "{field}" is not a real date: {value}.') from None


def refuse_fields(body: dict[str, Any], fields: Iterable[str], why: str) -> None:
    """A 400 naming the first of ``fields`` that ``body`` has, with ``why`` (e.g. not emulated)."""
    for field in fields:
        if body.get(field) is not None:
            raise bad_request(f'Field "{field}" {why}')


POINTER_TYPES = ("EMAIL", "IBAN", "PHONE_NUMBER")


def required_pointer(body: dict[str, Any], field: str) -> dict[str, str]:
    """A counterparty pointer ``{"type": "EMAIL"|"IBAN"|"PHONE_NUMBER", "value": ..., "name"?}``."""
    pointer = body.get(field)
    if pointer is None:
        raise bad_request(f'Field "{field}" is required.')
    if not isinstance(pointer, dict):
        raise bad_request(f'Field "{field}" must be an object with "type" and "value".')
    kind = pointer.get("type")
    if kind not in POINTER_TYPES:
        raise bad_request(f'Field "{field}.type" must be one of {", ".join(POINTER_TYPES)}.')
    value = _string(pointer.get("value"), f"{field}.value", 254) if "value" in pointer else None
    if value is None:
        raise bad_request(f'Field "{field}.value" is required.')
    name = pointer.get("name")
    if name is not None and not isinstance(name, str):
        raise bad_request(f'Field "{field}.name" must be a string.')
    return {"type": kind, "value": value.strip(), "name": (name or value).strip()}


__all__ = [
    "BunqError",
    "amount_cents",
    "ip_or_wildcard",
    "optional_amount",
    "optional_choice",
    "optional_int",
    "optional_ip_list",
    "optional_list",
    "optional_object",
    "optional_string",
    "optional_text",
    "parse_date",
    "parse_object",
    "refuse_fields",
    "required_amount",
    "required_choice",
    "required_date",
    "required_pointer",
    "required_string",
]
