"""Checking one answer of the local sandbox against bunq's spec, as ``catalogue.json`` holds it.

``check_answer(method, template, payload)`` lists what does not fit the operation's entry: the
top-level keys (``Response``, and ``Pagination`` on listings), each ``Response`` item's wrapper key,
every field name at every depth (a field bunq's spec lacks is a problem, a field the spec has but
the answer leaves out is not: bunq's objects have far more than clients read) and every JSON type.
``null`` passes for any field: bunq sends ``null`` for fields that have no value (a payment's
``geolocation``, an open request's ``time_responded``) and its spec marks nothing nullable.

Where bunq's real answers differ from its spec, ``divergences`` says so with the source; everything
else the sandbox answers must fit the spec. With ``SandboxOptions.strict_answers`` the app runs this
on every 200 answer and answers 500 naming the mismatch instead (the test suite runs that way).
"""

from __future__ import annotations

import json
import re
from typing import Any

from .catalogue import Operation, load_catalogue
from .divergences import FIELDS_BUNQ_SENDS, SCHEMAS_BUNQ_SENDS, WRAPPERS_BUNQ_SENDS


def wrappers_for(operation: Operation) -> dict[str, Any]:
    """The wrapper keys an answer to this operation may use, each with what it wraps."""
    wrappers: dict[str, Any] = dict(operation.response["wrappers"])
    own_schema = next(iter(wrappers.values()), None)
    for method, pattern, key, fields, _source in WRAPPERS_BUNQ_SENDS:
        if method == operation.method and re.fullmatch(pattern, operation.path):
            wrappers[key] = fields if fields is not None else own_schema
    return wrappers


PAGINATION_KEYS = {"future_url", "newer_url", "older_url"}
_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "object": (dict,),
}


def _type_name(value: Any) -> str:
    return {
        dict: "object",
        list: "array",
        str: "string",
        bool: "boolean",
        int: "integer",
        float: "number",
    }.get(type(value), type(value).__name__)


class _Checker:
    def __init__(self) -> None:
        self.catalogue = load_catalogue()
        self.problems: list[str] = []

    def value(self, value: Any, kind: Any, where: str) -> None:
        if value is None:
            return
        if isinstance(kind, str):
            kind = SCHEMAS_BUNQ_SENDS.get(kind, kind)
        if isinstance(kind, list):
            if not isinstance(value, list):
                self.problems.append(f"{where}: bunq's spec has an array, the answer has {_type_name(value)}")
                return
            for index, element in enumerate(value):
                self.value(element, kind[0], f"{where}[{index}]")
            return
        if isinstance(kind, dict):  # fields given inline (an allow-list entry, Pagination)
            self.fields(value, kind, where.rsplit(".", 1)[-1], where)
            return
        if kind in _JSON_TYPES:
            expected = _JSON_TYPES[kind]
            if not isinstance(value, expected) or (kind != "boolean" and isinstance(value, bool)):
                self.problems.append(f"{where}: bunq's spec has {kind}, the answer has {_type_name(value)}")
            return
        schema = self.catalogue.schemas.get(kind)
        if schema is None:
            return  # the spec leaves this object's fields unknown
        self.fields(value, schema["fields"], kind, where, set(schema.get("write_only", ())))

    def fields(
        self, value: Any, fields: dict[str, Any], schema: str, where: str, write_only: set[str] = frozenset()
    ) -> None:
        if not isinstance(value, dict):
            self.problems.append(
                f"{where}: bunq's spec has an object ({schema}), the answer has {_type_name(value)}"
            )
            return
        for key, element in value.items():
            if key in fields and key not in write_only:
                self.value(element, fields[key], f"{where}.{key}")
            elif (schema, key) not in FIELDS_BUNQ_SENDS:
                why = "only in requests" if key in write_only else "not in bunq's spec"
                self.problems.append(f"{where}.{key}: field {why} for {schema}")

    def answer(self, operation: Operation, payload: Any) -> None:
        if not isinstance(payload, dict) or not isinstance(payload.get("Response"), list):
            self.problems.append(f"the answer is not {{'Response': [...]}}: {str(payload)[:80]}")
            return
        allowed_top = {"Response", "Pagination"} if operation.response["list"] else {"Response"}
        for key in sorted(set(payload) - allowed_top):
            self.problems.append(f"top-level key {key!r} is not in bunq's answers to {operation.label}")
        if "Pagination" in payload:
            self.value(payload["Pagination"], {key: "string" for key in PAGINATION_KEYS}, "Pagination")
        wrappers = wrappers_for(operation)
        for index, item in enumerate(payload["Response"]):
            where = f"Response[{index}]"
            if not isinstance(item, dict) or len(item) != 1:
                self.problems.append(f"{where}: each item must be one object under one wrapper key")
                continue
            [(key, body)] = item.items()
            if key not in wrappers:
                expected = ", ".join(sorted(wrappers)) or "no items at all"
                self.problems.append(f"{where}: wrapper {key!r}; bunq's spec has {expected}")
                continue
            self.value(body, wrappers[key], f"{where}.{key}")


def operation_for(method: str, template: str) -> Operation | None:
    """The catalogue's entry for a route's method and template."""
    return load_catalogue().get(method, template)


def check_answer(method: str, template: str, payload: Any) -> list[str]:
    """What in one 200 answer does not fit bunq's spec for (method, template); empty when it fits."""
    operation = operation_for(method, template)
    if operation is None:
        return [f"{method} {template} is not an operation in bunq's spec"]
    if operation.response["kind"] == "content":
        return []  # raw bytes, not JSON
    checker = _Checker()
    checker.answer(operation, payload)
    return checker.problems


def check_body(method: str, template: str, body: bytes) -> list[str]:
    """``check_answer`` for the body bytes as sent (content endpoints answer bytes, not JSON)."""
    operation = operation_for(method, template)
    if operation is not None and operation.response["kind"] == "content":
        return []
    try:
        payload = json.loads(body)
    except ValueError:
        return [f"the answer to {method} {template} is not JSON: {body[:60]!r}"]
    return check_answer(method, template, payload)
