"""``ideal-merchant-transaction`` and ``sofort-merchant-transaction``: money into an account from another
bank by iDEAL or Sofort (a top-up), or from a bunq user paying this account by iDEAL; each with its notes.

bunq's account is the merchant: ``POST ideal-merchant-transaction`` names the amount and the payer's bank
(``issuer``, a BIC) and bunq answers the issuer's page where the payer approves it. The local sandbox has
no other bank, so its stand-in issuer approves at once (documented in ``divergences``): the transaction is
``SUCCESS`` with the amount guaranteed, and a Payment of type ``IDEAL`` (``SOFORT``) credits the account,
with its event and callbacks (``bank.merchant_payments``). With ``issuer`` bunq's own BIC (``BUNQNL2A``) the payer banks at bunq: the
transaction stays ``PENDING`` and its ``transaction_identifier`` is the token the payer scans
(``POST token-qr-request-ideal``, ``token_qr.py``); that makes a request to the payer (a RequestResponse on
their account), and the payer's answer (``PUT request-response``) pays this account and sets the status
(``SUCCESS`` or ``CANCELLED``). bunq's API has no call that starts a Sofort top-up, a card payment taken through Adyen or an open
banking (pay-by-bank) payment, and has only notes on the last two: ``bank.merchant_payments.receive``
makes each where a stand-in asks for it (the row, and the Payment that credits the account).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from ..amounts import amount
from ..bank.ledger import account_and_owner
from ..bank.merchant_payments import book_received, new_identifiers
from ..bunq_errors import bad_request
from ..kit import ACCOUNT, Owned, derived_renderer, operation_ids, plain_family
from ..render import counterparty_label, own_label, timestamp
from ..routing import HandlerContext
from ..validation import required_amount

# The payer's banks the sandbox issuer answers for (iDEAL's issuer list, by BIC).
ISSUERS = {
    "ABNANL2A": "ABN AMRO",
    "ASNBNL21": "ASN Bank",
    "BUNQNL2A": "bunq",
    "INGBNL2A": "ING",
    "KNABNL2H": "Knab",
    "RABONL2U": "Rabobank",
    "RBRBNL21": "RegioBank",
    "SNSBNL2A": "SNS",
    "TRIONL2U": "Triodos Bank",
}
BUNQ = "BUNQNL2A"
# A bunq payer's answer to the request (its RequestInquiry's status) -> the transaction's status.
ANSWERED = {"ACCEPTED": "SUCCESS", "REJECTED": "CANCELLED", "REVOKED": "CANCELLED", "PENDING": "PENDING"}
IDEAL = Owned("ideal_merchant_transactions", "IdealMerchantTransaction", parent=ACCOUNT, link="account_id")
SOFORT = Owned("sofort_merchant_transactions", "SofortMerchantTransaction", parent=ACCOUNT, link="account_id")
# bunq's API only annotates these (notes, no read): card payments taken through Adyen, pay-by-bank.
ADYEN = Owned("adyen_card_transactions", "AdyenCardTransaction", parent=ACCOUNT, link="account_id")
OPEN_BANKING = Owned(
    "open_banking_merchant_transactions", "OpenBankingMerchantTransaction", parent=ACCOUNT, link="account_id"
)


def _approved(
    ctx: HandlerContext,
    db: sqlite3.Connection,
    caller: Any,
    account: sqlite3.Row,
    values: dict,
    creating: bool,
) -> dict[str, Any]:
    """Another bank's payer is approved at once by the sandbox issuer: the money arrives, its Payment linked."""
    if values["status"] != "SUCCESS":
        return {}
    return {"payment_id": book_received(ctx, db, account, "IDEAL", values)}


def order(ctx: HandlerContext, owner: sqlite3.Row, body: dict[str, Any], creating: bool) -> dict[str, Any]:
    """The columns of a new top-up: amount and issuer checked, approved by the sandbox issuer."""
    cents, currency = required_amount(body, "amount_requested")
    if cents <= 0:
        raise bad_request('Field "amount_requested" must be positive: the amount to top up with.')
    issuer = body.get("issuer") or "INGBNL2A"
    if issuer not in ISSUERS:
        raise bad_request(f'Field "issuer" must be the BIC of an iDEAL bank, one of: {", ".join(ISSUERS)}.')
    at_bunq = issuer == BUNQ  # the payer approves in bunq's app: pending until they answer
    return {
        "amount_requested_cents": cents,
        "amount_guaranteed_cents": None if at_bunq else cents,
        "currency": currency,
        "issuer": issuer,
        "issuer_name": ISSUERS[issuer],
        "status": "PENDING" if at_bunq else "SUCCESS",
        **new_identifiers(),
    }


def _answered(db: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    """Status and guaranteed amount of a transaction a bunq payer was asked to pay, from their answer."""
    if row["inquiry_id"] is None:
        return {}
    inquiry = db.execute("SELECT * FROM request_inquiries WHERE id = ?", (row["inquiry_id"],)).fetchone()
    responded = db.execute(
        "SELECT amount_responded_cents FROM request_responses WHERE inquiry_id = ?", (inquiry["id"],)
    ).fetchone()
    paid = responded[0] if responded is not None else None
    return {
        "status": ANSWERED[inquiry["status"]],
        "amount_guaranteed": amount(paid, row["currency"]) if paid is not None else None,
    }


def _renderer(read_op: str, *, stamped: bool = False):
    """The spec's fields from the row, the two labels, and (iDEAL's only) when the status last changed."""
    derived = derived_renderer(read_op)

    def render(db: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
        account, user = account_and_owner(db, row["account_id"])
        payer = counterparty_label({"type": "IBAN", "value": "", "name": row["issuer_name"]})
        out = {
            "id": row["id"],  # not in the spec's schema: see divergences.FIELDS_BUNQ_SENDS
            **derived(db, row),
            **_answered(db, row),
            "monetary_account_id": row["account_id"],
            "alias": own_label(account, user),
            "counterparty_alias": payer,
        }
        return {**out, "status_timestamp": timestamp(row["updated"])} if stamped else out

    return render


ROUTES = [
    *plain_family(
        IDEAL,
        **operation_ids("IdealMerchantTransaction", "User_MonetaryAccount", "list read create"),
        validate=order,
        render=_renderer("READ_IdealMerchantTransaction_for_User_MonetaryAccount", stamped=True),
        within=_approved,
    ),
    *plain_family(
        SOFORT,
        **operation_ids("SofortMerchantTransaction", "User_MonetaryAccount", "list read"),
        render=_renderer("READ_SofortMerchantTransaction_for_User_MonetaryAccount"),
    ),
]
