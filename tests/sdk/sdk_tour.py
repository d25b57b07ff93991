"""A tour of the local sandbox with bunq's official Python SDK 1.28.0: run INSIDE the SDK's venv.

    python sdk_tour.py BASE_URL CA_FILE

Two sandbox users (A and B) go through what a developer does after the handshake: accounts,
sandbox money, payments with pagination, requests between the two users (single and batched),
drafts, scheduled payments and batches (one due at once), payment batches, bunq.me tabs, events,
cards, callbacks, files, notes, statements, and closing the session.
Every step checks values (balances, ids, statuses), not only that the SDK raised nothing.

Prints one JSON line: ``{"steps": [{"name", "status", "calls", "detail"}]}`` where status is
``passed``, ``failed`` (detail says what differed) or ``blocked`` (a step it needs did not pass),
and ``calls`` lists every HTTP request the SDK made in that step (``METHOD path -> status``).
Importable without the SDK (our tests read ``STEP_NAMES``); bunq is imported inside the steps.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

POLL_SECONDS = 15.0  # how long a step waits for sandbox money before it fails


class CheckFailed(Exception):
    """The sandbox answered, but not what bunq's SDK user expects."""


def check(condition: bool, message: str) -> None:
    """Fail the step with ``message`` unless ``condition`` holds."""
    if not condition:
        raise CheckFailed(message)


def equal(actual: Any, expected: Any, what: str) -> None:
    """Fail the step unless ``actual == expected``, naming both."""
    check(actual == expected, f"{what}: expected {expected!r}, got {actual!r}")


@dataclass
class Step:
    name: str
    run: Callable[[SimpleNamespace], None]
    needs: tuple[str, ...] = ()


STEPS: list[Step] = []


def step(needs: tuple[str, ...] = ()) -> Callable:
    """Register a tour step, named after its function, run in the order of definition.

    ``needs`` names earlier steps whose results (ids, balances) this one uses.
    """

    def register(run: Callable[[SimpleNamespace], None]) -> Callable[[SimpleNamespace], None]:
        STEPS.append(Step(run.__name__.replace("_", "-"), run, needs))
        return run

    return register


@dataclass
class CallLog:
    """Every HTTP request the SDK makes, as ``METHOD path?query -> status``."""

    base_path: str
    calls: list[str] = field(default_factory=list)

    def install(self) -> None:
        import requests

        real = requests.request

        def counted(method: str, url: str, **kwargs: Any) -> Any:
            response = real(method, url, **kwargs)
            parts = urlsplit(url)
            path = parts.path.removeprefix(self.base_path) + (f"?{parts.query}" if parts.query else "")
            self.calls.append(f"{method} {path} -> {response.status_code}")
            return response

        requests.request = counted


# --- helpers the steps share (all run inside the SDK's venv) ---------------------------------------


def sdk() -> SimpleNamespace:
    """The SDK's modules, imported lazily so this file imports without the SDK."""
    from bunq.sdk.context.api_context import ApiContext
    from bunq.sdk.context.api_environment_type import ApiEnvironmentType
    from bunq.sdk.context.bunq_context import BunqContext
    from bunq.sdk.exception.unauthorized_exception import UnauthorizedException
    from bunq.sdk.model.generated import endpoint, object_

    return SimpleNamespace(
        ApiContext=ApiContext,
        ApiEnvironmentType=ApiEnvironmentType,
        BunqContext=BunqContext,
        UnauthorizedException=UnauthorizedException,
        e=endpoint,
        o=object_,
    )


def amount(value: str) -> Any:
    return sdk().o.AmountObject(value, "EUR")


def balance(account_id: int | None = None) -> str:
    """The balance of a bank account of the loaded user (the primary one by default)."""
    e = sdk().e
    if account_id is None:
        account_id = sdk().BunqContext.user_context().primary_monetary_account.id_
    return e.MonetaryAccountBankApiObject.get(account_id).value.balance.value


def cents(value: str) -> int:
    whole, _, fraction = value.partition(".")
    sign = -1 if whole.startswith("-") else 1
    return sign * (abs(int(whole)) * 100 + int((fraction + "00")[:2]))


def use(tour: SimpleNamespace, who: str) -> None:
    """Make user ``who`` ("a" or "b") the SDK's current context (one GET of its accounts)."""
    sdk().BunqContext.load_api_context(getattr(tour, f"context_{who}"))


def wait_for_balance(expected: str, account_id: int | None = None) -> None:
    """Poll the account until its balance is ``expected`` (sandbox money arrives after a delay)."""
    deadline = time.monotonic() + POLL_SECONDS
    seen = balance(account_id)
    while seen != expected and time.monotonic() < deadline:
        time.sleep(0.1)
        seen = balance(account_id)
    equal(seen, expected, f"balance after waiting up to {POLL_SECONDS:.0f} s")


