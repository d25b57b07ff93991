"""Shared fixtures. Every test runs in its own temporary home, with no BUNQ_* variables and no .env."""

from __future__ import annotations

import compileall
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bunq_helpers import ApiContext, Endpoint, Environment, Settings
from bunq_helpers.crypto import keys
from bunq_helpers.local_sandbox import LocalSandbox, SandboxOptions
from bunq_helpers.local_sandbox.certificates import load_or_create
from tests.helpers import KEYS_DIR, Handshake, Raw, endpoint_of, error_of, load_script, standalone_sandbox

# Re-exported: test files written before ``tests/helpers.py`` import these from here.
__all__ = ["KEYS_DIR", "Handshake", "Raw", "endpoint_of", "error_of", "load_script", "standalone_sandbox"]


# Tests that share something expensive run on one worker, so it is built once: the docs site made from
# the executed notebooks, and the bunq SDK's venv (the integrator example installs into it too).
# JupyterLab's module goes to another worker: both take long, and the workers share one execution of the
# notebooks (tests/notebooks/conftest.py). Every other module goes whole to one worker, so its module
# fixtures are built once.
SHARED_BY_PATH = {
    "tests/notebooks/test_lab.py": "tests/notebooks/test_lab.py",
    "tests/notebooks/": "executed-notebooks",
    "tests/sdk/": "bunq-sdk-venv",
    "tests/test_integrator_example.py": "bunq-sdk-venv",
}
LONGEST_FIRST = (
    "executed-notebooks",
    "tests/test_walkthrough.py",  # before JupyterLab's: the other worker has executed the notebooks by then
    "tests/notebooks/test_lab.py",
    "bunq-sdk-venv",
    "tests/js/test_js_tour.py",
)
"""The scopes that take longest, handed out first so that neither worker waits for one at the end."""


def worker_scope(nodeid: str) -> str:
    """What runs whole on one worker: a shared scope of ``SHARED_BY_PATH``, else the test's module."""
    module = nodeid.split("::")[0]
    return next((scope for prefix, scope in SHARED_BY_PATH.items() if module.startswith(prefix)), module)


def pytest_configure(config: pytest.Config) -> None:
    """Once, before the workers start: compile the package's bytecode. The tests start hundreds of Python
    processes that import it (kernels, the CLI, standalone sandboxes); where PYTHONDONTWRITEBYTECODE is
    set (CI machines, this project's) none writes its cache, so each compiled every module again
    (measured: the CLI tests 17.1 s -> 14.1 s)."""
    if not hasattr(config, "workerinput"):
        compileall.compile_dir(Path(__file__).resolve().parents[1] / "bunq_helpers", quiet=1)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest scopes first (with ``--no-loadscope-reorder`` pytest-xdist keeps this order)."""
    first = {scope: rank for rank, scope in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: first.get(worker_scope(item.nodeid), len(first)))  # stable otherwise


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """pytest-xdist's load-scope scheduling over ``worker_scope`` (its ``loadgroup`` cannot mark groups
    under pytest 9, whose node ids it can no longer suffix; the controller sees only node ids)."""
    from xdist.scheduler import LoadScopeScheduling

    class SharedScopes(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return worker_scope(nodeid)

    return SharedScopes(config, log)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """The pytest-xdist controller gathers the spec watch of each worker (tests/local_sandbox/conftest.py)."""
    from tests.local_sandbox import conftest as local_sandbox

    local_sandbox.add_workers_watch(getattr(node, "workeroutput", {}))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    """On the pytest-xdist controller (which loads no conftest below this one): the spec watch's summary."""
    if config.pluginmanager.has_plugin("dsession"):
        from tests.local_sandbox import conftest as local_sandbox

        local_sandbox.pytest_terminal_summary(terminalreporter)


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No BUNQ_* variables, a private BUNQ_HELPERS_HOME, and a working directory with no .env; the local
    sandbox's answer check (``SandboxOptions.strict_answers``) on."""
    for name in list(os.environ):
        if name.startswith("BUNQ_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("BUNQ_SANDBOX_STRICT_ANSWERS", "1")
    home = tmp_path / "home"
    monkeypatch.setenv("BUNQ_HELPERS_HOME", str(home))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return home


@pytest.fixture(scope="session")
def client_key() -> keys.PrivateKey:
    """The committed throwaway RSA-2048 key."""
    return keys.load_private_key((KEYS_DIR / "throwaway-client-key.pem").read_bytes())


@pytest.fixture(scope="session")
def other_key() -> keys.PrivateKey:
    """A second committed throwaway RSA-2048 key: another client's."""
    return keys.load_private_key((KEYS_DIR / "throwaway-other-key.pem").read_bytes())


@pytest.fixture(scope="session")
def prepared_state(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A state directory with the CA, server certificate and response-signing key, made once per run."""
    state = tmp_path_factory.mktemp("prepared-state")
    load_or_create(state)
    return state


@pytest.fixture
def fresh_state(prepared_state: Path, tmp_path: Path) -> Callable[[str], Path]:
    """``fresh_state("name")``: a new state directory in the test's folder, copied from the prepared one
    (no users or keys yet; TLS material and signing key ready, so a sandbox starts in milliseconds)."""

    def make(name: str = "state") -> Path:
        return Path(shutil.copytree(prepared_state, tmp_path / name))

    return make


@pytest.fixture
def sandbox(fresh_state: Callable[[str], Path]) -> Iterator[LocalSandbox]:
    """A running local sandbox on a fresh state directory."""
    with LocalSandbox(fresh_state("state")) as running:
        yield running


@pytest.fixture
def endpoint(sandbox: LocalSandbox) -> Endpoint:
    """The sandbox as a client endpoint, pinned."""
    return endpoint_of(sandbox)


@pytest.fixture
def target(endpoint: Endpoint) -> Endpoint:
    """The same endpoint under its name from before ``target.Target`` became ``endpoint.Endpoint``."""
    return endpoint


@pytest.fixture
def settings(tmp_path: Path, client_key: keys.PrivateKey) -> Settings:
    """Local settings with the context file in the test's folder. The file starts with the committed
    throwaway key in it, so ``create_api_context`` uses that key instead of generating one."""
    settings = Settings(
        environment=Environment.LOCAL, home=tmp_path / "home", context_file=tmp_path / "ctx.json"
    )
    ApiContext(Environment.LOCAL, private_key_pem=keys.private_key_to_pem(client_key)).save(
        settings.context_file_path
    )
    return settings


@pytest.fixture
def raw(sandbox: LocalSandbox) -> Raw:
    """The plain client, from 127.0.0.1."""
    return Raw(sandbox)


@pytest.fixture
def options() -> SandboxOptions:
    """Default options (every teaching switch off)."""
    return SandboxOptions()
