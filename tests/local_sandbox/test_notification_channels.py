"""notification-filter-email/-push: lists per channel; notification-filter-failure: failed callbacks, retried."""

from __future__ import annotations

import trustme

from bunq_helpers.local_sandbox import LocalSandbox
from tests.conftest import Raw, error_of
from tests.local_sandbox.test_callbacks import (  # noqa: F401 - fixtures
    Receiver,
    fast,
    paid_with_a_callback_to,
    raw_fast,
    receivers,
    sandbox_ca,
)


def test_email_and_push_lists_are_replaced_and_kept_apart(raw: Raw, client_key) -> None:
    done, other = raw.handshake(client_key), raw.handshake(client_key)
    email, push = (
        f"user/{done.user_id}/notification-filter-email",
        f"user/{done.user_id}/notification-filter-push",
    )
    sent = {
        "notification_filters": [{"category": "PAYMENT"}, {"category": "MUTATION"}, {"category": "PAYMENT"}]
    }
    made = raw.call("POST", email, sent, token=done.session_token)
    assert made.status_code == 200, made.text
    listed = [
        {
            "NotificationFilterEmail": {
                "notification_filters": [{"category": "PAYMENT"}, {"category": "MUTATION"}]
            }
        }
    ]
    assert made.json()["Response"] == listed
    assert raw.call("GET", email, token=done.session_token).json()["Response"] == listed
    assert raw.call("GET", push, token=done.session_token).json()["Response"] == [
        {"NotificationFilterPush": {"notification_filters": []}}
    ]
    raw.call(
        "POST",
        push,
        {"notification_filters": [{"category": "CARD_TRANSACTION_FAILED"}]},
        token=done.session_token,
    )
    raw.call("POST", email, {"notification_filters": []}, token=done.session_token)
    assert raw.call("GET", email, token=done.session_token).json()["Response"][0][
        "NotificationFilterEmail"
    ] == {"notification_filters": []}
    pushed = raw.call("GET", push, token=done.session_token).json()["Response"][0]["NotificationFilterPush"]
    assert pushed == {"notification_filters": [{"category": "CARD_TRANSACTION_FAILED"}]}
    bad = raw.call("POST", push, {"notification_filters": [{"category": "NOPE"}]}, token=done.session_token)
    assert bad.status_code == 400 and "notification_filters[0]" in error_of(bad)
    assert raw.call("GET", push, token=other.session_token).status_code == 404


def test_a_failed_callback_is_listed_and_sent_again_on_request(
    raw_fast: Raw,  # noqa: F811
    client_key,
    fast: LocalSandbox,  # noqa: F811
    sandbox_ca: trustme.CA,  # noqa: F811
    receivers: list[Receiver],  # noqa: F811
) -> None:
    broken = Receiver(sandbox_ca, statuses=(500,) * 6)
    receivers.append(broken)
    hs = raw_fast.handshake(client_key)
    failures = f"user/{hs.user_id}/notification-filter-failure"
    assert raw_fast.call("GET", failures, token=hs.session_token).json()["Response"] == []
    paid_with_a_callback_to(raw_fast, hs, broken.url)
    (delivery,) = fast.callbacks.wait_for()
    [item] = raw_fast.call("GET", failures, token=hs.session_token).json()["Response"]
    failure = item["NotificationFilterFailure"]
    assert (failure["id"], failure["category"], failure["response_code"]) == (delivery.id, "PAYMENT", 500)
    assert failure["notification_filters"][0]["notification_target"] == broken.url
    missing = raw_fast.call(
        "POST", failures, {"notification_filter_failed_ids": "999"}, token=hs.session_token
    )
    assert missing.status_code == 404
    again = raw_fast.call(
        "POST", failures, {"notification_filter_failed_ids": str(delivery.id)}, token=hs.session_token
    )
    assert again.status_code == 200, again.text
    fast.callbacks.wait_for(where=lambda d: d.outcome == "delivered")
    assert len(broken.wait(7)) == 7
    assert raw_fast.call("GET", failures, token=hs.session_token).json()["Response"] == []