def tiny_png() -> bytes:
    """A valid 1x1 PNG (public attachments are images, such as avatars)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x80\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def account_kind(account: Any) -> tuple[int, str]:
    """(id, kind) of a MonetaryAccount: SDK 1.28.0 keeps each kind in an attribute of its own name."""
    for name, value in vars(account).items():
        if name.startswith("_MonetaryAccount") and value is not None:
            inner = value if isinstance(value, dict) else vars(value)
            return inner.get("_id_", inner.get("id")), name[1:]
    raise CheckFailed(f"no kind of account in {sorted(vars(account))}")


def event_object(event: Any) -> tuple[str, int | None]:
    """(kind, id) of what an event is about: SDK 1.28.0 keeps each kind in an attribute of its name."""
    for name, value in vars(event.object_).items():
        if name.startswith("_") and name[1:2].isupper() and value is not None:
            return name[1:], getattr(value, "id_", None)
    return "?", None


def alias_of(account: Any, kind: str) -> str:
    return next(pointer.value for pointer in account.alias if pointer.type_ == kind)


# --- the tour -------------------------------------------------------------------------------------


@step()
def contexts(tour: SimpleNamespace) -> None:
    """Two sandbox users (the SDK's own helper), ApiContext.create, save, restore, load_api_context."""
    from bunq.sdk.util import util

    s = sdk()
    for who in ("a", "b"):
        api_key = getattr(util, "__generate_new_sandbox_user")().api_key
        check(isinstance(api_key, str) and api_key.startswith("sandbox_"), f"api key {api_key!r}")
        context = s.ApiContext.create(s.ApiEnvironmentType.SANDBOX, api_key, f"sdk tour {who}")
        path = os.path.join(tour.workdir, f"bunq-{who}.conf")
        context.save(path)
        restored = s.ApiContext.restore(path)
        equal(restored.session_context.token, context.session_context.token, "restored session token")
        equal(restored.session_context.user_id, context.session_context.user_id, "restored user id")
        setattr(tour, f"context_{who}", restored)
        s.BunqContext.load_api_context(restored)
        primary = s.BunqContext.user_context().primary_monetary_account
        equal(primary.status, "ACTIVE", "primary account status")
        equal(primary.balance.value, "0.00", "a new user's balance")
        setattr(tour, f"user_{who}", restored.session_context.user_id)
        setattr(tour, f"account_{who}", primary.id_)
        setattr(tour, f"iban_{who}", alias_of(primary, "IBAN"))
    check(tour.user_a != tour.user_b, "the two sandbox users have different ids")
    check(tour.iban_a != tour.iban_b, "the two sandbox users have different IBANs")
    use(tour, "b")
    tour.email_b = alias_of(s.e.UserApiObject.get().value.get_referenced_object(), "EMAIL")
    use(tour, "a")


@step(needs=("contexts",))
def users(tour: SimpleNamespace) -> None:
    """Users: list, get."""
    e = sdk().e
    listed = e.UserApiObject.list().value
    equal(len(listed), 1, "users listed")
    person = listed[0].get_referenced_object()
    equal(type(person).__name__, "UserPersonApiObject", "user kind")
    equal(person.id_, tour.user_a, "listed user id")
    read = e.UserApiObject.get().value.get_referenced_object()
    equal(read.id_, tour.user_a, "user/{id} id")
    check(bool(person.display_name), "the user has a display name")
    tour.email_a = alias_of(person, "EMAIL")
    tour.name_a = person.display_name


@step(needs=("users",))
def user_person_get(tour: SimpleNamespace) -> None:
    """User-person: get."""
    direct = sdk().e.UserPersonApiObject.get().value
    equal(direct.id_, tour.user_a, "user-person/{id} id")
    equal((direct.display_name, alias_of(direct, "EMAIL")), (tour.name_a, tour.email_a), "name and e-mail")


@step(needs=("user-person-get",))
def user_person_update(tour: SimpleNamespace) -> None:
    """User-person: update."""
    e = sdk().e
    returned = e.UserPersonApiObject.update(public_nick_name="Tourist", session_timeout=3600).value
    equal(returned, tour.user_a, "id returned by PUT user-person")
    person = e.UserPersonApiObject.get().value
    equal((person.public_nick_name, person.session_timeout), ("Tourist", 3600), "user-person after PUT")


@step(needs=("contexts",))
def bank_accounts(tour: SimpleNamespace) -> None:
    """Bank accounts: list, get."""
    e = sdk().e
    listed = e.MonetaryAccountBankApiObject.list().value
    equal([a.id_ for a in listed], [tour.account_a], "bank accounts of a new user")
    read = e.MonetaryAccountBankApiObject.get(tour.account_a).value
    equal(alias_of(read, "IBAN"), tour.iban_a, "IBAN of the primary account")
    equal((read.currency, read.balance.value), ("EUR", "0.00"), "currency and balance")


@step(needs=("contexts",))
def sugar_daddy(tour: SimpleNamespace) -> None:
    """Sugar daddy: 500 EUR arrives."""
    s = sdk()
    sugar = s.o.PointerObject("EMAIL", "sugardaddy@bunq.com")
    for who in ("b", "a"):  # B gets money too, to answer A's request later
        use(tour, who)
        inquiry_id = s.e.RequestInquiryApiObject.create(amount("500.00"), sugar, "tour money", False).value
        wait_for_balance("500.00")
        inquiry = s.e.RequestInquiryApiObject.get(inquiry_id).value
        equal(inquiry.status, "ACCEPTED", "sugar daddy request status once paid")
        equal(inquiry.amount_inquired.value, "500.00", "amount inquired")
    tour.made.append(("RequestInquiry", inquiry_id))  # A's
    listed = [r.id_ for r in s.e.RequestInquiryApiObject.list().value]
    check(inquiry_id in listed, f"request {inquiry_id} in the list {listed}")
    tour.balance_a = 50_000


@step(needs=("contexts",))
def sugar_daddy_limit(tour: SimpleNamespace) -> None:
    """Sugar daddy: a request over 500 EUR is accepted as a request, then rejected, as bunq documents."""
    s = sdk()
    before = balance()
    sugar = s.o.PointerObject("EMAIL", "sugardaddy@bunq.com")
    inquiry_id = s.e.RequestInquiryApiObject.create(amount("500.01"), sugar, "too much", False).value
    tour.made.append(("RequestInquiry", inquiry_id))
    deadline = time.monotonic() + POLL_SECONDS
    status = s.e.RequestInquiryApiObject.get(inquiry_id).value.status
    while status == "PENDING" and time.monotonic() < deadline:
        time.sleep(0.1)
        status = s.e.RequestInquiryApiObject.get(inquiry_id).value.status
    equal(status, "REJECTED", "status of a request over 500 EUR once sugar daddy answered")
    equal(balance(), before, "balance after the rejected request")


@step(needs=("sugar-daddy",))
def payments(tour: SimpleNamespace) -> None:
    """Payments: create, get."""
    s = sdk()
    to_b = s.o.PointerObject("IBAN", tour.iban_b, "Tour B")
    tour.payments = []
    for value in ("1.00", "2.00", "3.00"):
        tour.payments.append(s.e.PaymentApiObject.create(amount(value), to_b, f"tour payment {value}").value)
    check(tour.payments == sorted(tour.payments), f"payment ids increase: {tour.payments}")
    tour.made += [("Payment", payment_id) for payment_id in tour.payments]
    tour.balance_a -= 600
    equal(balance(), "494.00", "A's balance after paying 6.00")
    read = s.e.PaymentApiObject.get(tour.payments[-1]).value
    equal(read.amount.value, "-3.00", "amount of the outgoing payment")
    equal(read.description, "tour payment 3.00", "description")
    equal(read.counterparty_alias.label_monetary_account.iban, tour.iban_b, "counterparty IBAN")
    equal(read.monetary_account_id, tour.account_a, "monetary_account_id")


@step(needs=("payments",))
def pagination(tour: SimpleNamespace) -> None:
    """Payments: pagination (count, older, newer)."""
    e = sdk().e
    first = e.PaymentApiObject.list(params={"count": "2"})
    equal([p.id_ for p in first.value], tour.payments[:0:-1], "newest page (count=2)")
    check(first.pagination.has_previous_page(), "the newest page has an older page")
    older = e.PaymentApiObject.list(params=first.pagination.url_params_previous_page)
    older_ids = [p.id_ for p in older.value]
    equal(older_ids[0], tour.payments[0], "first item of the older page")
    equal(len(older_ids), 2, "older page size (payment 1 and the sugar daddy money)")
    equal(older.value[1].amount.value, "500.00", "the oldest payment is the sugar daddy's")
    check(not older.pagination.has_previous_page(), "nothing older than the first payment")
    newer = e.PaymentApiObject.list(params=older.pagination.url_params_next_page)
    equal([p.id_ for p in newer.value], [p.id_ for p in first.value], "newer page from the older one")


@step(needs=("payments",))
def payment_notes(tour: SimpleNamespace) -> None:
    """Note-text on a payment."""
    notes = sdk().e.NoteTextPaymentApiObject
    payment_id = tour.payments[0]
    note_id = notes.create(payment_id, content="for the coffee").value
    equal(notes.get(payment_id, note_id).value.content, "for the coffee", "note content")
    notes.update(payment_id, note_id, content="for two coffees")
    equal([n.content for n in notes.list(payment_id).value], ["for two coffees"], "notes after update")


@step(needs=("contexts",))
def request_revoke(tour: SimpleNamespace) -> None:
    """Request-inquiry: create, revoke."""
    s = sdk()
    to_b = s.o.PointerObject("EMAIL", tour.email_b)
    inquiry_id = s.e.RequestInquiryApiObject.create(amount("4.00"), to_b, "to revoke", False).value
    tour.made.append(("RequestInquiry", inquiry_id))
    equal(s.e.RequestInquiryApiObject.get(inquiry_id).value.status, "PENDING", "status of a new request")
    equal(
        s.e.RequestInquiryApiObject.update(inquiry_id, status="REVOKED").value.status, "REVOKED", "PUT answer"
    )
    equal(s.e.RequestInquiryApiObject.get(inquiry_id).value.status, "REVOKED", "status after PUT REVOKED")


@step(needs=("sugar-daddy",))
def request_response(tour: SimpleNamespace) -> None:
    """Request-response: B accepts and rejects A's requests."""
    s = sdk()
    to_b = s.o.PointerObject("EMAIL", tour.email_b)
    accepted = s.e.RequestInquiryApiObject.create(amount("2.50"), to_b, "lunch", False).value
    rejected = s.e.RequestInquiryApiObject.create(amount("1.25"), to_b, "parking", False).value
    tour.made += [("RequestInquiry", accepted), ("RequestInquiry", rejected)]
    use(tour, "b")
    before_b = cents(balance())
    responses = {
        r.description: r for r in s.e.RequestResponseApiObject.list(params={"status": "PENDING"}).value
    }
    check({"lunch", "parking"} <= set(responses), f"B sees A's requests: {sorted(responses)}")
    lunch = responses["lunch"]
    equal((lunch.status, lunch.amount_inquired.value), ("PENDING", "2.50"), "B's view of the request")
    equal(
        lunch.counterparty_alias.label_monetary_account.iban,
        tour.iban_a,
        "the request comes from A's account",
    )
    answered = s.e.RequestResponseApiObject.update(
        lunch.id_, amount_responded=amount("2.50"), status="ACCEPTED"
    )
    equal((answered.value.status, answered.value.amount_responded.value), ("ACCEPTED", "2.50"), "PUT answer")
    s.e.RequestResponseApiObject.update(responses["parking"].id_, status="REJECTED")
    equal(s.e.RequestResponseApiObject.get(lunch.id_).value.status, "ACCEPTED", "B's response status")
    pending = [r.description for r in s.e.RequestResponseApiObject.list(params={"status": "PENDING"}).value]
    check("lunch" not in pending and "parking" not in pending, f"still pending: {pending}")
    equal(cents(balance()), before_b - 250, "B's balance after paying 2.50")
    use(tour, "a")
    equal(s.e.RequestInquiryApiObject.get(accepted).value.status, "ACCEPTED", "A's accepted request")
    equal(s.e.RequestInquiryApiObject.get(rejected).value.status, "REJECTED", "A's rejected request")
    tour.balance_a += 250
    equal(cents(balance()), tour.balance_a, "A's balance after B paid 2.50")


@step(needs=("contexts",))
def bank_account_create(tour: SimpleNamespace) -> None:
    """Bank account: create, update."""
    e = sdk().e
    tour.bills = e.MonetaryAccountBankApiObject.create("EUR", "Tour bills", amount("250.00")).value
    read = e.MonetaryAccountBankApiObject.get(tour.bills).value
    equal(
        (read.description, read.status, read.balance.value), ("Tour bills", "ACTIVE", "0.00"), "new account"
    )
    equal(read.daily_limit.value, "250.00", "daily limit")
    check(alias_of(read, "IBAN") not in (tour.iban_a, tour.iban_b), "a new account gets its own IBAN")
    tour.iban_bills = alias_of(read, "IBAN")
    e.MonetaryAccountBankApiObject.update(tour.bills, description="Tour rent", daily_limit=amount("300.00"))
    read = e.MonetaryAccountBankApiObject.get(tour.bills).value
    equal((read.description, read.daily_limit.value), ("Tour rent", "300.00"), "account after PUT")
    listed = [a.id_ for a in e.MonetaryAccountBankApiObject.list().value]
    equal(sorted(listed), sorted([tour.account_a, tour.bills]), "bank accounts listed")


@step(needs=("contexts",))
def savings(tour: SimpleNamespace) -> None:
    """Savings account: create, list, get, update."""
    e = sdk().e
    savings = e.MonetaryAccountSavingsApiObject
    tour.savings = savings.create("EUR", "Tour holiday", savings_goal=amount("1000.00")).value
    equal([a.id_ for a in savings.list().value], [tour.savings], "savings accounts listed")
    read = savings.get(tour.savings).value
    equal((read.description, read.status, read.balance.value), ("Tour holiday", "ACTIVE", "0.00"), "savings")
    equal((read.savings_goal.value, read.savings_goal_progress), ("1000.00", 0), "savings goal and progress")
    savings.update(tour.savings, description="Tour summer", savings_goal=amount("1200.00"))
    read = savings.get(tour.savings).value
    equal((read.description, read.savings_goal.value), ("Tour summer", "1200.00"), "savings after PUT")


@step(needs=("bank-account-create", "savings"))
def monetary_accounts(tour: SimpleNamespace) -> None:
    """Monetary-account list shows every kind."""
    listed = [account_kind(a) for a in sdk().e.MonetaryAccountApiObject.list().value]
    expected = [
        (tour.savings, "MonetaryAccountSavings"),
        (tour.bills, "MonetaryAccountBank"),
        (tour.account_a, "MonetaryAccountBank"),
    ]
    equal(listed, expected, "monetary-account list, newest first")
    equal(
        account_kind(sdk().e.MonetaryAccountApiObject.get(tour.savings).value),
        (tour.savings, "MonetaryAccountSavings"),
        "monetary-account/{id}",
    )


@step(needs=("bank-account-create",))
def own_transfer(tour: SimpleNamespace) -> None:
    """Payment to an own account moves money both ways."""
    s = sdk()
    to_bills = s.o.PointerObject("IBAN", tour.iban_bills, tour.name_a)
    s.e.PaymentApiObject.create(amount("10.00"), to_bills, "rent money")
    tour.balance_a -= 1000
    equal(cents(balance()), tour.balance_a, "A's primary balance")
    equal(balance(tour.bills), "10.00", "the other account's balance")
    incoming = s.e.PaymentApiObject.list(monetary_account_id=tour.bills).value
    equal([(p.amount.value, p.description) for p in incoming], [("10.00", "rent money")], "incoming payments")


@step(needs=("sugar-daddy",))
def draft_payment(tour: SimpleNamespace) -> None:
    """Draft-payment: create, accept."""
    s = sdk()
    entry = s.o.DraftPaymentEntryObject(amount("7.00"), s.o.PointerObject("IBAN", tour.iban_b, "B"), "draft")
    draft_id = s.e.DraftPaymentApiObject.create([entry], 1).value
    tour.made.append(("DraftPayment", draft_id))
    read = s.e.DraftPaymentApiObject.get(draft_id).value
    equal(read.status, "PENDING", "status of a new draft")
    equal([d.id_ for d in s.e.DraftPaymentApiObject.list().value], [draft_id], "drafts listed")
    equal(cents(balance()), tour.balance_a, "a draft moves no money")
    s.e.DraftPaymentApiObject.update(draft_id, status="ACCEPTED")
    accepted = s.e.DraftPaymentApiObject.get(draft_id).value
    equal((accepted.status, accepted.object_.Payment.amount.value), ("ACCEPTED", "-7.00"), "accepted draft")
    tour.balance_a -= 700
    equal(cents(balance()), tour.balance_a, "A's balance after the accepted draft")


@step(needs=("contexts",))
def schedule_payment(tour: SimpleNamespace) -> None:
    """Schedule-payment: create, get, list, schedules, delete."""
    s = sdk()
    to_b = s.o.PointerObject("IBAN", tour.iban_b, "B")
    entry = s.o.SchedulePaymentEntryObject(amount("5.00"), to_b, "rent")
    schedule = s.e.ScheduleApiObject("2031-01-01 09:00:00.000000", "MONTHLY", 1)
    schedule_id = s.e.SchedulePaymentApiObject.create(entry, schedule).value
    read = s.e.SchedulePaymentApiObject.get(schedule_id).value
    equal((read.payment.amount.value, read.payment.description), ("5.00", "rent"), "scheduled payment")
    equal(read.schedule.recurrence_unit, "MONTHLY", "recurrence unit")
    # SDK 1.28.0 models no id on a listed SchedulePayment (nor does bunq's spec): compare contents.
    listed = [
        (p.payment.description, p.schedule.time_start) for p in s.e.SchedulePaymentApiObject.list().value
    ]
    equal(listed, [("rent", read.schedule.time_start)], "scheduled payments listed")
    equal([x.recurrence_unit for x in s.e.ScheduleApiObject.list().value], ["MONTHLY"], "schedules listed")
    equal(cents(balance()), tour.balance_a, "a payment scheduled for 2031 moves no money now")
    s.e.SchedulePaymentApiObject.delete(schedule_id)
    equal(s.e.SchedulePaymentApiObject.list().value, [], "scheduled payments after DELETE")


@step(needs=("sugar-daddy",))
def schedule_payment_due(tour: SimpleNamespace) -> None:
    """Schedule-payment due now: it runs on its own (an instance), can be changed, and is cancelled."""
    s = sdk()
    to_b = s.o.PointerObject("EMAIL", tour.email_b)
    started = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(time.time() - 60))
    entry = s.o.SchedulePaymentEntryObject(amount("3.00"), to_b, "weekly")
    schedule_id = s.e.SchedulePaymentApiObject.create(
        entry, s.e.ScheduleApiObject(started, "WEEKLY", 1)
    ).value
    equal(s.e.SchedulePaymentApiObject.get(schedule_id).value.payment.amount.value, "3.00", "scheduled")
    instances = s.e.ScheduleInstanceApiObject.list(schedule_id).value
    equal([i.state for i in instances], ["FINISHED_SUCCESSFULLY"], "the first run, due a minute ago")
    tour.balance_a -= 300
    equal(cents(balance()), tour.balance_a, "A's balance after the first run")
    changed = s.e.SchedulePaymentApiObject.update(
        schedule_id, payment=s.o.SchedulePaymentEntryObject(amount("4.00"), to_b, "weekly")
    ).value
    equal(changed.payment.amount.value, "4.00", "scheduled payment after PUT")
    s.e.SchedulePaymentApiObject.delete(schedule_id)
    equal(s.e.ScheduleApiObject.get(schedule_id).value.status, "CANCELLED", "its schedule after DELETE")
    equal(len(s.e.ScheduleUserApiObject.list().value), len(s.e.ScheduleApiObject.list().value), "schedules")
    equal(cents(balance()), tour.balance_a, "no second run within the week")


