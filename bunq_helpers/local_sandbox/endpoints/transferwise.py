"""Transferwise (Wise) through bunq: the user's Wise account, quotes, recipients and transfers.

A stand-in, since no real Wise transfer can happen offline. What is simulated, and how:

- ``transferwise-user``: linking (``oauth_code`` given: ``source`` TRANSFERWISE) or opening (BUNQ) a
  Wise account, one per user, named after the bunq user; a quote needs it first, as in bunq's app.
- quotes (``transferwise-quote``, and ``-temporary`` for a price shown before sign-up) use the fixed
  rates of ``bank/rates.py``; the fee is ``rates.fee_cents`` and is part of ``amount_source``; a quote
  expires after 30 minutes; delivery is estimated a day later.
- recipients are checked against a stand-in requirement list (IBAN, UK sort code, US ABA, SWIFT) that
  keeps the shape of Wise's account requirements as bunq relays them.
- a transfer pays ``amount_source`` from the chosen bunq account to Wise's collection IBAN through the
  bank's money rules (balance, daily limit, Payment event); the payout abroad is simulated: the transfer
  is at once ``OUTGOING_PAYMENT_SENT`` (Wise's last happy-path state).

bunq's SDK reads a recipient as ``TransferwiseRecipient``, a transfer as ``TransferwisePayment``, a
temporary quote as ``TransferwiseQuote`` and requirements as ``TransferwiseRequirement`` (see
``divergences``).
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from typing import Any

from ..bank import rates
from ..bank.core import insert_row
from ..bank.transfers import PaymentOrder, transfer
from ..bunq_errors import bad_request, not_found
from ..kit import ACCOUNT, Owned, body_of, derived_renderer, fixed_list, op, operation_ids, plain_family
from ..render import own_label
from ..routing import Caller, HandlerContext, Reply
from ..validation import amount_cents

QUOTE_LIFETIME = 30 * 60
DELIVERY = 24 * 60 * 60
COLLECTION = {"type": "IBAN", "value": "BE65967000000001", "name": "Wise Europe (local sandbox stand-in)"}

USER = Owned("transferwise_users", "TransferwiseUser")
QUOTE = Owned("transferwise_quotes", "TransferwiseQuote")
TEMPORARY = Owned("transferwise_quotes_temporary", "TransferwiseQuoteTemporary")
IN_QUOTE = Owned("transferwise_quotes", "TransferwiseQuote", key="transferwise_quote_id")
RECIPIENT = Owned("transferwise_recipients", "TransferwiseRecipient", parent=IN_QUOTE, link="quote_id")
CHECK = Owned("transferwise_requirement_checks", "TransferwiseRequirement", parent=IN_QUOTE, link="quote_id")
TRANSFER = Owned("transferwise_transfers", "TransferwisePayment", parent=IN_QUOTE, link="quote_id")


# A recipient's details by type: (type, label, currencies it serves or "" for any, key, name, example, pattern)
FIELDS = (
    ("iban", "IBAN", "", "IBAN", "IBAN", "DE89370400440532013000", "^[A-Z]{2}[0-9A-Z]{13,32}$"),
    ("sort_code", "Local bank account", "GBP", "sortCode", "UK sort code", "231470", "^[0-9]{6}$"),
    ("sort_code", "Local bank account", "GBP", "accountNumber", "Account number", "28821822", "^[0-9]{8}$"),
    ("aba", "ACH routing", "USD", "abartn", "ACH routing number", "111000025", "^[0-9]{9}$"),
    ("aba", "ACH routing", "USD", "accountNumber", "Account number", "12345678", "^[0-9]{4,17}$"),
    ("swift_code", "SWIFT", "", "swiftCode", "SWIFT / BIC", "BUNQNL2A", "^[A-Z0-9]{8,11}$"),
    ("swift_code", "SWIFT", "", "accountNumber", "Account number", "0532013000", "^[0-9A-Z]{4,34}$"),
)


def _requirements(ctx: Any, quote: sqlite3.Row) -> list[dict[str, Any]]:
    """The types of recipient the quote's target currency takes, each with its fields (Wise's shape)."""
    shown: dict[str, dict[str, Any]] = {}
    for kind, label, currencies, key, name, example, pattern in FIELDS:
        if currencies in ("", quote["currency_target"]):
            group = {"key": key, "name": name, "type": "text", "required": True, "example": example}
            field = {"name": name, "group": {**group, "validation_regexp": pattern}}
            shown.setdefault(kind, {"type": kind, "label": label, "fields": []})["fields"].append(field)
    return list(shown.values())


def _details(quote: sqlite3.Row, body: dict[str, Any]) -> dict[str, str]:
    """``detail`` as key -> value, complete for the requirement ``type`` names."""
    kind = body.get("type")
    offered = {item["type"] for item in _requirements(None, quote)}
    if kind not in offered:
        raise bad_request(
            f'Field "type" must be one of {", ".join(sorted(offered))} for {quote["currency_target"]} '
            "(see transferwise-recipient-requirement)."
        )
    sent = {item.get("key"): item.get("value") for item in body.get("detail") or [] if isinstance(item, dict)}
    for key, name in ((f[3], f[4]) for f in FIELDS if f[0] == kind):
        if not isinstance(sent.get(key), str) or not sent[key].strip():
            raise bad_request(f'Field "detail" needs "{key}" ({name}) for a {kind} recipient.')
    return {key: value for key, value in sent.items() if isinstance(key, str) and isinstance(value, str)}


def _quote_columns(
    ctx: HandlerContext, user: sqlite3.Row, body: dict[str, Any], creating: bool
) -> dict[str, Any]:
    source = rates.known(body["currency_source"], "currency_source")
    target = rates.known(body["currency_target"], "currency_target")
    if source == target:
        raise bad_request('Fields "currency_source" and "currency_target" must differ.')
    if (body.get("amount_source") is None) == (body.get("amount_target") is None):
        raise bad_request('Send either "amount_source" or "amount_target", not both or neither.')
    given = "amount_source" if body.get("amount_source") is not None else "amount_target"
    cents = amount_cents(body[given], given, currency=source if given == "amount_source" else target)
    if given == "amount_source":
        fee = rates.fee_cents(cents)
        if cents <= fee:
            raise bad_request(f'Field "amount_source" must be more than the fee ({fee / 100:.2f} {source}).')
        paid, arriving = cents, rates.convert(cents - fee, source, target)
    else:
        net = rates.source_for(cents, source, target)
        fee = rates.fee_cents(net)
        paid, arriving = net + fee, cents
    now = ctx.now()
    return {
        "quote_id": str(uuid.uuid4()),
        "currency_source": source,
        "currency_target": target,
        "rate": rates.rate_text(source, target),
        **{"amount_source_cents": paid, "amount_source_currency": source, "amount_fee_cents": fee},
        **{"amount_fee_currency": source, "amount_target_cents": arriving, "amount_target_currency": target},
        **{"time_expiry": now + QUOTE_LIFETIME, "time_delivery_estimate": now + DELIVERY},
    }


def _linked_quote(
    ctx: HandlerContext, user: sqlite3.Row, body: dict[str, Any], creating: bool
) -> dict[str, Any]:
    if not USER.rows(ctx, user["id"]):
        raise bad_request(
            "Create a TransferwiseUser first (POST transferwise-user), as bunq asks before a quote."
        )
    return _quote_columns(ctx, user, body, creating)


def _tw_user(ctx: HandlerContext, user: sqlite3.Row, body: dict[str, Any], creating: bool) -> dict[str, Any]:
    if USER.rows(ctx, user["id"]):
        raise bad_request(
            f"User {user['id']} already has a Transferwise account; list it with GET transferwise-user."
        )
    source = "TRANSFERWISE" if body.get("oauth_code") else "BUNQ"
    return {"name": user["display_name"], "email": user["email"], "source": source}


def _recipient(
    ctx: HandlerContext, quote: sqlite3.Row, body: dict[str, Any], creating: bool
) -> dict[str, Any]:
    detail = _details(quote, body)
    number = detail.get("IBAN") or detail.get("accountNumber")
    code = detail.get("sortCode") or detail.get("abartn") or detail.get("swiftCode")
    return {
        **{"name_account_holder": body["name_account_holder"], "type": body["type"]},
        **{"country": body.get("country"), "currency": quote["currency_target"]},
        **{"account_number": number, "bank_code": code, "detail_json": json.dumps(detail)},
    }


def _check(kind: str):
    def check(
        ctx: HandlerContext, quote: sqlite3.Row, body: dict[str, Any], creating: bool
    ) -> dict[str, Any]:
        if kind == "recipient":
            detail: Any = _details(quote, body)
        else:
            _recipient_of(ctx, quote, body["recipient_id"])
            detail = body.get("detail") or []
        return {"kind": kind, "detail_json": json.dumps(detail)}

    return check


def _recipient_of(ctx: HandlerContext, quote: sqlite3.Row, recipient_id: str) -> sqlite3.Row:
    row = (
        ctx.store.read()
        .execute(
            "SELECT * FROM transferwise_recipients WHERE quote_id = ? AND CAST(id AS TEXT) = ?",
            (quote["id"], str(recipient_id).strip()),
        )
        .fetchone()
    )
    if row is None:
        raise not_found("TransferwiseRecipient", recipient_id)
    return row


_show_quote = derived_renderer("READ_TransferwiseQuote_for_User")
_show_recipient = derived_renderer("READ_TransferwiseRecipient_for_User_TransferwiseQuote")
_show_transfer = derived_renderer("READ_TransferwiseTransfer_for_User_TransferwiseQuote")


def _recipient_object(db: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    return {**_show_recipient(db, row), "account_id": str(row["id"])}


def _transfer_object(db: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    quote = _show_quote(
        db, db.execute("SELECT * FROM transferwise_quotes WHERE id = ?", (row["quote_id"],)).fetchone()
    )
    moved = {k: quote[k] for k in ("amount_source", "amount_target", "rate", "time_delivery_estimate")}
    return {
        "id": row["id"],
        **_show_transfer(db, row),
        **moved,
        "pay_in_reference": row["reference"],
        "quote": quote,
    }


def create_transfer(ctx: HandlerContext, request: Any, caller: Caller, ids: dict[str, Any]) -> Reply:
    """Pay the quote's ``amount_source`` from the account into Wise; the payout is simulated."""
    quote = IN_QUOTE.find(ctx, caller, ids)
    body = body_of(request)
    recipient = _recipient_of(ctx, quote, body["recipient_id"])
    if not body["monetary_account_id"].strip().isdigit():
        raise bad_request(
            'Field "monetary_account_id" must be the id of one of your accounts, such as "2000001".'
        )
    account = ACCOUNT.find(ctx, caller, {**ids, "account_id": int(body["monetary_account_id"])})
    if account["currency"] != quote["currency_source"]:
        raise bad_request(
            f"Monetary account {account['id']} holds {account['currency']}; the quote sells "
            f"{quote['currency_source']}."
        )
    if quote["time_expiry"] < ctx.now():
        raise bad_request(f"TransferwiseQuote {quote['id']} has expired; ask for a new quote.")
    reference = f"TW{quote['id']}-{recipient['id']}"
    order = PaymentOrder(
        quote["amount_source_cents"], quote["currency_source"], f"Transferwise {reference}", COLLECTION
    )
    counterparty = {
        "display_name": recipient["name_account_holder"],
        "country": recipient["country"],
        "transferwise_account_number": recipient["account_number"],
        "transferwise_bank_code": recipient["bank_code"],
    }
    values = {"quote_id": quote["id"], "recipient_id": recipient["id"], "account_id": account["id"]}
    values.update(
        status="OUTGOING_PAYMENT_SENT", status_transferwise="outgoing_payment_sent", reference=reference
    )
    values.update(
        alias_json=json.dumps(own_label(account, caller.user)),
        counterparty_alias_json=json.dumps(counterparty),
    )
    with ctx.store.transaction() as db:
        payment_id = transfer(ctx, db, account, caller.user, order)
        row_id = insert_row(
            db,
            "transferwise_transfers",
            {**values, "payment_id": payment_id, "created": ctx.now(), "updated": ctx.now()},
        )
    return Reply([{"Id": {"id": row_id}}])


