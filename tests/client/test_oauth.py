"""The client's OAuth steps against a local sandbox: each returns a record with its exchange; the
secrets they carry (the code, the client secret, the access token) are masked wherever they are shown."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from bunq_helpers import create_api_context
from bunq_helpers.client import accounts, oauth
from bunq_helpers.client.config import Environment, Settings
from bunq_helpers.client.sequence_diagram import sequence_diagram
from bunq_helpers.errors import AuthorisationError, BadRequestError
from bunq_helpers.local_sandbox import LocalSandbox
from tests.helpers import endpoint_of


def test_hosts_for_each_environment() -> None:
    assert oauth.oauth_hosts(Environment.SANDBOX) == oauth.OAuthHosts(
        "https://oauth.sandbox.bunq.com/auth", "https://api-oauth.sandbox.bunq.com/v1/token"
    )
    assert oauth.oauth_hosts(Environment.PRODUCTION) == oauth.OAuthHosts(
        "https://oauth.bunq.com/auth", "https://api.oauth.bunq.com/v1/token"
    )
    local = oauth.oauth_hosts(Environment.LOCAL, "https://127.0.0.1:4443/v1/")
    assert local == oauth.OAuthHosts("https://127.0.0.1:4443/auth", "https://127.0.0.1:4443/v1/token")
    with pytest.raises(ValueError, match="base URL"):
        oauth.oauth_hosts(Environment.LOCAL)


def test_the_authorization_url_has_bunqs_parameters_encoded() -> None:
    hosts = oauth.oauth_hosts(Environment.SANDBOX)
    url = oauth.authorization_url(hosts, "abc", "https://app.example/cb?x=1&y=2", "s t")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == hosts.authorization_url
    assert parse_qsl(parts.query) == [
        ("redirect_uri", "https://app.example/cb?x=1&y=2"),
        ("response_type", "code"),
        ("client_id", "abc"),
        ("state", "s t"),
    ]
    assert "state" not in oauth.authorization_url(hosts, "abc", "https://a.example/")
    assert len({oauth.new_state() for _ in range(20)}) == 20


def test_parse_redirect() -> None:
    approved = oauth.parse_redirect("https://app.example/cb?tenant=1&code=c0de&state=xyz")
    assert (
        approved.approved and approved.code == "c0de" and approved.state == "xyz" and approved.error is None
    )
    denied = oauth.parse_redirect("https://app.example/cb?error=access_denied&state=xyz")
    assert not denied.approved and denied.error == "access_denied"


@pytest.fixture
def owner(sandbox: LocalSandbox, tmp_path: Path):
    settings = Settings(
        environment=Environment.LOCAL, home=tmp_path / "home", context_file=tmp_path / "owner.conf"
    )
    return settings, create_api_context(settings, endpoint=endpoint_of(sandbox))


def test_the_whole_flow_with_the_clients_steps(sandbox: LocalSandbox, owner, tmp_path: Path) -> None:
    settings, run = owner
    endpoint = endpoint_of(sandbox)
    user = create_api_context(settings.with_(context_file=tmp_path / "user.conf"), endpoint=endpoint)
    client = run.client
    app = oauth.register_app(
        client, run.context.session_token, run.context.user_id, "https://app.example/cb", "Mine"
    )
    assert app.display_name == "Mine" and len(app.client_id) == 64 and len(app.exchanges) == 3
    assert app.secret not in repr(app) and app.secret not in app.exchanges[-1].html()
    hosts = oauth.oauth_hosts(Environment.LOCAL, client.base_url)
    url = oauth.authorization_url(hosts, app.client_id, app.redirect_uri, "st")
    page = oauth.open_authorization_page(client, url)
    assert page.status == 200
    assert (
        user.context.user_id,
        f"Noor Jansen (sandbox.user.{user.context.user_id}@bunq.example)",
    ) in oauth.page_users(page)
    qr = oauth.page_qr_code(page)
    assert qr.svg.startswith("<svg") and "QR code" in repr(qr)
    denied = oauth.answer_authorization_page(client, url, user.context.user_id, "deny")
    assert denied.error == "access_denied" and denied.state == "st"
    redirect = oauth.answer_authorization_page(client, url, user.context.user_id)
    assert redirect.approved and redirect.state == "st" and redirect.exchange.status == 302
    token = oauth.exchange_code(client, hosts, app, redirect.code)
    assert token.token_type == "bearer" and token.state == "st" and token.exchange.server_signature_valid
    # the code and the secret are masked wherever the exchange is shown: one line, HTML, a diagram
    for shown in (repr(token.exchange), token.exchange.html(), sequence_diagram([token.exchange], "x").svg()):
        assert redirect.code not in shown and app.secret not in shown and token.token not in shown
    with pytest.raises(BadRequestError, match="already used") as reused:
        oauth.exchange_code(client, hosts, app, redirect.code)
    assert redirect.code not in str(reused.value) and app.secret not in str(reused.value)

    acting = create_api_context(
        settings.with_(context_file=tmp_path / "app.conf"), endpoint=endpoint, api_key=token.token
    )
    assert acting.calls == ["installation", "device-server", "session-server"]
    assert acting.context.session.user_kind == "UserApiKey"
    seen = accounts.list_monetary_accounts(acting.client, acting.context).items
    assert [a.id for a in seen] == [accounts.primary_account(user.client, user.context).id]
    # run again: the saved context is reused, and a different token for that file is refused
    again = create_api_context(
        settings.with_(context_file=tmp_path / "app.conf"), endpoint=endpoint, api_key=token.token
    )
    assert again.calls == []
    with pytest.raises(Exception, match="belongs to another API key"):
        create_api_context(
            settings.with_(context_file=tmp_path / "app.conf"), endpoint=endpoint, api_key="f" * 64
        )

    with pytest.raises(AuthorisationError, match="may do only what the user granted"):
        acting.client.request(
            "GET", f"user/{acting.context.user_id}/card", token=acting.context.session_token
        )
    revoked = oauth.revoke_on_page(client, hosts, user.context.user_id, acting.context.user_id)
    assert revoked.status == 200
    with pytest.raises(AuthorisationError):
        accounts.list_monetary_accounts(acting.client, acting.context)
