"""``token-qr-request-ideal``: a bunq user pays an iDEAL merchant by the token from its page or QR code.

bunq checks the token, picks the user's account and makes a request to pay it: a RequestResponse,
``PENDING`` until the user answers (doc.bunq.com/token-qr-request-ideal). In the local sandbox the iDEAL
merchants are sandbox accounts: the token is the ``transaction_identifier`` of another user's pending
``ideal-merchant-transaction`` (issuer ``BUNQNL2A``, see ``merchant_transactions.py``); the request is
made on the payer's first open account, and ``PUT request-response`` (ACCEPTED) pays the merchant.
"""

from __future__ import annotations

from ..bank.inquiries import InquiryOrder, insert_inquiry
from ..bank.ledger import account_and_owner
from ..bunq_errors import bad_request
from ..catalogue import load_catalogue
from ..kit import body_of, op, own_user
from ..request import Request
from ..routing import Caller, HandlerContext, Reply
from .merchant_transactions import IDEAL
from .request_responses import RESPONSE, response_object

CREATE = "CREATE_TokenQrRequestIdeal_for_User"
_SHOWN = load_catalogue().schemas["TokenQrRequestIdealCreate"]["fields"]


def scan_ideal(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """POST user/{id}/token-qr-request-ideal: the request to pay the merchant whose token this is."""
    user = own_user(caller, ids)
    token = body_of(request)["token"]
    with ctx.store.transaction() as db:
        sale = db.execute(
            f"SELECT * FROM {IDEAL.table} WHERE transaction_identifier = ? AND status = 'PENDING'"  # noqa: S608
            " AND inquiry_id IS NULL",
            (token,),
        ).fetchone()
        payer = db.execute(
            "SELECT * FROM accounts WHERE user_id = ? AND status = 'ACTIVE' ORDER BY id LIMIT 1",
            (user["id"],),
        ).fetchone()
        if sale is None:
            raise bad_request(
                f'Field "token": {token!r} is no open iDEAL transaction; a sandbox merchant makes one with'
                ' POST …/ideal-merchant-transaction (issuer "BUNQNL2A") and shows its transaction_identifier.'
            )
        if payer is None or payer["user_id"] == account_and_owner(db, sale["account_id"])[1]["id"]:
            raise bad_request('Field "token" names your own iDEAL transaction; another user pays it.')
        merchant_account, merchant = account_and_owner(db, sale["account_id"])
        to_pay = {"type": "IBAN", "value": payer["iban"], "name": user["display_name"]}
        order = InquiryOrder(
            sale["amount_requested_cents"], sale["currency"], f"iDEAL {token}", to_pay, False, False
        )
        inquiry_id = insert_inquiry(ctx.bank, db, merchant_account, merchant, order)
        db.execute(f"UPDATE {IDEAL.table} SET inquiry_id = ? WHERE id = ?", (inquiry_id, sale["id"]))  # noqa: S608
        [response_id] = db.execute(
            "SELECT id FROM request_responses WHERE inquiry_id = ?", (inquiry_id,)
        ).fetchone()
        shown = response_object(db, RESPONSE.get(db, payer["id"], response_id))
    shown.update(type="IDEAL", sub_type="NONE")
    # bunq's SDK reads the answer under RequestResponse (divergences.WRAPPERS_BUNQ_SENDS)
    return Reply([{"RequestResponse": {k: v for k, v in shown.items() if k in _SHOWN}}])


ROUTES = [op(CREATE, scan_ideal)]
