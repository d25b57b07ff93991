"""Parsing and checking request bodies, with errors that name the field.

bunq parses bodies as JSON whatever the Content-Type (the Python, PHP and C# SDKs send none), so
this does too. Bodies are checked strictly: not UTF-8, not JSON, not an object, a field given
twice, a missing field or one of the wrong type each gets its own 400 message.
"""

from __future__ import annotations

import datetime as dt
import functools
import ipaddress
import json
import re
from collections.abc import Iterable
from typing import Any

from ..crypto.keys import PublicKey, load_public_key
from .amounts import CURRENCY
from .bunq_errors import BunqError, bad_request
from .request import normal_ip

# ASCII digits only, nothing after them: "١.٠٠", "１.00" and "0.01\n" are not amounts (use fullmatch).
AMOUNT_PATTERN = re.compile(r"[0-9]{1,9}(?:\.[0-9]{1,2})?")
DATE_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")  # how JSON text spells one (a pair's halves too)
MAX_STRING = 10_000
CLIENT_KEY_MIN_BITS = 2047  # the smallest modulus two 1024-bit primes make (jsrsasign's keys)


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
    if _SURROGATE_ESCAPE.search(text):  # only an escape can put one in (UTF-8 cannot): find the field
        _refuse_surrogates(value, "")
    return value


def _refuse_surrogates(value: Any, path: str) -> None:
    """A lone UTF-16 surrogate is not text (it cannot be stored or encoded): name where it is."""
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else key
            if _SURROGATE.search(key):
                raise bad_request(
                    f'A field name in "{path or "the request body"}" contains a lone UTF-16 surrogate; '
                    "send valid Unicode text."
                )
            _refuse_surrogates(item, where)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _refuse_surrogates(item, f"{path}[{index}]")
    elif isinstance(value, str) and _SURROGATE.search(value):
        raise bad_request(
            f'Field "{path}" contains a lone UTF-16 surrogate (an unpaired \\uD800-\\uDFFF escape); '
            "send valid Unicode text."
        )


def type_name(value: Any) -> str:
    """How a request or answer value is named in an error: number, string, array, object, null, ..."""
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
        raise bad_request(f'Field "{field}" must be a string, not {type_name(value)}.')
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
        raise bad_request(f'Field "{field}" must be an array of IP addresses, not {type_name(value)}.')
    ips: list[str] = []
    for item in value:
        if not isinstance(item, str):
            raise bad_request(f'Field "{field}" must contain strings, found {type_name(item)}.')
        ips.append(ip_or_wildcard(item, field))
    return ips


def ip_or_wildcard(value: str, field: str) -> str:
    """A normalised IP address (IPv4-mapped IPv6 as the IPv4 address it maps), or ``*``."""
    value = value.strip()
    if value == "*":
        return value
    try:
        ipaddress.ip_address(value)
        return normal_ip(value)
    except ValueError:
        raise bad_request(f'Field "{field}" has "{value[:64]}", which is not an IP address or "*".') from None


@functools.lru_cache(maxsize=4096)
def client_public_key(pem: str) -> PublicKey:
    """A client's public key from its installation PEM, parsed once per key (raises InvalidKeyError).

    At least ``CLIENT_KEY_MIN_BITS`` bits: see endpoints/handshake.py for why 2047, not 2048.
    """
    return load_public_key(pem, min_bits=CLIENT_KEY_MIN_BITS)


def required_amount(body: dict[str, Any], field: str, *, where: str = "") -> tuple[int, str]:
    """``{"value": "12.50", "currency": "EUR"}`` as (cents, currency); amounts are strings, positive."""
    amount = body.get(field)
    field = where + field
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


def checked_cents(body: dict[str, Any], field: str) -> int | None:
    """An Amount field the kit has already checked (``field_rules.money``) in cents, or None if absent."""
    return None if body.get(field) is None else amount_cents(body[field], field, minimum_cents=0)


def amount_cents(amount: Any, field: str, *, minimum_cents: int = 1, currency: str = CURRENCY) -> int:
    """An Amount object's value in cents: a string of ASCII digits, in ``currency``, at least ``minimum_cents``."""
    expected = currency
    if not isinstance(amount, dict):
        raise bad_request(f'Field "{field}" must be an object with "value" and "currency".')
    value = amount.get("value")
    currency = amount.get("currency")
    if isinstance(value, str) and value.startswith("-") and AMOUNT_PATTERN.fullmatch(value[1:]):
        raise bad_request(
            f'Field "{field}.value" must be positive, got {json.dumps(value)[:40]}: bunq\'s amounts carry '
            "no sign, the operation says which way the money goes."
        )
    if not isinstance(value, str) or not AMOUNT_PATTERN.fullmatch(value):
        raise bad_request(
            f'Field "{field}.value" must be a string amount such as "12.50", got {json.dumps(value)[:40]}.'
        )
    if currency != expected:
        raise bad_request(f'Field "{field}.currency" must be "{expected}", got {json.dumps(currency)[:40]}.')
    from decimal import Decimal, InvalidOperation  # here: a sandbox start needs no decimal

    try:
        cents = int((Decimal(value) * 100).to_integral_exact())
    except (InvalidOperation, ArithmeticError):
        raise bad_request(f'Field "{field}.value" is not a valid amount.') from None
    if cents < minimum_cents:
        floor = f"{minimum_cents // 100}.{minimum_cents % 100:02d}"
        relation = "more than 0.00" if minimum_cents == 1 else f"at least {floor}"
        raise bad_request(f'Field "{field}.value" must be {relation}.')
    return cents


