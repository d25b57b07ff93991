"""Running a tour: a client we did not write, in its own process, against the standalone sandbox.

A tour script (``tests/sdk/sdk_tour.py``, ``tests/js/js_tour.js``) runs its steps in order and prints
one JSON line ``{"steps": [{"name", "status", "calls", "detail"}]}``. Each step becomes its own
test, so a failure names the step, what differed, and the HTTP calls the client made.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

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


@dataclass(frozen=True)
class Gap:
    """A known difference: the step is expected to fail while the sandbox's answer contains ``answer``."""

    reason: str
    answer: str = "HTTP 501"  # the local sandbox's "not emulated" answer


def not_emulated(call: str) -> Gap:
    """An endpoint the local sandbox does not emulate yet (it answers 501)."""
    return Gap(f"{call} is not emulated yet (501)")


def check_step(steps: Mapping[str, dict], name: str, gaps: Mapping[str, Gap]) -> None:
    """Fail with what the step saw (its detail and every call it made), unless it is a known gap.

    A known gap is a step named in ``gaps`` that failed with the sandbox's answer named there, or a
    step blocked only by known gaps: those are expected failures (xfail). Any other failure fails,
    so a gap that starts answering differently, or wrongly, is not hidden.
    """
    step = steps[name]
    if step["status"] == "passed":
        return
    if _known_gap(steps, name, gaps):
        pytest.xfail(gaps[name].reason if name in gaps else f"needs {step['missing']}, known gaps")
    calls = "\n".join(f"  {call}" for call in step["calls"]) or "  (none)"
    pytest.fail(f"{name} {step['status']}: {step['detail']}\ncalls:\n{calls}", pytrace=False)


def _known_gap(steps: Mapping[str, dict], name: str, gaps: Mapping[str, Gap]) -> bool:
    step = steps[name]
    if step["status"] == "failed":
        return name in gaps and gaps[name].answer in step["detail"]
    if step["status"] == "blocked":
        return all(_known_gap(steps, need, gaps) for need in step["missing"])
    return False


def calls_made(steps: Mapping[str, dict], status: str = "passed") -> list[str]:
    """Every call of the steps with ``status``, in order."""
    return [call for step in steps.values() if step["status"] == status for call in step["calls"]]
