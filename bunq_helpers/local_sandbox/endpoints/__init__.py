"""bunq's endpoints as the local sandbox answers them, one module per family.

Each module holds its handlers and a ``ROUTES`` list; ``ROUTES`` here is all of them, in the order
the router tries them. A new family is a new module plus one line below.
"""

from __future__ import annotations

from . import (
    attachments,
    cards,
    customer_statements,
    handshake,
    monetary_accounts,
    notes,
    payments,
    permitted_ips,
    request_inquiries,
    user_events,
    users,
)

ROUTES = [
    *handshake.ROUTES,
    *users.ROUTES,
    *monetary_accounts.ROUTES,
    *request_inquiries.ROUTES,
    *payments.ROUTES,
    *permitted_ips.ROUTES,
    *attachments.ROUTES,
    *notes.ROUTES,
    *user_events.ROUTES,
    *cards.ROUTES,
    *customer_statements.ROUTES,
]
