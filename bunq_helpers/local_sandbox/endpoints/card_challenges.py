"""``challenge-request``: the 3-D Secure check bunq asks of a card holder for an online card payment: read,
and answered with ``PUT`` status ACCEPTED or REJECTED.

bunq makes one when a web shop asks for the holder's consent (Mastercard Identity Check); no call of
bunq's API does, bunq's apps fetch it. The local sandbox's stand-in for the web shop is
``/_sandbox/trigger/card-payment`` with ``"identity_check": true``, which answers the challenge's id in
place of a decision. ACCEPTED goes on with the payment as the trigger would have
(``bank.merchant_payments.pay_by_card``: a MasterCardAction, and its Payment when the balance covers
it); REJECTED ends it with nothing booked. bunq does not say how long a challenge waits: here
``CHALLENGE_LIFETIME``, then it shows EXPIRED. Only a PENDING one can be answered (400 otherwise).
The challenge itself is made by ``bank.merchant_payments.hold_challenge``.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from ..amounts import cents_to_value
from ..bank.merchant_payments import CHALLENGE_KIND, SHOP, pay_by_card
from ..bunq_errors import bad_request
from ..kit import Owned, plain_family
from ..render import counterparty_label, timestamp
from ..routing import HandlerContext
from ..validation import required_choice

CHALLENGE = Owned("card_challenges", "MasterCardIdentityCheckChallengeRequestUser")


def _status(row: sqlite3.Row, now: float) -> str:
    return "EXPIRED" if row["status"] == "PENDING" and now >= row["expiry_time"] else row["status"]


def _answer(ctx: HandlerContext, row: sqlite3.Row, body: dict[str, Any], creating: bool) -> dict[str, Any]:
    status = required_choice(body, "status", ("ACCEPTED", "REJECTED"))
    if _status(row, ctx.now()) != "PENDING":
        raise bad_request(
            f"This challenge request is {_status(row, ctx.now())}; only a PENDING one is answered."
        )
    return {"status": status}


def _go_on(ctx: HandlerContext, db: sqlite3.Connection, caller, row, values: dict, creating: bool) -> dict:
    """ACCEPTED: the card payment goes on, in the same transaction."""
    if values["status"] != "ACCEPTED":
        return {}
    account = db.execute("SELECT * FROM accounts WHERE id = ?", (row["account_id"],)).fetchone()
    shop = {key: row[key] for key in SHOP}
    return {"action_id": pay_by_card(ctx, db, account, row["amount_cents"], row["currency"], **shop)}


def challenge_object(db: sqlite3.Connection, row: sqlite3.Row, now: float) -> dict[str, Any]:
    """A challenge as bunq's SDKs read it (its status as of ``now``)."""
    return {
        "amount": cents_to_value(row["amount_cents"]),
        "card_id": row["card_id"],
        "counterparty_alias": counterparty_label({"type": "IBAN", "value": "", "name": row["merchant"]}),
        "description": row["merchant"],
        "event_id": row["event_id"],
        "expiry_time": timestamp(row["expiry_time"]),
        "status": _status(row, now),
    }


ROUTES = plain_family(
    CHALLENGE,
    read_op="READ_ChallengeRequest_for_User",
    update_op="UPDATE_ChallengeRequest_for_User",
    clocked=challenge_object,
    wrapper=CHALLENGE_KIND,
    validate=_answer,
    within=_go_on,
    event_kind=CHALLENGE_KIND,
)
