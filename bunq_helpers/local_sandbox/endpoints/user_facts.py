"""What bunq works out about a user, read-only: ``limit``, ``legal-name``, ``insights``, ``insights-search``,
``insight-preference-date``, ``billing-contract-subscription``, ``feature-announcement``; and the
service's own ``health-check`` and ``server-error``.

Everything is computed from the sandbox's state when asked, so it follows what the user does:
- ``limit``: the 25 accounts a user may open (the limit ``monetary-account-bank`` enforces), how many
  remain, and what was paid to others this calendar month (UTC).
- ``legal-name``: the user's name as registered (a person's first and last name, a company's name).
- ``insights``: outgoing payments in ``time_start``..``time_end`` (query, ``YYYY-MM-DD[ HH:MM:SS]``;
  default: this month), totalled per category. Stand-in: bunq categorises by merchant, which a sandbox
  lacks, so the category is the payment's sub-type (``PAYMENT``, ``REQUEST``, ``SCHEDULED`` ...).
- ``insights-search``: the events of those payments, as ``event`` shows them (the SDK reads ``Event``).
- ``insight-preference-date``: day 1 (bunq's default; the sandbox has no way to change it).
- ``billing-contract-subscription``: one active contract from the day the user was made. Stand-in:
  sandbox users pay nothing; the plan named is ``PERSON_FREE`` (``COMPANY_FREE`` for companies).
- ``feature-announcement/{id}``: one announcement exists, id 1, saying this is the local sandbox.
- ``health-check`` (no session needed): ``OK`` when the database answers, wrapped as bunq's SDK reads
  it (``HealthCheckResult`` holding ``HealthResult``; the spec names only the inner wrapper).
- ``server-error``: bunq's endpoint "that will always throw an error" (its spec): a signed 500 in
  bunq's error shape, so a client's handling of bunq's 5xx can be tried.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Any

from ..amounts import amount
from ..bunq_errors import BunqError, bad_request, not_found
from ..kit import op, own_user
from ..pagination import paginate
from ..render import timestamp
from ..request import Request
from ..routing import Auth, Caller, HandlerContext, Reply
from .monetary_accounts import MAX_ACCOUNTS
from .user_events import event_object

FEATURES = {1: {"title": "Local sandbox", "sub_title": "bunq's API on your laptop", "type": "FEATURE"}}
SERVER_ERROR = "An error occurred on purpose: this endpoint always answers one (bunq's server-error)."


def _month_start(now: float) -> float:
    today = dt.datetime.fromtimestamp(now, dt.UTC)
    return dt.datetime(today.year, today.month, 1, tzinfo=dt.UTC).timestamp()


def _time(request: Request, name: str, default: float) -> float:
    text = request.query.get(name)
    if text is None:
        return default
    for layout in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text[:19], layout).replace(tzinfo=dt.UTC).timestamp()
        except ValueError:
            continue
    raise bad_request(
        f'Query parameter "{name}" must be a date such as "2027-01-31" or "2027-01-31 23:59:59".'
    )


def _paid_out(db: sqlite3.Connection, user_id: int, start: float, end: float) -> list[sqlite3.Row]:
    """The user's outgoing payments booked in [start, end)."""
    return db.execute(
        "SELECT p.* FROM payments p JOIN accounts a ON a.id = p.account_id"
        " WHERE a.user_id = ? AND p.amount_cents < 0 AND p.created >= ? AND p.created < ? ORDER BY p.id",
        (user_id, start, end),
    ).fetchall()


def limits(ctx: HandlerContext, request: Request, caller: Caller, ids: dict) -> Reply:
    """GET user/{id}/limit."""
    user, db, now = own_user(caller, ids), ctx.store.read(), ctx.now()
    opened = db.execute("SELECT COUNT(*) FROM accounts WHERE user_id = ?", (user["id"],)).fetchone()[0]
    spent = -sum(row["amount_cents"] for row in _paid_out(db, user["id"], _month_start(now), now + 1))
    limit = {
        "limit_monetary_account": MAX_ACCOUNTS,
        "limit_monetary_account_remaining": max(MAX_ACCOUNTS - opened, 0),
        "spent_amount_monthly": amount(spent),
    }
    return Reply([{"CustomerLimit": limit}])


def legal_names(ctx: HandlerContext, request: Request, caller: Caller, ids: dict) -> Reply:
    """GET user/{id}/legal-name."""
    user = own_user(caller, ids)
    names = [user["name"]] if user["kind"] == "UserCompany" else [f"{user['first_name']} {user['last_name']}"]
    return Reply([{"UserLegalNameArray": {"legal_names": names}}])


