"""Routes: method + path template -> handler, with the token kind and signature each one needs."""

from __future__ import annotations

import enum
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .bank.core import Bank
from .catalogue import Operation
from .options import SandboxOptions
from .request import Request


class Auth(enum.Enum):
    """Which token a route takes in X-Bunq-Client-Authentication."""

    NONE = "none"
    INSTALLATION = "installation"
    SESSION = "session"


@dataclass
class Reply:
    """What a handler answers: the ``Response`` items, and ``Pagination`` for lists."""

    items: list[dict[str, Any]]
    pagination: dict[str, str | None] | None = None

    def payload(self) -> dict[str, Any]:
        """The JSON body."""
        body: dict[str, Any] = {"Response": self.items}
        if self.pagination is not None:
            body["Pagination"] = self.pagination
        return body


@dataclass
class RawReply:
    """An answer that is not JSON: a file's exact bytes and its Content-Type (still signed)."""

    body: bytes
    content_type: str


@dataclass
class HandlerContext(Bank):
    """What every handler can use: the bank (store, event log, clock) and the sandbox's settings."""

    options: SandboxOptions = field(default_factory=SandboxOptions)
    server_public_key_pem: str = ""
    callbacks: Any = None  # the running sandbox's callbacks.CallbackDelivery (its log), if any

    @property
    def bank(self) -> Bank:
        """The money rules' view: the same store, event log and clock."""
        return self


@dataclass
class Caller:
    """Who is calling, once authentication passed."""

    installation: sqlite3.Row | None = None
    session: sqlite3.Row | None = None
    user: sqlite3.Row | None = None
    acting_for: sqlite3.Row | None = None  # an OAuth session's granting user (oauth_grants)


Handler = Callable[[HandlerContext, Request, Caller, dict[str, int]], Reply | RawReply]

_SEGMENT = re.compile(r"\{(\w+)\}")
_ID = "[0-9]{1,18}"
_UUID = "[0-9A-Za-z-]{1,64}"  # checked by the handler, so a wrong one is that object's 404


def _is_uuid(name: str) -> bool:
    return name.endswith("_uuid")


@dataclass(frozen=True)
class Route:
    """One endpoint. Path ids are integers, except placeholders named ``*_uuid``, which stay strings."""

    method: str
    template: str
    handler: Handler
    auth: Auth
    signature_required: bool = False
    operation: Operation | None = field(default=None, compare=False)  # set by ``kit.op``: body checked
    pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        regex = _SEGMENT.sub(
            lambda m: f"(?P<{m.group(1)}>{_UUID if _is_uuid(m.group(1)) else _ID})",
            re.escape(self.template).replace(r"\{", "{").replace(r"\}", "}"),
        )
        object.__setattr__(self, "pattern", re.compile(rf"^{regex}$"))

    def match(self, path: str) -> dict[str, int] | None:
        """The path's ids if it fits this route's template."""
        found = self.pattern.match(path)
        if found is None:
            return None
        return {name: value if _is_uuid(name) else int(value) for name, value in found.groupdict().items()}


class Router:
    """Finds the route for a method and path, telling 404 (no such path) from 405 (other method)."""

    def __init__(self, routes: list[Route]) -> None:
        self.routes = routes

    def resolve(self, method: str, path: str) -> tuple[Route | None, dict[str, int], list[str]]:
        """(route, ids, allowed methods); route is None when nothing fits this method."""
        allowed: list[str] = []
        for route in self.routes:
            params = route.match(path)
            if params is None:
                continue
            if route.method == method:
                return route, params, [route.method]
            allowed.append(route.method)
        return None, {}, sorted(set(allowed))
