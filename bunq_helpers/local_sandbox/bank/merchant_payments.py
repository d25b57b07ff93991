"""Money from outside the sandbox and card payments at merchants: rows bunq makes when a user tops up by
iDEAL or Sofort (a merchant transaction and the Payment that credits the account), pays by card (a
MasterCardAction with bunq's decision and, when allowed, the Payment it booked), or is paid at the IBAN
they switched away from (the Dutch bank switch service forwards it: a switch-service payment).

Each runs in the caller's write transaction and records its events, so callbacks go out as for any payment.
"""

from __future__ import annotations

import secrets
import sqlite3
from typing import Any

from ..amounts import amount
from ..events import renders_rows
from ..render import counterparty_label, own_label
from .core import Bank, insert_row
from .ledger import account_and_owner, credit, insert_payment, require_active

# The Payment type each way money arrives from outside is booked with. bunq documents IDEAL, SOFORT and
# EBA_SCT; for card payments taken through Adyen bunq does not say, so ADYEN is our choice.
KINDS = {
    "ideal_merchant_transactions": "IDEAL",
    "sofort_merchant_transactions": "SOFORT",
    "adyen_card_transactions": "ADYEN",
    "open_banking_merchant_transactions": "EBA_SCT",
}
DENIALS = ("INSUFFICIENT_BALANCE", "CARD_BLOCKED", "AMOUNT_LIMIT_REACHED", "MERCHANT_BLOCKED", "WRONG_PIN")


def book_payment(
    bank: Bank,
    db: sqlite3.Connection,
    account: sqlite3.Row,
    cents: int,
    currency: str,
    kind: str,
    description: str,
    counterparty: dict[str, str] | str,
    sub_type: str = "PAYMENT",
) -> int:
    """Book ``cents`` (negative: out) on ``account`` as a Payment of bunq type ``kind``; its id.

    ``counterparty`` is a pointer, or only the name of someone outside the sandbox (no IBAN shown).
    """
    if isinstance(counterparty, str):
        counterparty = {"type": "IBAN", "value": "", "name": counterparty}
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
        payment_id = book_payment(bank, db, account, -cents, currency, "MASTERCARD", merchant, merchant)
    now = bank.now()
    values = {
        "account_id": account["id"],
        "card_id": card["id"] if card else None,
        "amount_cents": cents,
        "currency": currency,
        "description": merchant,
        "merchant": merchant,
        "city": city,
        "merchant_category_code": merchant_category_code,
        "decision": decision,
        "payment_id": payment_id,
    }
    action_id = insert_row(db, "card_actions", {**values, "created": now, "updated": now})
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
    payment_id = book_payment(bank, db, account, cents, currency, "EBA_SCT", description, payer, "SCT")
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


def new_identifiers() -> dict[str, str]:
    """A transaction's identifier at the payer's bank (iDEAL's 16 digits) and the purchase's reference."""
    digits = "".join(secrets.choice("0123456789") for _ in range(12))
    return {"transaction_identifier": "0030" + digits, "purchase_identifier": secrets.token_hex(8).upper()}


def book_received(
    bank: Bank, db: sqlite3.Connection, account: sqlite3.Row, kind: str, values: dict[str, Any]
) -> int:
    """The payer's bank approved the transaction ``values`` (its columns): credit ``account``; the Payment's id."""
    what = f"{kind.replace('_', ' ').title()} {values['transaction_identifier']}"
    cents, currency = values["amount_requested_cents"], values["currency"]
    return book_payment(bank, db, account, cents, currency, kind, what, values["issuer_name"])


def receive(
    bank: Bank,
    db: sqlite3.Connection,
    table: str,
    account: sqlite3.Row,
    cents: int,
    currency: str,
    *,
    payer_bank: str,
    payer_name: str,
) -> int:
    """Money into ``account`` from outside, approved at once (a row of ``table`` and its Payment): the row's id."""
    now = bank.now()
    values = {
        "account_id": account["id"],
        **{"amount_requested_cents": cents, "amount_guaranteed_cents": cents, "currency": currency},
        **{"issuer": payer_bank, "issuer_name": payer_name, "status": "SUCCESS", **new_identifiers()},
        **{"created": now, "updated": now},
    }
    values["payment_id"] = book_received(bank, db, account, KINDS[table], values)
    return insert_row(db, table, values)


def card_action_object(db: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    """A MasterCardAction as bunq shows it (bunq's has no created/updated)."""
    account, user = account_and_owner(db, row["account_id"])
    money = amount(row["amount_cents"], row["currency"])
    allowed = row["decision"] == "ALLOWED"
    return {
        "id": row["id"],
        "monetary_account_id": row["account_id"],
        "card_id": row["card_id"],
        "amount_local": money,
        "amount_billing": money,
        "amount_original_local": money,
        "amount_original_billing": money,
        "amount_fee": amount(0, row["currency"]),
        "decision": row["decision"],
        "decision_description": "Allowed" if allowed else row["decision"].replace("_", " ").capitalize(),
        "description": row["description"],
        "authorisation_status": "AUTHORISED" if allowed else "BLOCKED",
        "authorisation_type": "NORMAL_AUTHORISATION",
        "payment_status": "PAYMENT_SUCCESSFUL" if allowed else "PAYMENT_FAILED",
        "pan_entry_mode_user": "ICC",
        "city": row["city"],
        "alias": own_label(account, user),
        "counterparty_alias": counterparty_label({"type": "IBAN", "value": "", "name": row["merchant"]}),
        "merchant_category_code": row["merchant_category_code"],
    }


renders_rows("MasterCardAction", "card_actions", card_action_object)

CHALLENGE_KIND = "MasterCardIdentityCheckChallengeRequest"  # the wrapper bunq's SDKs read (see divergences)
CHALLENGE_LIFETIME = 600  # seconds: bunq does not say (endpoints/card_challenges.py)
SHOP = ("merchant", "city", "merchant_category_code")


def hold_challenge(
    bank: Bank, db: sqlite3.Connection, account: sqlite3.Row, cents: int, currency: str, **shop: str
) -> int:
    """A web shop (``SHOP``, as ``pay_by_card`` takes them) asks ``account``'s holder to confirm a card
    payment (3-D Secure, served by ``endpoints/card_challenges.py``): the challenge's id."""
    card = db.execute("SELECT id FROM cards WHERE account_id = ? ORDER BY id", (account["id"],)).fetchone()
    now = bank.now()
    held = {"user_id": account["user_id"], "account_id": account["id"], "card_id": card and card["id"]}
    asked = {
        "amount_cents": cents,
        "currency": currency,
        "status": "PENDING",
        "expiry_time": now + CHALLENGE_LIFETIME,
    }
    row_id = insert_row(db, "card_challenges", {**held, **asked, **shop, "created": now, "updated": now})
    event = bank.events.record(
        db, CHALLENGE_KIND, row_id, user_id=account["user_id"], account_id=account["id"]
    )
    db.execute("UPDATE card_challenges SET event_id = ? WHERE id = ?", (event.id, row_id))
    return row_id
