"""OAuth in the local sandbox, over real HTTPS: apps and callback URLs, the authorization page, the token
exchange's rules, the access token as an API key (a ``UserApiKey`` session scoped to the granting user),
and revoking (the grant ends and the app owner's ``OAUTH`` callback fires)."""

from __future__ import annotations

import re

import pytest
import trustme

from bunq_helpers.crypto import signing
from bunq_helpers.local_sandbox import LocalSandbox, SandboxOptions
from bunq_helpers.local_sandbox.oauth_grants import CODE_LIFETIME
from tests.helpers import Raw, error_of
from tests.local_sandbox.oauth_world import (
    App,
    access_token,
    approve,
    auth_params,
    decide,
    exchange,
    origin,
    page,
    query_of,
    register_app,
    session_with,
    token_call,
)
from tests.local_sandbox.test_callbacks import Receiver, register, user_filters

HEX64 = re.compile(r"^[0-9a-f]{64}$")


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        import time

        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def timed(fresh_state, clock: Clock):
    options = SandboxOptions(clock=clock, callback_retry_interval=0.05)
    with LocalSandbox(fresh_state("state"), options=options) as running:
        yield running


@pytest.fixture
def raw(timed: LocalSandbox) -> Raw:
    return Raw(timed)


@pytest.fixture
def people(raw: Raw, client_key, other_key):
    """The app's owner, the user who will approve, and a third user."""
    return raw.handshake(client_key), raw.handshake(other_key), raw.handshake(client_key)


def test_oauth_client_and_callback_urls_as_bunq_shows_them(raw: Raw, people) -> None:
    owner, other, _ = people
    app = register_app(raw, owner, name="Budget app")
    base = f"user/{owner.user_id}/oauth-client"
    shown = raw.call("GET", f"{base}/{app.id}", token=owner.session_token).json()["Response"][0][
        "OauthClient"
    ]
    assert HEX64.match(shown["client_id"]) and HEX64.match(shown["secret"])
    assert shown["status"] == "ACTIVE" and shown["display_name"] == "Budget app"
    assert [u["url"] for u in shown["callback_url"]] == [app.redirect_uri]
    listed = raw.call("GET", base, token=owner.session_token).json()["Response"]
    assert [item["OauthClient"]["id"] for item in listed] == [app.id]
    # update: status and display name
    updated = raw.call("PUT", f"{base}/{app.id}", {"display_name": "Renamed"}, token=owner.session_token)
    assert updated.json()["Response"] == [{"Id": {"id": app.id}}]
    again = raw.call("GET", f"{base}/{app.id}", token=owner.session_token).json()["Response"][0][
        "OauthClient"
    ]
    assert again["display_name"] == "Renamed" and again["status"] == "ACTIVE"
    # callback URLs: create, list, read, update, delete
    urls = f"{base}/{app.id}/callback-url"
    second = raw.call("POST", urls, {"url": "https://app.example/second"}, token=owner.session_token)
    second_id = second.json()["Response"][0]["Id"]["id"]
    listed = raw.call("GET", urls, token=owner.session_token).json()["Response"]
    assert [i["OauthCallbackUrl"]["url"] for i in listed] == ["https://app.example/second", app.redirect_uri]
    assert raw.call(
        "PUT", f"{urls}/{second_id}", {"url": "https://app.example/third"}, token=owner.session_token
    ).ok
    read = raw.call("GET", f"{urls}/{second_id}", token=owner.session_token).json()["Response"][0]
    assert read["OauthCallbackUrl"]["url"] == "https://app.example/third"
    assert raw.call("DELETE", f"{urls}/{second_id}", token=owner.session_token).json() == {"Response": []}
    assert raw.call("GET", f"{urls}/{second_id}", token=owner.session_token).status_code == 404
    # another user sees none of it
    other_path = f"user/{other.user_id}/oauth-client/{app.id}"
    assert raw.call("GET", other_path, token=other.session_token).status_code == 404
    assert raw.call("GET", f"{base}/{app.id}", token=other.session_token).status_code == 404


