"""The README's promises: its test command is what CI runs, .env.example documents every variable, and
the table of emulated operations is current."""

from __future__ import annotations

import re
from pathlib import Path

from tests.helpers import load_script

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


TABLE_PAGE = REPO / "docs" / "standalone-sandbox.md"
"""The docs page with the table of emulated operations (the README links to it)."""


def test_operations_table_is_what_the_catalogue_and_routes_say() -> None:
    script = load_script("operations_table")
    page = TABLE_PAGE.read_text(encoding="utf-8")
    assert script.with_table(page) == page, (
        "stale: run python scripts/operations_table.py --write docs/standalone-sandbox.md"
    )
    current = page.split(script.START)[1].split(script.END)[0]
    assert "| handshake | `/installation` | GET, POST | – |" in current
    assert f"of bunq's {480} operations are emulated" in current


def test_the_tutorial_setup_says_what_a_new_user_meets() -> None:
    readme = (REPO / "README.md").read_text()
    assert "--allow-root" in readme and "Running as root is not" in readme  # jupyter lab as root exits
    bare = [m.group(0) for m in re.finditer(r"(?<![/\w.])python -m \S+", readme)]
    assert bare == [], f"say .venv/bin/python where the project's venv is meant: {bare}"
    assert re.search(r"The whole run takes about \d+ minutes", readme)
    assert "asks which kernel" not in readme  # JupyterLab 4 starts the notebook's kernel by itself
    assert "print(me)  # one line" not in readme
    assert ".venv/bin/nbstripout --install" in readme


def test_the_readme_is_what_a_newcomer_needs_and_links_the_reference() -> None:
    readme = (REPO / "README.md").read_text()
    assert len(readme.splitlines()) <= 220  # the reference lives in the docs pages
    headings = re.findall(r"^## (.+)$", readme, flags=re.MULTILINE)
    for needed in ("Quick start", "Starting over", "Troubleshooting", "The documentation site"):
        assert needed in headings, needed
    assert "bunq_helpers reset --dry-run" in readme and "scripts/export_walkthrough.py" in readme
    for page in re.findall(r"\]\((docs/[\w-]+\.md)\)", readme):
        name = Path(page).stem
        assert (REPO / page).is_file() and name in (REPO / "docs" / "index.md").read_text(), page
    assert len(re.findall(r"\]\((docs/[\w-]+\.md)\)", readme)) >= 4
    for moved in ("## Benchmarks", "## Project layout", "Which HTTP server", "What we built on"):
        assert moved not in readme, moved
    assert "(after either command above)" not in readme  # neither of the two commands builds the site
