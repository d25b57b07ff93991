"""bunq's official Python SDK (``bunq-sdk`` from PyPI, in its own virtual environment) as the outside judge.

It pins dependencies that clash with ours (urllib3<2), so it runs in a separate venv, built once
under ``.cache/`` and reused. Where the venv cannot be built (no package registry) the tests skip,
except under CI, where they fail.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from bunq_helpers.config import Environment
from bunq_helpers.context import ApiContext
from bunq_helpers.handshake import create_api_context
from bunq_helpers.target import Target
from tests.conftest import standalone_sandbox
from tests.sdk import sdk_venv

pytestmark = pytest.mark.sdk

SCRIPT = Path(__file__).with_name("sdk_script.py")


@pytest.fixture(scope="session")
def sdk_python() -> Path:
    try:
        return sdk_venv.sdk_python()
    except sdk_venv.SdkUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(str(exc))
        pytest.skip(str(exc))


@pytest.fixture
def standalone(tmp_path: Path) -> Iterator[SimpleNamespace]:
    """The local sandbox as its own process, as a developer would run it."""
    with standalone_sandbox(tmp_path / "standalone") as running:
        yield running


def _run_sdk(sdk_python: Path, *args: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BUNQ_", "PYTHON"))}
    result = subprocess.run(
        [str(sdk_python), str(SCRIPT), *args], capture_output=True, text=True, timeout=120, env=env
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


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

    # ... and the file the SDK saved works with our client.
    ours = ApiContext.load(sdk_file)
    assert ours.environment is Environment.SANDBOX and ours.device_registered and ours.is_session_active()
    target = Target(Environment.SANDBOX, standalone.base_url, standalone.ca_file, (standalone.pin,))
    client = ours.client(target)
    exchange = client.request("GET", f"user/{ours.user_id}", token=ours.session_token)
    assert exchange.server_signature_valid is True
    assert exchange.response_json()["Response"][0]["UserPerson"]["id"] == seen["user_id"]


def test_sdk_restores_a_context_we_saved_and_makes_an_authenticated_call(
    sdk_python, standalone, settings
) -> None:
    target = Target(Environment.LOCAL, standalone.base_url, standalone.ca_file, (standalone.pin,))
    run = create_api_context(settings, target=target)
    seen = _run_sdk(
        sdk_python, "restore", standalone.base_url, standalone.ca_file, str(settings.context_file_path)
    )
    assert seen["user_id"] == run.context.user_id
    assert seen["session_reused"] is True  # our expiry_time told the SDK the session is live
