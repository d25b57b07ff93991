"""Routes: method + path template -> handler, with the token kind and signature each one needs."""

from __future__ import annotations

import enum
import re
import sqlite3
from collections.abc import Callable, Iterable
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

    def match(self, path: str) -> dict[str, Any] | None:
        """The path's ids if it fits this route's template."""
        segments, parts = tuple(self.template.split("/")), path.split("/")
        return _match(segments, parts) if len(segments) == len(parts) else None


class Router:
    """Finds the route for a method and path, telling 404 (no such path) from 405 (other method).

    ``entries`` say where each route lives (method, template, family) without importing it;
    ``load(family)`` imports a family's routes the first time one of them is asked for."""

    def __init__(self, entries: Iterable[Any], load: Callable[[str], Iterable[Route]]) -> None:
        # by (segment count, first segment, last segment), a parameter's as None: few candidates a path
        self._by_key: dict[tuple[int, str | None, str | None], list[tuple[Any, tuple[str, ...]]]] = {}
        for entry in entries:
            segments = tuple(entry.template.split("/"))
            ends = [None if segment[:1] == "{" else segment for segment in (segments[0], segments[-1])]
            self._by_key.setdefault((len(segments), *ends), []).append((entry, segments))
        self._load = load
        self._routes: dict[tuple[str, str], Route] = {}

    def resolve(self, method: str, path: str) -> tuple[Route | None, dict[str, int], list[str]]:
        """(route, ids, allowed methods); route is None when nothing fits this method."""
        allowed: list[str] = []
        parts = path.split("/")
        count, first, last = len(parts), parts[0], parts[-1]
        for key in ((count, first, last), (count, first, None), (count, None, last), (count, None, None)):
            for entry, segments in self._by_key.get(key, ()):
                params = _match(segments, parts)
                if params is None:
                    continue
                if entry.method == method:
                    return self._route(entry), params, [entry.method]
                allowed.append(entry.method)
        return None, {}, sorted(set(allowed))

    def _route(self, entry: Any) -> Route:
        key = (entry.method, entry.template)
        if key not in self._routes:
            for route in self._load(entry.family):
                self._routes[(route.method, route.template)] = route
        return self._routes[key]


_ID_SEGMENT = re.compile(_ID)
_UUID_SEGMENT = re.compile(_UUID)


def _match(segments: tuple[str, ...], parts: list[str]) -> dict[str, Any] | None:
    """A path's ids if its parts fit a template's segments (the same rules as ``Route.match``)."""
    params: dict[str, Any] = {}
    for segment, part in zip(segments, parts, strict=True):
        if segment[:1] != "{":
            if segment != part:
                return None
            continue
        name = segment[1:-1]
        if _is_uuid(name):
            if not _UUID_SEGMENT.fullmatch(part):
                return None
            params[name] = part
        elif _ID_SEGMENT.fullmatch(part):
            params[name] = int(part)
        else:
            return None
    return params
