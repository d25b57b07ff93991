"""Every answer with status 200 that a sandbox gives while a test here runs is checked against bunq's
spec (``spec_check``); a mismatch fails the test that was running. At the end of the session the
terminal summary lists the emulated operations that no test here got a 200 answer from.

The answers are seen through ``SandboxApp.answers_seen``, so sandboxes made by any fixture (or
inside a test) are covered, whichever thread serves them.

Fixtures for the tests here: ``sandbox`` with the options a module asks for by marker
(``pytestmark = pytest.mark.sandbox_options(sugardaddy_delay=0, moved_clock=True)``: ``moved_clock``
runs it on the ``clock`` fixture), ``clock`` (a clock the test moves) and ``world`` (two users who
each did the handshake, on a sandbox whose sugar daddy pays at once; on ``clock`` when marked so).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bunq_helpers.local_sandbox import LocalSandbox, SandboxOptions
from bunq_helpers.local_sandbox.app import SandboxApp
from bunq_helpers.local_sandbox.catalogue import load_catalogue
from bunq_helpers.local_sandbox.endpoints import ROUTES
from tests.local_sandbox.money import Clock, World, money_world
from tests.local_sandbox.spec_check import SpecWatch

WATCH = SpecWatch()
HERE = Path(__file__).parent
_modules_run: set[str] = set()


def _marked(request: pytest.FixtureRequest) -> tuple[dict[str, Any], bool]:
    """(the options the ``sandbox_options`` marker names, whether it asks for the moved clock)."""
    marker = request.node.get_closest_marker("sandbox_options")
    options = dict(marker.kwargs) if marker else {}
    return options, bool(options.pop("moved_clock", False))


@pytest.fixture
def clock() -> Clock:
    """A sandbox clock the test moves by hand (``clock.now += 60``)."""
    return Clock()


@pytest.fixture
def sandbox(request: pytest.FixtureRequest, fresh_state: Callable[[str], Path]) -> Iterator[LocalSandbox]:
    """A running local sandbox on a fresh state directory, with the options the module's marker names."""
    options, moved = _marked(request)
    if moved:
        options["clock"] = request.getfixturevalue("clock")
    with LocalSandbox(fresh_state("state"), options=SandboxOptions(**options)) as running:
        yield running


@pytest.fixture
def world(request: pytest.FixtureRequest, tmp_path: Path, client_key) -> Iterator[World]:
    """Alice and Bob with a session each on a fresh sandbox whose sugar daddy pays at once."""
    clock = request.getfixturevalue("clock") if _marked(request)[1] else None
    with money_world(tmp_path, client_key, clock=clock) as made:
        yield made


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Remember which test modules of this directory run, to list gaps only for a full run."""
    _modules_run.update(item.path.name for item in items if item.path.parent == HERE)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Iterator[None]:
    """Watch answers only while a test of this directory (with its fixtures) runs."""
    SandboxApp.answers_seen.append(WATCH)
    try:
        return (yield)
    finally:
        SandboxApp.answers_seen.remove(WATCH)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Fail the test if an answer given during it (or its fixtures' set-up) does not fit bunq's spec."""
    try:
        return (yield)
    finally:  # also when the test failed on its own: the mismatch is shown with its failure
        problems = WATCH.take()
        if problems:
            shown = "\n  ".join(dict.fromkeys(problems))
            raise AssertionError(
                f"the sandbox answered outside bunq's spec (tests/local_sandbox/spec_check.py):\n  {shown}"
            )


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """List the emulated operations no test here got a 200 answer from, and any late mismatch."""
    if not WATCH.answers_checked:
        return
    late = WATCH.take()
    if late:
        terminalreporter.section("answers outside bunq's spec after the last test")
        for problem in dict.fromkeys(late):
            terminalreporter.write_line(problem)
    emulated = [op for op, done in load_catalogue().coverage(ROUTES) if done]
    missing = [op for op in emulated if (op.method, op.shape) not in WATCH.exercised]
    terminalreporter.section("emulated operations the tests that ran never exercised")
    terminalreporter.write_line(
        f"{len(emulated) - len(missing)} of {len(emulated)} emulated operations answered 200 and were "
        f"checked against bunq's spec ({WATCH.answers_checked} answers)."
    )
    if _modules_run < {path.name for path in HERE.glob("test_*.py")}:
        terminalreporter.write_line("(only part of tests/local_sandbox ran: run it all to list the gaps)")
        return
    for op in missing:
        terminalreporter.write_line(f"  not exercised: {op.label} ({op.operation_id})")
