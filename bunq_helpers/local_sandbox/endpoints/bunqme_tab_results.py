"""``bunqme-tab-result-response``: a bunq.me tab paid from one of the caller's accounts (read), and the
tab's ``result_inquiries`` on the other side (``bunqme_tabs.tab_object``).

bunq: "a TabResultResponse is an object that holds details on a tab which has been paid from the provided
monetary account". A bunq user pays a tab on bunq.me's page, which no call of bunq's API does; the
stand-in is ``/_sandbox/trigger/bunqme-tab-payment`` (``pay_tab``): a payment from the payer's account to
the tab's (the tab's amount, or ``amount`` for a tab without one), the result with its event on the
payer's side (shown with its id, which bunq's spec leaves out: see ``divergences``) and a ``BunqMeTab`` UPDATE on the owner's. Only a tab
WAITING_FOR_PAYMENT takes payments; it stays so (a link may be paid by several people).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from ..bank.core import Bank, insert_row
from ..bank.ledger import account_and_owner
from ..bank.transfers import PaymentOrder, payment_for_event, transfer
from ..bunq_errors import bad_request
from ..events import renders
from ..kit import ACCOUNT, Owned, plain_family
from .bunqme_tabs import shown_status

RESULT = Owned("bunqme_tab_results", "BunqMeTabResultResponse", parent=ACCOUNT, link="account_id")


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
        db, RESULT.table, {**columns, "inquiry_payment_id": received, "created": now, "updated": now}
    )
    bank.events.record(db, RESULT.kind, row_id, user_id=payer["user_id"], account_id=payer["id"])
    bank.events.updated(db, "BunqMeTab", tab_id, owner["id"], owner_account["id"])
    return row_id


def _render(db: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    return {"id": row["id"], "payment": payment_for_event(db, row["payment_id"])["Payment"]}


@renders(RESULT.kind)
def result_for_event(db: sqlite3.Connection, result_id: int) -> dict | None:
    """The result as the payer's event shows it."""
    row = db.execute("SELECT * FROM bunqme_tab_results WHERE id = ?", (result_id,)).fetchone()
    return {RESULT.kind: _render(db, row)} if row is not None else None


ROUTES = plain_family(RESULT, read_op="READ_BunqmeTabResultResponse_for_User_MonetaryAccount", render=_render)
