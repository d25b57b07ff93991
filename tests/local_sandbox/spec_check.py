"""The tests' watch on every answer: the package's answer check (``answer_check``), its problems kept
until the running test takes them. The allow-lists are the package's ``divergences``."""

from __future__ import annotations

import threading

from bunq_helpers.local_sandbox.answer_check import check_answer, check_body, operation_for, wrappers_for
from bunq_helpers.local_sandbox.app import Answer
from bunq_helpers.local_sandbox.catalogue import shape_of
from bunq_helpers.local_sandbox.divergences import FIELDS_BUNQ_SENDS, SCHEMAS_BUNQ_SENDS, WRAPPERS_BUNQ_SENDS

__all__ = [
    "FIELDS_BUNQ_SENDS",
    "SCHEMAS_BUNQ_SENDS",
    "WRAPPERS_BUNQ_SENDS",
    "SpecWatch",
    "check_answer",
    "check_body",
    "operation_for",
    "wrappers_for",
]


class SpecWatch:
    """Checks the answers it is shown; keeps the problems until a test takes them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._problems: list[str] = []
        self.exercised: set[tuple[str, str]] = set()
        self.answers_checked = 0

    def __call__(self, answer: Answer) -> None:
        if answer.response.status != 200 or answer.route is None:
            return
        route, request = answer.route, answer.request
        problems = check_body(route.method, route.template, answer.response.body)
        with self._lock:
            self.answers_checked += 1
            self.exercised.add((route.method, shape_of(route.template)))
            self._problems.extend(f"{request.method} /v1/{request.route_path}: {p}" for p in problems)

    def keep(self, problems: list[str]) -> None:
        """Problems found elsewhere (another pytest-xdist worker), kept until taken."""
        with self._lock:
            self._problems.extend(problems)

    def take(self) -> list[str]:
        """The problems found since the last call."""
        with self._lock:
            problems, self._problems = self._problems, []
        return problems