def test_the_page_shows_the_app_the_users_and_the_form(raw: Raw, people) -> None:
    owner, other, _ = people
    app = register_app(raw, owner, name='<script>alert("x")</script> & Co')
    response = page(raw, auth_params(app))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    html = response.text
    assert "<script" not in html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in html
    assert '<select name="user_id" id="user_id">' in html
    assert '<button type="submit" name="decision" value="approve">' in html
    assert 'name="decision" value="deny"' in html
    for user in (owner, other):
        shown = raw.call("GET", f"user/{user.user_id}", token=user.session_token).json()["Response"][0][
            "UserPerson"
        ]
        assert (
            f'<option value="{user.user_id}">{shown["display_name"]} ({shown["alias"][0]["value"]})</option>'
            in html
        )
    assert "<svg" in html and "http" not in html.split("<svg", 1)[1].split("</svg>", 1)[0].replace(
        "http://www.w3.org/2000/svg", ""
    )  # the QR code is inline, nothing fetched
    # bunq's Postman collection POSTs the same request with its parameters in the query and a JSON body
    posted = raw.http.post(
        f"{origin(raw)}/auth?response_type=code&client_id={app.client_id}&redirect_uri={app.redirect_uri}",
        data=b'{"currency": "EUR"}',
        headers={"Content-Type": "application/json"},
        verify=raw.sandbox.ca_file,
        allow_redirects=False,
    )
    assert posted.status_code == 200 and '<select name="user_id"' in posted.text


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (
            {"redirect_uri": "https://app.example/oauth/callback/"},
            "Did you mean 'https://app.example/oauth/callback'",
        ),
        ({"redirect_uri": "https://evil.example/steal"}, "is not one of this client's callback URLs"),
        ({"redirect_uri": ""}, "is not one of this client's callback URLs"),
        ({"client_id": "f" * 64}, "No OAuth client has this client_id"),
        ({"client_id": ""}, "client_id is missing"),
        ({"response_type": "token"}, "response_type must be 'code'"),
    ],
)
def test_a_bad_request_is_refused_on_the_page_and_never_redirected(raw: Raw, people, change, reason) -> None:
    owner, other, _ = people
    app = register_app(raw, owner)
    params = {**auth_params(app), **change}
    for response in (
        page(raw, params),
        page(raw, {}, "POST", {**params, "user_id": str(other.user_id), "decision": "approve"}),
        page(raw, {}, "POST", {**params, "user_id": str(other.user_id), "decision": "deny"}),
    ):
        assert response.status_code == 400
        assert "Location" not in response.headers
        assert reason.replace("'", "&#x27;") in response.text


def test_a_client_without_callback_url_and_a_cancelled_client_are_refused(raw: Raw, people) -> None:
    owner, _, _ = people
    base = f"user/{owner.user_id}/oauth-client"
    bare = raw.call("POST", base, {}, token=owner.session_token).json()["Response"][0]["Id"]["id"]
    client_id = raw.call("GET", f"{base}/{bare}", token=owner.session_token).json()["Response"][0][
        "OauthClient"
    ]["client_id"]
    refused = page(
        raw, {"response_type": "code", "client_id": client_id, "redirect_uri": "https://a.example/"}
    )
    assert refused.status_code == 400 and "has no callback URL registered" in refused.text
    app = register_app(raw, owner)
    raw.call("PUT", f"{base}/{app.id}", {"status": "CANCELLED"}, token=owner.session_token)
    cancelled = page(raw, auth_params(app))
    assert cancelled.status_code == 400 and "not active" in cancelled.text


def test_approve_and_deny_redirect_to_the_registered_url(raw: Raw, people) -> None:
    owner, other, _ = people
    app = register_app(raw, owner)
    approved = decide(raw, app, other.user_id, "approve", state="abc 123")
    assert approved.status_code == 302
    location = approved.headers["Location"]
    assert location.startswith(app.redirect_uri + "?code=")
    assert HEX64.match(query_of(location)["code"]) and query_of(location)["state"] == "abc 123"
    denied = decide(raw, app, other.user_id, "deny", state="abc")
    assert denied.status_code == 302
    assert query_of(denied.headers["Location"]) == {
        "error": "access_denied",
        "error_description": "The user denied the request.",
        "state": "abc",
    }
    assert denied.headers["Location"].startswith(app.redirect_uri + "?")
    # no user chosen, or a decision that is neither: the page again, with the problem, no redirect
    for form in ({"decision": "approve"}, {"decision": "maybe", "user_id": str(other.user_id)}):
        again = page(raw, {}, "POST", {**auth_params(app), **form})
        assert again.status_code == 400 and "Location" not in again.headers and 'role="alert"' in again.text


def test_a_redirect_uri_with_a_query_keeps_it(raw: Raw, people) -> None:
    owner, other, _ = people
    app = register_app(raw, owner, redirect_uri="https://app.example/cb?tenant=7")
    approved = decide(raw, app, other.user_id, "approve", state=None)
    assert approved.headers["Location"].startswith("https://app.example/cb?tenant=7&code=")
    assert "state" not in query_of(approved.headers["Location"])


def _oauth_error(response) -> tuple[int, str, str]:
    body = response.json()
    assert set(body) == {"error", "error_description", "Error"}
    return response.status_code, body["error"], body["error_description"]


