"""What the OAuth and PSD2 tests share: an app registered over HTTPS, the page's form submitted as a
browser submits it, the code exchanged, and a handshake with an access token or a PSD2 token."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

from bunq_helpers.crypto import keys
from tests.helpers import Handshake, Raw

REDIRECT = "https://app.example/oauth/callback"


@dataclass
class App:
    """An oauth-client with one callback URL."""

    id: int
    client_id: str
    secret: str
    redirect_uri: str


def register_app(raw: Raw, owner: Handshake, redirect_uri: str = REDIRECT, name: str = "Budget app") -> App:
    base = f"user/{owner.user_id}/oauth-client"
    created = raw.call("POST", base, {"status": "ACTIVE", "display_name": name}, token=owner.session_token)
    assert created.status_code == 200, created.text
    client_row_id = created.json()["Response"][0]["Id"]["id"]
    url = raw.call(
        "POST", f"{base}/{client_row_id}/callback-url", {"url": redirect_uri}, token=owner.session_token
    )
    assert url.status_code == 200, url.text
    shown = raw.call("GET", f"{base}/{client_row_id}", token=owner.session_token).json()["Response"][0]
    return App(client_row_id, shown["OauthClient"]["client_id"], shown["OauthClient"]["secret"], redirect_uri)


def origin(raw: Raw) -> str:
    parts = urlsplit(raw.sandbox.base_url)
    return f"{parts.scheme}://{parts.netloc}"


def page(
    raw: Raw, params: dict[str, str], method: str = "GET", form: dict[str, str] | None = None
) -> requests.Response:
    """The authorization page, as a browser asks for it (no redirect followed)."""
    return raw.http.request(
        method,
        f"{origin(raw)}/auth?{urlencode(params)}" if params else f"{origin(raw)}/auth",
        data=form,
        verify=raw.sandbox.ca_file,
        allow_redirects=False,
        timeout=30,
    )


def auth_params(app: App, state: str | None = "s-1", redirect_uri: str | None = None) -> dict[str, str]:
    params = {
        "response_type": "code",
        "client_id": app.client_id,
        "redirect_uri": redirect_uri or app.redirect_uri,
    }
    if state is not None:
        params["state"] = state
    return params


def decide(
    raw: Raw, app: App, user_id: int, decision: str = "approve", state: str | None = "s-1"
) -> requests.Response:
    """Submit the page's form as a browser does."""
    return page(raw, {}, "POST", {**auth_params(app, state), "user_id": str(user_id), "decision": decision})


def query_of(location: str) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlsplit(location).query).items()}


def approve(raw: Raw, app: App, user_id: int, state: str = "s-1") -> str:
    """The code from an approval."""
    response = decide(raw, app, user_id, "approve", state)
    assert response.status_code == 302, response.text
    return query_of(response.headers["Location"])["code"]


def token_call(raw: Raw, params: dict[str, str], path: str = "/v1/token") -> requests.Response:
    return raw.http.post(
        f"{origin(raw)}{path}?{urlencode(params)}",
        verify=raw.sandbox.ca_file,
        timeout=30,
        allow_redirects=False,
    )


def exchange(raw: Raw, app: App, code: str, **changes: str) -> requests.Response:
    params = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": app.redirect_uri,
        "client_id": app.client_id,
        "client_secret": app.secret,
        **changes,
    }
    return token_call(raw, params)


def access_token(raw: Raw, app: App, user_id: int) -> str:
    response = exchange(raw, app, approve(raw, app, user_id))
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


@dataclass
class TokenSession:
    """A session opened with an access token or a PSD2 token: its token and its user item."""

    key: keys.PrivateKey
    installation_token: str
    session_token: str
    kind: str
    user: dict


def session_with(raw: Raw, key: keys.PrivateKey, api_key: str) -> TokenSession:
    """installation, device-server and session-server with ``api_key`` (an access token, a PSD2 token)."""
    _, installation_token, _ = raw.install(key)
    device = raw.call(
        "POST",
        "device-server",
        {"description": "app", "secret": api_key},
        token=installation_token,
        sign_with=key,
    )
    assert device.status_code == 200, device.text
    session = raw.call("POST", "session-server", {"secret": api_key}, token=installation_token, sign_with=key)
    assert session.status_code == 200, session.text
    items = session.json()["Response"]
    ((kind, user),) = items[2].items()
    return TokenSession(key, installation_token, items[1]["Token"]["token"], kind, user)
