"""Money from outside the sandbox and card payments at merchants: rows bunq makes when a user tops up by
iDEAL or Sofort (a merchant transaction and the Payment that credits the account), pays by card (a
MasterCardAction with bunq's decision and, when allowed, the Payment it booked), or is paid at the IBAN
they switched away from (the Dutch bank switch service forwards it: a switch-service payment).

Each runs in the caller's write transaction and records its events, so callbacks go out as for any payment.
"""

from __future__ import annotations

import sqlite3

from .core import Bank
from .ledger import credit, insert_payment, require_active

DENIALS = ("INSUFFICIENT_BALANCE", "CARD_BLOCKED", "AMOUNT_LIMIT_REACHED", "MERCHANT_BLOCKED", "WRONG_PIN")


def book_payment(
    bank: Bank,
    db: sqlite3.Connection,
    account: sqlite3.Row,
    cents: int,
    currency: str,
    *,
    kind: str,
    description: str,
    counterparty: dict[str, str],
    sub_type: str,
) -> int:
    """Book ``cents`` (negative: out) on ``account`` as a Payment of bunq type ``kind``; its id."""
    require_active(account)
    now = bank.now()
    balance = credit(db, account["id"], cents, now)
    payment_id = insert_payment(
        db, account["id"], cents, currency, description, counterparty, sub_type, balance, now
    )
    db.execute("UPDATE payments SET type = ? WHERE id = ?", (kind, payment_id))
    bank.events.record(db, "Payment", payment_id, user_id=account["user_id"], account_id=account["id"])
    return payment_id


def pay_by_card(
    bank: Bank,
    db: sqlite3.Connection,
    account: sqlite3.Row,
    cents: int,
    currency: str,
    *,
    merchant: str,
    city: str,
    merchant_category_code: str,
    decision: str = "ALLOWED",
) -> int:
    """A card payment at ``merchant``: the MasterCardAction's id (refused for want of balance if need be)."""
    card = db.execute(
        "SELECT id FROM cards WHERE account_id = ? ORDER BY id LIMIT 1", (account["id"],)
    ).fetchone()
    if decision == "ALLOWED" and account["balance_cents"] < cents:
        decision = "INSUFFICIENT_BALANCE"
    payment_id = None
    if decision == "ALLOWED":
        pointer = {"type": "IBAN", "value": "", "name": merchant}
        payment_id = book_payment(
            bank,
            db,
            account,
            -cents,
            currency,
            kind="MASTERCARD",
            description=merchant,
            counterparty=pointer,
            sub_type="PAYMENT",
        )
    now = bank.now()
    action_id = db.execute(
        "INSERT INTO card_actions (account_id, card_id, amount_cents, currency, description, merchant, city,"
        " merchant_category_code, decision, payment_id, created, updated) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            account["id"],
            card["id"] if card else None,
            cents,
            currency,
            merchant,
            merchant,
            city,
            merchant_category_code,
            decision,
            payment_id,
            now,
            now,
        ),
    ).lastrowid
    bank.events.record(
        db, "MasterCardAction", action_id, user_id=account["user_id"], account_id=account["id"]
    )
    return int(action_id)


def forward_switched(
    bank: Bank,
    db: sqlite3.Connection,
    account: sqlite3.Row,
    cents: int,
    currency: str,
    *,
    payer: dict[str, str],
    old_iban: str,
    description: str,
) -> int:
    """A payment to ``old_iban`` forwarded to ``account`` by the switch service: the row's id."""
    payment_id = book_payment(
        bank,
        db,
        account,
        cents,
        currency,
        kind="EBA_SCT",
        description=description,
        counterparty=payer,
        sub_type="SCT",
    )
    now = bank.now()
    first = db.execute(
        "SELECT MIN(time_switched) FROM switch_service_payments WHERE account_id = ? AND old_iban = ?",
        (account["id"], old_iban),
    ).fetchone()[0]
    return int(
        db.execute(
            "INSERT INTO switch_service_payments (account_id, payment_id, old_iban, time_switched, created,"
            " updated) VALUES (?, ?, ?, ?, ?, ?)",
            (account["id"], payment_id, old_iban, first if first is not None else now, now, now),
        ).lastrowid
    )