def optional_choice(
    body: dict[str, Any], field: str, choices: Iterable[str], *, where: str = ""
) -> str | None:
    """A string field that must be one of ``choices``, or absent."""
    value = body.get(field)
    if value is None:
        return None
    choices = tuple(choices)
    if not isinstance(value, str) or value not in choices:
        shown = json.dumps(value)[:40]
        raise bad_request(f'Field "{where}{field}" must be one of {", ".join(choices)}, got {shown}.')
    return value


def required_choice(body: dict[str, Any], field: str, choices: Iterable[str], *, where: str = "") -> str:
    """A string field that must be present and one of ``choices``."""
    choices = tuple(choices)
    value = optional_choice(body, field, choices, where=where)
    if value is None:
        raise bad_request(f'Field "{where}{field}" is required; use one of {", ".join(choices)}.')
    return value


def optional_text(body: dict[str, Any], field: str, *, max_length: int = MAX_STRING) -> str | None:
    """A string field that may be absent or empty."""
    value = body.get(field)
    if value is None:
        return None
    if not isinstance(value, str):
        raise bad_request(f'Field "{field}" must be a string, not {type_name(value)}.')
    if len(value) > max_length:
        raise bad_request(f'Field "{field}" is longer than {max_length} characters.')
    return value


def optional_int(body: dict[str, Any], field: str, low: int, high: int, *, where: str = "") -> int | None:
    """A whole-number field within [low, high], or absent (``true`` is not a number here)."""
    value = body.get(field)
    name = where + field
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad_request(f'Field "{name}" must be a whole number, not {type_name(value)}.')
    if not low <= value <= high:
        raise bad_request(f'Field "{name}" must be from {low} to {high}, got {value}.')
    return value


def required_int(body: dict[str, Any], field: str, *, low: int, high: int, where: str = "") -> int:
    """Like ``optional_int``, but the field must be there."""
    value = optional_int(body, field, low, high, where=where)
    if value is None:
        raise bad_request(f'Field "{where}{field}" is required.')
    return value


def optional_object(body: dict[str, Any], field: str, *, where: str = "") -> dict[str, Any] | None:
    """A JSON-object field, or absent."""
    value = body.get(field)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise bad_request(f'Field "{where}{field}" must be an object, not {type_name(value)}.')
    return value


def required_object(body: dict[str, Any], field: str, *, where: str = "") -> dict[str, Any]:
    """Like ``optional_object``, but the field must be there."""
    value = optional_object(body, field, where=where)
    if value is None:
        raise bad_request(f'Field "{where}{field}" is required.')
    return value


def optional_list(body: dict[str, Any], field: str, *, max_items: int = 100) -> list[Any] | None:
    """A JSON-array field, or absent."""
    value = body.get(field)
    if value is None:
        return None
    if not isinstance(value, list):
        raise bad_request(f'Field "{field}" must be an array, not {type_name(value)}.')
    if len(value) > max_items:
        raise bad_request(f'Field "{field}" has {len(value)} items; at most {max_items} are allowed.')
    return value


def required_list(body: dict[str, Any], field: str, *, max_items: int) -> list[Any]:
    """A non-empty JSON-array field of at most ``max_items`` items."""
    value = optional_list(body, field, max_items=max_items)
    if value is None:
        raise bad_request(f'Field "{field}" is required.')
    if not value:
        raise bad_request(f'Field "{field}" must not be empty.')
    return value


def optional_bool(body: dict[str, Any], field: str, default: bool = False) -> bool:
    """A true/false field; absent or null is ``default``."""
    value = body.get(field)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise bad_request(f'Field "{field}" must be true or false, not {type_name(value)}.')
    return value


def parse_date(value: Any, field: str) -> dt.date:
    """``YYYY-MM-DD`` as a date, or bunq's 400 naming the field."""
    if not isinstance(value, str) or not DATE_PATTERN.fullmatch(value):
        raise bad_request(f'Field "{field}" must be a date as "YYYY-MM-DD", got {json.dumps(value)[:40]}.')
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise bad_request(f'Field "{field}" is not a real date: {value}.') from None


TIMESTAMP_PATTERN = re.compile(
    r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)?(Z|\+00:00)?$", re.ASCII
)


def optional_timestamp(body: dict[str, Any], field: str, *, where: str = "") -> float | None:
    """A UTC time as bunq writes it (``2024-05-01 09:30:00.000000``; ISO ``T`` and a date alone also do)."""
    value = body.get(field)
    name = where + field
    if value is None:
        return None
    if not isinstance(value, str) or not TIMESTAMP_PATTERN.fullmatch(value):
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


def refuse_fields(body: dict[str, Any], fields: Iterable[str], why: str) -> None:
    """A 400 naming the first of ``fields`` that ``body`` has, with ``why`` (e.g. not emulated)."""
    for field in fields:
        if body.get(field) is not None:
            raise bad_request(f'Field "{field}" {why}')


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


__all__ = [
    "BunqError",
    "amount_cents",
    "checked_cents",
    "client_public_key",
    "ip_or_wildcard",
    "optional_amount",
    "optional_bool",
    "optional_choice",
    "optional_int",
    "optional_ip_list",
    "optional_list",
    "optional_object",
    "optional_string",
    "optional_text",
    "optional_timestamp",
    "parse_date",
    "parse_object",
    "refuse_fields",
    "required_amount",
    "required_choice",
    "required_int",
    "required_list",
    "required_object",
    "required_pointer",
    "required_string",
    "required_timestamp",
    "type_name",
]