@step(needs=("contexts",))
def schedule_payment_batch(tour: SimpleNamespace) -> None:
    """Schedule-payment-batch: create, get, update, delete."""
    s = sdk()
    entry = s.o.SchedulePaymentEntryObject(amount("1.00"), s.o.PointerObject("EMAIL", tour.email_b), "later")
    batch = s.e.SchedulePaymentBatchApiObject
    batch_id = batch.create([entry], s.e.ScheduleApiObject("2100-01-01 00:00:00", "MONTHLY", 1)).value
    equal([p.amount.value for p in batch.get(batch_id).value.payments], ["1.00"], "payments in the batch")
    updated = batch.update(batch_id, schedule=s.e.ScheduleApiObject("2100-02-01 00:00:00", "YEARLY", 1)).value
    equal(updated, batch_id, "PUT answers the batch's id")
    equal(batch.get(batch_id).value.schedule.recurrence_unit, "YEARLY", "schedule after PUT")
    batch.delete(batch_id)
    equal(cents(balance()), tour.balance_a, "a batch scheduled for 2100 moves no money")


@step(needs=("contexts",))
def request_inquiry_batch(tour: SimpleNamespace) -> None:
    """Request-inquiry-batch: A asks B within a batch, then revokes the batch."""
    s = sdk()
    one = s.e.RequestInquiryApiObject(
        amount("2.00"), s.o.PointerObject("EMAIL", tour.email_b), "split", False
    )
    batch_id = s.e.RequestInquiryBatchApiObject.create([one], amount("2.00")).value
    s.e.RequestInquiryBatchApiObject.update(batch_id, status="REVOKED")
    read = s.e.RequestInquiryBatchApiObject.get(batch_id).value
    equal([r.status for r in read.request_inquiries], ["REVOKED"], "requests in the revoked batch")
    equal(len(s.e.RequestInquiryBatchApiObject.list().value), 1, "request batches listed")


