"""Several requests for money at once: ``request-inquiry-batch`` create, list, read and update.

Every request in the batch is an ordinary RequestInquiry (answered by its payee, or by sugar daddy);
the batch is made whole or not at all. ``total_amount_inquired``, if sent, must be the sum of the
requests. ``PUT`` with status REVOKED revokes every request of the batch that is still PENDING.
"""

from __future__ import annotations

import json
import sqlite3

from ..amounts import amount, cents_to_value
from ..bank.inquiries import insert_inquiry
from ..bunq_errors import bad_request
from ..events import renders_rows
from ..field_rules import choice
from ..kit import ACCOUNT, Owned, body_of, op, operation_ids, plain_family
from ..request import Request
from ..routing import Caller, HandlerContext, Reply
from ..validation import required_amount, required_list
from .lookups import payable_account
from .request_inquiries import REQUEST_INQUIRY, inquiry_object, read_inquiry, revoke

MAX_REQUESTS = 100  # bunq's own limit is not documented
REVOKED = choice("REVOKED", required=True)  # the one status a PUT may send


REQUEST_INQUIRY_BATCH = Owned(
    "request_inquiry_batches", "RequestInquiryBatch", parent=ACCOUNT, link="account_id"
)


def batch_object(db: sqlite3.Connection, batch: sqlite3.Row) -> dict:
    """A RequestInquiryBatch: its requests and the total asked (no ``id``: bunq's spec and SDK have none)."""
    inquiries = [
        inquiry_object(db, REQUEST_INQUIRY.get(db, batch["account_id"], inquiry_id))
        for inquiry_id in json.loads(batch["inquiry_ids"])
    ]
    return {
        "request_inquiries": inquiries,
        "total_amount_inquired": amount(batch["total_cents"], batch["currency"]),
        "reference_split_the_bill": None,
    }


def create_batch(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """POST …/request-inquiry-batch: several requests, all made or none."""
    account = payable_account(ctx, caller, ids)
    body = body_of(request)
    items = required_list(body, "request_inquiries", max_items=MAX_REQUESTS)
    orders = [read_inquiry(item, f"request_inquiries[{index}]") for index, item in enumerate(items)]
    total = sum(order.cents for order in orders)
    if body.get("total_amount_inquired") is not None:
        stated, _ = required_amount(body, "total_amount_inquired")
        if stated != total:
            raise bad_request(
                f'Field "total_amount_inquired" is {cents_to_value(stated)} EUR but the requests add up to '
                f"{cents_to_value(total)} EUR."
            )
    now = ctx.now()
    with ctx.store.transaction() as db:
        inquiry_ids = [insert_inquiry(ctx.bank, db, account, caller.user, order) for order in orders]
        batch_id = db.execute(
            "INSERT INTO request_inquiry_batches (account_id, total_cents, currency, inquiry_ids, created, updated)"
            " VALUES (?, ?, 'EUR', ?, ?, ?)",
            (account["id"], total, json.dumps(inquiry_ids), now, now),
        ).lastrowid
        ctx.events.record(
            db, "RequestInquiryBatch", batch_id, user_id=caller.user["id"], account_id=account["id"]
        )
    return Reply([{"Id": {"id": batch_id}}])


def update_batch(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """PUT …/request-inquiry-batch/{id} with status REVOKED: revoke the requests still PENDING."""
    row = REQUEST_INQUIRY_BATCH.find(ctx, caller, ids)
    with ctx.store.transaction() as db:
        pending = [
            inquiry
            for inquiry in (
                REQUEST_INQUIRY.get(db, row["account_id"], i) for i in json.loads(row["inquiry_ids"])
            )
            if inquiry["status"] == "PENDING"
        ]
        if not pending:
            raise bad_request(f"RequestInquiryBatch {row['id']} has no PENDING request left to revoke.")
        for inquiry in pending:
            revoke(ctx, db, inquiry, caller.user)
        ctx.events.updated(db, "RequestInquiryBatch", row["id"], caller.user["id"], row["account_id"])
    return Reply([{"Id": {"id": row["id"]}}])


renders_rows("RequestInquiryBatch", "request_inquiry_batches", batch_object)


ROUTES = [
    op("CREATE_RequestInquiryBatch_for_User_MonetaryAccount", create_batch),
    *plain_family(
        REQUEST_INQUIRY_BATCH,
        **operation_ids("RequestInquiryBatch", "User_MonetaryAccount", "list read"),
        render=batch_object,
    ),
    op("UPDATE_RequestInquiryBatch_for_User_MonetaryAccount", update_batch, rules={"status": REVOKED}),
]
