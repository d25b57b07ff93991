"""Money as bunq writes it: integer cents inside, ``{"value": "12.50", "currency": "EUR"}`` outside."""

from __future__ import annotations

CURRENCY = "EUR"


def cents_to_value(cents: int) -> str:
    """Integer cents as bunq's amount string, e.g. ``-1050`` -> ``"-10.50"``."""
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def amount(cents: int, currency: str = CURRENCY) -> dict[str, str]:
    """bunq's Amount object."""
    return {"value": cents_to_value(cents), "currency": currency}
