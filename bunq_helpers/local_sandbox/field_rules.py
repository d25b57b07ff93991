"""Rules bunq applies to request fields that its spec's types do not carry: a choice, a date, a list
that may not be empty. Declared once per field (by operation id prefix); the kit checks each in place
of the field's type, so a wrong value of any type gets the rule's words, and the handler gets a value
already checked."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .amounts import CURRENCY
from .bunq_errors import bad_request
from .validation import optional_choice, parse_date

Rule = Callable[[str, Any], None]  # (field, value sent, not None) -> None, or bunq's 400


def choice(*choices: str) -> Rule:
    """One of ``choices`` (bunq's spec types these as plain strings)."""

    def check(field: str, value: Any) -> None:
        optional_choice({field: value}, field, choices)

    return check


def date(field: str, value: Any) -> None:
    """``YYYY-MM-DD`` in ASCII digits, a real date."""
    parse_date(value, field)


def payments(field: str, value: Any) -> None:
    """A list of at least one payment."""
    if not isinstance(value, list) or not value:
        raise bad_request(f'Field "{field}" must be a non-empty array of payments.')


# (operation id prefix, field) -> rule
RULES: dict[tuple[str, str], Rule] = {
    ("CREATE_MonetaryAccount", "currency"): choice(CURRENCY),  # the local sandbox keeps EUR accounts
    ("CREATE_CustomerStatement_", "date_start"): date,
    ("CREATE_CustomerStatement_", "date_end"): date,
    ("UPDATE_RequestInquiry_", "status"): choice("REVOKED"),
    ("CREATE_SchedulePaymentBatch_", "payments"): payments,
}


def rule_for(operation_id: str, field: str) -> Rule | None:
    """The rule for one field of one operation, if it has one."""
    for (prefix, name), rule in RULES.items():
        if name == field and operation_id.startswith(prefix):
            return rule
    return None