@step(needs=("sugar-daddy",))
def payment_batch(tour: SimpleNamespace) -> None:
    """Payment-batch: create, get."""
    s = sdk()
    to_b = s.o.PointerObject("IBAN", tour.iban_b, "B")
    batch = [
        s.e.PaymentApiObject(amount("0.50"), to_b, "batch 1"),
        s.e.PaymentApiObject(amount("0.75"), to_b, "batch 2"),
    ]
    batch_id = s.e.PaymentBatchApiObject.create(batch).value
    tour.balance_a -= 125
    equal(cents(balance()), tour.balance_a, "A's balance after the batch")
    # SDK 1.28.0 reads a batch's payments as a plain list of Payment, and models no batch id.
    read = s.e.PaymentBatchApiObject.get(batch_id).value
    described = sorted((p.amount.value, p.description) for p in read.payments)
    equal(described, [("-0.50", "batch 1"), ("-0.75", "batch 2")], "payments in the batch")
    listed = [sorted(p.description for p in b.payments) for b in s.e.PaymentBatchApiObject.list().value]
    equal(listed, [["batch 1", "batch 2"]], "batches listed")


@step(needs=("contexts",))
def bunqme_tab(tour: SimpleNamespace) -> None:
    """Bunqme-tab: create, get, cancel."""
    s = sdk()
    entry = s.e.BunqMeTabEntryApiObject(amount("12.34"), "tour tab", "https://example.com/thanks")
    tab_id = s.e.BunqMeTabApiObject.create(entry).value
    tour.made.append(("BunqMeTab", tab_id))
    read = s.e.BunqMeTabApiObject.get(tab_id).value
    equal(read.status, "WAITING_FOR_PAYMENT", "status of a new tab")
    equal(read.bunqme_tab_entry.amount_inquired.value, "12.34", "amount of the tab")
    check(
        read.bunqme_tab_share_url.startswith("https://bunq.me/t/"), f"share URL {read.bunqme_tab_share_url!r}"
    )
    check(tab_id in [t.id_ for t in s.e.BunqMeTabApiObject.list().value], "tab listed")
    s.e.BunqMeTabApiObject.update(tab_id, status="CANCELLED")
    equal(s.e.BunqMeTabApiObject.get(tab_id).value.status, "CANCELLED", "tab after PUT CANCELLED")
    equal([t.status for t in s.e.BunqMeTabApiObject.list().value], ["CANCELLED"], "tabs listed")


