"""Sandbox money for tests: a sandbox whose sugar daddy pays at once, and calls that move money."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from bunq_helpers.local_sandbox import LocalSandbox, SandboxOptions
from tests.conftest import Handshake, Raw


def instant_sandbox(tmp_path: Path) -> Iterator[LocalSandbox]:
    """A local sandbox whose sugar daddy pays without delay (``yield from`` it in a ``sandbox`` fixture)."""
    with LocalSandbox(tmp_path / "state", options=SandboxOptions(sugardaddy_delay=0)) as running:
        yield running


def account_path(done: Handshake, account_id: int | None = None) -> str:
    """``user/{id}/monetary-account/{id}`` of the handshake's user."""
    return f"user/{done.user_id}/monetary-account/{account_id or done.account_id}"


def fund(raw: Raw, done: Handshake, value: str, account_id: int | None = None) -> None:
    """Ask sugardaddy@bunq.com for ``value`` EUR (at most 500.00) and check it arrived."""
    path = account_path(done, account_id)
    before = _balance(raw, done, path)
    asked = raw.call(
        "POST",
        f"{path}/request-inquiry",
        {
            "amount_inquired": {"value": value, "currency": "EUR"},
            "counterparty_alias": {"type": "EMAIL", "value": "sugardaddy@bunq.com"},
            "description": "test money",
        },
        token=done.session_token,
    )
    assert asked.status_code == 200, asked.text
    assert _balance(raw, done, path) == before + _cents(value)  # no delay: settled on this read


def pay(
    raw: Raw, done: Handshake, value: str, iban: str, account_id: int | None = None, description: str = "test"
):
    """A signed payment of ``value`` EUR to ``iban``; returns the response."""
    return raw.call(
        "POST",
        f"{account_path(done, account_id)}/payment",
        {
            "amount": {"value": value, "currency": "EUR"},
            "counterparty_alias": {"type": "IBAN", "value": iban, "name": "Someone"},
            "description": description,
        },
        token=done.session_token,
        sign_with=done.key,
    )


def account(raw: Raw, done: Handshake, account_id: int | None = None) -> tuple[str, dict]:
    """(kind, object) of one account, read through ``monetary-account/{id}``."""
    response = raw.call("GET", account_path(done, account_id), token=done.session_token)
    assert response.status_code == 200, response.text
    [(kind, data)] = response.json()["Response"][0].items()
    return kind, data


def iban_of(data: dict) -> str:
    """The IBAN alias of an account object."""
    return next(alias["value"] for alias in data["alias"] if alias["type"] == "IBAN")


def _balance(raw: Raw, done: Handshake, path: str) -> int:
    response = raw.call("GET", path, token=done.session_token)
    [data] = response.json()["Response"][0].values()
    return _cents(data["balance"]["value"])


def _cents(value: str) -> int:
    return int(Decimal(value) * 100)
