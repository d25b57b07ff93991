"""The first calls after the handshake, through the client, against the local sandbox."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from bunq_helpers.client import accounts
from bunq_helpers.client.handshake import create_api_context
from bunq_helpers.errors import (
    BadRequestError,
    SignatureInvalidError,
    SignatureRequiredError,
    WaitTimeoutError,
)
from bunq_helpers.local_sandbox import LocalSandbox, SandboxOptions
from tests.helpers import endpoint_of


@pytest.fixture
def fast_sandbox(tmp_path):
    with LocalSandbox(tmp_path / "s", options=SandboxOptions(sugardaddy_delay=0.2)) as sandbox:
        yield sandbox


@pytest.fixture
def run(settings, fast_sandbox):
    return create_api_context(settings, endpoint=endpoint_of(fast_sandbox))


def test_user_and_accounts(run) -> None:
    user = accounts.get_user(run.client, run.context)
    assert user.id == run.context.user_id and user.kind == "UserPerson" and user.display_name
    listing = accounts.list_monetary_accounts(run.client, run.context)
    [account] = listing.items
    assert account.status == "ACTIVE" and account.balance == Decimal("0.00") and account.iban.startswith("NL")
    assert set(listing.pagination) == {"older_url", "newer_url", "future_url"}
    assert listing.exchange.server_signature_valid is True


def test_sugar_daddy_then_a_signed_payment_then_the_list(run) -> None:
    client, context = run.client, run.context
    account = accounts.primary_account(client, context)
    _, exchange = accounts.request_sandbox_money(client, context, account.id, "100.00")
    assert exchange.status == 200
    funded = accounts.wait_for_balance(client, context, account.id, "100.00", timeout=5, interval=0.1)
    assert funded.balance == Decimal("100.00")
    payment_id, exchange = accounts.make_payment(
        client, context, account.id, "12.50", accounts.SUGAR_DADDY, "Thanks!"
    )
    assert exchange.signature and exchange.signed_bytes == exchange.request_body
    payments = accounts.list_payments(client, context, account.id).items
    assert [p.amount for p in payments] == [Decimal("-12.50"), Decimal("100.00")]
    assert payments[0].id == payment_id and payments[0].counterparty == "Sugar Daddy"
    assert accounts.get_monetary_account(client, context, account.id).balance == Decimal("87.50")


def test_waiting_for_money_that_does_not_come_says_so(run) -> None:
    account = accounts.primary_account(run.client, run.context)
    with pytest.raises(WaitTimeoutError) as raised:
        accounts.wait_for_balance(run.client, run.context, account.id, "5.00", timeout=0.2, interval=0.05)
    assert str(raised.value).startswith(f"Account {account.id} holds 0.00 EUR after 0.2 s, not yet 5.00")


def test_payments_must_be_signed_covered_and_sugar_daddy_is_capped(run) -> None:
    client, context = run.client, run.context
    account = accounts.primary_account(client, context)
    path = f"user/{context.user_id}/monetary-account/{account.id}/payment"
    body = {
        "amount": {"value": "1.00", "currency": "EUR"},
        "counterparty_alias": accounts.SUGAR_DADDY,
        "description": "x",
    }
    with pytest.raises(SignatureRequiredError):
        client.request("POST", path, body=body, token=context.session_token, sign=False)
    with pytest.raises(SignatureInvalidError):
        client.request("POST", path, body=body, token=context.session_token, signature="A" * 344)
    with pytest.raises(BadRequestError, match="does not cover"):
        accounts.make_payment(client, context, account.id, "1.00", accounts.SUGAR_DADDY, "too much")

    # bunq: sugar daddy rejects requests over 500 EUR; the request itself still answers just its id.
    inquiry_id, _ = accounts.request_sandbox_money(client, context, account.id, "500.01")
    path = f"user/{context.user_id}/monetary-account/{account.id}/request-inquiry/{inquiry_id}"
    deadline = time.monotonic() + 5
    while True:
        inquiry = client.request("GET", path, token=context.session_token).response_json()["Response"][0]
        if inquiry["RequestInquiry"]["status"] != "PENDING" or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert inquiry["RequestInquiry"]["status"] == "REJECTED"
    assert accounts.get_monetary_account(client, context, account.id).balance == Decimal("0.00")
