"""The README's promises: its test command is what CI runs, and .env.example documents every variable."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _readme_commands() -> list[str]:
    readme = (REPO / "README.md").read_text()
    return re.findall(r"^```sh\n(python3 -m venv .+?)\n```", readme, flags=re.MULTILINE)


def test_readme_has_exactly_two_setup_commands_and_ci_runs_the_test_one() -> None:
    commands = _readme_commands()
    assert len(commands) == 2, commands
    tutorial, tests = commands
    assert "requirements.txt" in tutorial and "jupyter lab notebooks/" in tutorial
    assert "requirements-dev.txt" in tests and "pytest" in tests
    assert tests in (REPO / ".ci" / "run").read_text().splitlines()


# Words of bunq's API that look like variables: BunqMeTab.type is "BUNQ_ME".
BUNQ_VALUES = {"BUNQ_ME"}


def test_env_example_documents_every_variable_the_code_reads() -> None:
    source = "\n".join(p.read_text() for p in (REPO / "bunq_helpers").rglob("*.py"))
    read = set(re.findall(r"\b(BUNQ_[A-Z_]+)\b", source)) - BUNQ_VALUES
    documented = set(re.findall(r"^(BUNQ_[A-Z_]+)=", (REPO / ".env.example").read_text(), flags=re.MULTILINE))
    assert read <= documented, read - documented