@step(needs=("users",))
def cards(tour: SimpleNamespace) -> None:
    """Cards: none at first; order a debit card with a name bunq offers; change its limit and status."""
    s = sdk()
    equal(s.e.CardApiObject.list().value, [], "cards of a new sandbox user")
    names = s.e.CardNameApiObject.list().value[0].possible_card_name_array
    check(bool(names), "card-name offers at least one name")
    pin = s.o.CardPinAssignmentObject("PRIMARY", "MANUAL", "4831", tour.account_a)
    ordered = s.e.CardDebitApiObject.create(
        "TOUR", names[0], "MASTERCARD", "MASTERCARD_DEBIT", pin_code_assignment=[pin]
    ).value
    card_id = ordered.id_
    equal([c.id_ for c in s.e.CardApiObject.list().value], [card_id], "cards after ordering one")
    equal((ordered.second_line, ordered.name_on_card), ("TOUR", names[0]), "the ordered card")
    updated = s.e.CardApiObject.update(card_id, card_limit=amount("75.00"), status="DEACTIVATED").value
    equal((updated.card_limit.value, updated.status), ("75.00", "DEACTIVATED"), "card after PUT")
    equal(s.e.CardApiObject.get(card_id).value.status, "DEACTIVATED", "card read back")
    tour.made += [("CardDebit", card_id), ("Card", card_id)]


@step(needs=("contexts",))
def notification_filters(tour: SimpleNamespace) -> None:
    """Notification-filter-url on the user and on an account: set, then list.

    bunq answers both POST and GET with ``NotificationFilterUrl`` items holding ``category`` and
    ``notification_target`` (sdk_php#184), not the ``Id`` and ``notification_filters`` its spec shows.
    SDK 1.28.0 models the spec: its ``create`` raises KeyError once the filters are stored, and its
    ``list`` gives objects with nothing set (sdk_python PR #158, open). So the tour reads the list
    as bunq sends it, through the SDK's own ApiClient (signed, verified), and counts the models.
    """
    from bunq.sdk.http.api_client import ApiClient

    s = sdk()
    target = "https://127.0.0.1:1/bunq-callback"  # the local sandbox calls back loopback addresses only
    for endpoint, category, path in (
        (s.e.NotificationFilterUrlApiObject, "PAYMENT", f"user/{tour.user_a}/notification-filter-url"),
        (
            s.e.NotificationFilterUrlMonetaryAccountApiObject,
            "MUTATION",
            f"user/{tour.user_a}/monetary-account/{tour.account_a}/notification-filter-url",
        ),
    ):
        try:
            endpoint.create(notification_filters=[s.o.NotificationFilterUrlObject(category, target)])
        except KeyError as error:
            check("Could not find 'Id'" in str(error), f"create failed otherwise: {error!r}")
        else:
            raise CheckFailed(f"{endpoint.__name__}.create read an Id; bunq answers the list (sdk_php#184)")
        equal(len(endpoint.list().value), 1, f"{endpoint.__name__}.list() items")
        raw = ApiClient(s.BunqContext.api_context()).get(path, {}, {}).body_bytes
        listed = [item["NotificationFilterUrl"] for item in json.loads(raw)["Response"]]
        equal(listed, [{"category": category, "notification_target": target}], f"GET {path}")


@step(needs=("contexts",))
def attachment_public(tour: SimpleNamespace) -> None:
    """Attachment-public: upload, content."""
    e = sdk().e
    data = tiny_png()
    headers = {"Content-Type": "image/png", "X-Bunq-Attachment-Description": "tour avatar"}
    uuid = e.AttachmentPublicApiObject.create(data, headers).value
    read = e.AttachmentPublicApiObject.get(uuid).value
    equal((read.uuid, read.attachment.description), (uuid, "tour avatar"), "public attachment")
    equal(e.AttachmentPublicContentApiObject.list(uuid).value, data, "content read back")


@step(needs=("payments",))
def statement(tour: SimpleNamespace) -> None:
    """Customer-statement: CSV export."""
    e = sdk().e
    today = time.strftime("%Y-%m-%d", time.gmtime())
    month_ago = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 30 * 86400))
    export_id = e.ExportStatementApiObject.create("CSV", month_ago, today, regional_format="EUROPEAN").value
    read = e.ExportStatementApiObject.get(export_id).value
    equal((read.statement_format, read.date_end), ("CSV", today), "statement export")
    equal(read.status, "DONE", "status of the export")
    check(export_id in [x.id_ for x in e.ExportStatementApiObject.list().value], "export listed")
    content = e.ExportStatementContentApiObject.list(export_id).value.decode()
    header = '"Date";"Interest Date";"Amount";"Account";"Counterparty";"Name";"Description"'
    equal(content.splitlines()[0], header, "first line of a EUROPEAN CSV")
    for value in ("1.00", "2.00", "3.00"):
        check(f"tour payment {value}" in content, f"payment {value} in the CSV:\n{content[:500]}")
    e.ExportStatementApiObject.delete(export_id)
    equal(e.ExportStatementApiObject.list().value, [], "exports after DELETE")


