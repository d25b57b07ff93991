"""The notebooks: committed clean, and executed in order, each in a fresh kernel, against the local sandbox.

After the run every secret the run produced is known: the sandbox's database holds every API key and
token it issued, the context file holds the private key. None of them may appear in any output.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import time
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))

# What each notebook must show: request lines and the names of values picked out of answers.
SHOWN = {
    "00_start_here": [
        "POST https://127.0.0.1:",
        "/v1/sandbox-user-person",
        "Values picked out",
        "api_key",
        "sandbox_",
    ],
    "01_create_an_installation": [
        "/v1/installation",
        "200 OK",
        "installation_token",
        "public_key_server",
        "BEGIN PUBLIC KEY",
    ],
    "02_add_the_device": [
        "/v1/device-server",
        "X-Bunq-Client-Authentication",
        "device_id",
        "Server signature: verified",
    ],
    "03_add_a_session": [
        "/v1/session-server",
        "X-Bunq-Client-Signature",
        "Bytes signed",
        "session_token",
        "user_id",
    ],
    "04_first_calls": ["GET https://", "/monetary-account", "/request-inquiry", "/payment", "Sugar Daddy"],
    "05_api_context_over_time": [
        "Insufficient authorisation.",
        "RateLimitError",
        "Close the session",
        "expiry_time",
    ],
    "06_security_and_troubleshooting": [
        "InsecureUrlError",
        "TlsVerificationError",
        "PinMismatchError",
        "ResponseSignatureError",
        "CredentialsError",
        "SignatureInvalidError",
        "SignatureRequiredError",
        "AuthorisationError",
        "RateLimitError",
        "ConfigurationError",
    ],
    "07_callbacks": [
        "/notification-filter-url",
        "Callback PAYMENT_CREATED",
        "Callback MUTATION_CREATED",
        "Callback REQUEST_INQUIRY_CREATED",
        "Server signature: verified",
        "Callback rejected",
        "Server signature: INVALID",
    ],
}


def test_every_notebook_has_expectations() -> None:
    assert [nb.stem for nb in NOTEBOOKS] == list(SHOWN)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[nb.stem for nb in NOTEBOOKS])
def test_committed_clean(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    assert notebook.metadata["kernelspec"]["name"] == "python3"
    assert notebook.cells[0].cell_type == "markdown" and notebook.cells[0].source.startswith("# ")
    assert "## What's next" in notebook.cells[-1].source or "What's next" in notebook.cells[-1].source
    for cell in notebook.cells:
        assert cell.source.strip(), "empty cell"
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, (
                "notebooks are committed without outputs"
            )


def _outputs_text(notebook: nbformat.NotebookNode) -> str:
    parts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                parts.append(output.get("text", ""))
            for value in output.get("data", {}).values():
                parts.append(value if isinstance(value, str) else json.dumps(value))
            if output.get("output_type") == "error":
                parts.append("\n".join(output.get("traceback", [])))
    return "\n".join(parts)


def _secrets(home: Path) -> list[str]:
    database = home / "local-sandbox" / "sandbox.sqlite3"
    with sqlite3.connect(database) as db:
        tokens = [row[0] for row in db.execute("SELECT token FROM tokens")]
        api_keys = [row[0] for row in db.execute("SELECT api_key FROM credentials")]
    context = json.loads((home / "bunq-local.conf").read_text())
    private_lines = context["installation_context"]["private_key_client"].splitlines()[1:-1]
    assert tokens and api_keys and private_lines
    return tokens + api_keys + private_lines


@pytest.mark.notebooks
def test_notebooks_run_in_order_in_fresh_kernels(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nbclient import NotebookClient

    home = tmp_path / "tutorial-home"
    work = tmp_path / "notebooks"
    shutil.copytree(REPO / "notebooks", work)
    monkeypatch.setenv("BUNQ_HELPERS_HOME", str(home))
    monkeypatch.setenv("BUNQ_ENVIRONMENT", "local")
    executed = {}
    started = time.perf_counter()
    for path in NOTEBOOKS:
        notebook = nbformat.read(work / path.name, as_version=4)
        NotebookClient(
            notebook, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(work)}}
        ).execute()
        executed[path.stem] = notebook
        nbformat.write(notebook, tmp_path / f"executed-{path.name}")
    elapsed = time.perf_counter() - started
    print(f"\nall {len(NOTEBOOKS)} notebooks executed in {elapsed:.1f} s")

    secrets = _secrets(home)
    for name, notebook in executed.items():
        text = _outputs_text(notebook)
        for expected in SHOWN[name]:
            assert expected in text, f"{name} does not show {expected!r}"
        for secret in secrets:
            assert secret not in text, f"{name} shows a secret in full: {secret[:6]}…"
        assert "Traceback" not in text, f"{name} shows a traceback"
        assert not re.search(r"<IPython\.core\.display\.\w+ object>", text)
