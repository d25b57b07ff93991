"""Run INSIDE the bunq-sdk virtual environment: bunq's official Python SDK moves money between two users.

    python sdk_money_script.py BASE_URL CA_FILE API_KEY_ALICE API_KEY_BOB

Requests (sugar daddy, user to user, batches), request responses, draft payments, payment batches,
scheduled payments and batches, schedules and their runs, and bunq.me tabs, each through the SDK's
own model classes (so its wrapper names and field types are what is tested). Prints one JSON line.
"""

import json
import os
import sys
import time
import warnings

warnings.simplefilter("ignore")  # the SDK warns about every field it does not model


def main() -> None:
    base_url, ca_file, key_alice, key_bob = sys.argv[1:5]
    os.environ["REQUESTS_CA_BUNDLE"] = ca_file
    from bunq.sdk.context.api_context import ApiContext
    from bunq.sdk.context.api_environment_type import ApiEnvironmentType
    from bunq.sdk.context.bunq_context import BunqContext
    from bunq.sdk.model.generated import endpoint as e
    from bunq.sdk.model.generated.object_ import (
        AmountObject,
        DraftPaymentEntryObject,
        PointerObject,
        SchedulePaymentEntryObject,
    )

    ApiEnvironmentType.SANDBOX._uri_base = base_url
    alice = ApiContext.create(ApiEnvironmentType.SANDBOX, key_alice, "alice")
    bob = ApiContext.create(ApiEnvironmentType.SANDBOX, key_bob, "bob")

    def be(context):
        BunqContext.load_api_context(context)
        return BunqContext.user_context().primary_monetary_account.id_

    def email_of(context) -> str:
        be(context)
        user = e.UserApiObject.list().value[0].get_referenced_object()
        return next(a.value for a in user.alias if a.type_ == "EMAIL")

    def balance() -> str:
        return e.MonetaryAccountBankApiObject.get(
            BunqContext.user_context().primary_monetary_account.id_
        ).value.balance.value

    def fund(value: str) -> None:
        e.RequestInquiryApiObject.create(
            AmountObject(value, "EUR"), PointerObject("EMAIL", "sugardaddy@bunq.com"), "funds", False
        )
        deadline = time.monotonic() + 10
        while float(balance()) < float(value) and time.monotonic() < deadline:
            time.sleep(0.05)

    def eur(value: str) -> AmountObject:
        return AmountObject(value, "EUR")

    seen: dict = {}
    bob_email = email_of(bob)

    # Requests between users: Alice asks, Bob answers.
    be(bob)
    fund("50.00")
    be(alice)
    asked = e.RequestInquiryApiObject.create(
        eur("20.00"), PointerObject("EMAIL", bob_email), "tickets", False
    ).value
    to_revoke = e.RequestInquiryApiObject.create(
        eur("1.00"), PointerObject("EMAIL", bob_email), "later", False
    ).value
    revoked = e.RequestInquiryApiObject.update(to_revoke, status="REVOKED").value
    seen["revoked"] = revoked.status
    be(bob)
    pending = e.RequestResponseApiObject.list(params={"status": "PENDING"}).value
    seen["pending_responses"] = [r.amount_inquired.value for r in pending]
    answered = e.RequestResponseApiObject.update(pending[0].id_, status="ACCEPTED").value
    seen["answered"] = [answered.status, answered.amount_responded.value]
    seen["bob_after_paying"] = balance()
    be(alice)
    seen["inquiry"] = e.RequestInquiryApiObject.get(asked).value.status
    seen["inquiries"] = [r.status for r in e.RequestInquiryApiObject.list().value]

    # A request batch, revoked.
    batch = e.RequestInquiryBatchApiObject.create(
        [e.RequestInquiryApiObject(eur("2.00"), PointerObject("EMAIL", bob_email), "split", False)],
        eur("2.00"),
    ).value
    e.RequestInquiryBatchApiObject.update(batch, status="REVOKED")
    seen["inquiry_batch"] = [
        r.status for r in e.RequestInquiryBatchApiObject.get(batch).value.request_inquiries
    ]
    seen["inquiry_batches"] = len(e.RequestInquiryBatchApiObject.list().value)

    # A draft payment, accepted through the API.
    draft = e.DraftPaymentApiObject.create(
        [DraftPaymentEntryObject(eur("5.00"), PointerObject("EMAIL", bob_email), "draft")], 1
    ).value
    seen["draft_before"] = e.DraftPaymentApiObject.get(draft).value.status
    e.DraftPaymentApiObject.update(draft, status="ACCEPTED")
    accepted = e.DraftPaymentApiObject.get(draft).value
    seen["draft_after"] = [accepted.status, accepted.object_.Payment.amount.value]
    seen["drafts"] = len(e.DraftPaymentApiObject.list().value)

    # A payment batch.
    paid = e.PaymentBatchApiObject.create(
        [
            e.PaymentApiObject(eur("1.00"), PointerObject("EMAIL", bob_email), "one"),
            e.PaymentApiObject(eur("2.00"), PointerObject("EMAIL", bob_email), "two"),
        ]
    ).value
    got = e.PaymentBatchApiObject.get(paid).value
    seen["payment_batch"] = [p.amount.value for p in got.payments]
    seen["payment_batches"] = len(e.PaymentBatchApiObject.list().value)

    # A scheduled payment that is due at once, and a scheduled batch in the future.
    now = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(time.time() - 60))
    scheduled = e.SchedulePaymentApiObject.create(
        SchedulePaymentEntryObject(eur("3.00"), PointerObject("EMAIL", bob_email), "weekly"),
        e.ScheduleApiObject(now, "WEEKLY", 1),
    ).value
    seen["scheduled"] = e.SchedulePaymentApiObject.get(scheduled).value.payment.amount.value
    seen["scheduled_list"] = len(e.SchedulePaymentApiObject.list().value)
    changed = e.SchedulePaymentApiObject.update(
        scheduled,
        payment=SchedulePaymentEntryObject(eur("4.00"), PointerObject("EMAIL", bob_email), "weekly"),
    ).value
    seen["scheduled_changed"] = changed.payment.amount.value
    instances = e.ScheduleInstanceApiObject.list(scheduled).value
    seen["instances"] = [i.state for i in instances]
    e.SchedulePaymentApiObject.delete(scheduled)
    seen["schedule_status"] = e.ScheduleApiObject.get(scheduled).value.status
    seen["schedules"] = len(e.ScheduleApiObject.list().value)
    seen["user_schedules"] = len(e.ScheduleUserApiObject.list().value)
    future = e.SchedulePaymentBatchApiObject.create(
        [SchedulePaymentEntryObject(eur("1.00"), PointerObject("EMAIL", bob_email), "later")],
        e.ScheduleApiObject("2100-01-01 00:00:00", "MONTHLY", 1),
    ).value
    seen["scheduled_batch"] = [
        p.amount.value for p in e.SchedulePaymentBatchApiObject.get(future).value.payments
    ]
    seen["scheduled_batch_update"] = e.SchedulePaymentBatchApiObject.update(
        future, schedule=e.ScheduleApiObject("2100-02-01 00:00:00", "YEARLY", 1)
    ).value
    e.SchedulePaymentBatchApiObject.delete(future)

    # A bunq.me tab, cancelled.
    tab = e.BunqMeTabApiObject.create(e.BunqMeTabEntryApiObject(eur("7.00"), "pizza")).value
    shown = e.BunqMeTabApiObject.get(tab).value
    seen["tab"] = [shown.status, shown.bunqme_tab_share_url, shown.bunqme_tab_entry.amount_inquired.value]
    e.BunqMeTabApiObject.update(tab, status="CANCELLED")
    seen["tabs"] = [t.status for t in e.BunqMeTabApiObject.list().value]

    seen["alice_balance"] = balance()
    be(bob)
    seen["bob_balance"] = balance()
    print(json.dumps(seen))


main()
