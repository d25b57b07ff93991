"""Sandbox money: ``sugardaddy@bunq.com`` answers requests ``sugardaddy_delay`` seconds after they are made.

As bunq's sandbox documents it, sugar daddy accepts requests of up to 500 EUR (and pays them) and
rejects larger ones; either way the request itself was answered with just its id, so the learner
finds out by reading the request or the balance again. Answers are settled when the account or its
lists are next read (``settlement.py``).
"""

from __future__ import annotations

import json

from ..render import SUGAR_DADDY_EMAIL
from .core import Bank
from .ledger import credit, insert_payment

SUGAR_DADDY_MAX_CENTS = 50_000

_DUE = (
    "SELECT r.* FROM request_inquiries r JOIN accounts a ON a.id = r.account_id"
    " WHERE a.user_id = ? AND r.status = 'PENDING' AND r.credit_at <= ?"
    " AND lower(json_extract(r.counterparty, '$.value')) = ? ORDER BY r.id"
)


def settle_sugar_daddy(ctx: Bank, user_id: int) -> None:
    """Answer every pending sugar daddy request of this user whose time has come."""
    now = ctx.now()
    if not ctx.store.read().execute(_DUE, (user_id, now, SUGAR_DADDY_EMAIL)).fetchone():
        return
    with ctx.store.transaction() as db:
        for inquiry in db.execute(_DUE, (user_id, now, SUGAR_DADDY_EMAIL)).fetchall():
            status = "ACCEPTED" if inquiry["amount_cents"] <= SUGAR_DADDY_MAX_CENTS else "REJECTED"
            if status == "ACCEPTED":
                balance = credit(db, inquiry["account_id"], inquiry["amount_cents"], now)
                payment_id = insert_payment(
                    db,
                    inquiry["account_id"],
                    inquiry["amount_cents"],
                    inquiry["currency"],
                    inquiry["description"],
                    json.loads(inquiry["counterparty"]),
                    "REQUEST",
                    balance,
                    now,
                )
                ctx.events.record(
                    db, "Payment", payment_id, user_id=user_id, account_id=inquiry["account_id"]
                )
            db.execute(
                "UPDATE request_inquiries SET status = ?, updated = ? WHERE id = ?",
                (status, now, inquiry["id"]),
            )
            ctx.events.record(
                db,
                "RequestInquiry",
                inquiry["id"],
                user_id=user_id,
                account_id=inquiry["account_id"],
                action="UPDATE",
            )
