"""The local sandbox's exchange rates: a fixed, documented stand-in table (no market data, no network).

bunq quotes Transferwise, Currencycloud and its own currency conversions at live rates; a sandbox that
must run offline and give the same answer twice uses this table instead: units of each currency per
1 EUR (rounded mid-2024 values, chosen for readability, not accuracy). Amounts stay in hundredths of
each currency (a JPY "cent" too, a simplification). Fees are the stand-in ``fee_cents``.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from ..bunq_errors import bad_request

# currency -> (units per EUR, name, a country that pays in it)
CURRENCIES: dict[str, tuple[str, str, str]] = {
    "EUR": ("1", "Euro", "NL"),
    "USD": ("1.08", "US Dollar", "US"),
    "GBP": ("0.85", "British Pound", "GB"),
    "CHF": ("0.95", "Swiss Franc", "CH"),
    "SEK": ("11.5", "Swedish Krona", "SE"),
    "NOK": ("11.6", "Norwegian Krone", "NO"),
    "DKK": ("7.46", "Danish Krone", "DK"),
    "PLN": ("4.3", "Polish Zloty", "PL"),
    "JPY": ("160", "Japanese Yen", "JP"),
    "AUD": ("1.62", "Australian Dollar", "AU"),
    "CAD": ("1.47", "Canadian Dollar", "CA"),
}


def known(currency: str, field: str) -> str:
    """``currency`` if the table has it, else a 400 listing the ones it has."""
    if currency not in CURRENCIES:
        raise bad_request(
            f'Field "{field}" must be one of the local sandbox\'s currencies ({", ".join(CURRENCIES)}), '
            f'not "{currency}".'
        )
    return currency


def rate(source: str, target: str) -> Decimal:
    """Units of ``target`` per unit of ``source``."""
    return Decimal(CURRENCIES[target][0]) / Decimal(CURRENCIES[source][0])


def rate_text(source: str, target: str) -> str:
    """The rate as bunq shows it: a decimal string (six places)."""
    return str(rate(source, target).quantize(Decimal("0.000001")))


def convert(cents: int, source: str, target: str) -> int:
    """``cents`` of ``source`` in ``target`` (banker's rounding)."""
    return int((Decimal(cents) * rate(source, target)).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def source_for(target_cents: int, source: str, target: str) -> int:
    """What must be paid in ``source`` for ``target_cents`` of ``target`` to arrive."""
    return convert(target_cents, target, source)


def fee_cents(source_cents: int) -> int:
    """The stand-in fee for a foreign transfer: 0.5 % of the amount, at least 0.50 (in the source currency)."""
    return max(50, (source_cents + 100) // 200)
