"""``insight-preference-date``: bunq's default day (the 1st) for every user, and another user's 404."""

from __future__ import annotations

from tests.conftest import error_of


def test_insights_start_on_the_first_and_another_users_are_not_found(raw, client_key) -> None:
    done, other = raw.handshake(client_key), raw.handshake(client_key)
    answer = raw.call("GET", f"user/{done.user_id}/insight-preference-date", token=done.session_token)
    assert answer.json()["Response"] == [{"InsightPreferenceDate": {"day_of_month": 1}}], answer.text
    theirs = raw.call("GET", f"user/{other.user_id}/insight-preference-date", token=done.session_token)
    assert theirs.status_code == 404 and "User" in error_of(theirs)
