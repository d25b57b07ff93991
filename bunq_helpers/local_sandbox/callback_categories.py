"""Which callbacks an event causes: bunq's notification categories, and a table from event kind to them.

bunq documents the categories a ``notification-filter-url`` may name (its callbacks page; the list
below is that page's, plus the ones bunq's OpenAPI description adds). An event of a kind the table
knows causes one notification per (category, event type) its classifier returns; an event of any
other kind causes none.

The table is meant to grow with the sandbox: the module that adds a kind of object registers how its
events notify, next to its ``@renders``::

    @notifies("DraftPayment")
    def draft_payment_notifications(event, obj):
        return [("DRAFT_PAYMENT", f"DRAFT_PAYMENT_{past_tense(event.action)}")]

A key ending in ``*`` matches every kind that starts with what comes before it.

Event types: bunq does not publish a list. ``PAYMENT_CREATED``/``PAYMENT_RECEIVED``,
``MUTATION_CREATED``/``MUTATION_RECEIVED``, ``REQUEST_INQUIRY_{CREATED,ACCEPTED,REJECTED}``,
``REQUEST_RESPONSE_{CREATED,ACCEPTED,REJECTED}``, ``CARD_PAYMENT_ALLOWED`` and
``CARD_TRANSACTION_NOT_ALLOWED`` are the names integrations written against bunq switch on; the
others (bunq.me tabs, draft payments, schedules) follow the same ``KIND_ACTION`` pattern and are
our choice.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .events import Event

# bunq's callbacks page, in its order, then the three names only bunq's OpenAPI description adds.
CATEGORIES = (
    "BILLING",
    "CARD_TRANSACTION_SUCCESSFUL",
    "CARD_TRANSACTION_FAILED",
    "CHAT",
    "DRAFT_PAYMENT",
    "IDEAL",
    "SOFORT",
    "MUTATION",
    "OAUTH",
    "PAYMENT",
    "REQUEST",
    "SCHEDULE_RESULT",
    "SCHEDULE_STATUS",
    "SHARE",
    "TAB_RESULT",
    "BUNQME_TAB",
    "SUPPORT",
    "MONETARY_ACCOUNT_PROFILE",
    "PROMOTION",
    "USER_APPROVAL",
)

Notification = tuple[str, str]  # (category, event_type)
Classifier = Callable[[Event, dict[str, Any]], list[Notification]]

NOTIFICATIONS: dict[str, Classifier] = {}

_PAST = {"CREATE": "CREATED", "UPDATE": "UPDATED", "DELETE": "DELETED"}
# bunq's payment sub-types that come from answering a request: they are MUTATIONs, not PAYMENTs
# ("doesn't include payments that result out of paying a Request, iDEAL, Sofort or Invoice").
_NOT_A_PAYMENT = {"REQUEST", "IDEAL", "SOFORT", "INVOICE"}


def notifies(kind: str) -> Callable[[Classifier], Classifier]:
    """Register the function that says which notifications an event of ``kind`` causes."""

    def register(function: Classifier) -> Classifier:
        NOTIFICATIONS[kind] = function
        return function

    return register


def classifier_for(kind: str) -> Classifier | None:
    """The classifier registered for ``kind`` (or for the longest ``Prefix*`` it starts with)."""
    if kind in NOTIFICATIONS:
        return NOTIFICATIONS[kind]
    prefixes = sorted((key for key in NOTIFICATIONS if key.endswith("*")), key=len, reverse=True)
    return next((NOTIFICATIONS[key] for key in prefixes if kind.startswith(key[:-1])), None)


def notifications_for(event: Event, wrapped: dict[str, Any]) -> list[Notification]:
    """The (category, event_type) pairs an event causes; ``wrapped`` is the object as bunq wraps it."""
    classifier = classifier_for(event.object_kind)
    if classifier is None:
        return []
    fields = next(iter(wrapped.values())) if len(wrapped) == 1 else wrapped
    return classifier(event, fields)


def past_tense(action: str) -> str:
    """``CREATE`` -> ``CREATED``: how an event's action reads in an event type."""
    return _PAST.get(action, action)


def snake(kind: str) -> str:
    """``RequestInquiry`` -> ``REQUEST_INQUIRY``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", kind).upper()


def _by_status(event: Event, fields: dict[str, Any]) -> str:
    status = fields.get("status")
    if event.action == "UPDATE" and isinstance(status, str) and status not in ("PENDING", "ACTIVE"):
        return status
    return past_tense(event.action)


@notifies("Payment")
def payment_notifications(event: Event, fields: dict[str, Any]) -> list[Notification]:
    """A payment is a MUTATION (the balance moved) and, unless it settles a request, a PAYMENT."""
    direction = (
        "RECEIVED" if not str(fields.get("amount", {}).get("value", "")).startswith("-") else "CREATED"
    )
    found = [("MUTATION", f"MUTATION_{direction}")]
    if fields.get("sub_type") not in _NOT_A_PAYMENT:
        found.insert(0, ("PAYMENT", f"PAYMENT_{direction}"))
    return found


def _by_status_in(category: str, name: str | None = None) -> Classifier:
    """One notification in ``category``, its event type NAME_STATUS (NAME: the kind in capitals, unless given)."""

    def classify(event: Event, fields: dict[str, Any]) -> list[Notification]:
        return [(category, f"{name or snake(event.object_kind)}_{_by_status(event, fields)}")]

    return classify


# Requests you made (inquiries) and made to you (responses), bunq.me tabs (open requests), draft payments
# created or decided, and scheduled payments carried out (ScheduleInstance, SchedulePayment, ...).
for _kind, _category, _name in (
    ("RequestInquiry", "REQUEST", None),
    ("RequestResponse", "REQUEST", None),
    ("BunqMeTab", "BUNQME_TAB", "BUNQME_TAB"),
    ("DraftPayment", "DRAFT_PAYMENT", None),
    ("Schedule*", "SCHEDULE_RESULT", None),
):
    notifies(_kind)(_by_status_in(_category, _name))


@notifies("Invoice")
def invoice_notifications(event: Event, fields: dict[str, Any]) -> list[Notification]:
    """bunq's invoices to the user: BILLING."""
    return [("BILLING", f"INVOICE_{past_tense(event.action)}")]


@notifies("MasterCardAction")
def card_notifications(event: Event, fields: dict[str, Any]) -> list[Notification]:
    """A card transaction: SUCCESSFUL when bunq allowed it, FAILED otherwise."""
    if fields.get("decision", "ALLOWED") == "ALLOWED":
        return [("CARD_TRANSACTION_SUCCESSFUL", "CARD_PAYMENT_ALLOWED")]
    return [("CARD_TRANSACTION_FAILED", "CARD_TRANSACTION_NOT_ALLOWED")]
