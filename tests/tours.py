"""Running a tour: a client we did not write, in its own process, against the standalone sandbox.

A tour script (``tests/sdk/sdk_tour.py``, ``tests/js/js_tour.js``) runs its steps in order and prints
one JSON line ``{"steps": [{"name", "status", "calls", "detail"}]}``. Each step becomes its own
test, so a failure names the step, what differed, and the HTTP calls the client made.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

TOUR_TIMEOUT = 300  # seconds for a whole tour; the steps' own waits are bounded far below this


def run_tour(command: Sequence[str], env: Mapping[str, str], cwd: Path | None = None) -> dict[str, dict]:
    """Run a tour script; its steps by name. A crash or a timeout fails with the script's output."""
    try:
        result = subprocess.run(
            list(command), capture_output=True, text=True, timeout=TOUR_TIMEOUT, env=dict(env), cwd=cwd
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"the tour took longer than {TOUR_TIMEOUT} s: {(exc.stderr or '')[-2000:]}")
    lines = result.stdout.strip().splitlines()
    if result.returncode != 0 or not lines:
        pytest.fail(f"the tour crashed (exit {result.returncode}):\n{result.stderr[-3000:]}")
    return {step["name"]: step for step in json.loads(lines[-1])["steps"]}


def step_params(names: Sequence[str], pending: Mapping[str, str]) -> list[Any]:
    """One pytest param per step; steps in ``pending`` are expected to fail, for the reason given."""
    unknown = set(pending) - set(names)
    assert not unknown, f"pending steps that the tour does not have: {sorted(unknown)}"
    return [
        pytest.param(name, marks=pytest.mark.xfail(reason=pending[name], strict=False))
        if name in pending
        else name
        for name in names
    ]


def assert_step_passed(steps: Mapping[str, dict], name: str) -> None:
    """Fail with what the step saw: its detail and every call it made."""
    step = steps[name]
    calls = "\n".join(f"  {call}" for call in step["calls"]) or "  (none)"
    assert step["status"] == "passed", f"{name} {step['status']}: {step['detail']}\ncalls:\n{calls}"


def calls_made(steps: Mapping[str, dict], status: str = "passed") -> list[str]:
    """Every call of the steps with ``status``, in order."""
    return [call for step in steps.values() if step["status"] == status for call in step["calls"]]
