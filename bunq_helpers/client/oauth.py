"""OAuth: an app acting for another bunq user, one step at a time, each returning a record with its exchange.

1. ``register_app`` (``POST user/{id}/oauth-client`` and ``…/callback-url``, as the app's owner): the
   ``client_id``, ``secret`` and redirect URL of the app;
2. ``authorization_url``: where the app sends the user (``response_type=code``, ``client_id``,
   ``redirect_uri``, ``state``);
3. the user approves. At bunq: on ``oauth.sandbox.bunq.com``, by scanning the page's QR code with bunq's
   sandbox app on a phone (or the Android emulator). In the local sandbox: its page has a form that
   stands in for the app; ``open_authorization_page`` shows it and ``answer_authorization_page`` submits
   it exactly as a browser does. Either way the browser lands on ``redirect_uri?code=…&state=…``;
4. ``exchange_code``: ``POST /v1/token?grant_type=authorization_code&code=…&redirect_uri=…&client_id=…
   &client_secret=…`` answers ``access_token``, ``token_type`` and ``state``;
5. ``create_api_context(settings, api_key=access_token)``: the token is an API key. The session's
   user item is ``UserApiKey``: its ``id`` goes in paths (``user/{id}/monetary-account``) and the data
   is the granting user's (``granted_by_user``); ``requested_by_user`` is the app's owner.

Where the hosts are (``oauth_hosts``): bunq's sandbox ``https://oauth.sandbox.bunq.com/auth`` and
``https://api-oauth.sandbox.bunq.com/v1/token``; production ``https://oauth.bunq.com/auth`` and
``https://api.oauth.bunq.com/v1/token`` (sdk_python ``OauthAuthorizationUri``/``OauthAccessToken``,
bunq's Postman collection); doc.bunq.com's 2025 page writes ``https://oauth.bunq.com/token`` instead,
which the local sandbox also answers. Locally both are on the sandbox's own origin.
"""

from __future__ import annotations

import secrets as random_secrets
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

from ..errors import UnexpectedResponseError
from .config import Environment
from .envelope import item, object_id
from .exchange import Exchange
from .masking import TOKEN
from .transport import BunqClient, default_headers, read_body

SECRET = "client_secret"  # noqa: S105 - a kind of secret, for masking


@dataclass(frozen=True)
class OAuthHosts:
    """Where the authorization page and the token endpoint are."""

    authorization_url: str
    token_url: str


def oauth_hosts(environment: Environment, api_base_url: str | None = None) -> OAuthHosts:
    """bunq's OAuth hosts for an environment; for ``local``, the sandbox's own origin (from its base URL)."""
    bunqs = environment.default_oauth_urls
    if bunqs is not None:
        return OAuthHosts(*bunqs)
    if not api_base_url:
        raise ValueError("The local sandbox's OAuth pages are on its own origin: pass its base URL.")
    parts = urlsplit(api_base_url)
    origin = f"{parts.scheme}://{parts.netloc}"
    return OAuthHosts(origin + "/auth", origin + "/v1/token")


@dataclass(frozen=True)
class OAuthApp:
    """An app registered by its owner: the oauth-client and the redirect URL it registered."""

    id: int
    client_id: str = field(repr=False)
    secret: str = field(repr=False)
    redirect_uri: str
    display_name: str
    exchanges: tuple[Exchange, ...] = field(default=(), repr=False, compare=False)


def register_app(
    client: BunqClient, session_token: str, user_id: int, redirect_uri: str, display_name: str = ""
) -> OAuthApp:
    """Create an oauth-client for ``user_id``, register ``redirect_uri``, and read back its id and secret."""
    body: dict[str, Any] = {"status": "ACTIVE"}
    if display_name:
        body["display_name"] = display_name
    base = f"user/{user_id}/oauth-client"
    created = client.request("POST", base, body=body, token=session_token, title="Register an OAuth app")
    client_row_id = object_id(created)
    url = client.request(
        "POST",
        f"{base}/{client_row_id}/callback-url",
        body={"url": redirect_uri},
        token=session_token,
        title="Register its redirect URL",
    )
    read = client.request("GET", f"{base}/{client_row_id}", token=session_token, title="Read the app back")
    shown = item(read, "OauthClient", 0)
    read.add_secret(shown.get("secret"), SECRET)
    return OAuthApp(
        client_row_id,
        str(shown.get("client_id", "")),
        str(shown.get("secret", "")),
        redirect_uri,
        str(shown.get("display_name", "")),
        (created, url, read),
    )


def new_state() -> str:
    """An unguessable ``state`` to send and check when the user comes back (bunq: against CSRF)."""
    return random_secrets.token_urlsafe(16)


def authorization_url(hosts: OAuthHosts, client_id: str, redirect_uri: str, state: str | None = None) -> str:
    """The URL the app sends the user to, parameters in the order sdk_python writes them."""
    query: dict[str, str] = {"redirect_uri": redirect_uri, "response_type": "code", "client_id": client_id}
    if state is not None:
        query["state"] = state
    return f"{hosts.authorization_url}?{urlencode(query)}"


@dataclass(frozen=True)
class Redirect:
    """Where the page sent the browser: ``code`` and ``state`` on approval, ``error`` on denial."""

    location: str
    code: str | None = field(repr=False)
    state: str | None
    error: str | None
    exchange: Exchange | None = field(default=None, repr=False, compare=False)

    @property
    def approved(self) -> bool:
        """Whether the user approved."""
        return self.code is not None


