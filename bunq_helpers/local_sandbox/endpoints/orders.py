"""Payment orders and schedules as request bodies carry them, read into the bank's records."""

from __future__ import annotations

from typing import Any

from ..bank.scheduling import MAX_RECURRENCE_SIZE, ScheduleSpec
from ..bank.transfers import MAX_BATCH, MAX_DESCRIPTION, PaymentOrder
from ..bunq_errors import bad_request
from ..recurrence import UNITS
from ..validation import (
    optional_timestamp,
    required_amount,
    required_choice,
    required_int,
    required_object,
    required_pointer,
    required_string,
    required_timestamp,
)


def read_order(entry: Any, where: str = "") -> PaymentOrder:
    """``{"amount", "counterparty_alias", "description"}`` from a request body; ``where`` names it."""
    if not isinstance(entry, dict):
        raise bad_request(
            f'Field "{where}" must be an object with "amount", "counterparty_alias" and "description".'
        )
    prefix = f"{where}." if where else ""
    cents, currency = required_amount(entry, "amount", where=prefix)
    pointer = required_pointer(entry, "counterparty_alias", where=prefix)
    description = required_string(entry, "description", max_length=MAX_DESCRIPTION, where=prefix)
    return PaymentOrder(cents, currency, description, pointer)


def read_orders(body: dict[str, Any], field: str) -> list[PaymentOrder]:
    """A list of payment orders; the spec's ``{"Payment": [...]}`` wrapping is accepted as well."""
    value = body.get(field)
    if isinstance(value, dict) and set(value) == {"Payment"}:
        value = value["Payment"]
        field = f"{field}.Payment"
    if value is None:
        raise bad_request(f'Field "{field}" is required.')
    if not isinstance(value, list) or not value:
        raise bad_request(f'Field "{field}" must be a non-empty array of payments.')
    if len(value) > MAX_BATCH:
        raise bad_request(f'Field "{field}" has {len(value)} payments; at most {MAX_BATCH} fit in one batch.')
    return [read_order(entry, f"{field}[{index}]") for index, entry in enumerate(value)]


def read_schedule(body: dict[str, Any], field: str = "schedule") -> ScheduleSpec:
    """The ``schedule`` object of a request body: time_start, time_end?, recurrence_unit, recurrence_size."""
    schedule = required_object(body, field)
    where = f"{field}."
    time_start = required_timestamp(schedule, "time_start", where=where)
    time_end = optional_timestamp(schedule, "time_end", where=where)
    unit = required_choice(schedule, "recurrence_unit", UNITS, where=where)
    if unit == "ONCE" and schedule.get("recurrence_size") is None:
        size = 1
    else:
        size = required_int(schedule, "recurrence_size", low=1, high=MAX_RECURRENCE_SIZE, where=where)
    if time_end is not None and time_end < time_start:
        raise bad_request(f'Field "{where}time_end" is before "{where}time_start".')
    return ScheduleSpec(time_start, time_end, unit, size)
