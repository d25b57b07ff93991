"""bunqJSClient 1.1.2 (npm) on a tour of the standalone sandbox: install, device, session, users,
accounts, sugar daddy, a payment, events, a bunq.me tab, and closing the session.

The tour (``js_tour.js``) runs under node against ``python -m bunq_helpers.local_sandbox``; each of
its steps is one test here. Select with ``-m js`` or ``-m tour``. Skips, saying why, where node or
npm is missing (fails under CI).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import standalone_sandbox
from tests.js import js_client
from tests.tours import Gap, calls_made, check_step, run_tour

pytestmark = [pytest.mark.js, pytest.mark.tour]

SCRIPT = Path(__file__).with_name("js_tour.js")
STEP_NAMES = re.findall(r'^step\("([^"]+)"', SCRIPT.read_text(), flags=re.MULTILINE)

# Known differences: while the sandbox gives the answer named, these steps (and the steps that
# need them) are expected failures; any other failure fails.
KNOWN_GAPS: dict[str, Gap] = {}  # empty since bunq.me tabs landed


@pytest.fixture(scope="module")
def node_and_client() -> tuple[str, Path]:
    try:
        return js_client.node(), js_client.module_dir()
    except js_client.JsClientUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(str(exc))
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def tour(node_and_client, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, dict]]:
    """The whole tour, once per module, against a fresh standalone sandbox."""
    node, module = node_and_client
    with standalone_sandbox(tmp_path_factory.mktemp("js-tour")) as sandbox:
        yield run_tour(
            [node, str(SCRIPT), str(module), sandbox.base_url], js_client.node_environment(sandbox.ca_file)
        )


def test_the_tour_has_the_steps_the_issue_asks_for() -> None:
    asked = {"install", "device", "session", "users", "accounts", "sugar-daddy", "payment", "events"}
    assert asked | {"bunqme-tab"} <= set(STEP_NAMES)


@pytest.mark.parametrize("name", STEP_NAMES)
def test_js_tour_step(tour: dict[str, dict], name: str) -> None:
    check_step(tour, name, KNOWN_GAPS)


def test_js_tour_makes_the_handshake_then_signed_calls(tour: dict[str, dict]) -> None:
    # bunqJSClient throws INVALID_RESPONSE_RECEIVED on an answer whose signature does not verify
    # (all but installation and sandbox-user), so each passing step also checked our signatures.
    calls = calls_made(tour)
    assert len(calls) >= 25, calls
    assert calls[0].startswith("POST sandbox-user-person -> 200")
    assert [c.split(" ")[:2] for c in calls[1:4]] == [
        ["POST", "installation"],
        ["POST", "device-server"],
        ["POST", "session-server"],
    ]


def test_without_node_or_npm_the_reason_says_which(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: neither node nor npm
    with pytest.raises(js_client.JsClientUnavailable, match="node is not on PATH"):
        js_client.node()
    monkeypatch.setattr(js_client, "PREFIX", tmp_path / "not-installed")
    with pytest.raises(js_client.JsClientUnavailable, match="npm is not on PATH"):
        js_client.module_dir()