def _send_page(
    client: BunqClient, method: str, url: str, form: dict[str, str] | None, title: str
) -> Exchange:
    """One browser-like request to the page (no redirect followed), through the client's trust and pins."""
    data = urlencode(form).encode("ascii") if form is not None else b""
    headers = {k: v for k, v in default_headers().items() if not k.lower().startswith("x-bunq")}
    headers["Accept"] = "text/html"
    if form is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    exchange = Exchange(title=title, method=method, url=url)
    prepared = requests.PreparedRequest()
    prepared.prepare(method=method, url=url, headers=headers, data=data or None)
    exchange.request_headers = list(prepared.headers.items())
    exchange.request_body = data
    response = client.adapter.send(
        prepared, stream=True, timeout=client.timeout, verify=client.endpoint.verify
    )
    try:
        exchange.status = response.status_code
        exchange.reason = response.reason or ""
        exchange.response_headers = list(response.headers.items())
        exchange.response_body = read_body(response.raw, client.max_response_bytes)
    finally:
        response.close()
    client.history.append(exchange)
    return exchange


def open_authorization_page(client: BunqClient, url: str) -> Exchange:
    """``GET`` the authorization page as a browser would; the exchange holds the HTML."""
    return _send_page(client, "GET", url, None, "Open the authorization page")


def answer_authorization_page(
    client: BunqClient, url: str, user_id: int, decision: str = "approve"
) -> Redirect:
    """Submit the local sandbox's form (``user_id``, ``decision``) as a browser does; read the redirect.

    Only the local sandbox has this form: at bunq the user approves in bunq's app.
    """
    parts = urlsplit(url)
    form = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    form.update(user_id=str(user_id), decision=decision)
    action = f"{parts.scheme}://{parts.netloc}{parts.path}"
    exchange = _send_page(client, "POST", action, form, f"{decision.capitalize()} on the authorization page")
    location = exchange.response_header("Location")
    if exchange.status != 302 or not location:
        raise UnexpectedResponseError(
            f"The authorization page answered {exchange.status} without a redirect: "
            f"{exchange.response_body.decode('utf-8', 'replace')[:300]}",
            exchange=exchange,
        )
    return parse_redirect(location, exchange)


def parse_redirect(location: str, exchange: Exchange | None = None) -> Redirect:
    """The code, state and error in the URL the browser was sent back to (what your app's page reads)."""
    query = {k: v[-1] for k, v in parse_qs(urlsplit(location).query, keep_blank_values=True).items()}
    code = query.get("code")
    if exchange is not None and code:
        exchange.add_secret(code, TOKEN)
    return Redirect(location, code, query.get("state"), query.get("error"), exchange)


@dataclass(frozen=True)
class AccessToken:
    """What the token endpoint answered: the access token (an API key from now on) and the state."""

    token: str = field(repr=False)
    token_type: str
    state: str | None
    exchange: Exchange | None = field(default=None, repr=False, compare=False)


def exchange_code(
    client: BunqClient, hosts: OAuthHosts, app: OAuthApp, code: str, redirect_uri: str | None = None
) -> AccessToken:
    """``POST`` the token URL with the code, as sdk_python and Postman do (parameters in the query)."""
    query = urlencode(
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri if redirect_uri is not None else app.redirect_uri,
            "client_id": app.client_id,
            "client_secret": app.secret,
        }
    )
    exchange = client.request(
        "POST",
        f"{hosts.token_url}?{query}",
        title="Exchange the code for an access token",
        secrets={code: TOKEN, app.secret: SECRET},
    )
    answer = exchange.response_json()
    token = answer.get("access_token") if isinstance(answer, dict) else None
    if not isinstance(token, str) or not token:
        raise UnexpectedResponseError("The token answer has no access_token.", exchange=exchange)
    exchange.add_secret(token, TOKEN)
    exchange.extracted.update(token_type=answer.get("token_type"), state=answer.get("state"))
    return AccessToken(token, str(answer.get("token_type", "")), answer.get("state"), exchange)


class _PageReader(HTMLParser):
    """The options of the page's ``<select name="user_id">``."""

    def __init__(self) -> None:
        super().__init__()
        self.users: list[tuple[int, str]] = []
        self._option: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "option":
            self._option = dict(attrs).get("value") or ""

    def handle_data(self, data: str) -> None:
        if self._option is not None and self._option.isdigit():
            self.users.append((int(self._option), data.strip()))
            self._option = None


def page_users(page: Exchange) -> list[tuple[int, str]]:
    """The users the local sandbox's page offers: (user id, "Display name (email)"), as its select lists them."""
    reader = _PageReader()
    reader.feed(page.response_body.decode("utf-8", "replace"))
    return reader.users


@dataclass(frozen=True)
class PageQrCode:
    """The page's QR code: its inline ``<svg>`` (no network asset), shown as a picture in a notebook."""

    svg: str = field(repr=False)

    def _repr_html_(self) -> str:
        return f"<div style='background:#fff;display:inline-block;padding:8px'>{self.svg}</div>"

    def __repr__(self) -> str:
        return "QR code of the authorization page (an inline SVG; it encodes the page's own address)"


def page_qr_code(page: Exchange) -> PageQrCode:
    """The QR code the page shows."""
    text = page.response_body.decode("utf-8", "replace")
    start, end = text.find("<svg"), text.find("</svg>")
    return PageQrCode(text[start : end + len("</svg>")] if 0 <= start < end else "")


def revoke_on_page(
    client: BunqClient, hosts: OAuthHosts, granting_user_id: int, user_api_key_id: int
) -> Exchange:
    """The granting user revokes the app (the local sandbox's stand-in for bunq's app: ``POST /auth/revoke``)."""
    url = hosts.authorization_url + "/revoke"
    form = {"user_id": str(granting_user_id), "user_api_key_id": str(user_api_key_id)}
    return _send_page(client, "POST", url, form, "The user revokes the app")
