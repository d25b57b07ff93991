"""Currencycloud through bunq: beneficiaries (foreign payees), what they need, and payment fee quotes.

A stand-in: no Currencycloud account exists offline. The requirement list keeps the shape bunq relays
(per payment type and legal entity type, the fields to fill in); a beneficiary is stored when every
required field is given as ``"name=value"`` in ``all_field`` and gets an ``external_identifier`` as
Currencycloud would; a payment quote prices paying the beneficiaries ``pointers`` name at a stand-in
fee of ``FEE_CENTS`` (0.50 EUR) per payee (amount_fee, as bunq's SDK reads it). No money moves: bunq pays
Currencycloud beneficiaries with an ordinary payment.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from typing import Any

from ..bank import rates
from ..bunq_errors import bad_request
from ..kit import ACCOUNT, Owned, fixed_list, operation_ids, plain_family

BENEFICIARY = Owned("currency_cloud_beneficiaries", "CurrencyCloudBeneficiary")
PAYMENT_QUOTE = Owned(
    "currency_cloud_payment_quotes", "CurrencyCloudPaymentQuote", parent=ACCOUNT, link="account_id"
)
PAYMENT_TYPES = ("regular", "priority")
FEE_CENTS = 50
ENTITY_TYPES = ("individual", "company")
FIELDS = {  # payment type -> (name, label, pattern)
    "regular": (("account_number", "Account number or IBAN", "^[0-9A-Z]{4,34}$"),),
    "priority": (
        ("account_number", "Account number or IBAN", "^[0-9A-Z]{4,34}$"),
        ("bic_swift", "BIC / SWIFT", "^[A-Z0-9]{8,11}$"),
    ),
}


def _requirements(ctx: Any, user: sqlite3.Row) -> list[dict[str, Any]]:
    return [
        {
            "payment_type": payment,
            "legal_entity_type": entity,
            "all_field": [
                {"name": name, "label": label, "input_type": "text", "validation_expression": pattern}
                for name, label, pattern in FIELDS[payment]
            ],
        }
        for payment in PAYMENT_TYPES
        for entity in ENTITY_TYPES
    ]


def _choice(body: dict[str, Any], field: str, choices: tuple[str, ...]) -> str:
    if body[field] not in choices:
        raise bad_request(f'Field "{field}" must be one of {", ".join(choices)}.')
    return body[field]


def _beneficiary(ctx: Any, user: sqlite3.Row, body: dict[str, Any], creating: bool) -> dict[str, Any]:
    payment = _choice(body, "payment_type", PAYMENT_TYPES)
    given = dict(item.partition("=")[::2] for item in body["all_field"] if isinstance(item, str))
    for name, label, _pattern in FIELDS[payment]:
        if not given.get(name, "").strip():
            raise bad_request(
                f'Field "all_field" needs "{name}={{value}}" ({label}) for a {payment} payment.'
            )
    return {
        **{
            "name": body["name"],
            "country": body["country"],
            "currency": rates.known(body["currency"], "currency"),
        },
        **{"legal_entity_type": _choice(body, "legal_entity_type", ENTITY_TYPES), "payment_type": payment},
        **{"account_number": given["account_number"].strip(), "external_identifier": str(uuid.uuid4())},
        "all_field_json": json.dumps(given),
    }


def _payment_quote(ctx: Any, account: sqlite3.Row, body: dict[str, Any], creating: bool) -> dict[str, Any]:
    if not body["pointers"] or not all(isinstance(p, dict) and p.get("value") for p in body["pointers"]):
        raise bad_request(
            'Field "pointers" must list the beneficiaries to pay, each with "type" and "value".'
        )
    return {
        "pointers_json": json.dumps(body["pointers"]),
        "amount_fee_cents": FEE_CENTS * len(body["pointers"]),
    }


ROUTES = [
    fixed_list("List_all_CurrencyCloudBeneficiaryRequirement_for_User", _requirements),
    *plain_family(
        BENEFICIARY,
        **operation_ids("CurrencyCloudBeneficiary", "User", "list read create"),
        validate=_beneficiary,
    ),
    *plain_family(
        PAYMENT_QUOTE,
        create_op="CREATE_CurrencyCloudPaymentQuote_for_User_MonetaryAccount",
        validate=_payment_quote,
    ),
]
