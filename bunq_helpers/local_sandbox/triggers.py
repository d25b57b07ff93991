"""Events a sandbox user cannot cause alone, made as bunq would make them (``/_sandbox/trigger/...``).

Each trigger writes the objects in one transaction and records their events, so callbacks go out
exactly as for a call through bunq's API (``callbacks``: PAYMENT, MUTATION, REQUEST,
CARD_TRANSACTION_SUCCESSFUL / _FAILED):

- ``incoming-payment``: money from an IBAN outside the sandbox (a SEPA credit transfer: Payment
  type ``EBA_SCT``, sub-type ``SCT``);
- ``card-payment``: a card payment at a merchant: a ``MasterCardAction`` with bunq's decision, and
  when ``ALLOWED`` the Payment it booked (type ``MASTERCARD``); refused with ``INSUFFICIENT_BALANCE``
  when the balance does not cover it, or with the ``decision`` asked for; with ``identity_check``, a
  3-D Secure challenge the holder answers first (``endpoints/card_challenges.py``);
- ``request``: another sandbox user asks this account for money (RequestInquiry on their side,
  RequestResponse on this one);
- ``direct-debit``: a creditor collects money by SEPA direct debit (Payment ``EBA_SDD`` / ``SDD``);
- ``sofort-top-up``, ``adyen-card-payment``, ``open-banking-payment``: money in by Sofort, by a card taken
  through Adyen, by pay-by-bank (the row bunq keeps notes on, and the Payment; ``bank.merchant_payments``);
- ``switch-service-payment``: a payment to the IBAN the user left, forwarded by the bank switch service;
- ``bunqme-payment``: someone pays on the user's bunq.me page (a BunqMeFundraiserResult; ``bank.bunqme``);
- ``bunqme-tab-payment``: this account pays a sandbox user's bunq.me tab (``endpoints/bunqme_tab_results.py``);
- ``invoice``: bunq bills the user, paid from the account (``endpoints/invoices.py``).

Parameters are JSON fields; every one has a default but the account (``account_id`` or ``iban``;
with a single account in the sandbox, that one).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from .bank.billing import bill
from .bank.bunqme import pay_tab, pay_through_page
from .bank.inquiries import InquiryOrder, insert_inquiry
from .bank.ledger import account_and_owner, require_active
from .bank.merchant_payments import (
    CHALLENGE_KIND,
    DENIALS,
    book_payment,
    forward_switched,
    hold_challenge,
    pay_by_card,
    receive,
)
from .bank.transfers import require_cover
from .bunq_errors import bad_request
from .routing import HandlerContext
from .validation import (
    optional_bool,
    optional_choice,
    optional_int,
    optional_string,
    required_amount,
    required_int,
)

OUTSIDE_IBAN = "NL44RABO0123456789"

Trigger = Callable[[HandlerContext, dict[str, Any]], dict[str, Any]]
TRIGGERS: dict[str, Trigger] = {}


def trigger(name: str) -> Callable[[Trigger], Trigger]:
    """Register a trigger under its path segment."""

    def register(function: Trigger) -> Trigger:
        TRIGGERS[name] = function
        return function

    return register


def run_trigger(ctx: HandlerContext, name: str, params: dict[str, Any]) -> dict[str, Any]:
    """Run the trigger ``name``; 404-style bunq error naming the known ones if there is none."""
    function = TRIGGERS.get(name)
    if function is None:
        raise bad_request(f"There is no trigger {name!r}; the triggers are: {', '.join(sorted(TRIGGERS))}.")
    return function(ctx, params)


def _account(db: sqlite3.Connection, params: dict[str, Any]) -> sqlite3.Row:
    account_id = optional_int(params, "account_id", 1, 2**62)
    iban = optional_string(params, "iban", None, max_length=64)
    if account_id is not None:
        row = db.execute("SELECT * FROM accounts WHERE id = ?", (account_id,)).fetchone()
    elif iban is not None:
        row = db.execute("SELECT * FROM accounts WHERE iban = ?", (iban.replace(" ", "").upper(),)).fetchone()
    else:
        rows = db.execute("SELECT * FROM accounts ORDER BY id LIMIT 2").fetchall()
        if len(rows) != 1:
            raise bad_request(
                'Field "account_id" (or "iban") is required: name the monetary account the event happens to'
                + (" (the sandbox has no account yet: create a user first)." if not rows else ".")
            )
        row = rows[0]
    if row is None:
        raise bad_request(
            f"No monetary account {account_id if account_id is not None else iban} in this sandbox."
        )
    require_active(row)
    return row


def _amount(params: dict[str, Any], default: str) -> tuple[int, str]:
    """``amount`` as bunq's ``{"value", "currency"}`` or a plain ``"12.50"`` (EUR); ``default`` when absent."""
    given = params.get("amount", default)
    if isinstance(given, str):
        given = {"value": given, "currency": "EUR"}
    return required_amount({"amount": given}, "amount")


