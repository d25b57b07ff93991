"""Requests for money (RequestInquiry): one stored as PENDING, with the payee's RequestResponse when the
payee holds a sandbox account. Sugar daddy (sugardaddy@bunq.com) answers his after the bank's delay
(``sugar_daddy.py``); endpoints, triggers and scenarios all make requests through ``insert_inquiry``."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

from ..bunq_errors import bad_request
from ..render import SUGAR_DADDY_EMAIL, SUGAR_DADDY_IBAN, SUGAR_DADDY_NAME
from .core import Bank
from .transfers import local_account_for


@dataclass(frozen=True)
class InquiryOrder:
    """A request for money, checked, before it is stored."""

    cents: int
    currency: str
    description: str
    pointer: dict[str, str]
    allow_amount_lower: bool
    allow_amount_higher: bool


def is_sugar_daddy(pointer: dict[str, str]) -> bool:
    """Whether a pointer names sugardaddy@bunq.com."""
    return pointer["type"] == "EMAIL" and pointer["value"].lower() == SUGAR_DADDY_EMAIL


def insert_inquiry(
    bank: Bank, db: sqlite3.Connection, account: sqlite3.Row, user: sqlite3.Row, order: InquiryOrder
) -> int:
    """Store a PENDING request (and the payee's RequestResponse when the payee is a sandbox account)."""
    now = bank.now()
    pointer, payee = order.pointer, None
    if is_sugar_daddy(pointer):
        pointer = {**pointer, "name": SUGAR_DADDY_NAME, "iban": SUGAR_DADDY_IBAN}
    else:
        payee = local_account_for(db, pointer)
        if payee is not None and payee["id"] == account["id"]:
            raise bad_request('Field "counterparty_alias" points at the requesting account itself.')
    inquiry_id = db.execute(
        "INSERT INTO request_inquiries (account_id, amount_cents, currency, description,"
        " counterparty, status, credit_at, created, updated) VALUES (?, ?, ?, ?, ?, 'PENDING', ?, ?, ?)",
        (
            account["id"],
            order.cents,
            order.currency,
            order.description,
            json.dumps(pointer),
            now + bank.sugardaddy_delay(),
            now,
            now,
        ),
    ).lastrowid
    bank.events.record(db, "RequestInquiry", inquiry_id, user_id=user["id"], account_id=account["id"])
    if payee is not None:
        response_id = db.execute(
            "INSERT INTO request_responses (account_id, inquiry_id, allow_amount_lower, allow_amount_higher,"
            " created, updated) VALUES (?, ?, ?, ?, ?, ?)",
            (payee["id"], inquiry_id, order.allow_amount_lower, order.allow_amount_higher, now, now),
        ).lastrowid
        bank.events.record(
            db, "RequestResponse", response_id, user_id=payee["user_id"], account_id=payee["id"]
        )
    return int(inquiry_id)
