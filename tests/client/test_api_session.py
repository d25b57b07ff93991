"""``ApiSession``: the token each path needs, a new session when bunq refuses the old one (once, said so),
records with their exchange."""

from __future__ import annotations

import pytest

from bunq_helpers import ApiSession, AuthorisationError, create_api_context
from bunq_helpers.client.accounts import Listing, User
from bunq_helpers.client.api_session import Created


@pytest.fixture
def api(settings, endpoint) -> ApiSession:
    run = create_api_context(settings, endpoint=endpoint)
    return ApiSession(run.client, run.context, path=settings.context_file_path)


def test_each_path_gets_the_token_it_needs(api) -> None:
    context = api.context
    assert api.token_for("installation") is None and api.token_for("/v1/sandbox-user-person") is None
    assert api.token_for("device-server") == context.installation_token
    assert api.token_for("session-server") == context.installation_token
    assert api.token_for(f"user/{context.user_id}/monetary-account?count=2") == context.session.token
    exchange = api.request("GET", f"user/{context.user_id}/monetary-account")
    assert exchange.request_header("X-Bunq-Client-Authentication") == context.session.token
    assert exchange.status == 200 and api.reopened == []


def test_every_helper_returns_a_record_with_its_exchange(api) -> None:
    user, listing = api.user(), api.monetary_accounts()
    assert isinstance(user, User) and user.exchange.path == "/v1/user"
    assert isinstance(listing, Listing) and listing.exchange.status == 200
    account = api.primary_account()
    asked = api.request_sandbox_money(account.id, "5.00")
    assert isinstance(asked, Created) and asked.exchange.extracted["request_inquiry_id"] == asked.id
    assert api.monetary_account(account.id).exchange.path.endswith(f"/monetary-account/{account.id}")
    assert "200 OK" in user._repr_html_() and "session token" in user._repr_html_()


def test_a_refused_session_is_reopened_once_and_said_so(api, settings) -> None:
    old = api.context.session
    api.client.request("DELETE", f"session/{old.id}", token=old.token)  # closed on the server only
    user = api.user()
    assert api.context.session.id != old.id and user.exchange.status == 200
    assert api.reopened == [f"Opened session {api.context.session.id}: bunq answered 401 to the old one."]
    assert "sent again in a new session" in user.exchange.title
    saved = settings.context_file_path.read_text()
    assert api.context.session.token in saved  # the new session is saved for the next notebook


def test_a_wrong_installation_token_is_not_retried(api) -> None:
    api.context.installation_token = "0" * 64
    with pytest.raises(AuthorisationError):
        api.request("POST", "session-server", body={"secret": api.context.api_key})
    assert api.reopened == []


def test_callback_filters_come_back_as_records(api) -> None:
    url = "https://127.0.0.1:9/bunq/callback"
    registered = api.set_notification_filters([("PAYMENT", url)])
    assert registered.filters == [("PAYMENT", url)] and registered.exchange.method == "POST"
    assert api.notification_filters().filters == [("PAYMENT", url)]
    assert api.set_notification_filters([]).filters == [] and api.notification_filters().filters == []
