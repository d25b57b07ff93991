"""SDD whitelists: ``whitelist-sdd-one-off`` and ``whitelist-sdd-recurring`` (create, list, read, update,
delete) and the read-only views of both, ``whitelist-sdd`` on the user and on the paying account.

A whitelist lets a collector's direct debits through without asking. bunq names the debit to trust by
``request_id``; the local sandbox collects no SEPA direct debits, so the stand-in is the sandbox's own
request between accounts: ``request_id`` must be a ``request-response`` on the paying account (404
otherwise), and its requester becomes ``counterparty_alias``/``monetary_account_incoming_id``. The
request and paying account of a whitelist cannot change (400: delete it and add another); the maximum
amounts and ``routing_type`` can. Where bunq is silent: the credit scheme identifier is derived from
the collector's account, a recurring whitelist's mandate from the request, and new entries are ACTIVE.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from ..bunq_errors import bad_request, not_found
from ..kit import ACCOUNT, Narrowed, Owned, derived_renderer, operation_ids, plain_family
from ..render import label_user, own_label
from ..routing import HandlerContext
from ..validation import amount_cents

ONE_OFF = Narrowed("whitelist_sdds", "WhitelistSddOneOff", "ONE_OFF")
RECURRING = Narrowed("whitelist_sdds", "WhitelistSddRecurring", "RECURRING")
ANY = Owned("whitelist_sdds", "WhitelistSdd")
PAYING = Owned("whitelist_sdds", "WhitelistSdd", parent=ACCOUNT, link="monetary_account_paying_id")


def _columns(type_: str):
    def validate(ctx: HandlerContext, row: sqlite3.Row, body: dict, creating: bool) -> dict[str, Any]:
        db = ctx.store.read()
        paying, request_id = body["monetary_account_paying_id"], body["request_id"]
        if not creating and (paying, request_id) != (row["monetary_account_paying_id"], row["request_id"]):
            raise bad_request(
                "A whitelist's paying account and request cannot change: delete it and add another."
            )
        user_id = row["id"] if creating else row["user_id"]
        if not db.execute(
            "SELECT 1 FROM accounts WHERE id = ? AND user_id = ?", (paying, user_id)
        ).fetchone():
            raise not_found("MonetaryAccount", paying)
        asked = db.execute(
            "SELECT ri.account_id FROM request_responses rr JOIN request_inquiries ri ON ri.id = rr.inquiry_id"
            " WHERE rr.id = ? AND rr.account_id = ?",
            (request_id, paying),
        ).fetchone()
        if asked is None:
            raise not_found("RequestResponse", request_id)
        limits = {
            f"{field}_cents": amount_cents(body[field], field)
            for field in ("maximum_amount_per_month", "maximum_amount_per_payment")
            if body.get(field) is not None
        }
        fixed = {
            "type": type_,
            "monetary_account_paying_id": paying,
            "monetary_account_incoming_id": asked["account_id"],
            "request_id": request_id,
            "credit_scheme_identifier": f"NL{asked['account_id'] % 100:02d}ZZZ{asked['account_id']:010d}",
            "mandate_identifier": f"SDD-{request_id}" if type_ == "RECURRING" else None,
            "status": "ACTIVE",
        }
        return {**(fixed if creating else {}), **limits, "routing_type": body.get("routing_type")}

    return validate


def _renderer(operation_id: str):
    derived = derived_renderer(operation_id)

    def render(db: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
        incoming = db.execute(
            "SELECT * FROM accounts WHERE id = ?", (row["monetary_account_incoming_id"],)
        ).fetchone()
        collector = db.execute("SELECT * FROM users WHERE id = ?", (incoming["user_id"],)).fetchone()
        creator = db.execute("SELECT * FROM users WHERE id = ?", (row["user_id"],)).fetchone()
        return {
            **derived(db, row),
            "counterparty_alias": own_label(incoming, collector),
            "user_alias_created": label_user(creator),
        }

    return render


ROUTES = [
    *(
        route
        for owned, name, kind in (
            (ONE_OFF, "WhitelistSddOneOff", "ONE_OFF"),
            (RECURRING, "WhitelistSddRecurring", "RECURRING"),
        )
        for route in plain_family(
            owned, **operation_ids(name), validate=_columns(kind), render=_renderer(f"READ_{name}_for_User")
        )
    ),
    *plain_family(
        ANY,
        **operation_ids("WhitelistSdd", "User", "list read"),
        render=_renderer("READ_WhitelistSdd_for_User"),
    ),
    *plain_family(
        PAYING,
        **operation_ids("WhitelistSdd", "User_MonetaryAccount", "list read"),
        render=_renderer("READ_WhitelistSdd_for_User_MonetaryAccount"),
    ),
]
