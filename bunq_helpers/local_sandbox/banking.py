"""What a tutorial does with a session: the user, its monetary accounts, money and payments.

Sandbox money comes from ``sugardaddy@bunq.com``: a request-inquiry to it of up to 500 EUR is
accepted and credited ``sugardaddy_delay`` seconds later (the real sandbox answers "shortly
after"). Credits are settled when the account or its lists are next read, so no background thread
is needed and two sandboxes on one state directory agree. A payment must be signed (bunq enforces
that), must fit in the balance, and credits the counterparty too when it is an account here.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from .body import (
    cents_to_value,
    parse_object,
    required_amount,
    required_pointer,
    required_string,
)
from .bunq_errors import bad_request, not_found
from .objects import (
    SUGAR_DADDY_EMAIL,
    SUGAR_DADDY_IBAN,
    SUGAR_DADDY_NAME,
    account_object,
    payment_object,
    request_inquiry_object,
    user_object,
    user_wrapper_name,
)
from .pagination import paginate
from .routing import Caller, Context, Reply
from .wire import Request

SUGAR_DADDY_MAX_CENTS = 50_000
ACCOUNT_WRAPPER = "MonetaryAccountBank"


def _own_user(caller: Caller, ids: dict[str, int]) -> sqlite3.Row:
    if ids["user_id"] != caller.user["id"]:
        raise not_found("User", ids["user_id"])
    return caller.user


def _own_account(ctx: Context, caller: Caller, ids: dict[str, int]) -> sqlite3.Row:
    user = _own_user(caller, ids)
    settle_sugar_daddy(ctx, user["id"])
    account = (
        ctx.store.read()
        .execute("SELECT * FROM accounts WHERE id = ? AND user_id = ?", (ids["account_id"], user["id"]))
        .fetchone()
    )
    if account is None:
        raise not_found("MonetaryAccount", ids["account_id"])
    return account


def settle_sugar_daddy(ctx: Context, user_id: int) -> None:
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
            balance = _credit(db, inquiry["account_id"], inquiry["amount_cents"], now)
            db.execute(
                "INSERT INTO payments (account_id, amount_cents, currency, description, counterparty,"
                " type, sub_type, balance_after_cents, created, updated)"
                " VALUES (?, ?, ?, ?, ?, 'BUNQ', 'REQUEST', ?, ?, ?)",
                (
                    inquiry["account_id"],
                    inquiry["amount_cents"],
                    inquiry["currency"],
                    inquiry["description"],
                    inquiry["counterparty"],
                    balance,
                    now,
                    now,
                ),
            )
            db.execute(
                "UPDATE request_inquiries SET status = 'ACCEPTED', updated = ? WHERE id = ?",
                (now, inquiry["id"]),
            )


def _credit(db: sqlite3.Connection, account_id: int, cents: int, now: float) -> int:
    db.execute(
        "UPDATE accounts SET balance_cents = balance_cents + ?, updated = ? WHERE id = ?",
        (cents, now, account_id),
    )
    return int(db.execute("SELECT balance_cents FROM accounts WHERE id = ?", (account_id,)).fetchone()[0])


def list_users(ctx: Context, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """GET user: the session's user, wrapped as UserPerson or UserCompany."""
    return Reply([{user_wrapper_name(caller.user): _user_view(caller)}])


