"""The first calls with a session: the user, the accounts, sandbox money, a signed payment.

Every function takes the client and the API context, sends one call with the session token (the
client signs it, as bunq's SDKs do for every call), and returns a small result with its exchange.
They do not renew the session by themselves: call ``ensure_session`` (``handshake``) first, as
bunq's SDKs do before every call, so it stays visible when a new session is opened.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from ..errors import UnexpectedResponseError, WaitTimeoutError
from .context import ApiContext
from .envelope import object_id, response_items, user_item
from .exchange import Exchange
from .transport import BunqClient

SUGAR_DADDY = {"type": "EMAIL", "value": "sugardaddy@bunq.com", "name": "Sugar Daddy"}
ACCOUNT_KINDS = (
    "MonetaryAccountBank",
    "MonetaryAccountSavings",
    "MonetaryAccountJoint",
    "MonetaryAccountExternal",
)


@dataclass(frozen=True)
class User:
    """The session's user."""

    kind: str
    id: int
    display_name: str
    data: dict[str, Any] = field(repr=False)
    exchange: Exchange = field(repr=False)

    def _repr_html_(self) -> str:
        return self.exchange.html()


@dataclass(frozen=True)
class MonetaryAccount:
    """One monetary account."""

    id: int
    description: str
    iban: str | None
    balance: Decimal
    currency: str
    status: str
    data: dict[str, Any] = field(repr=False)
    exchange: Exchange | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class Payment:
    """One payment, as seen from the account it was listed under."""

    id: int
    amount: Decimal
    currency: str
    description: str
    counterparty: str
    created: str


@dataclass(frozen=True)
class Listing:
    """A page of a list, with the exchange that fetched it."""

    items: list[Any]
    exchange: Exchange = field(repr=False)
    pagination: dict[str, Any] | None = field(default=None, repr=False)

    def _repr_html_(self) -> str:
        return self.exchange.html()


def get_user(client: BunqClient, context: ApiContext) -> User:
    """``GET /v1/user``: who this session belongs to."""
    exchange = client.request("GET", "user", token=context.session_token, title="Get user info")
    kind, data = user_item(exchange, 0)
    exchange.extracted.update(user_kind=kind, user_id=data.get("id"), display_name=data.get("display_name"))
    return User(kind, int(data["id"]), str(data.get("display_name", "")), data, exchange)


def _account(wrapper: dict[str, Any]) -> MonetaryAccount:
    kind = next((k for k in ACCOUNT_KINDS if k in wrapper), None)
    data = wrapper[kind] if kind else next(iter(wrapper.values()))
    iban = next((a["value"] for a in data.get("alias", []) if a.get("type") == "IBAN"), None)
    balance = data.get("balance") or {}
    return MonetaryAccount(
        id=int(data["id"]),
        description=str(data.get("description", "")),
        iban=iban,
        balance=Decimal(str(balance.get("value", "0"))),
        currency=str(balance.get("currency", "EUR")),
        status=str(data.get("status", "")),
        data=data,
    )


def list_monetary_accounts(client: BunqClient, context: ApiContext) -> Listing:
    """``GET /v1/user/{id}/monetary-account``: the user's accounts, newest first."""
    exchange = client.request(
        "GET",
        f"user/{context.user_id}/monetary-account",
        token=context.session_token,
        title="List monetary accounts",
    )
    accounts = [_account(item) for item in response_items(exchange)]
    if accounts:
        first = accounts[0]
        exchange.extracted.update(
            monetary_account_id=first.id, iban=first.iban, balance=f"{first.balance} {first.currency}"
        )
    return Listing(accounts, exchange, exchange.response_json().get("Pagination"))


def primary_account(client: BunqClient, context: ApiContext) -> MonetaryAccount:
    """The first ACTIVE account (what bunq's SDK calls the primary monetary account)."""
    listing = list_monetary_accounts(client, context)
    for account in listing.items:
        if account.status == "ACTIVE":
            return account
    raise UnexpectedResponseError("The user has no ACTIVE monetary account.", exchange=listing.exchange)


