"""Payments: ``payment`` create (signed; the balance must cover it), list and read.

A payment to an IBAN or e-mail address of another sandbox account credits that account too.
"""

from __future__ import annotations

import sqlite3

from ..amounts import cents_to_value
from ..bunq_errors import bad_request, not_found
from ..events import renders
from ..http_io import Request
from ..pagination import paginate
from ..render import payment_object
from ..routing import Auth, Caller, HandlerContext, Reply, Route
from ..validation import parse_object, required_amount, required_pointer, required_string
from .ledger import credit, insert_payment
from .lookups import own_account, payable_account, require_active
from .monetary_accounts import ACCOUNT, check_daily_limit


def _local_account_for(db: sqlite3.Connection, pointer: dict[str, str]) -> sqlite3.Row | None:
    if pointer["type"] == "IBAN":
        return db.execute(
            "SELECT * FROM accounts WHERE iban = ?", (pointer["value"].replace(" ", "").upper(),)
        ).fetchone()
    if pointer["type"] == "EMAIL":
        return db.execute(
            "SELECT a.* FROM accounts a JOIN users u ON u.id = a.user_id WHERE lower(u.email) = ?"
            " ORDER BY a.id LIMIT 1",
            (pointer["value"].lower(),),
        ).fetchone()
    return None


def create_payment(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """POST …/payment (signed): pay from this account; the balance must cover it."""
    account = payable_account(ctx, caller, ids)
    body = parse_object(request.body)
    cents, currency = required_amount(body, "amount")
    pointer = required_pointer(body, "counterparty_alias")
    description = required_string(body, "description", max_length=140)
    now = ctx.now()
    with ctx.store.transaction() as db:
        current = db.execute("SELECT * FROM accounts WHERE id = ?", (account["id"],)).fetchone()
        require_active(current)
        balance = current["balance_cents"]
        if balance < cents:
            raise bad_request(
                f"The balance of monetary account {account['id']} ({cents_to_value(balance)} EUR) "
                f"does not cover this payment of {cents_to_value(cents)} EUR."
            )
        check_daily_limit(db, account["id"], cents, now)
        target = _local_account_for(db, pointer)
        if target is not None and target["id"] == account["id"]:
            raise bad_request('Field "counterparty_alias" points at the paying account itself.')
        if target is not None:
            require_active(target, "The counterparty's monetary account")
        balance_after = credit(db, account["id"], -cents, now)
        counterparty = {**pointer, "iban": target["iban"] if target else None}
        payment_id = insert_payment(
            db, account["id"], -cents, currency, description, counterparty, "PAYMENT", balance_after, now
        )
        ctx.events.record(db, "Payment", payment_id, user_id=caller.user["id"], account_id=account["id"])
        if target is not None:
            payer = {"type": "IBAN", "value": account["iban"], "name": caller.user["display_name"]}
            target_balance = credit(db, target["id"], cents, now)
            received_id = insert_payment(
                db, target["id"], cents, currency, description, payer, "PAYMENT", target_balance, now
            )
            ctx.events.record(db, "Payment", received_id, user_id=target["user_id"], account_id=target["id"])
    return Reply([{"Id": {"id": payment_id}}])


def list_payments(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """GET …/payment: newest first, paginated."""
    account = own_account(ctx, caller, ids)
    rows = (
        ctx.store.read().execute("SELECT * FROM payments WHERE account_id = ?", (account["id"],)).fetchall()
    )
    return paginate(request, [payment_object(row, account, caller.user) for row in rows], "Payment")


def read_payment(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """GET …/payment/{id}."""
    account = own_account(ctx, caller, ids)
    row = (
        ctx.store.read()
        .execute("SELECT * FROM payments WHERE id = ? AND account_id = ?", (ids["payment_id"], account["id"]))
        .fetchone()
    )
    if row is None:
        raise not_found("Payment", ids["payment_id"])
    return Reply([{"Payment": payment_object(row, account, caller.user)}])


@renders("Payment")
def payment_for_event(db: sqlite3.Connection, payment_id: int) -> dict | None:
    """A payment as an event shows it, seen from the account it was booked on."""
    row = db.execute("SELECT * FROM payments WHERE id = ?", (payment_id,)).fetchone()
    if row is None:
        return None
    account = db.execute("SELECT * FROM accounts WHERE id = ?", (row["account_id"],)).fetchone()
    user = db.execute("SELECT * FROM users WHERE id = ?", (account["user_id"],)).fetchone()
    return {"Payment": payment_object(row, account, user)}


ROUTES = [
    Route("POST", ACCOUNT + "/payment", create_payment, Auth.SESSION, signature_required=True),
    Route("GET", ACCOUNT + "/payment", list_payments, Auth.SESSION),
    Route("GET", ACCOUNT + "/payment/{payment_id}", read_payment, Auth.SESSION),
]