@trigger("incoming-payment")
def incoming_payment(ctx: HandlerContext, params: dict[str, Any]) -> dict[str, Any]:
    """Money arrives from an IBAN outside the sandbox."""
    cents, currency = _amount(params, "25.00")
    iban = optional_string(params, "counterparty_iban", OUTSIDE_IBAN, max_length=64).replace(" ", "").upper()
    name = optional_string(params, "counterparty_name", "Outside Sender", max_length=140)
    description = optional_string(params, "description", "Incoming transfer", max_length=140)
    with ctx.store.transaction() as db:
        account = _account(db, params)
        if db.execute("SELECT 1 FROM accounts WHERE iban = ?", (iban,)).fetchone():
            raise bad_request(
                f'Field "counterparty_iban" ({iban}) is a sandbox account; pay from it with POST payment.'
            )
        pointer = {"type": "IBAN", "value": iban, "name": name}
        payment_id = book_payment(ctx, db, account, cents, currency, "EBA_SCT", description, pointer, "SCT")
    return {"Payment": {"id": payment_id, "monetary_account_id": account["id"]}}


@trigger("card-payment")
def card_payment(ctx: HandlerContext, params: dict[str, Any]) -> dict[str, Any]:
    """A card payment at a merchant: allowed (a MasterCardAction and its Payment) or refused (the action only)."""
    cents, currency = _amount(params, "4.50")
    merchant = optional_string(params, "merchant", "Sandbox Coffee", max_length=140)
    city = optional_string(params, "city", "Amsterdam", max_length=64)
    mcc = optional_string(params, "merchant_category_code", "5814", max_length=4)
    decision = optional_choice(params, "decision", ("ALLOWED", *DENIALS)) or "ALLOWED"
    with ctx.store.transaction() as db:
        account = _account(db, params)
        if optional_bool(params, "identity_check"):  # the shop asks for 3-D Secure: the holder answers it
            shop = {"merchant": merchant, "city": city, "merchant_category_code": mcc}
            challenge_id = hold_challenge(ctx, db, account, cents, currency, **shop)
            return {CHALLENGE_KIND: {"id": challenge_id}}
        action_id = pay_by_card(
            ctx,
            db,
            account,
            cents,
            currency,
            merchant=merchant,
            city=city,
            merchant_category_code=mcc,
            decision=decision,
        )
        action = db.execute("SELECT * FROM card_actions WHERE id = ?", (action_id,)).fetchone()
    out: dict[str, Any] = {"MasterCardAction": {"id": action_id, "decision": action["decision"]}}
    if action["payment_id"] is not None:
        out["Payment"] = {"id": action["payment_id"], "monetary_account_id": account["id"]}
    return out


@trigger("request")
def request_from_user(ctx: HandlerContext, params: dict[str, Any]) -> dict[str, Any]:
    """Another sandbox user asks this account for money."""
    cents, currency = _amount(params, "10.00")
    description = optional_string(params, "description", "Dinner last night", max_length=140)
    with ctx.store.transaction() as db:
        account = _account(db, params)
        asker_id = optional_int(params, "from_account_id", 1, 2**62)
        query = (
            "SELECT * FROM accounts WHERE id = ?"
            if asker_id
            else ("SELECT * FROM accounts WHERE user_id != ? AND status = 'ACTIVE' ORDER BY id LIMIT 1")
        )
        asker = db.execute(query, (asker_id or account["user_id"],)).fetchone()
        if asker is None or asker["user_id"] == account["user_id"]:
            raise bad_request(
                'Field "from_account_id" must name an account of another sandbox user (none found: create a'
                ' second user, or load the scenario "two-friends").'
            )
        asker_account, asker_user = account_and_owner(db, asker["id"])
        order = InquiryOrder(
            cents,
            currency,
            description,
            {
                "type": "IBAN",
                "value": account["iban"],
                "name": account_and_owner(db, account["id"])[1]["display_name"],
            },
            False,
            False,
        )
        inquiry_id = insert_inquiry(ctx.bank, db, asker_account, asker_user, order)
        response_id = db.execute(
            "SELECT id FROM request_responses WHERE inquiry_id = ?", (inquiry_id,)
        ).fetchone()[0]
    return {
        "RequestInquiry": {"id": inquiry_id, "monetary_account_id": asker_account["id"]},
        "RequestResponse": {"id": response_id, "monetary_account_id": account["id"]},
    }


