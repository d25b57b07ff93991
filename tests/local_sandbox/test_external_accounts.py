"""monetary-account-external(-savings): linked accounts at other banks, recorded as sent."""

from __future__ import annotations

from tests.conftest import Raw, error_of


def test_external_accounts_are_created_listed_updated_and_kept_apart(raw: Raw, client_key) -> None:
    done, other = raw.handshake(client_key), raw.handshake(client_key)
    user = f"user/{done.user_id}"
    made = raw.call(
        "POST",
        f"{user}/monetary-account-external",
        {"description": "ING current", "service": "ING"},
        token=done.session_token,
    )
    assert made.status_code == 200, made.text
    external_id = made.json()["Response"][0]["Id"]["id"]
    saving = raw.call(
        "POST",
        f"{user}/monetary-account-external-savings",
        {"service": "ABN", "savings_goal": {"value": "1000.00", "currency": "EUR"}},
        token=done.session_token,
    )
    savings_id = saving.json()["Response"][0]["Id"]["id"]
    [item] = raw.call("GET", f"{user}/monetary-account-external", token=done.session_token).json()["Response"]
    shown = item["MonetaryAccountExternal"]
    assert (shown["id"], shown["description"], shown["service"], shown["status"]) == (
        external_id,
        "ING current",
        "ING",
        "ACTIVE",
    )
    assert shown["balance"] == {"value": "0.00", "currency": "EUR"} and shown["user_id"] == done.user_id
    read = raw.call("GET", f"{user}/monetary-account-external-savings/{savings_id}", token=done.session_token)
    assert read.json()["Response"][0]["MonetaryAccountExternalSavings"]["savings_goal"]["value"] == "1000.00"
    goal = {"service": "ABN", "savings_goal": {"value": "1500.00", "currency": "EUR"}}
    raw.call("PUT", f"{user}/monetary-account-external-savings/{savings_id}", goal, token=done.session_token)
    savings = raw.call("GET", f"{user}/monetary-account-external-savings", token=done.session_token)
    assert (
        savings.json()["Response"][0]["MonetaryAccountExternalSavings"]["savings_goal"]["value"] == "1500.00"
    )
    wrong_kind = raw.call("GET", f"{user}/monetary-account-external/{savings_id}", token=done.session_token)
    assert wrong_kind.status_code == 404

    raw.call(
        "PUT",
        f"{user}/monetary-account-external/{external_id}",
        {"description": "Old ING"},
        token=done.session_token,
    )
    again = raw.call("GET", f"{user}/monetary-account-external/{external_id}", token=done.session_token)
    assert again.json()["Response"][0]["MonetaryAccountExternal"]["description"] == "Old ING"
    theirs = raw.call(
        "GET", f"user/{other.user_id}/monetary-account-external/{external_id}", token=other.session_token
    )
    assert theirs.status_code == 404 and "MonetaryAccountExternal" in error_of(theirs)
    usd = raw.call("POST", f"{user}/monetary-account-external", {"currency": "USD"}, token=done.session_token)
    assert usd.status_code == 400 and "EUR" in error_of(usd)
    no_service = raw.call("POST", f"{user}/monetary-account-external-savings", {}, token=done.session_token)
    assert no_service.status_code == 400 and "service" in error_of(no_service)
