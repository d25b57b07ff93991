"""Monetary accounts: bank, savings and joint accounts created, changed, closed and listed, in bunq's shapes."""

from __future__ import annotations

import pytest

from bunq_helpers.local_sandbox import LocalSandbox
from tests.helpers import Handshake, Raw, error_of
from tests.local_sandbox.money import account, fund, iban_of, pay

pytestmark = pytest.mark.sandbox_options(sugardaddy_delay=0)


SUGAR = "NL65BUNQ9900000188"


def _create(raw: Raw, done: Handshake, kind: str, body: dict) -> int:
    response = raw.call(
        "POST", f"user/{done.user_id}/monetary-account-{kind}", body, token=done.session_token
    )
    assert response.status_code == 200, response.text
    [item] = response.json()["Response"]
    assert set(item) == {"Id"}
    return item["Id"]["id"]


def _put(raw: Raw, done: Handshake, kind: str, account_id: int, body: dict):
    return raw.call(
        "PUT", f"user/{done.user_id}/monetary-account-{kind}/{account_id}", body, token=done.session_token
    )


def _close(raw: Raw, done: Handshake, account_id: int, kind: str = "bank"):
    body = {
        "status": "CANCELLED",
        "sub_status": "REDEMPTION_VOLUNTARY",
        "reason": "OTHER",
        "reason_description": "done",
    }
    return _put(raw, done, kind, account_id, body)


def test_a_new_bank_account_is_listed_first_with_the_fields_it_was_given(raw: Raw, client_key) -> None:
    done = raw.handshake(client_key)
    new_id = _create(
        raw,
        done,
        "bank",
        {"currency": "EUR", "description": "Holidays", "daily_limit": {"value": "250.00", "currency": "EUR"}},
    )
    assert new_id != done.account_id

    kind, data = account(raw, done, new_id)
    assert kind == "MonetaryAccountBank"
    assert data["id"] == new_id and data["user_id"] == done.user_id
    assert data["description"] == "Holidays" and data["currency"] == "EUR"
    assert data["daily_limit"] == {"value": "250.00", "currency": "EUR"}
    assert data["balance"] == {"value": "0.00", "currency": "EUR"}
    assert data["overdraft_limit"] == {"value": "0.00", "currency": "EUR"}
    assert data["status"] == "ACTIVE" and data["sub_status"] == "VALID"
    assert iban_of(data).startswith("NL") and "BUNQ" in iban_of(data)
    assert isinstance(data["setting"], dict) and data["setting"]["restriction_chat"] == "ALLOW_INCOMING"

    listed = raw.call("GET", f"user/{done.user_id}/monetary-account-bank", token=done.session_token).json()
    assert [item["MonetaryAccountBank"]["id"] for item in listed["Response"]] == [new_id, done.account_id]
    assert set(listed["Pagination"]) == {"older_url", "newer_url", "future_url"}

    default = _create(raw, done, "bank", {"currency": "EUR"})
    _, data = account(raw, done, default)
    assert data["description"] == "bunq account" and data["daily_limit"]["value"] == "1000.00"