@trigger("direct-debit")
def direct_debit(ctx: HandlerContext, params: dict[str, Any]) -> dict[str, Any]:
    """A creditor collects money from this account by SEPA direct debit."""
    cents, currency = _amount(params, "12.99")
    name = optional_string(params, "creditor_name", "Sandbox Energy B.V.", max_length=140)
    iban = (
        optional_string(params, "creditor_iban", "NL91ABNA0417164300", max_length=64).replace(" ", "").upper()
    )
    mandate = optional_string(params, "mandate", "MANDATE-0001", max_length=35)
    description = optional_string(params, "description", f"Direct debit {mandate}", max_length=140)
    with ctx.store.transaction() as db:
        account = _account(db, params)
        require_cover(db, account, cents, "this direct debit")
        pointer = {"type": "IBAN", "value": iban, "name": name}
        payment_id = book_payment(ctx, db, account, -cents, currency, "EBA_SDD", description, pointer, "SDD")
    return {"Payment": {"id": payment_id, "monetary_account_id": account["id"]}}


# opsnotes: money from outside by the ways bunq's API cannot start (rows with notes on them)
def _received(table: str, kind: str, payer_bank: str, payer_name: str) -> Trigger:
    def receive_money(ctx: HandlerContext, params: dict[str, Any]) -> dict[str, Any]:
        cents, currency = _amount(params, "15.00")
        name = optional_string(params, "counterparty_name", payer_name, max_length=140)
        with ctx.store.transaction() as db:
            account = _account(db, params)
            row_id = receive(ctx, db, table, account, cents, currency, payer_bank=payer_bank, payer_name=name)
        return {kind: {"id": row_id, "monetary_account_id": account["id"]}}

    receive_money.__doc__ = f"Money arrives as a {kind} (with the Payment that credits the account)."
    return receive_money


for _name, _made in {
    "sofort-top-up": ("sofort_merchant_transactions", "SofortMerchantTransaction", "SOFORT", "Sofort payer"),
    "adyen-card-payment": ("adyen_card_transactions", "AdyenCardTransaction", "ADYEN", "Card holder"),
    "open-banking-payment": (
        "open_banking_merchant_transactions",
        "OpenBankingMerchantTransaction",
        "INGBNL2A",
        "Open banking payer",
    ),
}.items():
    trigger(_name)(_received(*_made))


@trigger("switch-service-payment")
def switch_service_payment(ctx: HandlerContext, params: dict[str, Any]) -> dict[str, Any]:
    """Someone pays the IBAN this user switched away from; the bank switch service forwards it."""
    cents, currency = _amount(params, "1250.00")
    old_iban = optional_string(params, "old_iban", OUTSIDE_IBAN, max_length=64).replace(" ", "").upper()
    name = optional_string(params, "counterparty_name", "Employer B.V.", max_length=140)
    payer = {"type": "IBAN", "value": "NL02ABNA0123456789", "name": name}
    description = optional_string(params, "description", "Salary", max_length=140)
    with ctx.store.transaction() as db:
        account = _account(db, params)
        row_id = forward_switched(
            ctx, db, account, cents, currency, payer=payer, old_iban=old_iban, description=description
        )
    return {
        "BankSwitchServiceNetherlandsIncomingPayment": {"id": row_id, "monetary_account_id": account["id"]}
    }


@trigger("bunqme-payment")
def bunqme_payment(ctx: HandlerContext, params: dict[str, Any]) -> dict[str, Any]:
    """Someone pays on the account's bunq.me page (a BunqMeFundraiserResult and its Payment)."""
    cents, currency = _amount(params, "5.00")
    name = optional_string(params, "counterparty_name", "A Friend", max_length=140)
    with ctx.store.transaction() as db:
        account = _account(db, params)
        result_id = pay_through_page(ctx, db, account, cents, currency, payer_name=name)
    return {"BunqMeFundraiserResult": {"id": result_id, "monetary_account_id": account["id"]}}


@trigger("bunqme-tab-payment")
def bunqme_tab_payment(ctx: HandlerContext, params: dict[str, Any]) -> dict[str, Any]:
    """A sandbox user pays a bunq.me tab from this account (a BunqMeTabResultResponse and its Payment)."""
    tab_id = required_int(params, "bunqme_tab_id", low=1, high=2**62)
    cents = _amount(params, "0.01")[0] if "amount" in params else None
    with ctx.store.transaction() as db:
        account = _account(db, params)
        result_id = pay_tab(ctx, db, account, tab_id, cents)
    return {"BunqMeTabResultResponse": {"id": result_id, "monetary_account_id": account["id"]}}


@trigger("invoice")
def invoice(ctx: HandlerContext, params: dict[str, Any]) -> dict[str, Any]:
    """bunq bills the user: an Invoice, paid from this account by a Payment to bunq."""
    cents, _ = _amount(params, "9.99")
    description = optional_string(params, "description", "bunq subscription", max_length=140)
    with ctx.store.transaction() as db:
        account = _account(db, params)
        invoice_id = bill(ctx, db, account, cents, description)
    return {"Invoice": {"id": invoice_id, "monetary_account_id": account["id"]}}


def describe() -> list[dict[str, str]]:
    """Every trigger with the first line of its docstring (for the dashboard and the CLI's help)."""
    return [
        {"name": name, "does": (f.__doc__ or "").strip().splitlines()[0]}
        for name, f in sorted(TRIGGERS.items())
    ]
