"""Seeded scenarios: a known state to start a test or a demo from, made in one step.

Loading a scenario wipes the state (as ``reset`` does) and makes:

- ``two-friends``: Sandy (UserPerson) and Noor (UserPerson), 500 EUR each from an outside IBAN;
  Sandy paid Noor 12.50 and Noor paid Sandy 7.25 (so each appears in the other's payments), and
  Noor has asked Sandy for 20.00 (a pending RequestInquiry / RequestResponse);
- ``busy-account``: one UserPerson whose account has 300 payments (salary in, rent, groceries and
  coffee out) spread over the past 300 hours, for pagination (``count``, ``older_id``, ``newer_id``);
- ``company``: a UserCompany (Sandbox Trading B.V.) with 2500 EUR on its account.

Each user gets an API key, returned by the load (``users``: name, user id, account id, IBAN, API
key), so a test can make its API context with it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .bank.inquiries import InquiryOrder, insert_inquiry
from .bank.ledger import credit, insert_payment
from .bank.transfers import PaymentOrder, transfer
from .bunq_errors import bad_request
from .endpoints.handshake import create_sandbox_user_company, create_sandbox_user_person
from .request import Request
from .routing import Caller, HandlerContext

OUTSIDE = {"type": "IBAN", "value": "NL44RABO0123456789", "name": "Outside Sender"}
Scenario = Callable[[HandlerContext], list[dict[str, Any]]]
SCENARIOS: dict[str, Scenario] = {}


def scenario(name: str) -> Callable[[Scenario], Scenario]:
    """Register a scenario under its name."""

    def register(function: Scenario) -> Scenario:
        SCENARIOS[name] = function
        return function

    return register


def describe() -> list[dict[str, str]]:
    """Every scenario with the first line of its docstring."""
    return [
        {"name": name, "makes": (f.__doc__ or "").strip().splitlines()[0]}
        for name, f in sorted(SCENARIOS.items())
    ]


def load_scenario(ctx: HandlerContext, name: str) -> dict[str, Any]:
    """Wipe the state and make scenario ``name``; answers its users and their API keys."""
    function = SCENARIOS.get(name)
    if function is None:
        raise bad_request(
            f"There is no scenario {name!r}; the scenarios are: {', '.join(sorted(SCENARIOS))}."
        )
    ctx.store.reset()
    return {"scenario": name, "users": function(ctx)}


def new_user(ctx: HandlerContext, company: bool = False) -> dict[str, Any]:
    """A sandbox user with an empty EUR account and an API key, as POST sandbox-user-person makes it."""
    make = create_sandbox_user_company if company else create_sandbox_user_person
    request = Request("POST", "/v1/sandbox-user", {}, {}, b"", "127.0.0.1")
    api_key = make(ctx, request, Caller(), {}).items[0]["ApiKey"]["api_key"]
    db = ctx.store.read()
    row = db.execute(
        "SELECT u.*, a.id AS account_id, a.iban FROM credentials c JOIN users u ON u.id = c.user_id"
        " JOIN accounts a ON a.user_id = u.id WHERE c.api_key = ? ORDER BY a.id LIMIT 1",
        (api_key,),
    ).fetchone()
    return {
        "name": row["display_name"],
        "user_id": row["id"],
        "account_id": row["account_id"],
        "iban": row["iban"],
        "api_key": api_key,
    }


def _receive(ctx: HandlerContext, db, account_id: int, cents: int, description: str, when: float) -> None:
    balance = credit(db, account_id, cents, when)
    payment_id = insert_payment(db, account_id, cents, "EUR", description, OUTSIDE, "SCT", balance, when)
    db.execute("UPDATE payments SET type = 'EBA_SCT' WHERE id = ?", (payment_id,))


@scenario("two-friends")
def two_friends(ctx: HandlerContext) -> list[dict[str, Any]]:
    """Two people who know each other: payments both ways and a pending request."""
    sandy, noor = new_user(ctx), new_user(ctx)
    now = ctx.now()
    with ctx.store.transaction() as db:
        for person in (sandy, noor):
            _receive(ctx, db, person["account_id"], 50_000, "Starting balance", now)
        rows = {p["user_id"]: p for p in (sandy, noor)}
        users = {uid: db.execute("SELECT * FROM users WHERE id = ?", (uid,)).fetchone() for uid in rows}
        accounts = {
            p["user_id"]: db.execute("SELECT * FROM accounts WHERE id = ?", (p["account_id"],)).fetchone()
            for p in (sandy, noor)
        }
        for payer, payee, cents, text in (
            (sandy, noor, 1250, "Cinema tickets"),
            (noor, sandy, 725, "Coffee and cake"),
        ):
            pointer = {"type": "IBAN", "value": payee["iban"], "name": payee["name"]}
            transfer(
                ctx,
                db,
                accounts[payer["user_id"]],
                users[payer["user_id"]],
                PaymentOrder(cents, "EUR", text, pointer),
            )
        ask = InquiryOrder(
            2000,
            "EUR",
            "Concert tickets",
            {"type": "IBAN", "value": sandy["iban"], "name": sandy["name"]},
            False,
            False,
        )
        insert_inquiry(ctx.bank, db, accounts[noor["user_id"]], users[noor["user_id"]], ask)
    return [sandy, noor]


_BUSY = (
    ("Salary", 250_000),
    ("Rent", -95_000),
    ("Groceries", -6_480),
    ("Coffee", -350),
    ("Groceries", -4_215),
)


@scenario("busy-account")
def busy_account(ctx: HandlerContext) -> list[dict[str, Any]]:
    """One account with 300 payments over the past 300 hours, for pagination."""
    person = new_user(ctx)
    now = ctx.now()
    with ctx.store.transaction() as db:
        for index in range(300):
            when = now - (300 - index) * 3600
            description, cents = _BUSY[index % len(_BUSY)]
            if cents > 0:
                _receive(ctx, db, person["account_id"], cents, description, when)
                continue
            balance = credit(db, person["account_id"], cents, when)
            shop = {"type": "IBAN", "value": "NL91ABNA0417164300", "name": f"{description} shop"}
            insert_payment(
                db, person["account_id"], cents, "EUR", description, shop, "PAYMENT", balance, when
            )
    return [person]


@scenario("company")
def company(ctx: HandlerContext) -> list[dict[str, Any]]:
    """A company user (UserCompany) with 2500 EUR on its account."""
    business = new_user(ctx, company=True)
    with ctx.store.transaction() as db:
        _receive(ctx, db, business["account_id"], 250_000, "Share capital", ctx.now())
    return [business]