@step(needs=("bank-account-create",))
def bank_account_cancel(tour: SimpleNamespace) -> None:
    """Bank account: cancel."""
    e = sdk().e
    spare = e.MonetaryAccountBankApiObject.create("EUR", "Tour spare").value
    e.MonetaryAccountBankApiObject.update(
        spare,
        status="CANCELLED",
        sub_status="REDEMPTION_VOLUNTARY",
        reason="OTHER",
        reason_description="tour",
    )
    equal(e.MonetaryAccountBankApiObject.get(spare).value.status, "CANCELLED", "status after cancelling")


@step(needs=("payments",))
def events(tour: SimpleNamespace) -> None:
    """Events: everything the tour made for A (payments, requests, drafts, tabs, cards) has one."""
    e = sdk().e
    page = e.EventApiObject.list(params={"count": "200"}).value
    ids = [event.id_ for event in page]
    check(len(ids) > 0, "events listed")
    equal(ids, sorted(ids, reverse=True), "events newest first")
    seen = {event_object(event) for event in page}
    missing = sorted(set(tour.made) - seen)
    check(not missing, f"objects the tour made with no event: {missing}; events show {sorted(seen)}")
    newest = e.EventApiObject.get(ids[0]).value
    equal(event_object(newest), event_object(page[0]), "event/{id} of the newest event")
    first_two = e.EventApiObject.list(params={"count": "2"})
    equal([x.id_ for x in first_two.value], ids[:2], "events with count=2")
    older = e.EventApiObject.list(params=first_two.pagination.url_params_previous_page).value
    equal([x.id_ for x in older], ids[2:4], "the next older page of events")


@step(needs=("contexts",))
def session_delete(tour: SimpleNamespace) -> None:
    """Session: delete, refused, reset."""
    s = sdk()
    s.e.SessionApiObject.delete(0)
    try:
        s.e.UserApiObject.list()
    except s.UnauthorizedException as error:
        equal(error.response_code, 401, "status with a deleted session")
    else:
        raise CheckFailed("a deleted session still answered GET user")
    tour.context_a.reset_session()
    s.BunqContext.load_api_context(tour.context_a)
    equal(s.e.UserApiObject.list().value[0].get_referenced_object().id_, tour.user_a, "user after reset")


# --- opsmore: families added on branch opsmore (user facts, certificate pins, external accounts, RIB,
# --- avatar and device, connect, company, notification channels) -------------------------------------


@step(needs=("contexts",))
def user_facts(tour: SimpleNamespace) -> None:
    """Limit, legal name, insights, insight preference, billing contract, feature announcement, health."""
    e = sdk().e
    limit = e.CustomerLimitApiObject.list().value[0]
    check(limit.limit_monetary_account_remaining < limit.limit_monetary_account, "one account is open")
    equal(len(e.UserLegalNameApiObject.list().value[0].legal_names), 1, "legal names")
    equal(e.InsightPreferenceDateApiObject.list().value[0].day_of_month, 1, "insight preference day")
    equal(e.BillingContractSubscriptionApiObject.list().value[0].status, "ACTIVE", "billing contract")
    check(bool(e.FeatureAnnouncementApiObject.get(1).value.title), "feature announcement 1 has a title")
    insights = e.InsightApiObject.list().value
    check(all(i.category for i in insights), f"insight categories {[i.category for i in insights]}")
    check(isinstance(e.InsightEventApiObject.list().value, list), "insights-search lists events")
    health = e.HealthCheckApiObject.list().value[0]
    equal(health.get_referenced_object().status, "OK", "health-check status")


@step(needs=("contexts",))
def certificate_pinned(tour: SimpleNamespace) -> None:
    """Certificate-pinned: create from a PEM chain, read, list, delete."""
    s = sdk()
    with open(os.environ["REQUESTS_CA_BUNDLE"], encoding="ascii") as handle:  # the sandbox's own CA
        pem = handle.read()
    pin_id = s.e.CertificatePinnedApiObject.create([s.o.CertificateObject(pem)]).value
    equal(s.e.CertificatePinnedApiObject.get(pin_id).value.certificate_chain, pem.strip(), "pinned chain")
    equal([p.id_ for p in s.e.CertificatePinnedApiObject.list().value], [pin_id], "pins listed")
    s.e.CertificatePinnedApiObject.delete(pin_id)
    equal(s.e.CertificatePinnedApiObject.list().value, [], "pins after DELETE")


@step(needs=("contexts",))
def external_account(tour: SimpleNamespace) -> None:
    """Monetary-account-external: link, read, update."""
    e = sdk().e
    made = e.MonetaryAccountExternalApiObject.create("EUR", "ING", description="Tour ING").value
    read = e.MonetaryAccountExternalApiObject.get(made).value
    equal((read.description, read.status, read.balance.value), ("Tour ING", "ACTIVE", "0.00"), "external")
    e.MonetaryAccountExternalApiObject.update(made, description="Tour ING old")
    equal(e.MonetaryAccountExternalApiObject.get(made).value.description, "Tour ING old", "after PUT")


@step(needs=("contexts",))
def export_rib(tour: SimpleNamespace) -> None:
    """Export-rib: create, read, its PDF, delete."""
    e = sdk().e
    rib_id = e.ExportRibApiObject.create().value
    equal(e.ExportRibApiObject.get(rib_id).value.id_, rib_id, "RIB read back")
    pdf = e.ExportRibContentApiObject.list(rib_id).value
    check(pdf.startswith(b"%PDF-") and b"BUNQNL2A" in pdf, "the RIB is a PDF naming bunq's BIC")
    e.ExportRibApiObject.delete(rib_id)
    equal(e.ExportRibApiObject.list().value, [], "RIBs after DELETE")


@step(needs=("contexts",))
def avatar_and_device(tour: SimpleNamespace) -> None:
    """Avatar from a public attachment; device lists what device-server does."""
    e = sdk().e
    headers = {"Content-Type": "image/png", "X-Bunq-Attachment-Description": "tour avatar"}
    attachment = e.AttachmentPublicApiObject.create(tiny_png(), headers).value
    avatar = e.AvatarApiObject.create(attachment).value
    image = e.AvatarApiObject.get(avatar).value.image[0]
    equal((image.attachment_public_uuid, image.content_type), (attachment, "image/png"), "avatar image")
    devices = e.DeviceApiObject.list().value
    servers = e.DeviceServerApiObject.list().value
    equal(
        [d.get_referenced_object().id_ for d in devices], [d.id_ for d in servers], "device = device-server"
    )
    one = e.DeviceApiObject.get(servers[0].id_).value.get_referenced_object()
    equal(one.description, servers[0].description, "device/{id}")


