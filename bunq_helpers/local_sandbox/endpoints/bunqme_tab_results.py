"""``bunqme-tab-result-response``: a bunq.me tab paid from one of the caller's accounts (read), and the
tab's ``result_inquiries`` on the other side (``bunqme_tabs.tab_object``).

bunq: "a TabResultResponse is an object that holds details on a tab which has been paid from the provided
monetary account". A bunq user pays a tab on bunq.me's page, which no call of bunq's API does; the
stand-in is ``/_sandbox/trigger/bunqme-tab-payment`` (``bank.bunqme.pay_tab``): a payment from the payer's account to
the tab's (the tab's amount, or ``amount`` for a tab without one), the result with its event on the
payer's side (shown with its id, which bunq's spec leaves out: see ``divergences``) and a ``BunqMeTab`` UPDATE on the owner's. Only a tab
WAITING_FOR_PAYMENT takes payments; it stays so (a link may be paid by several people).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from ..bank.bunqme import RESULT_KIND
from ..bank.transfers import payment_for_event
from ..events import renders_rows
from ..kit import ACCOUNT, Owned, plain_family

RESULT = Owned("bunqme_tab_results", RESULT_KIND, parent=ACCOUNT, link="account_id")


def _render(db: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    return {"id": row["id"], "payment": payment_for_event(db, row["payment_id"])["Payment"]}


renders_rows(RESULT.kind, "bunqme_tab_results", _render)  # the result as the payer's event shows it


ROUTES = plain_family(RESULT, read_op="READ_BunqmeTabResultResponse_for_User_MonetaryAccount", render=_render)
