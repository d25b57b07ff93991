"""Sandbox money for tests: a sandbox whose sugar daddy pays at once, calls that move money, and two
users (``money_world``) driven through the plain ``Raw`` client for the money-moving tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import requests

from bunq_helpers.crypto import keys
from bunq_helpers.local_sandbox import LocalSandbox, SandboxOptions
from tests.helpers import Handshake, Raw, error_of


def instant_sandbox(tmp_path: Path) -> Iterator[LocalSandbox]:
    """A local sandbox whose sugar daddy pays without delay (``yield from`` it in a ``sandbox`` fixture)."""
    with LocalSandbox(tmp_path / "state", options=SandboxOptions(sugardaddy_delay=0)) as running:
        yield running


def euros(value: str) -> dict[str, str]:
    """bunq's Amount."""
    return {"value": value, "currency": "EUR"}


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
            "amount_inquired": euros(value),
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
            "amount": euros(value),
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


# --- two users and a clock ---------------------------------------------------------------------


class Clock:
    """A sandbox clock the test moves by hand."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:  # 2027-01-15 08:00:00 UTC
        self.now = now

    def __call__(self) -> float:
        return self.now


@dataclass
class Party:
    """One sandbox user with a session, and the calls the tests make as that user."""

    raw: Raw
    h: Handshake
    sandbox: LocalSandbox

    @property
    def account(self) -> str:
        return account_path(self.h)

    @property
    def iban(self) -> str:
        return iban_of(account(self.raw, self.h)[1])

    @property
    def email(self) -> str:
        return self.get(f"user/{self.h.user_id}")[0]["UserPerson"]["alias"][0]["value"]

    def call(self, method: str, path: str, body: Any = None, *, signed: bool = False) -> requests.Response:
        """``path`` below the account unless it starts with ``user/``."""
        full = path if path.startswith("user") else f"{self.account}/{path}"
        return self.raw.call(
            method, full, body, token=self.h.session_token, sign_with=self.h.key if signed else None
        )

    def ok(self, method: str, path: str, body: Any = None, *, signed: bool = False) -> list[dict[str, Any]]:
        """The ``Response`` items of a call that must succeed."""
        response = self.call(method, path, body, signed=signed)
        assert response.status_code == 200, response.text
        return response.json()["Response"]

    def get(self, path: str) -> list[dict[str, Any]]:
        return self.ok("GET", path)

    def create(self, path: str, body: Any, *, signed: bool = False) -> int:
        """POST and return the new id (the answer must be exactly ``[{"Id": {"id": N}}]``)."""
        items = self.ok("POST", path, body, signed=signed)
        assert len(items) == 1 and set(items[0]) == {"Id"} and set(items[0]["Id"]) == {"id"}, items
        return items[0]["Id"]["id"]

    def fails(
        self, method: str, path: str, body: Any = None, *, signed: bool = False, status: int = 400
    ) -> str:
        """The error text of a call that must fail with ``status``, having changed nothing."""
        before = self.sandbox.store.snapshot()
        response = self.call(method, path, body, signed=signed)
        assert response.status_code == status, response.text
        assert self.sandbox.store.snapshot() == before
        return error_of(response)

    def balance(self) -> str:
        return account(self.raw, self.h)[1]["balance"]["value"]

    def fund(self, value: str) -> None:
        """Money from sugar daddy (the sandbox runs with no delay for these tests)."""
        fund(self.raw, self.h, value)

    def payments(self) -> list[dict[str, Any]]:
        return [item["Payment"] for item in self.get("payment?count=200")]

    def events(self, since: int = 0) -> list[tuple[str, str]]:
        """(object kind, action) of this user's events with an id above ``since``, oldest first."""
        rows = (
            self.sandbox.store.read()
            .execute(
                "SELECT object_kind, action FROM events WHERE user_id = ? AND id > ? ORDER BY id",
                (self.h.user_id, since),
            )
            .fetchall()
        )
        return [(row[0], row[1]) for row in rows]

    def last_event_id(self) -> int:
        row = self.sandbox.store.read().execute("SELECT MAX(id) FROM events").fetchone()
        return int(row[0] or 0)


@dataclass
class World:
    """A sandbox with two users, Alice and Bob."""

    sandbox: LocalSandbox
    alice: Party
    bob: Party
    clock: Clock | None


@contextmanager
def money_world(tmp_path: Path, key: keys.PrivateKey, clock: Clock | None = None) -> Iterator[World]:
    """A fresh sandbox (sugar daddy answers at once) with two users who each did the handshake."""
    moved = {"clock": clock, "session_timeout": 10**9} if clock else {}  # sessions outlive the clock's jumps
    options = SandboxOptions(sugardaddy_delay=0, **moved)
    with LocalSandbox(tmp_path / "state", options=options) as sandbox:
        raw = Raw(sandbox)
        alice = Party(raw, raw.handshake(key), sandbox)
        bob = Party(raw, raw.handshake(key), sandbox)
        yield World(sandbox, alice, bob, clock)
