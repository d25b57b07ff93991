"""bunq's operations, from ``catalogue.json``: which ones the local sandbox emulates, and the answer for the rest.

``catalogue.json`` is derived from bunq's OpenAPI description by ``scripts/derive_catalogue.py``
(paths, methods, operation ids, field names and JSON types; none of bunq's texts). Coverage is
measured against it: an operation is emulated when a route in ``endpoints.ROUTES`` has its method
and path (parameter names aside), so a new endpoint family counts the moment its routes are listed.

A request for an operation bunq has but the sandbox does not emulate is answered with bunq's error
shape, signed like every answer, naming the operation and pointing at bunq's own sandbox, under
**501 Not Implemented**. Why 501: it is HTTP's status for "the server does not support the
functionality required" (RFC 9110 §15.6.2), and bunq never sends it, so a client cannot mistake it
for one of bunq's answers about its request: 404 would read as a typo in the path or a missing
object (bunq answers both with 404), 405 would claim bunq lacks the method, 400 would blame the
body. bunq's SDKs turn an unknown status into a generic API error that carries the text, so the
learner sees the explanation. Paths bunq does not have stay 404 ``Route not found.``; a method
bunq's description lacks on a path it has stays 405.

The file is parsed once per process; each ``Operation`` is made when first asked for, since a
sandbox's first call needs only the few of the family it serves.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from .bunq_errors import NOT_EMULATED, BunqError

CATALOGUE_FILE = Path(__file__).with_name("catalogue.json")
SANDBOX_BASE_URL = "https://public-api.sandbox.bunq.com/v1/"

# Patterns compiled on first use (re's own cache): a sandbox serving its routes never needs them.
_PARAM = r"\{([^}]+)\}"
_ID = "[0-9]{1,18}"
_UUID = "[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"


class RouteLike(Protocol):
    """What coverage needs of a route: its method and path template."""

    method: str
    template: str


def shape_of(template: str) -> str:
    """A path template with parameter names dropped and no leading ``/``: ``user/{}/payment``."""
    return re.sub(_PARAM, "{}", template.strip("/"))


def _fits(segment: str, part: str) -> bool:
    """Whether one part of a concrete path fits one segment of bunq's template."""
    if segment == "{id}":
        return re.fullmatch(_ID, part) is not None
    if segment == "{uuid}":
        return re.fullmatch(_UUID, part) is not None
    return segment == part


@dataclass(frozen=True)
class Operation:
    """One of bunq's operations, as the catalogue describes it."""

    method: str
    path: str  # bunq's template, e.g. /user/{userID}/monetary-account/{itemId}
    operation_id: str
    params: dict[str, str]  # parameter -> "id" or "uuid"
    request: dict[str, Any] | None
    response: dict[str, Any]

    @property
    def shape(self) -> str:
        """The template without parameter names (how routes are matched to operations)."""
        return shape_of(self.path)

    @property
    def label(self) -> str:
        """``GET /user/{userID}`` form."""
        return f"{self.method} {self.path}"


