"""Rules bunq applies to request fields that its spec's types do not carry: a choice, a date, text of
at most so many characters, a whole number, an amount or a pattern, a field refused whatever it holds.

A family declares them with its operation (``op(..., rules={"status": choice("REVOKED")})``, or
``plain_family(rules=...)`` for its create and update); ``RULES`` below holds the few declared by
operation id prefix. The kit checks each sent field's type first, then its rule, so the handler reads
a value already checked; a rule ``in_own_words`` answers a value of any type itself (a date, say). A
field the spec does not require may be required by its rule (``choice(..., required=True)``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from .amounts import CURRENCY
from .bunq_errors import bad_request
from .validation import (
    MAX_STRING,
    optional_amount,
    optional_choice,
    optional_int,
    optional_text,
    parse_date,
    required_string,
)

Rule = Callable[[str, Any], None]  # (field, value sent, not None) -> None, or bunq's 400


def in_own_words(rule: Rule) -> Rule:
    """``rule`` answers a value of any type in its own words: the kit skips the field's type check
    (every other rule is checked after it, so a wrong type is told as such)."""
    rule.replaces_type = True  # type: ignore[attr-defined]
    return rule


def choice(*choices: str, typed: bool = True, required: bool = False) -> Rule:
    """One of ``choices`` (bunq's spec types these as plain strings); with ``typed=False`` a value that
    is not a string is told the choices too; ``required``: absent (or null) is refused, with the choices,
    though the spec does not require it."""

    def check(field: str, value: Any) -> None:
        optional_choice({field: value}, field, choices)

    if required:
        check.when_absent = f'Field "{{field}}" is required; use one of {", ".join(choices)}.'  # type: ignore[attr-defined]
    return check if typed else in_own_words(check)


def text(max_length: int = MAX_STRING, *, blank: bool = False) -> Rule:
    """A string of at most ``max_length`` characters, not empty or spaces unless ``blank``."""

    def check(field: str, value: Any) -> None:
        if blank:
            optional_text({field: value}, field, max_length=max_length)
        else:
            required_string({field: value}, field, max_length=max_length)

    return check


def whole(low: int, high: int) -> Rule:
    """A whole number from ``low`` to ``high``."""

    def check(field: str, value: Any) -> None:
        optional_int({field: value}, field, low, high)

    return check


def money(minimum_cents: int = 1, maximum_cents: int | None = None) -> Rule:
    """An Amount in EUR of at least ``minimum_cents`` (and at most ``maximum_cents``, if given)."""

    def check(field: str, value: Any) -> None:
        optional_amount({field: value}, field, minimum_cents=minimum_cents, maximum_cents=maximum_cents)

    return check


def matching(pattern: re.Pattern[str], example: str) -> Rule:
    """A string ``pattern`` matches (a locale, a country code), refused with an ``example``."""

    def check(field: str, value: Any) -> None:
        if not isinstance(value, str) or not pattern.match(value):
            raise bad_request(f'Field "{field}" must look like "{example}", got {json.dumps(value)[:40]}.')

    return check


def refused(why: str) -> Rule:
    """Any value: a field bunq forbids here, or one the local sandbox does not keep (``why`` says)."""

    def check(field: str, value: Any) -> None:
        raise bad_request(f'Field "{field}" {why}')

    return check


@in_own_words
def date(field: str, value: Any) -> None:
    """``YYYY-MM-DD`` in ASCII digits, a real date."""
    parse_date(value, field)


@in_own_words
def payments(field: str, value: Any) -> None:
    """A list of at least one payment."""
    if not isinstance(value, list) or not value:
        raise bad_request(f'Field "{field}" must be a non-empty array of payments.')


# operation id -> field -> rule, as the family declares them (``kit.op(..., rules=...)``)
DECLARED: dict[str, dict[str, Rule]] = {}

# (operation id prefix, field) -> rule
RULES: dict[tuple[str, str], Rule] = {
    # the local sandbox keeps EUR accounts
    ("CREATE_MonetaryAccount", "currency"): choice(CURRENCY, typed=False),
    ("CREATE_SchedulePaymentBatch_", "payments"): payments,
}


def absent_but_required(operation_id: str, body: dict[str, Any]) -> str | None:
    """bunq's words for the first declared rule whose field the body lacks though the rule requires it."""
    for field, rule in DECLARED.get(operation_id, {}).items():
        if body.get(field) is None and hasattr(rule, "when_absent"):
            return rule.when_absent.format(field=field)
    return None


def rule_for(operation_id: str, field: str) -> Rule | None:
    """The rule for one field of one operation, if it has one."""
    if field in DECLARED.get(operation_id, {}):
        return DECLARED[operation_id][field]
    for (prefix, name), rule in RULES.items():
        if name == field and operation_id.startswith(prefix):
            return rule
    return None