def test_savings_and_joint_accounts_are_listed_by_their_own_kind(raw: Raw, client_key) -> None:
    done = raw.handshake(client_key)
    partner = raw.handshake(client_key)
    savings = _create(
        raw,
        done,
        "savings",
        {"currency": "EUR", "description": "Bike", "savings_goal": {"value": "200.00", "currency": "EUR"}},
    )
    partner_email = raw.call("GET", f"user/{partner.user_id}", token=partner.session_token).json()[
        "Response"
    ][0]["UserPerson"]["alias"][0]["value"]
    joint = _create(
        raw,
        done,
        "joint",
        {"currency": "EUR", "all_co_owner": [{"alias": {"type": "EMAIL", "value": partner_email}}]},
    )

    everything = raw.call("GET", f"user/{done.user_id}/monetary-account", token=done.session_token).json()[
        "Response"
    ]
    assert [(next(iter(item)), next(iter(item.values()))["id"]) for item in everything] == [
        ("MonetaryAccountJoint", joint),
        ("MonetaryAccountSavings", savings),
        ("MonetaryAccountBank", done.account_id),
    ]
    banks = raw.call("GET", f"user/{done.user_id}/monetary-account-bank", token=done.session_token).json()
    assert [item["MonetaryAccountBank"]["id"] for item in banks["Response"]] == [done.account_id]
    savings_list = raw.call(
        "GET", f"user/{done.user_id}/monetary-account-savings", token=done.session_token
    ).json()
    assert [item["MonetaryAccountSavings"]["id"] for item in savings_list["Response"]] == [savings]

    kind, data = account(raw, done, savings)
    assert kind == "MonetaryAccountSavings"
    assert (
        data["savings_goal"] == {"value": "200.00", "currency": "EUR"} and data["savings_goal_progress"] == 0
    )
    assert "overdraft_limit" not in data and "display_name" not in data

    read = raw.call("GET", f"user/{done.user_id}/monetary-account-joint/{joint}", token=done.session_token)
    owners = read.json()["Response"][0]["MonetaryAccountJoint"]["all_co_owner"]
    assert [(o["alias"]["display_name"], o["status"]) for o in owners] == [
        (account(raw, done)[1]["alias"][0]["name"], "ACCEPTED"),
        (owners[1]["alias"]["display_name"], "PENDING"),
    ]
    assert owners[1]["alias"]["public_nick_name"]

    joints = raw.call("GET", f"user/{done.user_id}/monetary-account-joint", token=done.session_token).json()
    assert [item["MonetaryAccountJoint"]["id"] for item in joints["Response"]] == [joint]
    renamed = _put(raw, done, "joint", joint, {"description": "Household", "display_name": "x"})
    assert renamed.status_code == 400 and "only for bank accounts" in error_of(renamed)
    assert _put(raw, done, "joint", joint, {"description": "Household"}).status_code == 200
    kind, data = account(raw, done, joint)
    assert kind == "MonetaryAccountJoint" and data["description"] == "Household"

    # the wrong kind's path, and another user's account, are 404s
    wrong = raw.call("GET", f"user/{done.user_id}/monetary-account-bank/{savings}", token=done.session_token)
    assert wrong.status_code == 404 and "MonetaryAccountBank" in error_of(wrong)
    theirs = raw.call(
        "GET", f"user/{done.user_id}/monetary-account-bank/{partner.account_id}", token=done.session_token
    )
    assert theirs.status_code == 404
    nobody = raw.call(
        "POST",
        f"user/{done.user_id}/monetary-account-joint",
        {"currency": "EUR", "all_co_owner": [{"alias": {"type": "EMAIL", "value": "nobody@example.com"}}]},
        token=done.session_token,
    )
    assert nobody.status_code == 400 and "all_co_owner[0].alias" in error_of(nobody)


def test_savings_progress_follows_the_money(raw: Raw, client_key) -> None:
    done = raw.handshake(client_key)
    savings = _create(
        raw, done, "savings", {"currency": "EUR", "savings_goal": {"value": "200.00", "currency": "EUR"}}
    )
    fund(raw, done, "100.00")
    assert pay(raw, done, "50.00", iban_of(account(raw, done, savings)[1])).status_code == 200
    _, data = account(raw, done, savings)
    assert data["balance"]["value"] == "50.00" and data["savings_goal_progress"] == 25
    assert (
        _put(
            raw, done, "savings", savings, {"savings_goal": {"value": "60.00", "currency": "EUR"}}
        ).status_code
        == 200
    )
    assert account(raw, done, savings)[1]["savings_goal_progress"] == 83


def test_updates_change_what_is_read_back(raw: Raw, client_key) -> None:
    done = raw.handshake(client_key)
    changed = _put(
        raw,
        done,
        "bank",
        done.account_id,
        {
            "description": "Daily",
            "daily_limit": {"value": "42.50", "currency": "EUR"},
            "setting": {"color": "#00ff00"},
        },
    )
    assert changed.status_code == 200 and changed.json()["Response"] == [{"Id": {"id": done.account_id}}]
    _, data = account(raw, done)
    assert data["description"] == "Daily" and data["daily_limit"]["value"] == "42.50"
    assert data["setting"]["color"] == "#00FF00"
    for body, message in [
        ({"daily_limit": {"value": "10000.01", "currency": "EUR"}}, "at most 10000.00"),
        ({"daily_limit": {"value": "5.00", "currency": "USD"}}, '"daily_limit.currency" must be "EUR"'),
        ({"description": 7}, '"description" must be a string'),
        ({"savings_goal": {"value": "5.00", "currency": "EUR"}}, "only for savings accounts"),
        ({"setting": {"colour": "#000000"}}, '"setting.colour" is not a setting'),
        (
            {"status": "CANCELLED", "reason": "OTHER", "description": "x"},
            '"description" cannot be updated together',
        ),
        ({"status": "BLOCKED"}, '"status" must be one of CANCELLED, PENDING_REOPEN'),
    ]:
        response = _put(raw, done, "bank", done.account_id, body)
        assert response.status_code == 400 and message in error_of(response), (body, response.text)
    assert account(raw, done)[1]["description"] == "Daily"


def test_the_daily_limit_stops_payments(raw: Raw, client_key) -> None:
    done = raw.handshake(client_key)
    fund(raw, done, "100.00")
    assert (
        _put(
            raw, done, "bank", done.account_id, {"daily_limit": {"value": "10.00", "currency": "EUR"}}
        ).status_code
        == 200
    )
    assert pay(raw, done, "6.00", SUGAR).status_code == 200
    refused = pay(raw, done, "6.00", SUGAR)
    assert refused.status_code == 400 and "over its daily limit of 10.00 EUR" in error_of(refused)
    assert account(raw, done)[1]["balance"]["value"] == "94.00"
    assert pay(raw, done, "4.00", SUGAR).status_code == 200