def get_monetary_account(client: BunqClient, context: ApiContext, account_id: int) -> MonetaryAccount:
    """``GET /v1/user/{id}/monetary-account/{id}``."""
    exchange = client.request(
        "GET",
        f"user/{context.user_id}/monetary-account/{account_id}",
        token=context.session_token,
        title="Get a monetary account",
    )
    return replace(_account(response_items(exchange)[0]), exchange=exchange)


def _create_on_account(
    client: BunqClient,
    context: ApiContext,
    account_id: int,
    endpoint: str,
    body: dict[str, Any],
    title: str,
    id_name: str,
) -> tuple[int, Exchange]:
    """POST to an endpoint under one of the user's accounts; return the new object's id and the exchange."""
    exchange = client.request(
        "POST",
        f"user/{context.user_id}/monetary-account/{account_id}/{endpoint}",
        body=body,
        token=context.session_token,
        title=title,
    )
    new_id = object_id(exchange)
    exchange.extracted[id_name] = new_id
    return new_id, exchange


def request_sandbox_money(
    client: BunqClient,
    context: ApiContext,
    account_id: int,
    amount: str = "100.00",
    description: str = "Money for the tutorial",
) -> tuple[int, Exchange]:
    """Ask ``sugardaddy@bunq.com`` for up to 500 EUR; it pays shortly after (sandboxes only)."""
    body = {
        "amount_inquired": {"value": amount, "currency": "EUR"},
        "counterparty_alias": SUGAR_DADDY,
        "description": description,
        "allow_bunqme": False,
    }
    return _create_on_account(
        client, context, account_id, "request-inquiry", body, "Request money", "request_inquiry_id"
    )


def wait_for_balance(
    client: BunqClient,
    context: ApiContext,
    account_id: int,
    at_least: Decimal | str,
    *,
    timeout: float = 10.0,
    interval: float = 0.5,
) -> MonetaryAccount:
    """Re-read the account until its balance reaches ``at_least`` (sandbox money takes a moment);
    ``WaitTimeoutError`` if it has not within ``timeout`` seconds."""
    target = Decimal(str(at_least))
    deadline = time.monotonic() + timeout
    while True:
        account = get_monetary_account(client, context, account_id)
        if account.balance >= target:
            return account
        if time.monotonic() >= deadline:
            raise WaitTimeoutError(
                f"Account {account_id} holds {account.balance} {account.currency} after {timeout:g} s, not "
                f"yet {target}: sandbox money can take longer (run this again), or the amount expected is "
                "more than was asked for."
            )
        time.sleep(interval)


def make_payment(
    client: BunqClient,
    context: ApiContext,
    account_id: int,
    amount: str,
    counterparty: dict[str, str],
    description: str,
) -> tuple[int, Exchange]:
    """``POST …/payment``: a payment, which bunq only accepts signed."""
    body = {
        "amount": {"value": amount, "currency": "EUR"},
        "counterparty_alias": counterparty,
        "description": description,
    }
    return _create_on_account(client, context, account_id, "payment", body, "Create a payment", "payment_id")


def list_payments(client: BunqClient, context: ApiContext, account_id: int, count: int = 10) -> Listing:
    """``GET …/payment``: the newest payments on an account."""
    exchange = client.request(
        "GET",
        f"user/{context.user_id}/monetary-account/{account_id}/payment?count={count}",
        token=context.session_token,
        title="List payments",
    )
    payments = []
    for item in response_items(exchange):
        data = item.get("Payment", {})
        amount = data.get("amount") or {}
        counterparty = data.get("counterparty_alias") or {}
        payments.append(
            Payment(
                id=int(data.get("id", 0)),
                amount=Decimal(str(amount.get("value", "0"))),
                currency=str(amount.get("currency", "EUR")),
                description=str(data.get("description", "")),
                counterparty=str(counterparty.get("display_name", "")),
                created=str(data.get("created", "")),
            )
        )
    return Listing(payments, exchange, exchange.response_json().get("Pagination"))