@step(needs=("users",))
def connect(tour: SimpleNamespace) -> None:
    """Share-invite-monetary-account: A shares with B, B accepts, A revokes."""
    s = sdk()
    invite = s.e.ShareInviteMonetaryAccountInquiryApiObject.create(
        s.o.PointerObject("EMAIL", tour.email_b), tour.account_a, access_type="VIEW_BALANCE"
    ).value
    inquiry = s.e.ShareInviteMonetaryAccountInquiryApiObject.get(invite, tour.account_a).value
    equal(inquiry.status, "PENDING", "invite")
    use(tour, "b")
    [response] = s.e.ShareInviteMonetaryAccountResponseApiObject.list().value
    equal((response.id_, response.status), (invite, "PENDING"), "B's response")
    s.e.ShareInviteMonetaryAccountResponseApiObject.update(invite, status="ACCEPTED")
    accepted = s.e.ShareInviteMonetaryAccountResponseApiObject.get(invite).value
    equal((accepted.status, accepted.monetary_account_id), ("ACCEPTED", tour.account_a), "accepted")
    use(tour, "a")
    s.e.ShareInviteMonetaryAccountInquiryApiObject.update(invite, tour.account_a, status="REVOKED")
    revoked = s.e.ShareInviteMonetaryAccountInquiryApiObject.get(invite, tour.account_a).value
    equal(revoked.status, "REVOKED", "revoked")


@step(needs=("contexts",))
def notification_channels(tour: SimpleNamespace) -> None:
    """Notification-filter-email and -push: set and list through the SDK's own models."""
    s = sdk()
    for endpoint, item in (
        (s.e.NotificationFilterEmailApiObject, s.o.NotificationFilterEmailObject),
        (s.e.NotificationFilterPushApiObject, s.o.NotificationFilterPushObject),
    ):
        made = endpoint.create([item("PAYMENT")]).value
        equal([f.category for f in made.notification_filters], ["PAYMENT"], f"{endpoint.__name__}.create")
        listed = endpoint.list().value[0]
        equal([f.category for f in listed.notification_filters], ["PAYMENT"], f"{endpoint.__name__}.list")
    equal(s.e.NotificationFilterFailureApiObject.list().value, [], "no failed callbacks")


# --- end of opsmore's steps -------------------------------------------------------------------------------
# --- branch opsfx: Transferwise, currency conversion, PSD2 provider objects, Currencycloud ----------


@step(needs=("sugar-daddy",))
def transferwise(tour: SimpleNamespace) -> None:
    """Transferwise: user, quote at the sandbox's fixed rate, recipient, transfer paid from A's account."""
    s = sdk()
    e = s.e
    e.TransferwiseUserApiObject.create()
    equal([u.source for u in e.TransferwiseUserApiObject.list().value], ["BUNQ"], "Transferwise users")
    check("GBP" in [c.currency for c in e.TransferwiseCurrencyApiObject.list().value], "GBP offered")
    quote_id = e.TransferwiseQuoteApiObject.create("EUR", "GBP", amount_source=amount("10.00")).value
    quote = e.TransferwiseQuoteApiObject.get(quote_id).value
    equal(
        (quote.amount_source.value, quote.amount_target.currency, quote.rate),
        ("10.00", "GBP", "0.850000"),
        "quote",
    )
    kinds = [r.type_ for r in e.TransferwiseAccountRequirementApiObject.list(quote_id).value]
    check("sort_code" in kinds, f"requirements for GBP: {kinds}")
    field = s.o.TransferwiseRequirementFieldObject
    detail = [field("sortCode", "231470"), field("accountNumber", "28821822")]
    recipient = e.TransferwiseAccountQuoteApiObject.create(
        quote_id, "Sam Smith", "sort_code", "GB", detail
    ).value
    listed = e.TransferwiseAccountQuoteApiObject.list(quote_id).value
    equal([r.account_id for r in listed], [str(recipient)], "recipients of the quote")
    before = cents(balance(tour.account_a))
    transfer_id = e.TransferwiseTransferApiObject.create(quote_id, str(tour.account_a), str(recipient)).value
    equal(cents(balance(tour.account_a)), before - 1000, "A's balance after paying Wise")
    read = e.TransferwiseTransferApiObject.get(quote_id, transfer_id).value
    equal((read.status, read.amount_target.currency), ("OUTGOING_PAYMENT_SENT", "GBP"), "the transfer")


@step(needs=("sugar-daddy",))
def currency_conversion(tour: SimpleNamespace) -> None:
    """Currency conversion: quote, accept (A pays), the conversion listed with both amounts."""
    s = sdk()
    e = s.e
    shop = s.o.PointerObject("IBAN", "US64SVBKUS6S3300958879", "Dollar Shop")
    quote_id = e.CurrencyConversionQuoteApiObject.create(amount("5.00"), "EUR", "USD", "SELL", shop).value
    quote = e.CurrencyConversionQuoteApiObject.get(quote_id).value
    equal((quote.status, quote.amount_target.value), ("OPEN", "5.40"), "a new quote")
    before = cents(balance())
    e.CurrencyConversionQuoteApiObject.update(quote_id, status="ACCEPTED")
    equal(cents(balance()), before - 500, "A's balance after the conversion")
    listed = [(c.amount.value, c.counter_amount.value) for c in e.CurrencyConversionApiObject.list().value]
    equal(listed, [("5.00", "5.40")], "conversions")


@step(needs=("contexts",))
def payment_service_provider(tour: SimpleNamespace) -> None:
    """PSD2: confirmation of funds on A's account; a provider's draft payment is refused to a UserPerson."""
    from bunq.sdk.exception.api_exception import ApiException

    s = sdk()
    e = s.e
    asked = e.ConfirmationOfFundsApiObject.create(s.o.PointerObject("IBAN", tour.iban_a), amount("1000.00"))
    equal(
        asked.value.has_sufficient_funds, cents(balance(tour.account_a)) >= 100_000, "confirmation of funds"
    )
    draft = e.PaymentServiceProviderDraftPaymentApiObject
    try:
        draft.create(tour.iban_b, "NL35BUNQ9900341392", "Shop", "order 7", amount("1.00"))
    except ApiException as error:
        equal(error.response_code, 400, "status for a UserPerson's provider draft")
        check("UserPaymentServiceProvider" in error.message, f"refusal names the provider: {error.message}")
    else:
        raise CheckFailed("a UserPerson created a payment service provider's draft payment")
    equal(draft.list().value, [], "a UserPerson has no provider drafts")


