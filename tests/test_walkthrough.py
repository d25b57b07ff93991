"""The walkthrough as a new user meets it: out of order, re-run, against a standalone sandbox, and what it
teaches where bunq's own pages disagree.

Kernels are started only where the behaviour lives in the kernel (how an error shows, what a cell
skips); the logic behind it is tested in tests/client/test_notebook.py.
"""

from __future__ import annotations

import json
import re
import sqlite3
from itertools import pairwise
from pathlib import Path

import nbformat
import pytest

from tests.helpers import standalone_sandbox
from tests.notebooks.notebook_files import NOTEBOOKS, REPO, copy_without_outputs, fresh_kernel

SKIPPED = "Skipped: needs the in-process local sandbox"


def _source(stem: str) -> str:
    notebook = nbformat.read(REPO / "notebooks" / f"{stem}.ipynb", as_version=4)
    return "\n".join(cell.source for cell in notebook.cells)


def _execute(stem: str, work: Path) -> tuple[nbformat.NotebookNode, str | None]:
    """Run one notebook in a fresh kernel; the notebook, and the error's text if a cell failed."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    notebook = nbformat.read(work / f"{stem}.ipynb", as_version=4)
    client = NotebookClient(
        notebook,
        km=fresh_kernel(work.parent / "kernels"),
        timeout=120,
        resources={"metadata": {"path": str(work)}},
    )
    try:
        client.execute()
    except CellExecutionError:
        errors = [o for c in notebook.cells for o in c.get("outputs", []) if o.output_type == "error"]
        return notebook, "\n".join(errors[0].traceback)
    return notebook, None


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the notebooks, a fresh tutorial home, the in-process sandbox."""
    copy_without_outputs(tmp_path / "notebooks")  # as committed, never a learner's saved outputs
    monkeypatch.setenv("BUNQ_HELPERS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("BUNQ_ENVIRONMENT", "local")
    return tmp_path / "notebooks"


def _outputs(notebook: nbformat.NotebookNode) -> list[str]:
    """Each code cell's outputs as one text (HTML preferred)."""
    texts = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        parts = []
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            parts.append(data.get("text/html") or data.get("text/plain") or output.get("text", ""))
            parts += output.get("traceback", [])
        texts.append("\n".join(parts))
    return texts


# -- out of order --------------------------------------------------------------------------------------


@pytest.mark.notebooks
def test_run_out_of_order_each_notebook_names_the_one_to_run_first(work: Path, tmp_path: Path) -> None:
    _, error = _execute("01_create_an_installation", work)
    assert error is None
    notebook, error = _execute("02_add_the_device", work)  # 01 then 02, without 00: no API key
    assert error is not None and "Traceback" not in error and "AssertionError" not in error
    assert error.startswith("NotebookOrderError: This notebook continues from 01_create_an_installation")
    assert "Run 00_start_here first, then 01_create_an_installation; then run this notebook again." in error
    assert sum(bool(text) for text in _outputs(notebook)) == 1  # it stopped at its first cell
    with sqlite3.connect(tmp_path / "home" / "local-sandbox" / "sandbox.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM devices").fetchone()[0] == 0  # no "secret": null was sent
    for later in (
        "03_add_a_session",
        "04_first_calls",
        "05_api_context_over_time",
        "06_security_and_troubleshooting",
    ):
        _, error = _execute(later, work)
        assert error is not None and "Traceback" not in error and "AssertionError" not in error, later
        assert "Run 00_start_here first" in error and "then run this notebook again." in error, later


@pytest.mark.notebooks
def test_rerunning_01_after_04_keeps_the_working_installation(work: Path, tmp_path: Path) -> None:
    for stem in ("00_start_here", "01_create_an_installation", "02_add_the_device", "03_add_a_session"):
        assert _execute(stem, work)[1] is None, stem
    saved = json.loads((tmp_path / "home" / "bunq-local.conf").read_text())["bunq_helpers"]
    notebook, error = _execute("01_create_an_installation", work)
    assert error is None
    outputs = "\n".join(_outputs(notebook))
    assert (
        f"Kept the working installation {saved['installation_id']}" in outputs and "replace=True" in outputs
    )
    assert json.loads((tmp_path / "home" / "bunq-local.conf").read_text())["bunq_helpers"] == saved
    assert _execute("04_first_calls", work)[1] is None  # still works, no credentials error


# -- a standalone sandbox ---------------------------------------------------------------------------------


def _picked_out_names(html: str) -> set[str]:
    block = re.search(r"Values picked out</summary><table[^>]*>(.*?)</table>", html, flags=re.DOTALL)
    return set(re.findall(r"<th[^>]*>([^<]+)</th>", block.group(1))) if block else set()


@pytest.mark.notebooks
def test_the_standalone_configuration_runs_every_notebook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """.env.example's standalone setup: BUNQ_BASE_URL plus BUNQ_CA_FILE, the sandbox in its own process."""
    copy_without_outputs(tmp_path / "notebooks")
    home = tmp_path / "home"
    monkeypatch.setenv("BUNQ_HELPERS_HOME", str(home))
    monkeypatch.setenv("BUNQ_ENVIRONMENT", "local")
    with standalone_sandbox(tmp_path / "state") as server:
        monkeypatch.setenv("BUNQ_BASE_URL", server.base_url)
        monkeypatch.setenv("BUNQ_CA_FILE", server.ca_file)
        executed = {}
        for path in NOTEBOOKS:
            notebook, error = _execute(path.stem, tmp_path / "notebooks")
            assert error is None, f"{path.stem}: {error}"
            executed[path.stem] = _outputs(notebook)
        for stem in ("08_acting_for_another_user", "09_psd2_providers"):  # Run All again: new users, tokens
            assert _execute(stem, tmp_path / "notebooks")[1] is None, stem
        assert (home / "bunq-local.oauth-app.conf.old").is_file()  # the last run's, moved aside
    with sqlite3.connect(tmp_path / "state" / "sandbox.sqlite3") as db:
        secrets = [row[0] for row in db.execute("SELECT token FROM tokens")]
        secrets += [row[0] for row in db.execute("SELECT api_key FROM credentials")]
    assert secrets
    for stem, outputs in executed.items():
        text = "\n".join(outputs)
        assert "Traceback" not in text, stem
        assert all(secret not in text for secret in secrets), stem
        for this, following in pairwise(outputs):  # "Values picked out" is not repeated
            if "Values picked out" in following:
                continue  # another exchange (two callbacks in a row), not a table repeating this one
            repeated = _picked_out_names(this) & set(re.findall(r"<th[^>]*>([^<]+)</th>", following))
            assert not repeated, f"{stem} repeats {repeated} in the cell after the exchange"
    assert "a standalone local sandbox" in "\n".join(executed["00_start_here"])
    for stem in ("05_api_context_over_time", "06_security_and_troubleshooting"):
        assert "\n".join(executed[stem]).count(SKIPPED) >= 3, stem
    assert "PinMismatchError" in "\n".join(executed["06_security_and_troubleshooting"])
    callbacks = "\n".join(executed["07_callbacks"])  # the standalone sandbox calls back on loopback
    assert "cannot reach a receiver" not in callbacks and "no callback arrived" not in callbacks
    delivered = re.findall(r"Callback (PAYMENT_CREATED|MUTATION_CREATED|REQUEST_INQUIRY_CREATED)", callbacks)
    assert len(set(delivered)) >= 2, delivered
    assert callbacks.count("Server signature: verified") >= 2 and "Callback rejected" in callbacks


# -- what it teaches ----------------------------------------------------------------------------------


def test_session_extension_is_taught_with_both_of_bunqs_texts() -> None:
    text = _source("05_api_context_over_time")
    for fact in (
        "last **30 seconds**",
        "never by more than 5 minutes",
        "**30 minutes** before expiry",
        "CREATE_SessionServer",
        "https://doc.bunq.com/basics/authentication/api-keys",
        "The **local sandbox** follows the API reference",
    ):
        assert fact in text, fact


def test_rate_limits_are_taught_with_both_pages_and_back_off() -> None:
    text = _source("05_api_context_over_time")
    for fact in (
        "https://beta.doc.bunq.com/basics/errors",
        "**3 GET, 5 POST, 2 PUT within any 3 seconds**",
        "https://doc.bunq.com/basics/rate-limits",
        "70–140 requests per 30 seconds",
        "**back\noff on 429**",
        "The **local sandbox** emulates the per-method figures",
        "def with_backoff",
    ):
        assert fact in text, fact


def test_permitted_ips_and_request_ids_are_taught_with_their_sources() -> None:
    for stem in ("02_add_the_device", "06_security_and_troubleshooting"):
        text = _source(stem)
        assert "whitelisting-and-updating-ip-addresses" in text and "bunq app" in text, stem
        assert "credential-password-ip/{" in text, stem
    text = _source("00_start_here")
    for fact in (
        "https://doc.bunq.com/basics/headers",
        "used again on the same device",
        "Postman collection",
        "accepts a reused id",
    ):
        assert fact in text, fact


def test_the_error_notebook_has_bunqs_whole_code_table_and_pagination() -> None:
    text = _source("06_security_and_troubleshooting")
    for code in (200, 399, 400, 401, 403, 404, 405, 429, 466, 490, 491, 500):
        assert re.search(rf"^\| {code} \| [A-Z ]+ \|", text, flags=re.MULTILINE), code
    for field in ("older_url", "newer_url", "future_url", "`count`"):
        assert field in text, field


def test_one_numbering_of_the_steps_everywhere() -> None:
    from bunq_helpers.cli import STEP_NUMBERS
    from bunq_helpers.client.sequence_diagram import Arrow, step_numbers

    rows = {1: "Create an installation", 2: "Add the device", 3: "Add a session"}
    for text in (
        _source("00_start_here"),
        (REPO / "README.md").read_text(),
        (REPO / "docs/index.md").read_text(),
    ):
        for number, name in rows.items():
            assert re.search(rf"^\| {number} \| {name} \|", text, flags=re.MULTILINE), (number, name)
    for number, name in rows.items():
        assert f"# {number} · {name}" in _source(NOTEBOOKS[number].stem)
    paths = [
        "/v1/sandbox-user-person",
        "/v1/installation",
        "/v1/device-server",
        "/v1/session-server",
        "/v1/user",
    ]
    arrows = [Arrow("GET" if p == "/v1/user" else "POST", p, "no token", False, 200, "") for p in paths]
    assert step_numbers(arrows) == [0, 1, 2, 3, 4]
    assert step_numbers(arrows[1:3]) == [1, 2]  # a step keeps its number when drawn alone
    assert [STEP_NUMBERS[s] for s in ("sandbox-user", "installation", "device-server", "session-server")] == [
        0,
        1,
        2,
        3,
    ]


def test_the_walkthrough_does_not_contradict_itself() -> None:
    assert "not documented" not in _source("00_start_here")  # replay_setup says bunq answers an error
    assert "they are saved." not in _source("01_create_an_installation")  # a re-run keeps the old one
    assert "The body has three fields" not in _source("02_add_the_device")  # permitted_ips is optional


def test_the_notebooks_import_what_they_use_from_the_front_door() -> None:
    import bunq_helpers

    assert [path.stem[:2] for path in NOTEBOOKS] == [f"{n:02}" for n in range(10)]
    for path in NOTEBOOKS:  # 00-09
        text = _source(path.stem)
        assert not re.search(r"from bunq_helpers\.client", text), path.stem  # one import: bunq_helpers
        for names in re.findall(r"from bunq_helpers import (?:\(([^)]*)\)|([\w, ]+)$)", text, flags=re.M):
            names = "".join(names)
            for name in filter(None, (n.strip() for n in names.split(","))):
                assert name in bunq_helpers.__all__, (path.stem, name)
    for stem in ("04_first_calls", "07_callbacks"):  # 05 and 06 show tokens by hand on purpose
        assert "token=" not in _source(stem), stem  # the session object carries the token
