"""Sandbox money: ``sugardaddy@bunq.com`` pays requests of up to 500 EUR ``sugardaddy_delay`` seconds later.

Credits are settled when the account or its lists are next read, so no background thread is
needed and two sandboxes on one state directory agree.
"""

from __future__ import annotations

import json

from ..render import SUGAR_DADDY_EMAIL
from ..routing import HandlerContext
from .ledger import credit, insert_payment

SUGAR_DADDY_MAX_CENTS = 50_000


def settle_sugar_daddy(ctx: HandlerContext, user_id: int) -> None:
    """Credit every accepted-but-unpaid sugardaddy request whose time has come."""
    now = ctx.now()
    due_query = (
        "SELECT r.* FROM request_inquiries r JOIN accounts a ON a.id = r.account_id"
        " WHERE a.user_id = ? AND r.status = 'PENDING' AND r.credit_at <= ? ORDER BY r.id"
    )
    if not ctx.store.read().execute(due_query, (user_id, now)).fetchone():
        return
    with ctx.store.transaction() as db:
        for inquiry in db.execute(due_query, (user_id, now)).fetchall():
            if json.loads(inquiry["counterparty"])["value"].lower() != SUGAR_DADDY_EMAIL:
                continue
            balance = credit(db, inquiry["account_id"], inquiry["amount_cents"], now)
            counterparty = json.loads(inquiry["counterparty"])
            payment_id = insert_payment(
                db,
                inquiry["account_id"],
                inquiry["amount_cents"],
                inquiry["currency"],
                inquiry["description"],
                counterparty,
                "REQUEST",
                balance,
                now,
            )
            ctx.events.record(db, "Payment", payment_id, user_id=user_id, account_id=inquiry["account_id"])
            db.execute(
                "UPDATE request_inquiries SET status = 'ACCEPTED', updated = ? WHERE id = ?",
                (now, inquiry["id"]),
            )
            ctx.events.record(
                db,
                "RequestInquiry",
                inquiry["id"],
                user_id=user_id,
                account_id=inquiry["account_id"],
                action="UPDATE",
            )