def _period(ctx: HandlerContext, request: Request) -> tuple[float, float]:
    now = ctx.now()
    return _time(request, "time_start", _month_start(now)), _time(request, "time_end", now + 1)


def insights(ctx: HandlerContext, request: Request, caller: Caller, ids: dict) -> Reply:
    """GET user/{id}/insights: outgoing payments in the period, totalled per category."""
    user = own_user(caller, ids)
    totals: dict[str, list[int]] = {}
    for row in _paid_out(ctx.store.read(), user["id"], *_period(ctx, request)):
        total = totals.setdefault(row["sub_type"], [0, 0])
        total[0] -= row["amount_cents"]
        total[1] += 1
    items = [
        {
            "category": category,
            "category_translated": category.replace("_", " ").title(),
            "amount_total": amount(cents),
            "number_of_transactions": count,
        }
        for category, (cents, count) in sorted(totals.items(), key=lambda pair: -pair[1][0])
    ]
    return Reply([{"InsightCategory": item} for item in items])


def insight_events(ctx: HandlerContext, request: Request, caller: Caller, ids: dict) -> Reply:
    """GET user/{id}/insights-search: the events of the period's outgoing payments, newest first."""
    user, db = own_user(caller, ids), ctx.store.read()
    payments = [row["id"] for row in _paid_out(db, user["id"], *_period(ctx, request))]
    rows = db.execute(
        f"SELECT * FROM events WHERE user_id = ? AND object_kind = 'Payment' AND action = 'CREATE'"  # noqa: S608
        f" AND object_id IN ({', '.join('?' * len(payments))})",
        (user["id"], *payments),
    ).fetchall()
    return paginate(request, [event_object(db, row) for row in rows], "Event")


def preference_date(ctx: HandlerContext, request: Request, caller: Caller, ids: dict) -> Reply:
    """GET user/{id}/insight-preference-date."""
    own_user(caller, ids)
    return Reply([{"InsightPreferenceDate": {"day_of_month": 1}}])


def billing(ctx: HandlerContext, request: Request, caller: Caller, ids: dict) -> Reply:
    """GET user/{id}/billing-contract-subscription."""
    user = own_user(caller, ids)
    plan = "COMPANY_FREE" if user["kind"] == "UserCompany" else "PERSON_FREE"
    contract = {
        "id": user["id"],
        "created": timestamp(user["created"]),
        "updated": timestamp(user["created"]),
        "contract_date_start": timestamp(user["created"])[:10],
        "contract_date_end": None,
        "contract_version": 1,
        "subscription_type": plan,
        "status": "ACTIVE",
        "sub_status": "NONE",
    }
    return Reply([{"BillingContractSubscription": contract}])


def feature(ctx: HandlerContext, request: Request, caller: Caller, ids: dict) -> Reply:
    """GET user/{id}/feature-announcement/{id}."""
    own_user(caller, ids)
    if ids["item_id"] not in FEATURES:
        raise not_found("FeatureAnnouncement", ids["item_id"])
    return Reply([{"FeatureAnnouncement": FEATURES[ids["item_id"]]}])


def health(ctx: HandlerContext, request: Request, caller: Caller, ids: dict) -> Reply:
    """GET health-check: the database answers, or the check says which part failed."""
    try:
        ctx.store.read().execute("SELECT 1").fetchone()
        database = "OK"
    except sqlite3.Error:
        database = "FAILED"
    entries: list[dict[str, Any]] = [{"type": "DATABASE", "status": database}]
    return Reply([{"HealthCheckResult": {"HealthResult": {"status": database, "allEntry": entries}}}])


def server_error(ctx: HandlerContext, request: Request, caller: Caller, ids: dict) -> Reply:
    """POST server-error: always bunq's 500."""
    raise BunqError(500, SERVER_ERROR)


ROUTES = [
    op("List_all_Limit_for_User", limits),
    op("List_all_LegalName_for_User", legal_names),
    op("List_all_Insights_for_User", insights),
    op("List_all_InsightsSearch_for_User", insight_events),
    op("List_all_InsightPreferenceDate_for_User", preference_date),
    op("List_all_BillingContractSubscription_for_User", billing),
    op("READ_FeatureAnnouncement_for_User", feature),
    op("List_all_HealthCheck", health, auth=Auth.NONE),
    op("CREATE_ServerError", server_error),
]
