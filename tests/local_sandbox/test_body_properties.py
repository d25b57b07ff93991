"""Properties of the local sandbox's body parser: any bytes give an object or a 400, never anything else."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from bunq_helpers.local_sandbox.bunq_errors import BunqError
from bunq_helpers.local_sandbox.validation import parse_object, required_amount

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=512))
def test_any_bytes_give_an_object_or_a_400(body: bytes) -> None:
    try:
        value = parse_object(body)
    except BunqError as error:
        assert error.status == 400 and error.description
    else:
        assert isinstance(value, dict)


# Up to 6 keys of up to 20 leaves each: hypothesis makes bigger objects slowly (10.8 s -> 6.7 s here).
@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(), JSON, max_size=6))
def test_json_objects_round_trip(value: dict) -> None:
    for encoded in (
        json.dumps(value),
        json.dumps(value, indent=4, sort_keys=True),
        json.dumps(value, ensure_ascii=False),
    ):
        assert parse_object(encoded.encode("utf-8")) == value


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=99_999_999), st.sampled_from(["", "0", "00"]))
def test_amounts_parse_to_exact_cents(cents: int, padding: str) -> None:
    text = f"{cents // 100}.{cents % 100:02d}"
    assert required_amount({"a": {"value": text, "currency": "EUR"}}, "a") == (cents, "EUR")
