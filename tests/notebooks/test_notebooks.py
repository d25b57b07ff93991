"""The notebooks: committed clean, and executed in order, each in a fresh kernel, against the local sandbox
(once per test run, by the ``executed_notebooks`` fixture; the docs build and the browser tests reuse it).

After the run every secret the run produced is known: the sandbox's database holds every API key and
token it issued, the context file holds the private key. None of them may appear in any output.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

from tests.notebooks.executed_notebooks import NOTEBOOKS, ExecutedNotebooks
from tests.notebooks.notebook_files import committed_text

# What each notebook must show: request lines and the names of values picked out of answers.
SHOWN = {
    "00_start_here": [
        "POST https://127.0.0.1:",
        "/v1/sandbox-user-person",
        "Values picked out",
        "api_key",
        "sandbox_",
        "Starting over: a dry run",
        "bunq_helpers reset",
    ],
    "01_create_an_installation": [
        "Not answered yet: Fill in the answer cell",
        "/v1/installation",
        "200 OK",
        "installation_token",
        "public_key_server",
        "BEGIN PUBLIC KEY",
    ],
    "02_add_the_device": [
        "Not answered yet: Fill in the answer cell",
        "/v1/device-server",
        "X-Bunq-Client-Authentication",
        "device_id",
        "Server signature: verified",
    ],
    "03_add_a_session": [
        "Not answered yet: Fill in the answer cell",
        "/v1/session-server",
        "X-Bunq-Client-Signature",
        "Bytes signed",
        "session_token",
        "user_id",
    ],
    "04_first_calls": [
        "Not answered yet: Fill in the answer cell",
        "GET https://",
        "/monetary-account",
        "/request-inquiry",
        "/payment",
        "Sugar Daddy",
    ],
    "05_api_context_over_time": [
        "Not answered yet: Fill in the answer cell",
        "Insufficient authorisation.",
        "RateLimitError",
        "Close the session",
        "expiry as opened",  # a call in the last 30 s moved the expiry, drawn
        "the last call extended it by",
        "Past the first expiry",
        "expiry_time",
    ],
    "06_security_and_troubleshooting": [
        "Not answered yet: Fill in the answer cell",
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
        "Not answered yet: Fill in the answer cell",
        "/notification-filter-url",
        "Callback PAYMENT_CREATED",
        "Callback MUTATION_CREATED",
        "Callback REQUEST_INQUIRY_CREATED",
        "Server signature: verified",
        "Callback rejected",
        "Server signature: INVALID",
    ],
    "08_acting_for_another_user": [
        "Not answered yet: Fill in the answer cell",
        "/auth?",
        "302 Found",
        "/v1/token?",
        "UserApiKey",
        "requested_by_user",
        "granted_by_user",
        "codes are single use",
        "Did you mean",
        "invalid_grant: redirect_uri differs",
        "Insufficient authorisation.",
    ],
    "09_psd2_providers": [
        "Not answered yet: Fill in the answer cell",
        "/v1/payment-service-provider-credential",
        "CredentialPasswordIp",
        "PENDING_FIRST_USE",
        "UserPaymentServiceProvider",
        "Certificate root is not trusted. Make sure that the last certificate in the chain is the root certificate.",
        "expired on",
        "does not verify with the certificate",
    ],
}


def test_every_notebook_has_expectations() -> None:
    assert [nb.stem for nb in NOTEBOOKS] == list(SHOWN)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[nb.stem for nb in NOTEBOOKS])
def test_committed_clean(path: Path) -> None:
    notebook = nbformat.reads(committed_text(path), as_version=4)  # git's copy, not a learner's outputs
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


@pytest.mark.notebooks
def test_notebooks_run_in_order_in_fresh_kernels(executed_notebooks: ExecutedNotebooks) -> None:
    print(f"\nall {len(NOTEBOOKS)} notebooks executed in {executed_notebooks.seconds:.1f} s")
    assert list(executed_notebooks.notebooks) == [path.stem for path in NOTEBOOKS]
    secrets = executed_notebooks.secrets()
    for name, notebook in executed_notebooks.notebooks.items():
        text = _outputs_text(notebook)
        for expected in SHOWN[name]:
            assert expected in text, f"{name} does not show {expected!r}"
        for secret in secrets:
            assert secret not in text, f"{name} shows a secret in full: {secret[:6]}…"
        assert "Traceback" not in text, f"{name} shows a traceback"
        assert not re.search(r"<IPython\.core\.display\.\w+ object>", text)
