"""The example integrator tests of docs/integrators.md (the README points there), run as an integrator runs them: copied into a fresh project
folder of their own (no conftest of ours, no repository on the path), found by pytest through the
installed package's ``pytest11`` entry point (``bunq_sandbox``, ``bunq_api_context``).

The plain-requests example runs with this environment's Python; the bunq-SDK example runs in the SDK's
own environment (it pins urllib3<2), with this package installed there without its dependencies plus
what the local sandbox needs.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = re.compile(r"<!-- integrator-example: (\S+) -->\n```python\n(.*?)```", re.DOTALL)
CLIENT_ONLY = ("requests", "urllib3")  # the SDK brings its own (urllib3<2); the sandbox does not use them


def sandbox_needs() -> list[str]:
    """The package's dependencies the local sandbox and the plugin need, from pyproject.toml, and pytest."""
    block = re.search(
        r"^dependencies = \[(.*?)^\]", (REPO / "pyproject.toml").read_text(encoding="utf-8"), re.M | re.S
    )
    declared = re.findall(r'^\s*"([^"]+)"', block[1], flags=re.M)
    return ["pytest>=8", *(d for d in declared if not d.startswith(CLIENT_ONLY))]


def examples() -> dict[str, str]:
    """File name -> code of each example test in docs/integrators.md."""
    return dict(EXAMPLE.findall((REPO / "docs" / "integrators.md").read_text(encoding="utf-8")))


def run_in_fresh_project(python: Path | str, tmp_path: Path, name: str) -> subprocess.CompletedProcess[str]:
    project = tmp_path / "my-integration"
    (project / "tests").mkdir(parents=True)
    (project / "tests" / name).write_text(examples()[name], encoding="utf-8")
    (project / "pyproject.toml").write_text(
        '[project]\nname = "my-integration"\nversion = "0"\n', encoding="utf-8"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BUNQ_", "PYTHON", "PYTEST"))}
    return subprocess.run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )


def test_the_readme_has_both_examples() -> None:
    assert set(examples()) == {"test_with_requests.py", "test_with_bunq_sdk.py"}


def test_the_requests_example_passes_through_the_plugin(tmp_path: Path) -> None:
    result = run_in_fresh_project(sys.executable, tmp_path, "test_with_requests.py")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "2 passed" in result.stdout


@pytest.mark.sdk
def test_the_sdk_example_passes_through_the_plugin(tmp_path: Path) -> None:
    from tests.sdk import sdk_venv

    try:
        python = sdk_venv.sdk_python()
    except sdk_venv.SdkUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(str(exc))
        pytest.skip(str(exc))
    marker = sdk_venv.VENV / ".bunq-helpers-installed"
    wanted = f"{REPO} {sandbox_needs()}"
    if (marker.read_text() if marker.exists() else "") != wanted:
        for step in (sandbox_needs(), ["--no-deps", "-e", str(REPO)]):
            done = sdk_venv.pip_install(*step)
            if done.returncode != 0:
                pytest.skip(f"could not install into the SDK's environment: {done.stderr[-500:]}")
        marker.write_text(wanted)
    result = run_in_fresh_project(python, tmp_path, "test_with_bunq_sdk.py")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "1 passed" in result.stdout


PLUGIN_SETTINGS = """
import pytest

seen = []


def test_the_scenario_is_loaded(bunq_sandbox):
    seen.append(bunq_sandbox)
    [user] = bunq_sandbox.store.read().execute("SELECT kind FROM users").fetchall()
    assert user[0] == "UserCompany"


def test_the_module_shares_one_sandbox(bunq_sandbox):
    assert seen == [bunq_sandbox]


@pytest.mark.bunq_sandbox(scenario="two-friends")
def test_a_marker_has_no_effect_beyond_the_function_scope(bunq_sandbox):
    assert bunq_sandbox is seen[0]
"""


def test_the_plugin_settings_scope_and_scenario(tmp_path: Path) -> None:
    project = tmp_path / "configured"
    (project / "tests").mkdir(parents=True)
    (project / "tests" / "test_settings.py").write_text(PLUGIN_SETTINGS, encoding="utf-8")
    (project / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\nbunq_sandbox_scope = "module"\nbunq_sandbox_scenario = "company"\n',
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BUNQ_", "PYTHON", "PYTEST"))}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "3 passed" in result.stdout


MARKED = """
import pytest


@pytest.mark.bunq_sandbox(scenario="busy-account")
def test_the_marker_picks_the_scenario(bunq_sandbox):
    assert bunq_sandbox.store.read().execute("SELECT COUNT(*) FROM payments").fetchone()[0] == 300
    bunq_sandbox.save_snapshot("busy")


def test_without_a_marker_the_sandbox_is_empty(bunq_sandbox):
    assert bunq_sandbox.store.read().execute("SELECT COUNT(*) FROM users").fetchone()[0] == 0
"""


def test_the_marker_chooses_a_tests_start(tmp_path: Path) -> None:
    project = tmp_path / "marked"
    (project / "tests").mkdir(parents=True)
    (project / "tests" / "test_marked.py").write_text(MARKED, encoding="utf-8")
    (project / "pyproject.toml").write_text("[tool.pytest.ini_options]\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BUNQ_", "PYTHON", "PYTEST"))}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--strict-markers", "tests"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "2 passed" in result.stdout
