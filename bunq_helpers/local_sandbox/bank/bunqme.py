"""Payments through a bunq.me page: each open account's page (``bunqme-fundraiser-profile``, whose id is
the account's) takes money from people on bunq.me's website; each payment is a fundraiser result.

bunq's API has no call that pays through a bunq.me page (the payer is on bunq.me's website), so
``pay_through_page`` is the stand-in ``/_sandbox/trigger/bunqme-payment`` uses: an ``IDEAL`` Payment (how
bunq.me's payers without bunq pay) into the account and the result row, with the Payment's event.
``pay_tab`` is the same for a bunq.me tab paid by a sandbox user (``/_sandbox/trigger/bunqme-tab-payment``).
"""

from __future__ import annotations

import sqlite3

from ..bunq_errors import bad_request
from .core import Bank, insert_row
from .ledger import account_and_owner
from .merchant_payments import book_payment
from .transfers import PaymentOrder, transfer

RESULT_KIND = "BunqMeTabResultResponse"


def pay_through_page(
    bank: Bank, db: sqlite3.Connection, account: sqlite3.Row, cents: int, currency: str, *, payer_name: str
) -> int:
    """Someone pays ``cents`` on ``account``'s bunq.me page: the fundraiser result's id."""
    payment_id = book_payment(bank, db, account, cents, currency, "IDEAL", "bunq.me", payer_name)
    now = bank.now()
    return int(
        db.execute(
            "INSERT INTO bunqme_fundraiser_results (account_id, payment_id, created, updated) VALUES (?, ?, ?, ?)",
            (account["id"], payment_id, now, now),
        ).lastrowid
    )


def shown_status(tab: sqlite3.Row, now: float) -> str:
    """WAITING_FOR_PAYMENT, CANCELLED, or EXPIRED once ``time_expiry`` has passed."""
    if tab["status"] == "WAITING_FOR_PAYMENT" and now >= tab["time_expiry"]:
        return "EXPIRED"
    return str(tab["status"])


def pay_tab(bank: Bank, db: sqlite3.Connection, payer: sqlite3.Row, tab_id: int, cents: int | None) -> int:
    """``payer`` (an account) pays bunq.me tab ``tab_id``: the result's id."""
    tab = db.execute("SELECT * FROM bunqme_tabs WHERE id = ?", (tab_id,)).fetchone()
    if tab is None or shown_status(tab, bank.now()) != "WAITING_FOR_PAYMENT":
        raise bad_request(f'Field "bunqme_tab_id": {tab_id} is no bunq.me tab WAITING_FOR_PAYMENT.')
    if (tab["amount_cents"] or cents) is None:
        raise bad_request('Field "amount" is required: this tab lets the payer choose the amount.')
    owner_account, owner = account_and_owner(db, tab["account_id"])
    to = {"type": "IBAN", "value": owner_account["iban"], "name": owner["display_name"]}
    order = PaymentOrder(tab["amount_cents"] or cents, tab["currency"], tab["description"], to)
    payment_id = transfer(bank, db, payer, account_and_owner(db, payer["id"])[1], order)
    [received] = db.execute(
        "SELECT MAX(id) FROM payments WHERE account_id = ?", (owner_account["id"],)
    ).fetchone()
    now = bank.now()
    columns = {"tab_id": tab_id, "account_id": payer["id"], "payment_id": payment_id}
    row_id = insert_row(
        db, "bunqme_tab_results", {**columns, "inquiry_payment_id": received, "created": now, "updated": now}
    )
    bank.events.record(db, RESULT_KIND, row_id, user_id=payer["user_id"], account_id=payer["id"])
    bank.events.updated(db, "BunqMeTab", tab_id, owner["id"], owner_account["id"])
    return row_id
