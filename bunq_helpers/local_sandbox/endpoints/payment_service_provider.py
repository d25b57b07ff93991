"""What a licensed PSD2 provider asks of bunq: draft payments it initiates, issuer transactions, and
confirmation of funds.

At bunq only a ``UserPaymentServiceProvider`` (a session made from a PSD2 certificate:
``payment-service-provider-credential``, ``endpoints/psd2.py``) creates draft payments and issuer
transactions; any other user gets a 400 naming that (bunq's own words for it are not documented).

- ``payment-service-provider-draft-payment``: a payment initiation from a sandbox account (``sender_iban``
  must be one) to ``counterparty_iban``. As bunq asks the account holder in its app, the sandbox puts a
  ``draft-payment`` (with its DraftPayment event) on the holder's account: the holder accepts (and so
  pays, through the bank's rules) or rejects it with ``PUT draft-payment``, and the provider's object
  shows that draft's status. The provider may CANCEL it while it is PENDING.
- ``payment-service-provider-issuer-transaction``: an issuer's transaction towards ``counterparty_alias``,
  PENDING until the provider marks it COMPLETED or CANCELLED.
- ``confirmation-of-funds``: whether the account ``pointer_iban`` names could pay ``amount`` now (its
  balance), answered as bunq's SDK reads it; nothing is held or booked, as in PSD2. The account must be
  the session's user's. A provider asking for a user would do so through the user's OAuth grant (the
  consent; ``kit.own_user`` gives such a session the granting user's accounts), but bunq's documented
  OAuth scope (``oauth_grants.ALLOWED``) does not list this call, so a grant's session gets its 403.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from typing import Any

from ..bank.core import insert_row
from ..bank.transfers import local_account_for
from ..bunq_errors import bad_request, not_found
from ..kit import Owned, body_of, derived_renderer, op, operation_ids, own_user, plain_family
from ..render import counterparty_label, label_user
from ..routing import Caller, HandlerContext, Reply
from ..validation import amount_cents, optional_timestamp, required_pointer

PROVIDER = "UserPaymentServiceProvider"
DRAFT = Owned("psp_draft_payments", "PaymentServiceProviderDraftPayment")
ISSUER = Owned("psp_issuer_transactions", "PaymentServiceProviderIssuerTransaction")


def provider(ctx: HandlerContext, user: sqlite3.Row) -> sqlite3.Row:
    """The calling provider; a 400 for any other kind of user."""
    if user["kind"] != PROVIDER:
        raise bad_request(
            f"Only a {PROVIDER} may do this; this session's user is a {user['kind']}. Start a session from a "
            "PSD2 certificate (POST payment-service-provider-credential) first."
        )
    return user


def _sandbox_account(ctx: HandlerContext, iban: str, field: str) -> sqlite3.Row:
    account = local_account_for(ctx.store.read(), {"type": "IBAN", "value": iban})
    if account is None:
        raise bad_request(
            f'Field "{field}" must be the IBAN of a bunq (local sandbox) account, not {iban!r}.'
        )
    return account


def _draft(ctx: HandlerContext, row: sqlite3.Row, body: dict[str, Any], creating: bool) -> dict[str, Any]:
    if not creating:
        if body.get("status") != "CANCELLED":
            raise bad_request('Field "status" can only be CANCELLED: the account holder accepts or rejects.')
        return {"status": "CANCELLED"}
    provider(ctx, row)
    sender = _sandbox_account(ctx, body["sender_iban"].replace(" ", "").upper(), "sender_iban")
    return {
        **{"sender_iban": sender["iban"], "sender_name": body.get("sender_name"), "status": "PENDING"},
        **{
            "receiver_iban": body["counterparty_iban"].replace(" ", "").upper(),
            "description": body["description"],
        },
        **{
            "counterparty_name": body["counterparty_name"],
            "amount_cents": amount_cents(body["amount"], "amount"),
        },
    }


def _holder_draft(
    ctx: HandlerContext,
    db: sqlite3.Connection,
    caller: Caller,
    row: sqlite3.Row,
    values: dict,
    creating: bool,
) -> dict[str, Any]:
    """On create, the draft-payment the account holder answers; on cancel, that draft CANCELLED."""
    if not creating:
        draft = db.execute("SELECT status FROM draft_payments WHERE id = ?", (row["draft_id"],)).fetchone()
        if draft["status"] != "PENDING":
            raise bad_request(
                f"The account holder's draft payment is {draft['status']}; only a PENDING one can be cancelled."
            )
        db.execute(
            "UPDATE draft_payments SET status = 'CANCELLED', updated = ? WHERE id = ?",
            (values["updated"], row["draft_id"]),
        )
        return {}
    account = db.execute("SELECT * FROM accounts WHERE iban = ?", (values["sender_iban"],)).fetchone()
    now = values["created"]
    draft_id = insert_row(
        db,
        "draft_payments",
        {"account_id": account["id"], "status": "PENDING", "created": now, "updated": now},
    )
    pointer = {"type": "IBAN", "value": values["receiver_iban"], "name": values["counterparty_name"]}
    entry = {"draft_id": draft_id, "amount_cents": values["amount_cents"], "currency": "EUR"}
    insert_row(
        db,
        "draft_payment_entries",
        {**entry, "description": values["description"], "counterparty": json.dumps(pointer)},
    )
    ctx.events.record(db, "DraftPayment", draft_id, user_id=account["user_id"], account_id=account["id"])
    return {"draft_id": draft_id}


def _issuer(ctx: HandlerContext, row: sqlite3.Row, body: dict[str, Any], creating: bool) -> dict[str, Any]:
    if not creating:
        if row["status"] != "PENDING" or body.get("status") not in ("CANCELLED", "COMPLETED"):
            raise bad_request(
                f'Field "status" can take {row["status"]} to COMPLETED or CANCELLED only while PENDING.'
            )
        return {"status": body["status"]}
    user = provider(ctx, row)
    alias = {"display_name": user["display_name"], "country": "NL", "label_user": label_user(user)}
    return {
        **{"public_uuid": str(uuid.uuid4()), "alias_json": json.dumps(alias), "status": "PENDING"},
        "counterparty_alias_json": json.dumps(
            counterparty_label(required_pointer(body, "counterparty_alias"))
        ),
        **{"amount_cents": amount_cents(body["amount"], "amount"), "description": body["description"]},
        **{"url_redirect": body["url_redirect"], "time_expiry": optional_timestamp(body, "time_expiry")},
    }


def confirm_funds(ctx: HandlerContext, request: Any, caller: Caller, ids: dict[str, Any]) -> Reply:
    """``has_sufficient_funds``: the account's balance covers ``amount`` (the account must be the caller's)."""
    user = own_user(caller, ids)
    body = body_of(request)
    cents = amount_cents(body["amount"], "amount")
    iban = required_pointer(body, "pointer_iban")["value"].replace(" ", "").upper()
    account = local_account_for(ctx.store.read(), {"type": "IBAN", "value": iban})
    if account is None or account["user_id"] != user["id"]:
        raise not_found("MonetaryAccount", iban)
    return Reply([{"ConfirmationOfFunds": {"has_sufficient_funds": account["balance_cents"] >= cents}}])


def _draft_object(db: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    held = db.execute("SELECT status FROM draft_payments WHERE id = ?", (row["draft_id"],)).fetchone()
    return {"id": row["id"], **_show_draft(db, row), "status": held["status"]}


_show_draft = derived_renderer("READ_PaymentServiceProviderDraftPayment_for_User")

ROUTES = [
    *plain_family(
        DRAFT,
        **operation_ids("PaymentServiceProviderDraftPayment", "User", "list read create update"),
        validate=_draft,
        render=_draft_object,
        within=_holder_draft,
    ),
    *plain_family(
        ISSUER,
        **operation_ids("PaymentServiceProviderIssuerTransaction", "User", "list read create update"),
        validate=_issuer,
    ),
    op("CREATE_ConfirmationOfFunds_for_User", confirm_funds),
]
