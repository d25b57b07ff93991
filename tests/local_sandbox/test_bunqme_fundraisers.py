"""bunq.me fundraiser results: a payment through an account's bunq.me page (its fundraiser profile)
credits that account and is a fundraiser result with its notes; another user's is bunq's 404."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import pytest

from bunq_helpers.crypto import keys
from bunq_helpers.local_sandbox import LocalSandbox
from tests.conftest import Raw, error_of
from tests.local_sandbox.test_sandbox_api import api


@pytest.fixture
def w(tmp_path, client_key) -> Iterator[SimpleNamespace]:
    with LocalSandbox(tmp_path / "state") as sandbox:
        raw = Raw(sandbox)
        me, other = raw.handshake(client_key), raw.handshake(keys.generate_private_key())
        w = SimpleNamespace(sandbox=sandbox, raw=raw, me=me, other=other)
        w.get = lambda path, who=me: raw.call("GET", path, token=who.session_token)
        yield w


def paid_through(w: SimpleNamespace, value: str) -> int:
    """Someone on bunq.me's website pays (the sandbox's stand-in: ``/_sandbox/trigger/bunqme-payment``)."""
    made = api(w.sandbox, "POST", "trigger/bunqme-payment", {"account_id": w.me.account_id, "amount": value})
    assert made.status_code == 200, made.text
    return made.json()["made"]["BunqMeFundraiserResult"]["id"]


def test_a_payment_through_the_page_is_a_result_with_notes(w: SimpleNamespace) -> None:
    [item] = w.get(f"user/{w.me.user_id}/bunqme-fundraiser-profile").json()["Response"]
    result_id = paid_through(w, "6.00")
    assert item["BunqMeFundraiserProfile"]["monetary_account_id"] == w.me.account_id
    account = f"user/{w.me.user_id}/monetary-account/{w.me.account_id}"
    [read] = w.get(f"{account}/bunqme-fundraiser-result/{result_id}").json()["Response"]
    result = read["BunqMeFundraiserResult"]
    [payment] = result["payments"]
    assert payment["amount"] == {"value": "6.00", "currency": "EUR"} and payment["type"] == "IDEAL"
    assert result["bunqme_fundraiser_profile"]["pointer"] == item["BunqMeFundraiserProfile"]["pointer"]
    [balance] = w.get(account).json()["Response"]
    assert next(iter(balance.values()))["balance"]["value"] == "6.00"
    note = w.raw.call(
        "POST",
        f"{account}/bunqme-fundraiser-result/{result_id}/note-text",
        {"content": "thanks!"},
        token=w.me.session_token,
    )
    assert note.status_code == 200, note.text
    notes = w.get(f"{account}/bunqme-fundraiser-result/{result_id}/note-text").json()["Response"]
    assert [n["NoteText"]["content"] for n in notes] == ["thanks!"]
    theirs = (
        f"user/{w.other.user_id}/monetary-account/{w.other.account_id}/bunqme-fundraiser-result/{result_id}"
    )
    answer = w.get(theirs, who=w.other)
    assert (answer.status_code, error_of(answer)) == (
        404,
        f"BunqMeFundraiserResult with id {result_id} not found.",
    )
    assert w.get(f"{theirs}/note-text", who=w.other).status_code == 404
