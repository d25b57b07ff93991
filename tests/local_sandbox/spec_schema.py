"""bunq's OpenAPI description as a test oracle: does an object we answer use bunq's field names and JSON types?

The description sits beside the repository (``../shared/bunq-api/openapi.json``); tests that need it skip
with that reason where it is absent.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

SPEC = Path(__file__).resolve().parents[3] / "shared" / "bunq-api" / "openapi.json"
JSON_TYPES = {
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
    "object": dict,
    "array": list,
}


@cache
def spec() -> dict[str, Any]:
    """The parsed description, or a skip."""
    if not SPEC.exists():
        pytest.skip(f"bunq's OpenAPI description is not at {SPEC}")
    return json.loads(SPEC.read_text("utf-8"))


def assert_fits(value: Any, schema_name: str, where: str = "") -> None:
    """Every field of ``value`` is one the schema names, with its JSON type (null is allowed), recursively."""
    schema = spec()["components"]["schemas"][schema_name]
    properties = schema.get("properties", {})
    assert isinstance(value, dict), f"{where or schema_name}: not an object"
    for key, item in value.items():
        path = f"{where or schema_name}.{key}"
        assert key in properties, f"{path}: bunq's {schema_name} has no such field"
        _check(item, properties[key], path)


def _check(item: Any, prop: dict[str, Any], path: str) -> None:
    if item is None:
        return
    expected = prop.get("type")
    if expected:
        assert isinstance(item, JSON_TYPES[expected]) and not (
            expected in ("integer", "number") and isinstance(item, bool)
        ), f"{path}: {type(item).__name__}, bunq says {expected}"
    if "$ref" in prop:
        assert_fits(item, prop["$ref"].rsplit("/", 1)[-1], path)
    if expected == "array" and "items" in prop:
        for index, element in enumerate(item):
            _check(element, prop["items"], f"{path}[{index}]")
