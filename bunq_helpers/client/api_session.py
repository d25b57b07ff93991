"""A session that owns its token: the calls after the handshake, without passing tokens by hand.

    api = ApiSession(client, context, path=context_file)     # in a notebook: t.api
    user = api.user()                                         # GET /v1/user; user.exchange is the call
    api.request("GET", f"user/{api.context.user_id}/monetary-account")   # any call bunq has

As ``requests.Session`` carries cookies and ``httpx.Auth`` adds credentials, it picks the token each
path needs: none for ``installation`` and the sandbox-user calls, the installation token for
``device-server`` and ``session-server``, the session token for everything else. Before a call it
opens a new session when the saved one has 30 s or less left (bunq's SDKs' rule); when bunq answers
401 to a session token anyway (the session expired or was closed on the server), it opens a new one
once, sends the call again, and says so (``reopened``; the exchange's title says it too). Every
helper returns a record with its ``.exchange``, shown as that exchange in a notebook.

Notebooks 01 to 03 and 06 make the calls explicitly, with the token in hand: there the mechanics are
the lesson. From 04 on, ``t.api`` does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from ..errors import AuthorisationError
from . import accounts, callbacks
from .context import ApiContext
from .exchange import Exchange
from .handshake import ensure_session
from .transport import BunqClient

NO_TOKEN_PATHS = ("/v1/installation", "/v1/sandbox-user-person", "/v1/sandbox-user-company")
INSTALLATION_TOKEN_PATHS = ("/v1/device-server", "/v1/session-server")
T = TypeVar("T")


@dataclass
class Created:
    """Something a POST made: its id and the exchange that made it."""

    id: int
    exchange: Exchange = field(repr=False)

    def _repr_html_(self) -> str:
        return self.exchange.html()


@dataclass
class Filters:
    """The callback URLs registered, as ``(category, url)`` pairs, and the exchange that said so."""

    filters: list[tuple[str, str]]
    exchange: Exchange = field(repr=False)

    def _repr_html_(self) -> str:
        return self.exchange.html()


class ApiSession:
    """The client and the API context together: each call gets the token its path needs."""

    def __init__(self, client: BunqClient, context: ApiContext, *, path: Path | None = None) -> None:
        self.client = client
        self.context = context
        self.path = path  # where the context is saved when a new session is opened
        self.reopened: list[str] = []  # one line per session opened by this object, and why

    # -- the token a path needs ---------------------------------------------------------------------

    def token_for(self, path: str) -> str | None:
        """``None``, the installation token or the session token, by bunq's rule for ``path``."""
        full = "/" + self.client.url_for(path).split("/", 3)[3]
        endpoint = full.split("?", 1)[0]
        if endpoint in NO_TOKEN_PATHS:
            return None
        if endpoint in INSTALLATION_TOKEN_PATHS:
            return self.context.installation_token
        self._ensure("the saved session had 30 s or less left")
        return self.context.session_token

    def _ensure(self, why: str) -> None:
        if ensure_session(self.context, self.client, path=self.path):
            self.reopened.append(f"Opened session {self.context.session.id}: {why}.")

    def _once_more_on_401(self, call: Callable[[], T]) -> T:
        """Run ``call``; if bunq refuses the session token (401), open a new session once and run it again."""
        try:
            return call()
        except AuthorisationError as error:
            sent = error.exchange.request_header("X-Bunq-Client-Authentication") if error.exchange else None
            if self.context.session is None or sent != self.context.session.token:
                raise
            self.context.session = None
            self._ensure(f"bunq answered {error.status} to the old one")
            result = call()
            exchange = getattr(result, "exchange", result)
            if isinstance(exchange, Exchange):
                exchange.title += " (sent again in a new session: the old one had expired)"
            return result

    # -- any call --------------------------------------------------------------------------------------

    def request(self, method: str, path: str, **options: Any) -> Exchange:
        """One call with the token ``path`` needs (``options`` go to ``BunqClient.request``)."""
        return self._once_more_on_401(
            lambda: self.client.request(method, path, token=self.token_for(path), **options)
        )

    def _helper(self, helper: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        def call() -> T:
            self._ensure("the saved session had 30 s or less left")
            return helper(self.client, self.context, *args, **kwargs)

        return self._once_more_on_401(call)

    # -- what the notebooks use ------------------------------------------------------------------------

    def user(self) -> accounts.User:
        """``GET /v1/user``."""
        return self._helper(accounts.get_user)

    def monetary_accounts(self) -> accounts.Listing:
        """``GET /v1/user/{id}/monetary-account``: ``.items`` are the accounts, newest first."""
        return self._helper(accounts.list_monetary_accounts)

    def primary_account(self) -> accounts.MonetaryAccount:
        """The first ACTIVE account."""
        return self._helper(accounts.primary_account)

    def monetary_account(self, account_id: int) -> accounts.MonetaryAccount:
        """``GET …/monetary-account/{id}``."""
        return self._helper(accounts.get_monetary_account, account_id)

    def request_sandbox_money(self, account_id: int, amount: str = "100.00") -> Created:
        """Ask ``sugardaddy@bunq.com`` for up to 500 EUR (sandboxes only); it pays a moment later."""
        return Created(*self._helper(accounts.request_sandbox_money, account_id, amount))

    def wait_for_balance(self, account_id: int, at_least: Decimal | str) -> accounts.MonetaryAccount:
        """Re-read the account until its balance reaches ``at_least``."""
        return self._helper(accounts.wait_for_balance, account_id, at_least)

    def pay(self, account_id: int, amount: str, counterparty: dict[str, str], description: str) -> Created:
        """``POST …/payment`` (signed, as bunq requires)."""
        return Created(*self._helper(accounts.make_payment, account_id, amount, counterparty, description))

    def payments(self, account_id: int, count: int = 10) -> accounts.Listing:
        """``GET …/payment?count=``: the newest payments."""
        return self._helper(accounts.list_payments, account_id, count)

    def set_notification_filters(self, filters: list[tuple[str, str]]) -> Filters:
        """Replace the user's callback URLs with ``(category, url)`` pairs; ``[]`` removes them all."""
        return Filters(*self._helper(callbacks.set_notification_filters, filters))

    def notification_filters(self) -> Filters:
        """The user's callback URLs."""
        return Filters(*self._helper(callbacks.list_notification_filters))
