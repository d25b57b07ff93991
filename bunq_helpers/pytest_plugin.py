"""pytest plugin: an offline bunq for an integrator's test suite, one fixture argument away.

Installing ``bunq-helpers`` registers this module under the ``pytest11`` entry point, so in any
project that has the package installed::

    def test_my_integration(bunq_sandbox):          # a running local sandbox (LocalSandbox)
        api_key = bunq_sandbox.create_user()["api_key"]
        ...                                          # point bunq's SDK or requests at bunq_sandbox.base_url

    def test_with_a_session(bunq_api_context):      # a finished handshake on that sandbox
        me = bunq_api_context.client.request("GET", "user", token=bunq_api_context.context.session_token)

Settings (``pytest.ini`` / ``pyproject.toml`` ``[tool.pytest.ini_options]``):

- ``bunq_sandbox_scope``: ``function`` (default: a fresh sandbox per test), ``module`` or ``session``;
- ``bunq_sandbox_scenario``: a seeded scenario to start from (``two-friends``, ``busy-account``, ``company``);
- ``bunq_sandbox_snapshot``: a snapshot file (``.sqlite3``, saved with ``save_snapshot``) to start from.

A test can ask for its own start with ``@pytest.mark.bunq_sandbox(scenario=..., snapshot=...)`` (with
the function scope). ``bunq_sandbox.trigger(...)``, ``advance_clock(...)``, ``journal()`` and the
snapshots work as on ``LocalSandbox``. Only the local sandbox is imported here; the client (for
``bunq_api_context``) is imported when that fixture is used.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

SCOPES = ("function", "module", "session")


def pytest_addoption(parser: pytest.Parser) -> None:
    """The ini settings above."""
    parser.addini(
        "bunq_sandbox_scope",
        "scope of the bunq_sandbox fixture: function, module or session",
        default="function",
    )
    parser.addini("bunq_sandbox_scenario", "seeded scenario the bunq_sandbox starts from", default="")
    parser.addini(
        "bunq_sandbox_snapshot", "snapshot file (.sqlite3) the bunq_sandbox starts from", default=""
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker."""
    config.addinivalue_line(
        "markers",
        "bunq_sandbox(scenario=None, snapshot=None): start this test's local bunq sandbox from a scenario or snapshot",
    )


def _scope(fixture_name: str, config: pytest.Config) -> str:
    scope = str(config.getini("bunq_sandbox_scope") or "function").strip()
    if scope not in SCOPES:
        raise pytest.UsageError(f"bunq_sandbox_scope is {scope!r}; use one of {', '.join(SCOPES)}.")
    return scope


def _start_from(sandbox: Any, scenario: str | None, snapshot: str | None) -> None:
    if scenario:
        sandbox.load_scenario(scenario)
    if snapshot:
        source = Path(snapshot).expanduser()
        if source.is_file():
            name = source.stem
            folder = sandbox.state_dir / "snapshots"
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, folder / f"{name}.sqlite3")
        else:
            name = snapshot
        sandbox.restore_snapshot(name)


@pytest.fixture(scope=_scope)
def bunq_sandbox(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A running local bunq sandbox (``bunq_helpers.LocalSandbox``) on a fresh state directory."""
    from bunq_helpers.local_sandbox import LocalSandbox

    marker = request.node.get_closest_marker("bunq_sandbox") if request.scope == "function" else None
    options = dict(marker.kwargs) if marker is not None else {}
    scenario = options.get("scenario", request.config.getini("bunq_sandbox_scenario") or None)
    snapshot = options.get("snapshot", request.config.getini("bunq_sandbox_snapshot") or None)
    with LocalSandbox(tmp_path_factory.mktemp("bunq-sandbox")) as sandbox:
        _start_from(sandbox, scenario, snapshot)
        yield sandbox


@pytest.fixture
def bunq_api_context(bunq_sandbox: Any, tmp_path: Path) -> Any:
    """A finished handshake on ``bunq_sandbox``: a new sandbox user, installation, device and session.

    It is bunq_helpers' ``HandshakeRun``: ``.context`` holds the API key, the key pair, the tokens and
    ``user_id``; ``.client.request(method, path, body=..., token=...)`` signs and checks each call.
    """
    from bunq_helpers.client.config import Environment, Settings
    from bunq_helpers.client.endpoint import Endpoint
    from bunq_helpers.client.handshake import create_api_context

    settings = Settings(
        environment=Environment.LOCAL,
        api_key=bunq_sandbox.create_user()["api_key"],
        base_url=bunq_sandbox.base_url,
        ca_file=bunq_sandbox.ca_file,
        pinned_keys=(bunq_sandbox.pin,),
        context_file=tmp_path / "bunq-context.json",
        home=tmp_path / "bunq-home",
    )
    endpoint = Endpoint(bunq_sandbox.base_url, bunq_sandbox.ca_file, (bunq_sandbox.pin,))
    return create_api_context(settings, endpoint=endpoint)
