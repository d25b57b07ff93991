"""Converting money between currencies at the stand-in rates of ``rates``: one booking on each side.

The paying account is debited the source amount (in its own currency) under the bank's rules (open
account, balance, daily limit); the counterparty receives the target amount: credited in its currency
when it is a sandbox account (which must hold the target currency), or leaving the sandbox otherwise.
Each side records a ``Payment`` event, as a transfer does.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import uuid

from ..bunq_errors import bad_request
from ..render import counterparty_label, own_label
from .core import Bank, insert_row
from .ledger import credit, insert_payment
from .transfers import PaymentOrder, check_payable


def convert(
    ctx: Bank, db: sqlite3.Connection, account: sqlite3.Row, user: sqlite3.Row, quote: sqlite3.Row
) -> int:
    """Book accepted conversion ``quote`` from ``account`` (in the caller's transaction); return its id."""
    pointer = json.loads(quote["counterparty_json"])
    source, target = quote["amount_source_currency"], quote["amount_target_currency"]
    description = f"Currency conversion {source} to {target} at {quote['rate']}"
    order = PaymentOrder(quote["amount_source_cents"], source, description, pointer)
    [payee] = check_payable(ctx, db, account, [order], "this conversion")
    if payee is not None and payee["currency"] != target:
        raise bad_request(
            f"Monetary account {payee['id']} holds {payee['currency']}, not {target}: name an account in "
            f"{target}, or an account outside the sandbox, as counterparty_alias."
        )
    now = ctx.now()
    balance = credit(db, account["id"], -order.cents, now)
    payment_id = insert_payment(
        db, account["id"], -order.cents, source, description, pointer, "PAYMENT", balance, now
    )
    ctx.events.record(db, "Payment", payment_id, user_id=user["id"], account_id=account["id"])
    counter_label = counterparty_label(pointer)
    if payee is not None:
        payer = {"type": "IBAN", "value": account["iban"], "name": user["display_name"]}
        received = credit(db, payee["id"], quote["amount_target_cents"], now)
        got = insert_payment(
            db,
            payee["id"],
            quote["amount_target_cents"],
            target,
            description,
            payer,
            "PAYMENT",
            received,
            now,
        )
        ctx.events.record(db, "Payment", got, user_id=payee["user_id"], account_id=payee["id"])
        owner = db.execute("SELECT * FROM users WHERE id = ?", (payee["user_id"],)).fetchone()
        counter_label = own_label(payee, owner)
    day = dt.datetime.fromtimestamp(now, dt.timezone.utc).date().isoformat()
    return insert_row(
        db,
        "currency_conversions",
        {
            "account_id": account["id"],
            "quote_id": quote["id"],
            "payment_id": payment_id,
            "group_uuid": str(uuid.uuid4()),
            "status": "COMPLETED",
            "type": "CONVERSION",
            "order_type": quote["order_type"],
            "rate": quote["rate"],
            "amount_cents": order.cents,
            "amount_currency": source,
            "counter_amount_cents": quote["amount_target_cents"],
            "counter_amount_currency": target,
            "label_monetary_account_json": json.dumps(own_label(account, user)),
            "counter_label_monetary_account_json": json.dumps(counter_label),
            "date_delivery_expected": day,
            "created": now,
            "updated": now,
        },
    )
