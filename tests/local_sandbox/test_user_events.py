"""The event list: every payment, request and account change, newest first, filtered and paged as bunq does."""

from __future__ import annotations

import pytest

from bunq_helpers.local_sandbox import LocalSandbox
from tests.helpers import Raw, error_of
from tests.local_sandbox.money import fund, pay

pytestmark = pytest.mark.sandbox_options(sugardaddy_delay=0)


def _events(raw: Raw, done, query: str = "") -> dict:
    response = raw.call("GET", f"user/{done.user_id}/event{query}", token=done.session_token)
    assert response.status_code == 200, response.text
    return response.json()


def _summary(body: dict) -> list[tuple[str, str, str]]:
    out = []
    for item in body["Response"]:
        event = item["Event"]
        [kind] = event["object"]
        out.append((event["action"], kind, event["status"]))
    return out


def test_payments_and_requests_are_listed_newest_first(sandbox: LocalSandbox, raw: Raw, client_key) -> None:
    done = raw.handshake(client_key)
    empty = _events(raw, done)
    assert empty["Response"] == [] and set(empty["Pagination"]) == {"older_url", "newer_url", "future_url"}

    fund(raw, done, "20.00")
    assert pay(raw, done, "7.50", "NL65BUNQ9900000188", description="lunch").status_code == 200
    created = raw.call(
        "POST", f"user/{done.user_id}/monetary-account-savings", {"currency": "EUR"}, token=done.session_token
    )
    savings_id = created.json()["Response"][0]["Id"]["id"]

    body = _events(raw, done, "?count=200")
    assert _summary(body) == [
        ("CREATE", "Payment", "FINALIZED"),
        ("UPDATE", "RequestInquiry", "FINALIZED"),
        ("CREATE", "Payment", "FINALIZED"),
        ("CREATE", "RequestInquiry", "FINALIZED"),  # shows the request as it is now: ACCEPTED
    ]
    events = [item["Event"] for item in body["Response"]]
    ids = [event["id"] for event in events]
    assert ids == sorted(ids, reverse=True)
    paid = events[0]
    assert paid["object"]["Payment"]["amount"] == {"value": "-7.50", "currency": "EUR"}
    assert paid["object"]["Payment"]["description"] == "lunch"
    assert paid["user_id"] == str(done.user_id) and paid["monetary_account_id"] == str(done.account_id)
    assert events[2]["object"]["Payment"]["amount"]["value"] == "20.00"  # the sugar daddy's money
    # the new account's event is in the log (for listeners) but bunq's event list cannot hold accounts
    db = sandbox.store.read()
    [(hidden, kind)] = db.execute(
        "SELECT id, object_kind FROM events WHERE object_id = ?", (savings_id,)
    ).fetchall()
    assert kind == "MonetaryAccountSavings"
    assert raw.call("GET", f"user/{done.user_id}/event/{hidden}", token=done.session_token).status_code == 404

    one = raw.call("GET", f"user/{done.user_id}/event/{paid['id']}", token=done.session_token)
    assert one.status_code == 200 and one.json()["Response"] == [{"Event": paid}]


def test_filters_and_pages(raw: Raw, client_key) -> None:
    done = raw.handshake(client_key)
    friend = raw.handshake(client_key)
    friend_email = raw.call("GET", "user", token=friend.session_token).json()["Response"][0]["UserPerson"][
        "alias"
    ][0]["value"]
    asked = raw.call(
        "POST",
        f"user/{done.user_id}/monetary-account/{done.account_id}/request-inquiry",
        {
            "amount_inquired": {"value": "3.00", "currency": "EUR"},
            "counterparty_alias": {"type": "EMAIL", "value": friend_email},
            "description": "pizza",
        },
        token=done.session_token,
    )
    assert asked.status_code == 200
    other = raw.call(
        "POST", f"user/{done.user_id}/monetary-account-bank", {"currency": "EUR"}, token=done.session_token
    )
    other_id = other.json()["Response"][0]["Id"]["id"]
    other_iban = raw.call(
        "GET", f"user/{done.user_id}/monetary-account/{other_id}", token=done.session_token
    ).json()["Response"][0]["MonetaryAccountBank"]["alias"][0]["value"]
    fund(raw, done, "10.00")
    assert pay(raw, done, "2.00", other_iban).status_code == 200

    assert _summary(_events(raw, done, "?status=AWAITING_REPLY")) == [
        ("CREATE", "RequestInquiry", "AWAITING_REPLY")
    ]
    assert ("CREATE", "RequestInquiry", "AWAITING_REPLY") not in _summary(
        _events(raw, done, "?status=FINALIZED")
    )
    received = _events(raw, done, f"?monetary_account_id={other_id}")
    assert _summary(received) == [("CREATE", "Payment", "FINALIZED")]
    assert received["Response"][0]["Event"]["object"]["Payment"]["amount"]["value"] == "2.00"
    both = _events(raw, done, f"?monetary_account_id={other_id},{done.account_id}&count=200")
    assert len(both["Response"]) == 6
    everything = _events(raw, done, "?display_user_event=false&count=200")
    assert everything["Response"] == both["Response"]  # no card orders yet

    first = _events(raw, done, "?count=2")
    assert len(first["Response"]) == 2 and first["Pagination"]["older_url"]
    older = raw.call(
        "GET",
        "https://" + raw.sandbox.base_url.split("/")[2] + first["Pagination"]["older_url"],
        token=done.session_token,
    )
    rest = older.json()["Response"]
    assert [item["Event"]["id"] for item in rest] == [item["Event"]["id"] for item in both["Response"]][2:4]

    # the friend's events are the friend's: only the request to answer (a RequestResponse)
    assert _summary(_events(raw, friend)) == [("CREATE", "RequestResponse", "AWAITING_REPLY")]
    mine = first["Response"][0]["Event"]["id"]
    theirs = raw.call("GET", f"user/{friend.user_id}/event/{mine}", token=friend.session_token)
    assert theirs.status_code == 404 and "Event with id" in error_of(theirs)
    cross = raw.call("GET", f"user/{done.user_id}/event", token=friend.session_token)
    assert cross.status_code == 404

    for query, message in [
        ("?status=DONE", '"status" must be AWAITING_REPLY or FINALIZED'),
        ("?monetary_account_id=abc", '"monetary_account_id" must be an account id'),
        ("?display_user_event=maybe", '"display_user_event" must be true or false'),
    ]:
        response = raw.call("GET", f"user/{done.user_id}/event{query}", token=done.session_token)
        assert response.status_code == 400 and message in error_of(response)