def _currencies(ctx: HandlerContext, user: sqlite3.Row) -> list[dict[str, Any]]:
    return [
        {"currency": code, "name": name, "country": country}
        for code, (_r, name, country) in rates.CURRENCIES.items()
    ]


ROUTES = [
    *plain_family(
        USER,
        **operation_ids("TransferwiseUser", "User", "list create"),
        validate=_tw_user,
    ),
    fixed_list("List_all_TransferwiseCurrency_for_User", _currencies),
    *plain_family(
        QUOTE,
        **operation_ids("TransferwiseQuote", "User", "read create"),
        validate=_linked_quote,
    ),
    *plain_family(
        TEMPORARY,
        **operation_ids("TransferwiseQuoteTemporary", "User", "read create"),
        validate=_quote_columns,
        wrapper="TransferwiseQuote",
    ),
    fixed_list(
        "List_all_TransferwiseRecipientRequirement_for_User_TransferwiseQuote",
        _requirements,
        IN_QUOTE,
        "TransferwiseRequirement",
    ),
    *plain_family(
        CHECK,
        create_op="CREATE_TransferwiseRecipientRequirement_for_User_TransferwiseQuote",
        validate=_check("recipient"),
    ),
    *plain_family(
        CHECK,
        create_op="CREATE_TransferwiseTransferRequirement_for_User_TransferwiseQuote",
        validate=_check("transfer"),
    ),
    *plain_family(
        RECIPIENT,
        **operation_ids("TransferwiseRecipient", "User_TransferwiseQuote", "list read create delete"),
        validate=_recipient,
        render=_recipient_object,
        wrapper="TransferwiseRecipient",
    ),
    *plain_family(
        TRANSFER,
        **operation_ids("TransferwiseTransfer", "User_TransferwiseQuote", "list read"),
        render=_transfer_object,
        wrapper="TransferwisePayment",
    ),
    op("CREATE_TransferwiseTransfer_for_User_TransferwiseQuote", create_transfer),
]
