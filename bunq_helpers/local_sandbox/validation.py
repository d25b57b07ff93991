"""Parsing and checking request bodies, with errors that name the field.

bunq parses bodies as JSON whatever the Content-Type (the Python, PHP and C# SDKs send none), so
this does too. Bodies are checked strictly: not UTF-8, not JSON, not an object, a field given
twice, a missing field or one of the wrong type each gets its own 400 message.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from ..crypto.keys import PublicKey, load_public_key
from .amounts import CURRENCY
from .bunq_errors import BunqError, bad_request
from .http_io import normal_ip

# ASCII digits only, nothing after them: "١.٠٠", "１.00" and "0.01\n" are not amounts.
AMOUNT_PATTERN = re.compile(r"[0-9]{1,9}(?:\.[0-9]{1,2})?")
_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")  # how JSON text spells one (a pair's halves too)
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
    """A client's public key from its installation PEM, parsed once per key (raises InvalidKeyError)."""
    return load_public_key(pem)


def required_amount(body: dict[str, Any], field: str) -> tuple[int, str]:
    """``{"value": "12.50", "currency": "EUR"}`` as (cents, currency); amounts are strings, positive."""
    amount = body.get(field)
    if amount is None:
        raise bad_request(f'Field "{field}" is required.')
    if not isinstance(amount, dict):
        raise bad_request(f'Field "{field}" must be an object with "value" and "currency".')
    value = amount.get("value")
    currency = amount.get("currency")
    if not isinstance(value, str) or not AMOUNT_PATTERN.fullmatch(value):
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
    "client_public_key",
    "ip_or_wildcard",
    "optional_ip_list",
    "optional_string",
    "parse_object",
    "required_amount",
    "required_pointer",
    "required_string",
]
