"""Routes: method + path template -> handler, with the token kind and signature each one needs."""

from __future__ import annotations

import enum
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .events import EventLog
from .http_io import Request
from .options import SandboxOptions
from .store import Store


class Auth(enum.Enum):
    """Which token a route takes in X-Bunq-Client-Authentication."""

    NONE = "none"
    INSTALLATION = "installation"
    SESSION = "session"


@dataclass
class Reply:
    """What a handler answers: the ``Response`` items, and ``Pagination`` for lists.

    A file's content (``…/content`` endpoints) is ``raw`` bytes of ``content_type`` instead; ``items``
    is then empty and the bytes are sent as they are, signed like any other answer.
    """

    items: list[dict[str, Any]]
    pagination: dict[str, str | None] | None = None
    raw: bytes | None = None
    content_type: str | None = None

    def payload(self) -> dict[str, Any]:
        """The JSON body."""
        body: dict[str, Any] = {"Response": self.items}
        if self.pagination is not None:
            body["Pagination"] = self.pagination
        return body


@dataclass
class HandlerContext:
    """What every handler can use."""

    store: Store
    options: SandboxOptions
    server_public_key_pem: str
    events: EventLog

    def now(self) -> float:
        """The sandbox's current time."""
        return self.options.clock()


@dataclass
class Caller:
    """Who is calling, once authentication passed."""

    installation: sqlite3.Row | None = None
    session: sqlite3.Row | None = None
    user: sqlite3.Row | None = None


Handler = Callable[[HandlerContext, Request, Caller, dict[str, int]], Reply]

_SEGMENT = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Route:
    """One endpoint."""

    method: str
    template: str
    handler: Handler
    auth: Auth
    signature_required: bool = False
    pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        regex = _SEGMENT.sub(
            lambda m: rf"(?P<{m.group(1)}>[0-9]{{1,18}})",
            re.escape(self.template).replace(r"\{", "{").replace(r"\}", "}"),
        )
        object.__setattr__(self, "pattern", re.compile(rf"^{regex}$"))

    def match(self, path: str) -> dict[str, int] | None:
        """The path's ids if it fits this route's template."""
        found = self.pattern.match(path)
        if found is None:
            return None
        return {name: int(value) for name, value in found.groupdict().items()}


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