def test_closing_needs_a_zero_balance_and_stops_money_both_ways(raw: Raw, client_key) -> None:
    done = raw.handshake(client_key)
    spare = _create(raw, done, "bank", {"currency": "EUR", "description": "Spare"})
    spare_iban = iban_of(account(raw, done, spare)[1])
    fund(raw, done, "30.00")
    assert pay(raw, done, "30.00", spare_iban).status_code == 200

    full = _close(raw, done, spare)
    assert full.status_code == 400 and "still holds 30.00 EUR" in error_of(full)
    no_reason = _put(raw, done, "bank", spare, {"status": "CANCELLED"})
    assert no_reason.status_code == 400 and 'Field "reason" is required' in error_of(no_reason)

    assert pay(raw, done, "30.00", iban_of(account(raw, done)[1]), account_id=spare).status_code == 200
    closed = _close(raw, done, spare)
    assert closed.status_code == 200, closed.text
    _, data = account(raw, done, spare)
    assert data["status"] == "CANCELLED" and data["sub_status"] == "REDEMPTION_VOLUNTARY"
    assert data["reason"] == "OTHER" and data["reason_description"] == "done"
    assert data["balance"]["value"] == "0.00"

    fund(raw, done, "5.00")
    incoming = pay(raw, done, "1.00", spare_iban)
    assert incoming.status_code == 400 and "is CANCELLED" in error_of(incoming)
    outgoing = pay(raw, done, "1.00", SUGAR, account_id=spare)
    assert outgoing.status_code == 400 and "is CANCELLED" in error_of(outgoing)
    again = _close(raw, done, spare)
    assert again.status_code == 400 and "already CANCELLED" in error_of(again)
    rename = _put(raw, done, "bank", spare, {"description": "Back"})
    assert rename.status_code == 400 and "reopen it" in error_of(rename)

    reopened = _put(raw, done, "bank", spare, {"status": "PENDING_REOPEN", "sub_status": "NONE"})
    assert reopened.status_code == 200
    _, data = account(raw, done, spare)
    assert data["status"] == "ACTIVE" and "reason" not in data
    assert pay(raw, done, "1.00", spare_iban).status_code == 200


def test_the_last_active_bank_account_stays_open(raw: Raw, client_key) -> None:
    done = raw.handshake(client_key)
    refused = _close(raw, done, done.account_id)
    assert refused.status_code == 400 and "last ACTIVE bank account" in error_of(refused)
    assert account(raw, done)[1]["status"] == "ACTIVE"
    savings = _create(raw, done, "savings", {"currency": "EUR"})
    assert _close(raw, done, savings, kind="savings").status_code == 200  # a savings account may close
    assert account(raw, done, savings)[1]["status"] == "CANCELLED"


def test_account_changes_leave_events(sandbox: LocalSandbox, raw: Raw, client_key) -> None:
    done = raw.handshake(client_key)
    new_id = _create(raw, done, "bank", {"currency": "EUR"})
    assert _put(raw, done, "bank", new_id, {"description": "Renamed"}).status_code == 200
    assert _put(raw, done, "bank", new_id, {}).status_code == 200  # nothing changed: no event
    rows = (
        sandbox.store.read()
        .execute(
            "SELECT action, object_kind, object_id, account_id FROM events WHERE user_id = ? ORDER BY id",
            (done.user_id,),
        )
        .fetchall()
    )
    assert [tuple(row) for row in rows] == [
        ("CREATE", "MonetaryAccountBank", new_id, new_id),
        ("UPDATE", "MonetaryAccountBank", new_id, new_id),
    ]


def test_create_needs_a_currency_and_refuses_what_it_cannot_keep(raw: Raw, client_key) -> None:
    done = raw.handshake(client_key)
    base = f"user/{done.user_id}/monetary-account-bank"
    for body, message in [
        ({}, 'Field "currency" is required'),
        ({"currency": "USD"}, 'Field "currency" must be one of EUR'),
        ({"currency": "EUR", "avatar_uuid": "x"}, '"avatar_uuid" is not emulated'),
        ({"currency": "EUR", "description": ""}, '"description" must not be empty'),
        (
            {"currency": "EUR", "daily_limit": {"value": "١٠.٠٠", "currency": "EUR"}},
            '"daily_limit.value" must be a string amount',
        ),
    ]:
        response = raw.call("POST", base, body, token=done.session_token)
        assert response.status_code == 400 and message in error_of(response), (body, response.text)
    joint = raw.call(
        "POST", f"user/{done.user_id}/monetary-account-joint", {"currency": "EUR"}, token=done.session_token
    )
    assert joint.status_code == 400 and '"all_co_owner" is required' in error_of(joint)
    listed = raw.call("GET", base, token=done.session_token).json()["Response"]
    assert len(listed) == 1