def test_the_token_exchange_and_its_rules(raw: Raw, people, clock: Clock) -> None:
    owner, other, _ = people
    app = register_app(raw, owner)
    code = approve(raw, app, other.user_id, state="st")
    answer = exchange(raw, app, code)
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"] == "application/json"
    assert signing.verify_body(owner.server_key, answer.content, answer.headers["X-Bunq-Server-Signature"])
    body = answer.json()
    assert set(body) == {"access_token", "token_type", "state"}
    assert HEX64.match(body["access_token"]) and body["token_type"] == "bearer" and body["state"] == "st"
    # single use
    assert _oauth_error(exchange(raw, app, code))[:2] == (400, "invalid_grant")
    assert "already used" in _oauth_error(exchange(raw, app, code))[2]
    # wrong secret, unknown client, redirect mismatch, forged code, unknown grant type, missing parameters
    fresh = approve(raw, app, other.user_id)
    assert _oauth_error(exchange(raw, app, fresh, client_secret="0" * 64))[:2] == (401, "invalid_client")
    assert _oauth_error(exchange(raw, app, fresh, client_id="nope"))[:2] == (401, "invalid_client")
    mismatch = _oauth_error(exchange(raw, app, fresh, redirect_uri=app.redirect_uri + "/"))
    assert mismatch[:2] == (400, "invalid_grant") and "redirect_uri differs" in mismatch[2]
    assert _oauth_error(exchange(raw, app, "f" * 64))[:2] == (400, "invalid_grant")
    assert _oauth_error(exchange(raw, app, fresh, grant_type="password"))[:2] == (
        400,
        "unsupported_grant_type",
    )
    missing = _oauth_error(token_call(raw, {"grant_type": "authorization_code", "code": fresh}))
    assert missing[:2] == (400, "invalid_request") and "redirect_uri, client_id, client_secret" in missing[2]
    # the code that was refused for its redirect_uri is still good with the right one, via /token too,
    # and with the client's numeric id as client_id (what sdk_python's OauthAccessToken sends)
    numeric = exchange(raw, app, fresh, client_id=str(app.id))
    assert numeric.status_code == 200, numeric.text
    other_path = token_call(
        raw,
        {
            "grant_type": "authorization_code",
            "code": approve(raw, app, other.user_id),
            "redirect_uri": app.redirect_uri,
            "client_id": app.client_id,
            "client_secret": app.secret,
        },
        path="/token",
    )
    assert other_path.status_code == 200
    # expired
    late = approve(raw, app, other.user_id)
    clock.now += CODE_LIFETIME + 1
    assert "expired" in _oauth_error(exchange(raw, app, late))[2]
    # GET is not the exchange
    got = raw.http.get(f"{origin(raw)}/v1/token", verify=raw.sandbox.ca_file)
    assert got.status_code == 405 and got.json()["error"] == "invalid_request"


def test_the_access_token_is_an_api_key_for_the_granting_users_accounts(raw: Raw, people, client_key) -> None:
    owner, granting, third = people
    app = register_app(raw, owner)
    token = access_token(raw, app, granting.user_id)
    session = session_with(raw, client_key, token)
    assert session.kind == "UserApiKey"
    assert set(session.user) == {"id", "created", "updated", "requested_by_user", "granted_by_user"}
    assert session.user["requested_by_user"]["UserPerson"]["id"] == owner.user_id
    assert session.user["granted_by_user"]["UserPerson"]["id"] == granting.user_id
    assert session.user["id"] not in (owner.user_id, granting.user_id)
    me = session.user["id"]
    # GET user answers the UserApiKey, as bunq's docs warn
    listed = raw.call("GET", "user", token=session.session_token).json()["Response"]
    assert list(listed[0]) == ["UserApiKey"] and listed[0]["UserApiKey"]["id"] == me
    accounts = raw.call("GET", f"user/{me}/monetary-account", token=session.session_token).json()["Response"]
    assert [a["MonetaryAccountBank"]["id"] for a in accounts] == [granting.account_id]
    # nothing of the owner's, nothing of a third user's, nothing by the granting user's own id
    for path in (
        f"user/{me}/monetary-account/{owner.account_id}",
        f"user/{me}/monetary-account/{third.account_id}",
        f"user/{granting.user_id}/monetary-account",
        f"user/{owner.user_id}/monetary-account",
    ):
        assert raw.call("GET", path, token=session.session_token).status_code == 404, path
    # what the grant does not cover: 403
    for method, path in (
        ("GET", f"user/{me}/card"),
        ("GET", f"user/{me}/oauth-client"),
        ("POST", f"user/{me}/monetary-account/{granting.account_id}/request-inquiry"),
    ):
        refused = raw.call(method, path, {}, token=session.session_token)
        assert refused.status_code == 403 and "OAuth access token" in error_of(refused), path
    # payments only between the granting user's own accounts
    pay = f"user/{me}/monetary-account/{granting.account_id}/payment"
    third_iban = {"type": "IBAN", "value": _iban(raw, third), "name": "Third"}
    body = {
        "amount": {"value": "1.00", "currency": "EUR"},
        "counterparty_alias": third_iban,
        "description": "x",
    }
    assert raw.call("POST", pay, body, token=session.session_token, sign_with=client_key).status_code == 403


