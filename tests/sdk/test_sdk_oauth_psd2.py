"""bunq's official Python SDK creates a PSD2 context and an OAuth context against the local sandbox.

``sdk_oauth_script.py`` (run in the SDK's own venv) says what it changes: the hosts, and the one import
bunq-sdk 1.28.0 lacks. What the SDK does wrong on its own is asserted here too, so a fixed SDK shows up.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bunq_helpers.local_sandbox import LocalSandbox
from tests.helpers import Raw
from tests.sdk.sdk_venv import run_script

pytestmark = pytest.mark.sdk

SCRIPT = Path(__file__).with_name("sdk_oauth_script.py")


def _run(sdk_python: Path, *args: str) -> dict:
    return run_script(sdk_python, SCRIPT, *args)


def test_sdk_create_for_psd2_with_a_test_certificate(
    sdk_python, sandbox: LocalSandbox, provider_certificate
) -> None:
    seen = _run(sdk_python, "psd2", sandbox.base_url, sandbox.ca_file, *provider_certificate.paths)
    assert seen["user_class"] == "UserPaymentServiceProviderApiObject"
    assert seen["user_id"] == seen["session_user_id"]
    assert seen["distinguished_name"] == provider_certificate.certificate.subject


def test_sdk_oauth_then_api_context_with_the_token_reads_the_granting_users_accounts(
    sdk_python, sandbox: LocalSandbox, other_key
) -> None:
    raw = Raw(sandbox)
    owner_key = raw.sandbox_user()
    granting = raw.handshake(other_key)
    seen = _run(sdk_python, "oauth", sandbox.base_url, sandbox.ca_file, owner_key, str(granting.user_id))
    assert seen["page_status"] == 200 and seen["redirect_state"] == "sdk-state"
    assert seen["token_type"] == "bearer" and seen["token_state"] == "sdk-state"
    assert seen["user_class"] == "UserApiKeyApiObject"
    assert seen["granted_by"] == granting.user_id and seen["requested_by"] != granting.user_id
    assert seen["accounts"] == [granting.account_id]
    # what bunq-sdk 1.28.0 gets wrong by itself, tolerated or worked around (see the script)
    assert seen["shipped_token_format"].endswith("?%s")
    assert seen["token_uri"] == "grant_type=1"
    assert seen["from_json"].startswith("TypeError")
