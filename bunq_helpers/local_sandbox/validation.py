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
from decimal import Decimal, InvalidOperation
from typing import Any

from .amounts import CURRENCY
from .bunq_errors import BunqError, bad_request

# ASCII digits only: Python's \d and Decimal would also take "١٢" or "１２".
AMOUNT_PATTERN = re.compile(r"^[0-9]{1,9}(\.[0-9]{1,2})?$")
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


def required_string(
    body: dict[str, Any], field: str, *, max_length: int = MAX_STRING, where: str = ""
) -> str:
    """A non-empty string field (``where`` names the object it sits in, e.g. ``"entries[0]."``)."""
    if field not in body:
        raise bad_request(f'Field "{where}{field}" is required.')
    return _string(body[field], where + field, max_length)


def optional_string(
    body: dict[str, Any],
    field: str,
    default: str | None = "",
    *,
    max_length: int = MAX_STRING,
    where: str = "",
) -> str | None:
    """A string field that may be absent or null (then ``default``)."""
    if body.get(field) is None:
        return default
    return _string(body[field], where + field, max_length)


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


def required_amount(body: dict[str, Any], field: str, *, where: str = "") -> tuple[int, str]:
    """``{"value": "12.50", "currency": "EUR"}`` as (cents, currency); amounts are strings, positive."""
    amount = body.get(field)
    field = where + field
    if amount is None:
        raise bad_request(f'Field "{field}" is required.')
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
    if cents <= 0:
        raise bad_request(f'Field "{field}.value" must be more than 0.00.')
    return cents, currency


POINTER_TYPES = ("EMAIL", "IBAN", "PHONE_NUMBER")


def required_pointer(body: dict[str, Any], field: str, *, where: str = "") -> dict[str, str]:
    """A counterparty pointer ``{"type": "EMAIL"|"IBAN"|"PHONE_NUMBER", "value": ..., "name"?}``."""
    pointer = body.get(field)
    field = where + field
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


def required_object(body: dict[str, Any], field: str, *, where: str = "") -> dict[str, Any]:
    """A JSON object field."""
    value = body.get(field)
    if value is None:
        raise bad_request(f'Field "{where}{field}" is required.')
    if not isinstance(value, dict):
        raise bad_request(f'Field "{where}{field}" must be an object, not {_type_name(value)}.')
    return value


def required_list(body: dict[str, Any], field: str, *, max_items: int) -> list[Any]:
    """A non-empty JSON array field of at most ``max_items`` items."""
    value = body.get(field)
    if value is None:
        raise bad_request(f'Field "{field}" is required.')
    if not isinstance(value, list):
        raise bad_request(f'Field "{field}" must be an array, not {_type_name(value)}.')
    if not value:
        raise bad_request(f'Field "{field}" must not be empty.')
    if len(value) > max_items:
        raise bad_request(f'Field "{field}" has {len(value)} items; at most {max_items} are allowed.')
    return value


def optional_bool(body: dict[str, Any], field: str, default: bool = False) -> bool:
    """A true/false field; absent or null is ``default``."""
    value = body.get(field)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise bad_request(f'Field "{field}" must be true or false, not {_type_name(value)}.')
    return value


def required_int(body: dict[str, Any], field: str, *, low: int, high: int, where: str = "") -> int:
    """A whole-number field from ``low`` to ``high`` (JSON true/false are not numbers here)."""
    value = body.get(field)
    name = where + field
    if value is None:
        raise bad_request(f'Field "{name}" is required.')
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad_request(f'Field "{name}" must be a whole number, not {_type_name(value)}.')
    if not low <= value <= high:
        raise bad_request(f'Field "{name}" must be from {low} to {high}, got {value}.')
    return value


def required_choice(body: dict[str, Any], field: str, choices: tuple[str, ...], *, where: str = "") -> str:
    """A string field that must be one of ``choices``."""
    value = body.get(field)
    name = where + field
    if value is None:
        raise bad_request(f'Field "{name}" is required; use one of {", ".join(choices)}.')
    if value not in choices:
        shown = json.dumps(value)[:40]
        raise bad_request(f'Field "{name}" must be one of {", ".join(choices)}, got {shown}.')
    return value


TIMESTAMP_PATTERN = re.compile(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?)?(Z|\+00:00)?$"
)


def optional_timestamp(body: dict[str, Any], field: str, *, where: str = "") -> float | None:
    """A UTC time as bunq writes it (``2024-05-01 09:30:00.000000``; ISO ``T`` and a date alone also do)."""
    value = body.get(field)
    name = where + field
    if value is None:
        return None
    if not isinstance(value, str) or not TIMESTAMP_PATTERN.match(value):
        raise bad_request(
            f'Field "{name}" must be a UTC time such as "2024-05-01 09:30:00.000000", '
            f"got {json.dumps(value)[:40]}."
        )
    text = value.removesuffix("Z").removesuffix("+00:00").replace("T", " ")
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise bad_request(f'Field "{name}" is not a real date and time: {value[:40]}.') from None
    return moment.replace(tzinfo=dt.timezone.utc).timestamp()


def required_timestamp(body: dict[str, Any], field: str, *, where: str = "") -> float:
    """Like ``optional_timestamp``, but the field must be there."""
    moment = optional_timestamp(body, field, where=where)
    if moment is None:
        raise bad_request(f'Field "{where}{field}" is required.')
    return moment


__all__ = [
    "BunqError",
    "ip_or_wildcard",
    "optional_bool",
    "optional_ip_list",
    "optional_string",
    "optional_timestamp",
    "parse_object",
    "required_amount",
    "required_choice",
    "required_int",
    "required_list",
    "required_object",
    "required_pointer",
    "required_string",
    "required_timestamp",
]