def _iban(raw: Raw, who) -> str:
    path = f"user/{who.user_id}/monetary-account/{who.account_id}"
    account = raw.call("GET", path, token=who.session_token).json()["Response"][0]["MonetaryAccountBank"]
    return next(a["value"] for a in account["alias"] if a["type"] == "IBAN")


def test_a_users_data_is_reachable_through_oauth_only_after_that_user_approved(
    raw: Raw, people, client_key
) -> None:
    owner, granting, _ = people
    app = register_app(raw, owner)
    # before: the app owner cannot see the user's accounts; a denial gives no code; a forged code no token
    assert (
        raw.call("GET", f"user/{granting.user_id}/monetary-account", token=owner.session_token).status_code
        == 404
    )
    denied = decide(raw, app, granting.user_id, "deny")
    assert "code" not in query_of(denied.headers["Location"])
    assert exchange(raw, app, "a" * 64).status_code == 400
    # a code approved by someone else reaches that someone else, not this user
    owners_token = access_token(raw, app, owner.user_id)
    owners = session_with(raw, client_key, owners_token)
    reached = raw.call("GET", f"user/{owners.user['id']}/monetary-account", token=owners.session_token).json()
    assert [a["MonetaryAccountBank"]["id"] for a in reached["Response"]] == [owner.account_id]
    # after the user approved: reachable
    session = session_with(raw, client_key, access_token(raw, app, granting.user_id))
    after = raw.call("GET", f"user/{session.user['id']}/monetary-account", token=session.session_token).json()
    assert [a["MonetaryAccountBank"]["id"] for a in after["Response"]] == [granting.account_id]


@pytest.fixture
def receiver(timed: LocalSandbox):
    state = timed.state_dir
    ca = trustme.CA.from_pem((state / "ca.pem").read_bytes(), (state / "ca-key.pem").read_bytes())
    made = Receiver(ca)
    yield made
    made.close()


def test_revoking_ends_the_grant_and_calls_back_oauth(
    raw: Raw, people, client_key, receiver: Receiver
) -> None:
    owner, granting, _ = people
    assert register(raw, owner, user_filters(owner), ("OAUTH", receiver.url)).status_code == 200
    app = register_app(raw, owner)
    token = access_token(raw, app, granting.user_id)
    session = session_with(raw, client_key, token)
    me = session.user["id"]
    # someone else cannot revoke it
    wrong = raw.http.post(
        f"{origin(raw)}/auth/revoke",
        data={"user_id": str(owner.user_id), "user_api_key_id": str(me)},
        verify=raw.sandbox.ca_file,
    )
    assert wrong.status_code == 404
    assert raw.call("GET", f"user/{me}/monetary-account", token=session.session_token).status_code == 200
    revoked = raw.http.post(
        f"{origin(raw)}/auth/revoke",
        data={"user_id": str(granting.user_id), "user_api_key_id": str(me)},
        verify=raw.sandbox.ca_file,
    )
    assert revoked.status_code == 200 and "revoked" in revoked.text
    assert raw.call("GET", f"user/{me}/monetary-account", token=session.session_token).status_code == 401
    _, installation_token, _ = raw.install(client_key)
    again = raw.call(
        "POST",
        "device-server",
        {"description": "x", "secret": token},
        token=installation_token,
        sign_with=client_key,
    )
    assert again.status_code == 400 and "credentials are incorrect" in error_of(again)
    (received,) = receiver.wait(1)
    import json

    notification = json.loads(received.body)["NotificationUrl"]
    assert (notification["category"], notification["event_type"]) == ("OAUTH", "OAUTH_REVOKED")
    assert notification["object"]["UserApiKey"]["id"] == me
    assert signing.verify_body(owner.server_key, received.body, received.headers["X-Bunq-Server-Signature"])


def test_cancelling_the_client_revokes_every_grant(raw: Raw, people, client_key, other_key) -> None:
    owner, granting, third = people
    app: App = register_app(raw, owner)
    sessions = [
        session_with(raw, key, access_token(raw, app, who.user_id))
        for key, who in ((client_key, granting), (other_key, third))
    ]
    raw.call(
        "PUT",
        f"user/{owner.user_id}/oauth-client/{app.id}",
        {"status": "CANCELLED"},
        token=owner.session_token,
    )
    for session in sessions:
        assert raw.call("GET", "user", token=session.session_token).status_code == 401
