"""bunq's invoices to a user: ``invoice`` list and read (per user and per account), and ``pdf-content``.

bunq bills a user monthly, after a billing period ends; a sandbox user is fresh and has been through
no billing period, so the local sandbox has no invoice to show and does not make one up: every list
answers 200 with an empty ``Response`` (and bunq's ``Pagination``), and reading an invoice or its PDF
(``invoice/{id}/pdf-content``) answers bunq's 404 for an object that is not there. The routes check
the caller's own user and account first, as bunq does, so another user's ids are 404 too.
"""

from __future__ import annotations

from ..bunq_errors import not_found
from ..kit import op
from ..pagination import paginate
from ..request import Request
from ..routing import Caller, HandlerContext, Reply
from .lookups import own_account, own_user


def list_user_invoices(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """GET user/{id}/invoice: none for a sandbox user."""
    own_user(caller, ids)
    return paginate(request, [], "Invoice")


def read_user_invoice(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """GET user/{id}/invoice/{id} and …/pdf-content: 404, there is no invoice."""
    own_user(caller, ids)
    raise not_found("Invoice", ids["invoice_id"])


def list_account_invoices(
    ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]
) -> Reply:
    """GET …/monetary-account/{id}/invoice: none for a sandbox user."""
    own_account(ctx, caller, ids)
    return paginate(request, [], "Invoice")


def read_account_invoice(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """GET …/monetary-account/{id}/invoice/{id}: 404, there is no invoice."""
    own_account(ctx, caller, ids)
    raise not_found("Invoice", ids["invoice_id"])


ROUTES = [
    op("List_all_Invoice_for_User", list_user_invoices),
    op("READ_Invoice_for_User", read_user_invoice, item="invoice_id"),
    op("List_all_PdfContent_for_User_Invoice", read_user_invoice),
    op("List_all_Invoice_for_User_MonetaryAccount", list_account_invoices),
    op("READ_Invoice_for_User_MonetaryAccount", read_account_invoice, item="invoice_id"),
]