@step(needs=("contexts",))
def currency_cloud_and_categories(tour: SimpleNamespace) -> None:
    """Currencycloud beneficiary from its requirements; a user-defined transaction category."""
    e = sdk().e
    needs = e.CurrencyCloudBeneficiaryRequirementApiObject.list().value
    check({n.payment_type for n in needs} == {"regular", "priority"}, "beneficiary requirements")
    made = e.CurrencyCloudBeneficiaryApiObject.create(
        "Acme Ltd", "GB", "GBP", "regular", "company", ["account_number=GB29NWBK60161331926819"]
    ).value
    equal(e.CurrencyCloudBeneficiaryApiObject.get(made).value.name, "Acme Ltd", "beneficiary")
    e.AdditionalTransactionInformationCategoryUserDefinedApiObject.create("ACTIVE", category="PETS")
    listed = e.AdditionalTransactionInformationCategoryApiObject.list(params={"count": "200"}).value
    check("PETS" in [c.category for c in listed], "the user's category is listed")


# --- end of branch opsfx ---------------------------------------------------------------------------
# --- opsnotes: top-ups, card payments and their notes ----------------------------------------------


@step(needs=("contexts",))
def ideal_top_up(tour: SimpleNamespace) -> None:
    """iDEAL top-up: create, read, list; the balance rises; a note-text on it."""
    e = sdk().e
    before = cents(balance())
    top_up_id = e.IdealMerchantTransactionApiObject.create(amount("12.34"), "RABONL2U").value
    got = e.IdealMerchantTransactionApiObject.get(top_up_id).value
    equal(
        (got.status, got.issuer_name, got.amount_guaranteed.value), ("SUCCESS", "Rabobank", "12.34"), "top-up"
    )
    listed = e.IdealMerchantTransactionApiObject.list().value
    check(got.transaction_identifier in [t.transaction_identifier for t in listed], "the top-up is listed")
    equal(cents(balance()), before + 1234, "balance after the top-up, in cents")
    notes = e.NoteTextIdealMerchantTransactionApiObject
    note_id = notes.create(top_up_id, content="from savings").value
    equal(notes.get(top_up_id, note_id).value.content, "from savings", "the note read back")
    equal([n.content for n in notes.list(top_up_id).value], ["from savings"], "notes on the top-up")


@step(needs=("request-response",))
def ideal_by_bunq_payer(tour: SimpleNamespace) -> None:
    """iDEAL paid from bunq: A's transaction's token, B's request to pay it, B accepts, A is paid."""
    s = sdk()
    before_a = cents(balance())  # the account the SDK's context calls primary (as the transaction's)
    sale_id = s.e.IdealMerchantTransactionApiObject.create(amount("1.50"), "BUNQNL2A").value
    sale = s.e.IdealMerchantTransactionApiObject.get(sale_id).value
    equal(sale.status, "PENDING", "A's iDEAL transaction before B pays")
    use(tour, "b")
    before_b = cents(balance())
    asked = s.e.TokenQrRequestIdealApiObject.create(sale.transaction_identifier).value
    equal((asked.status, asked.amount_inquired.value), ("PENDING", "1.50"), "B's request to pay")
    s.e.RequestResponseApiObject.update(asked.id_, amount_responded=amount("1.50"), status="ACCEPTED")
    equal(cents(balance()), before_b - 150, "B's balance after paying by iDEAL")
    use(tour, "a")
    paid = s.e.IdealMerchantTransactionApiObject.get(sale_id).value
    equal((paid.status, paid.amount_guaranteed.value), ("SUCCESS", "1.50"), "A's iDEAL transaction once paid")
    equal(cents(balance()), before_a + 150, "A's balance after B paid 1.50")


@step(needs=("contexts",))
def card_actions(tour: SimpleNamespace) -> None:
    """Mastercard actions and Sofort top-ups: listed (none made through bunq's API), a foreign id refused."""
    s = sdk()
    equal(s.e.MasterCardActionApiObject.list().value, [], "card actions before any card payment")
    equal(s.e.SofortMerchantTransactionApiObject.list().value, [], "Sofort top-ups before any")
    try:
        s.e.MasterCardActionApiObject.get(60_999_999)
    except Exception as error:  # the SDK's NotFoundException
        equal(getattr(error, "response_code", None), 404, "status of someone else's card action")
    else:
        raise CheckFailed("a card action that is not the user's was answered")


STEP_NAMES = [s.name for s in STEPS]


def run(base_url: str, ca_file: str) -> list[dict[str, Any]]:
    """Run every step in order, each with the HTTP calls it made."""
    os.environ["REQUESTS_CA_BUNDLE"] = ca_file
    from bunq.sdk.context.api_environment_type import ApiEnvironmentType

    ApiEnvironmentType.SANDBOX._uri_base = base_url
    log = CallLog(urlsplit(base_url).path)
    log.install()
    passed: set[str] = set()
    with tempfile.TemporaryDirectory(prefix="sdk-tour-") as workdir:  # the saved contexts hold keys
        tour = SimpleNamespace(workdir=workdir, made=[])
        return [run_step(current, tour, log, passed) for current in STEPS]


def run_step(current: Step, tour: SimpleNamespace, log: CallLog, passed: set[str]) -> dict[str, Any]:
    """One step's result; ``blocked`` (no calls) when a step it needs did not pass."""
    missing = [name for name in current.needs if name not in passed]
    if missing:
        return {
            "name": current.name,
            "status": "blocked",
            "calls": [],
            "detail": f"needs {missing}",
            "missing": missing,
        }
    start = len(log.calls)
    try:
        current.run(tour)
    except CheckFailed as failure:
        status, detail = "failed", str(failure)
    except Exception as error:  # the SDK's exception is the finding: keep its type and message
        status, detail = "failed", describe(error)
    else:
        status, detail = "passed", ""
        passed.add(current.name)
    if status == "failed":
        back_to_a(tour)
    return {"name": current.name, "status": status, "calls": log.calls[start:], "detail": detail}


def describe(error: Exception) -> str:
    """An SDK error as the sandbox's answer (status and message); anything else with its traceback."""
    from bunq.sdk.exception.api_exception import ApiException

    if isinstance(error, ApiException):
        return f"{type(error).__name__}: HTTP {error.response_code}: {error.message.splitlines()[-1]}"
    return f"{type(error).__name__}: {error}\n{traceback.format_exc(limit=-2)}"


def back_to_a(tour: SimpleNamespace) -> None:
    """After a failed step, make A current again, so one finding does not spread to the next steps."""
    context = getattr(tour, "context_a", None)
    if context is None:
        return
    try:
        if sdk().BunqContext.api_context() is not context:
            use(tour, "a")
    except Exception:  # noqa: S110 - the step already failed and says why
        pass


def main() -> None:
    warnings.simplefilter("ignore")  # the SDK warns about every field it does not model
    base_url, ca_file = sys.argv[1:3]
    print(json.dumps({"steps": run(base_url, ca_file)}))


if __name__ == "__main__":
    main()
