"""Currency conversion: a quote at the stand-in fixed rates (``bank/rates.py``), then the conversion.

``currency-conversion-quote`` prices ``amount`` (in ``currency_source`` for a SELL order, in
``currency_target`` for a BUY order) from this account (which must hold ``currency_source``) to
``counterparty_alias``; the quote is OPEN for five minutes. ``PUT`` with status ACCEPTED books it
(``bank/conversions.py``: the account is debited, a sandbox counterparty in the target currency is
credited, each side a Payment with its event) and makes the ``currency-conversion`` row; REJECTED
closes it. bunq's update repeats the create's fields; only ``status`` changes a quote.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from ..bank import conversions, rates
from ..bank.ledger import account_and_owner
from ..bunq_errors import bad_request
from ..kit import ACCOUNT, Owned, body_of, derived_renderer, op, operation_ids, plain_family
from ..render import payment_object
from ..routing import Caller, HandlerContext, Reply
from ..validation import amount_cents, required_pointer

LIFETIME = 5 * 60
ORDER_TYPES = ("SELL", "BUY")
QUOTE = Owned("currency_conversion_quotes", "CurrencyConversionQuote", parent=ACCOUNT, link="account_id")
CONVERSION = Owned("currency_conversions", "CurrencyConversion", parent=ACCOUNT, link="account_id")


def _quote(ctx: HandlerContext, account: sqlite3.Row, body: dict[str, Any], creating: bool) -> dict[str, Any]:
    source = rates.known(body["currency_source"], "currency_source")
    target = rates.known(body["currency_target"], "currency_target")
    if source != account["currency"]:
        raise bad_request(
            f'Field "currency_source" must be {account["currency"]}, the currency account {account["id"]} holds.'
        )
    if source == target:
        raise bad_request('Fields "currency_source" and "currency_target" must differ.')
    if body["order_type"] not in ORDER_TYPES:
        raise bad_request(
            'Field "order_type" must be SELL (amount in currency_source) or BUY (in currency_target).'
        )
    selling = body["order_type"] == "SELL"
    cents = amount_cents(body["amount"], "amount", currency=source if selling else target)
    paid, got = (
        (cents, rates.convert(cents, source, target))
        if selling
        else (rates.source_for(cents, source, target), cents)
    )
    return {
        **{"status": "OPEN", "order_type": body["order_type"], "rate": rates.rate_text(source, target)},
        **{"counterparty_json": json.dumps(required_pointer(body, "counterparty_alias"))},
        **{"amount_source_cents": paid, "amount_source_currency": source},
        **{"amount_target_cents": got, "amount_target_currency": target, "time_expiry": ctx.now() + LIFETIME},
    }


def answer_quote(ctx: HandlerContext, request: Any, caller: Caller, ids: dict[str, Any]) -> Reply:
    """ACCEPTED books the conversion; REJECTED closes the quote; either only while it is OPEN."""
    quote = QUOTE.find(ctx, caller, ids)
    status = body_of(request).get("status")
    if status not in ("ACCEPTED", "REJECTED"):
        raise bad_request('Field "status" must be ACCEPTED (convert now) or REJECTED.')
    if quote["status"] != "OPEN":
        raise bad_request(f"CurrencyConversionQuote {quote['id']} is {quote['status']}; ask for a new quote.")
    if status == "ACCEPTED" and quote["time_expiry"] < ctx.now():
        status = "EXPIRED"
    with ctx.store.transaction() as db:
        if status == "ACCEPTED":
            account = db.execute("SELECT * FROM accounts WHERE id = ?", (quote["account_id"],)).fetchone()
            conversions.convert(ctx, db, account, caller.user, quote)
        db.execute(
            "UPDATE currency_conversion_quotes SET status = ?, updated = ? WHERE id = ?",
            (status, ctx.now(), quote["id"]),
        )
    if status == "EXPIRED":
        raise bad_request(f"CurrencyConversionQuote {quote['id']} expired; ask for a new quote.")
    return Reply([{"Id": {"id": quote["id"]}}])


_show = derived_renderer("READ_CurrencyConversion_for_User_MonetaryAccount")


def _conversion(db: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    payment = db.execute("SELECT * FROM payments WHERE id = ?", (row["payment_id"],)).fetchone()
    return {**_show(db, row), "payment": payment_object(payment, *account_and_owner(db, row["account_id"]))}


ROUTES = [
    *plain_family(
        QUOTE,
        **operation_ids("CurrencyConversionQuote", "User_MonetaryAccount", "read create"),
        validate=_quote,
    ),
    op("UPDATE_CurrencyConversionQuote_for_User_MonetaryAccount", answer_quote, signed=True),
    *plain_family(
        CONVERSION,
        **operation_ids("CurrencyConversion", "User_MonetaryAccount", "list read"),
        render=_conversion,
    ),
]