class Catalogue:
    """bunq's operations, looked up by method and template or by a concrete path (each ``Operation``
    made on first use: by id, or all of them with ``operations``)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self._entries = {entry["operation_id"]: entry for entry in data["operations"]}
        self.schemas: dict[str, dict[str, Any]] = data["schemas"]
        self.spec_sha256: str = data["spec_sha256"]
        self._made: dict[str, Operation] = {}
        self._paths: dict[int, list[tuple[list[str], list[Operation]]]] | None = None

    @functools.cached_property
    def operations(self) -> list[Operation]:
        """Every operation, in the catalogue's order."""
        return [self._operation(operation_id) for operation_id in self._entries]

    def _operation(self, operation_id: str) -> Operation:
        found = self._made.get(operation_id)
        if found is None:
            found = self._made[operation_id] = Operation(**self._entries[operation_id])
        return found

    @functools.cached_property
    def _grouped(self) -> dict[str, list[Operation]]:
        grouped: dict[str, list[Operation]] = {}
        for op in self.operations:
            grouped.setdefault(op.path, []).append(op)
        return grouped

    def _by_length(self) -> dict[int, list[tuple[list[str], list[Operation]]]]:
        """bunq's paths by segment count, as segments: a literal, or ``{id}`` / ``{uuid}`` for a parameter.
        Made on first use, so starting a sandbox parses no path."""
        if self._paths is None:
            paths: dict[int, list[tuple[list[str], list[Operation]]]] = {}
            for path, ops in self._grouped.items():
                segments = [
                    "{uuid}"
                    if ops[0].params.get(part[1:-1]) == "uuid"
                    else "{id}"
                    if part[:1] == "{"
                    else part
                    for part in path.strip("/").split("/")
                ]
                paths.setdefault(len(segments), []).append((segments, ops))
            self._paths = paths
        return self._paths

    @functools.cached_property
    def _by_shape(self) -> dict[tuple[str, str], Operation]:
        """Operations by (method, shape), made on first use: families find theirs by id."""
        return {(op.method, op.shape): op for op in self.operations}

    def get(self, method: str, template: str) -> Operation | None:
        """The operation for a method and a template (parameter names may differ from bunq's)."""
        return self._by_shape.get((method.upper(), shape_of(template)))

    def by_id(self, operation_id: str) -> Operation | None:
        """The operation bunq's spec names ``operation_id`` (``READ_Payment_for_User_MonetaryAccount``)."""
        return self._operation(operation_id) if operation_id in self._entries else None

    def at(self, path: str) -> list[Operation]:
        """bunq's operations on a concrete path below ``/v1/`` (``user/7/monetary-account``)."""
        parts = path.strip("/").split("/")
        for segments, ops in self._by_length().get(len(parts), []):
            if all(_fits(segment, part) for segment, part in zip(segments, parts, strict=True)):
                return ops
        return []

    def coverage(self, routes: Iterable[RouteLike]) -> list[tuple[Operation, bool]]:
        """Every operation, with whether a route emulates it."""
        emulated = {(route.method, shape_of(route.template)) for route in routes}
        return [(op, (op.method, op.shape) in emulated) for op in self.operations]

    def unknown_routes(self, routes: Iterable[RouteLike]) -> list[RouteLike]:
        """Routes whose method and path bunq's description does not have."""
        return [route for route in routes if self.get(route.method, route.template) is None]


@functools.cache
def load_catalogue() -> Catalogue:
    """The catalogue shipped with the package (parsed once per process)."""
    return Catalogue(json.loads(CATALOGUE_FILE.read_text(encoding="utf-8")))


def not_emulated(operation: Operation) -> BunqError:
    """The 501 answer for an operation bunq has and the local sandbox does not emulate."""
    return BunqError(
        501,
        NOT_EMULATED.format(
            operation=operation.label, operation_id=operation.operation_id, sandbox_url=SANDBOX_BASE_URL
        ),
    )


def operations_report(routes: Iterable[RouteLike]) -> str:
    """One line per operation, emulated or not, then the totals (``--operations``)."""
    routes = list(routes)
    catalogue = load_catalogue()
    coverage = catalogue.coverage(routes)
    lines = [
        f"{'emulated' if done else 'not emulated':<13} {op.method:<7}{op.path}  ({op.operation_id})"
        for op, done in coverage
    ]
    extra = catalogue.unknown_routes(routes)
    if extra:
        lines.append("")
        lines.append("Routes the sandbox has that bunq's description lacks:")
        lines.extend(f"  {route.method} /{route.template}" for route in extra)
    done = sum(1 for _, emulated in coverage if emulated)
    lines.append("")
    lines.append(f"{done} of {len(coverage)} operations emulated ({done / len(coverage):.0%}).")
    return "\n".join(lines)
