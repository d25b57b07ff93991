"""bunq's official Python SDK moves money in the local sandbox: its model classes read every answer.

Runs ``sdk_money_script.py`` in the SDK's own virtual environment against a standalone sandbox with
two users, and checks what the SDK saw: statuses, amounts and both balances at the end.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import requests

from tests.conftest import standalone_sandbox
from tests.sdk import sdk_venv

pytestmark = pytest.mark.sdk

SCRIPT = Path(__file__).with_name("sdk_money_script.py")


def test_the_sdk_requests_answers_drafts_batches_schedules_and_tabs(sdk_python, tmp_path) -> None:
    with standalone_sandbox(tmp_path / "standalone") as info:
        api_keys = [
            requests.post(info.base_url + "sandbox-user-person", verify=info.ca_file, timeout=30).json()[
                "Response"
            ][0]["ApiKey"]["api_key"]
            for _ in range(2)
        ]
        result = subprocess.run(
            [str(sdk_python), str(SCRIPT), info.base_url, info.ca_file, *api_keys],
            capture_output=True,
            text=True,
            timeout=300,
            env=sdk_venv.sdk_environment(),
        )
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["revoked"] == "REVOKED" and seen["pending_responses"] == ["20.00"]
    assert seen["answered"] == ["ACCEPTED", "20.00"] and seen["bob_after_paying"] == "30.00"
    assert seen["inquiry"] == "ACCEPTED" and seen["inquiries"] == ["REVOKED", "ACCEPTED"]
    assert seen["inquiry_batch"] == ["REVOKED"] and seen["inquiry_batches"] == 1
    assert seen["draft_before"] == "PENDING" and seen["draft_after"] == ["ACCEPTED", "-5.00"]
    assert seen["payment_batch"] == ["-1.00", "-2.00"] and seen["payment_batches"] == 1
    assert seen["scheduled"] == "3.00" and seen["scheduled_list"] == 1 and seen["scheduled_changed"] == "4.00"
    assert seen["instances"] == ["FINISHED_SUCCESSFULLY"] and seen["schedule_status"] == "CANCELLED"
    assert seen["schedules"] == seen["user_schedules"] == 1
    assert seen["scheduled_batch"] == ["1.00"] and isinstance(seen["scheduled_batch_update"], int)
    status, url, amount = seen["tab"]
    assert status == "WAITING_FOR_PAYMENT" and url.startswith("https://bunq.me/t/") and amount == "7.00"
    assert seen["tabs"] == ["CANCELLED"]
    # Alice: +20.00 asked, -5.00 draft, -3.00 batch, -3.00 first scheduled run; Bob the other side.
    assert (seen["alice_balance"], seen["bob_balance"]) == ("9.00", "41.00")