def read_user(ctx: Context, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """GET user/{id}."""
    _own_user(caller, ids)
    return Reply([{user_wrapper_name(caller.user): _user_view(caller)}])


def _user_view(caller: Caller) -> dict[str, Any]:
    return user_object(caller.user, session_timeout=caller.session["timeout"])


def _accounts(ctx: Context, user: sqlite3.Row) -> list[dict[str, Any]]:
    settle_sugar_daddy(ctx, user["id"])
    rows = (
        ctx.store.read()
        .execute("SELECT * FROM accounts WHERE user_id = ? ORDER BY id DESC", (user["id"],))
        .fetchall()
    )
    return [account_object(row, user) for row in rows]


def list_accounts(ctx: Context, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """GET user/{id}/monetary-account and …/monetary-account-bank."""
    return paginate(request, _accounts(ctx, _own_user(caller, ids)), ACCOUNT_WRAPPER)


def read_account(ctx: Context, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """GET user/{id}/monetary-account[-bank]/{id}."""
    account = _own_account(ctx, caller, ids)
    return Reply([{ACCOUNT_WRAPPER: account_object(account, caller.user)}])


def create_request_inquiry(ctx: Context, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """POST …/request-inquiry: ask for money; sugardaddy@bunq.com pays up to 500 EUR shortly after."""
    account = _own_account(ctx, caller, ids)
    body = parse_object(request.body)
    cents, currency = required_amount(body, "amount_inquired")
    pointer = required_pointer(body, "counterparty_alias")
    description = required_string(body, "description", max_length=140)
    allow_bunqme = body.get("allow_bunqme", False)
    if not isinstance(allow_bunqme, bool):
        raise bad_request('Field "allow_bunqme" must be true or false.')
    is_sugar_daddy = pointer["type"] == "EMAIL" and pointer["value"].lower() == SUGAR_DADDY_EMAIL
    if is_sugar_daddy and cents > SUGAR_DADDY_MAX_CENTS:
        raise bad_request(
            f"You can request at most {cents_to_value(SUGAR_DADDY_MAX_CENTS)} EUR from "
            f"{SUGAR_DADDY_EMAIL} at a time; you asked for {cents_to_value(cents)} EUR."
        )
    if is_sugar_daddy:
        pointer = {**pointer, "name": SUGAR_DADDY_NAME, "iban": SUGAR_DADDY_IBAN}
    now = ctx.now()
    with ctx.store.transaction() as db:
        inquiry_id = db.execute(
            "INSERT INTO request_inquiries (account_id, amount_cents, currency, description,"
            " counterparty, status, credit_at, created, updated)"
            " VALUES (?, ?, ?, ?, ?, 'PENDING', ?, ?, ?)",
            (
                account["id"],
                cents,
                currency,
                description,
                json.dumps(pointer),
                now + ctx.options.sugardaddy_delay,
                now,
                now,
            ),
        ).lastrowid
    return Reply([{"Id": {"id": inquiry_id}}])


def list_request_inquiries(ctx: Context, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """GET …/request-inquiry."""
    account = _own_account(ctx, caller, ids)
    rows = (
        ctx.store.read()
        .execute("SELECT * FROM request_inquiries WHERE account_id = ?", (account["id"],))
        .fetchall()
    )
    items = [request_inquiry_object(row, account, caller.user) for row in rows]
    return paginate(request, items, "RequestInquiry")


def read_request_inquiry(ctx: Context, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """GET …/request-inquiry/{id}."""
    account = _own_account(ctx, caller, ids)
    row = (
        ctx.store.read()
        .execute(
            "SELECT * FROM request_inquiries WHERE id = ? AND account_id = ?",
            (ids["inquiry_id"], account["id"]),
        )
        .fetchone()
    )
    if row is None:
        raise not_found("RequestInquiry", ids["inquiry_id"])
    return Reply([{"RequestInquiry": request_inquiry_object(row, account, caller.user)}])


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


def create_payment(ctx: Context, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """POST …/payment (signed): pay from this account; the balance must cover it."""
    account = _own_account(ctx, caller, ids)
    body = parse_object(request.body)
    cents, currency = required_amount(body, "amount")
    pointer = required_pointer(body, "counterparty_alias")
    description = required_string(body, "description", max_length=140)
    now = ctx.now()
    with ctx.store.transaction() as db:
        balance = db.execute("SELECT balance_cents FROM accounts WHERE id = ?", (account["id"],)).fetchone()[
            0
        ]
        if balance < cents:
            raise bad_request(
                f"The balance of monetary account {account['id']} ({cents_to_value(balance)} EUR) "
                f"does not cover this payment of {cents_to_value(cents)} EUR."
            )
        target = _local_account_for(db, pointer)
        if target is not None and target["id"] == account["id"]:
            raise bad_request('Field "counterparty_alias" points at the paying account itself.')
        balance_after = _credit(db, account["id"], -cents, now)
        payment_id = db.execute(
            "INSERT INTO payments (account_id, amount_cents, currency, description, counterparty,"
            " type, sub_type, balance_after_cents, created, updated)"
            " VALUES (?, ?, ?, ?, ?, 'BUNQ', 'PAYMENT', ?, ?, ?)",
            (
                account["id"],
                -cents,
                currency,
                description,
                json.dumps({**pointer, "iban": target["iban"] if target else None}),
                balance_after,
                now,
                now,
            ),
        ).lastrowid
        if target is not None:
            payer = {"type": "IBAN", "value": account["iban"], "name": caller.user["display_name"]}
            target_balance = _credit(db, target["id"], cents, now)
            db.execute(
                "INSERT INTO payments (account_id, amount_cents, currency, description, counterparty,"
                " type, sub_type, balance_after_cents, created, updated)"
                " VALUES (?, ?, ?, ?, ?, 'BUNQ', 'PAYMENT', ?, ?, ?)",
                (target["id"], cents, currency, description, json.dumps(payer), target_balance, now, now),
            )
    return Reply([{"Id": {"id": payment_id}}])


def list_payments(ctx: Context, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """GET …/payment: newest first, paginated."""
    account = _own_account(ctx, caller, ids)
    rows = (
        ctx.store.read().execute("SELECT * FROM payments WHERE account_id = ?", (account["id"],)).fetchall()
    )
    return paginate(request, [payment_object(row, account, caller.user) for row in rows], "Payment")


def read_payment(ctx: Context, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """GET …/payment/{id}."""
    account = _own_account(ctx, caller, ids)
    row = (
        ctx.store.read()
        .execute("SELECT * FROM payments WHERE id = ? AND account_id = ?", (ids["payment_id"], account["id"]))
        .fetchone()
    )
    if row is None:
        raise not_found("Payment", ids["payment_id"])
    return Reply([{"Payment": payment_object(row, account, caller.user)}])
