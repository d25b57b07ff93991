"""bunq's official Python SDK (``bunq-sdk`` from PyPI, in its own virtual environment) as the outside judge.

It pins dependencies that clash with ours (urllib3<2), so it runs in a separate venv, built once
under ``.cache/`` and reused. Where the venv cannot be built (no package registry) the tests skip,
except under CI, where they fail.
"""

from __future__ import annotations

import stat
import warnings
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from bunq_helpers import (
    ApiContext,
    BunqClient,
    ContextFileWarning,
    Endpoint,
    Environment,
    create_api_context,
)
from tests.helpers import standalone_sandbox
from tests.sdk.sdk_venv import run_script

pytestmark = pytest.mark.sdk

SCRIPT = Path(__file__).with_name("sdk_script.py")


@pytest.fixture
def standalone(tmp_path: Path) -> Iterator[SimpleNamespace]:
    """The local sandbox as its own process, as a developer would run it."""
    with standalone_sandbox(tmp_path / "standalone") as running:
        yield running


def _run_sdk(sdk_python: Path, *args: str) -> dict:
    return run_script(sdk_python, SCRIPT, *args)


def _api_key(info: SimpleNamespace) -> str:
    import requests

    response = requests.post(info.base_url + "sandbox-user-person", verify=info.ca_file, timeout=30)
    return response.json()["Response"][0]["ApiKey"]["api_key"]


def test_sdk_creates_a_context_and_lists_users_against_the_standalone_sandbox(
    sdk_python, standalone, tmp_path
) -> None:
    sdk_file = tmp_path / "bunq-sdk.conf"
    seen = _run_sdk(
        sdk_python, "create", standalone.base_url, standalone.ca_file, _api_key(standalone), str(sdk_file)
    )
    assert seen["user_class"] == "UserPersonApiObject" and seen["user_id"] > 0
    assert seen["accounts"][0]["status"] == "ACTIVE" and seen["accounts"][0]["balance"] == "0.00"
    assert seen["primary_account"] == seen["accounts"][0]["id"]

    # ... and the file the SDK saved works with our client. The SDK saves with the process's umask
    # (0644 under the usual 022): readable by others, which our loader warns about.
    readable_by_others = stat.S_IMODE(sdk_file.stat().st_mode) & 0o077
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ours = ApiContext.load(sdk_file)
    assert bool(readable_by_others) == any(w.category is ContextFileWarning for w in caught)
    assert ours.environment is Environment.SANDBOX and ours.device_registered and ours.is_session_active()
    client = BunqClient(Endpoint(standalone.base_url, standalone.ca_file, (standalone.pin,)), context=ours)
    exchange = client.request("GET", f"user/{ours.user_id}", token=ours.session_token)
    assert exchange.server_signature_valid is True
    assert exchange.response_json()["Response"][0]["UserPerson"]["id"] == seen["user_id"]


def test_sdk_restores_a_context_we_saved_and_makes_an_authenticated_call(
    sdk_python, standalone, settings
) -> None:
    endpoint = Endpoint(standalone.base_url, standalone.ca_file, (standalone.pin,))
    run = create_api_context(settings, endpoint=endpoint)
    seen = _run_sdk(
        sdk_python, "restore", standalone.base_url, standalone.ca_file, str(settings.context_file_path)
    )
    assert seen["user_id"] == run.context.user_id
    assert seen["session_reused"] is True  # our expiry_time told the SDK the session is live


def test_sdk_uploads_and_reads_attachments_and_keeps_notes(sdk_python, tmp_path) -> None:
    import hashlib

    from bunq_helpers.local_sandbox import LocalSandbox
    from tests.local_sandbox.test_attachments import EVERY_BYTE, PDF, tiny_png

    png = tiny_png(EVERY_BYTE)
    (tmp_path / "a.png").write_bytes(png)
    (tmp_path / "a.pdf").write_bytes(PDF)
    with LocalSandbox(tmp_path / "state") as sandbox:
        info = SimpleNamespace(base_url=sandbox.base_url, ca_file=sandbox.ca_file)
        seen = _run_sdk(
            sdk_python,
            "files",
            sandbox.base_url,
            sandbox.ca_file,
            _api_key(info),
            str(tmp_path / "a.png"),
            str(tmp_path / "a.pdf"),
        )
        stored = sandbox.store.read().execute("SELECT * FROM attachments ORDER BY id").fetchall()
    # What the SDK sent is stored byte for byte, and what it read back is the same bytes.
    assert [bytes(row["content"]) for row in stored] == [png, PDF]
    assert [row["content_type"] for row in stored] == ["image/png", "application/pdf"]
    assert seen["uuid"] == stored[0]["uuid"] == seen["public"]["uuid"]
    assert seen["public"]["description"] == "avatar" and seen["public"]["content_type"] == "image/png"
    assert seen["public"]["url"].endswith(f"/v1/attachment-public/{seen['uuid']}/content")
    assert seen["public_content"] == hashlib.sha256(png).hexdigest()
    assert seen["attachment_id"] == stored[1]["id"]
    assert seen["account_content"] == seen["user_content"] == hashlib.sha256(PDF).hexdigest()
    assert seen["note"]["content"] == "second" and seen["note"]["creator"]
    assert seen["listed"] == ["second"] and seen["after_delete"] == []
    assert seen["file_note"] == {
        "description": "the paid invoice",
        "attachment": [[stored[1]["id"], stored[1]["account_id"]]],
    }
