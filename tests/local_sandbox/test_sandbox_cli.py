"""``python -m bunq_helpers.local_sandbox trigger|journal|clock|snapshot|scenario`` against a standalone sandbox."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.helpers import standalone_sandbox


def run(state: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bunq_helpers.local_sandbox", "--state-dir", str(state), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_command_line_drives_a_running_sandbox(fresh_state) -> None:
    state = fresh_state("cli")
    with standalone_sandbox(state):
        seeded = run(state, "scenario", "two-friends")
        assert seeded.returncode == 0, seeded.stderr
        account_id = json.loads(seeded.stdout)["users"][0]["account_id"]
        made = run(state, "trigger", "incoming-payment", "--account-id", str(account_id), "--amount", "12.34")
        assert made.returncode == 0, made.stderr
        assert json.loads(made.stdout)["made"]["Payment"]["monetary_account_id"] == account_id
        card = run(
            state,
            "trigger",
            "card-payment",
            "--account-id",
            str(account_id),
            "--param",
            "decision=CARD_BLOCKED",
        )
        assert json.loads(card.stdout)["made"]["MasterCardAction"]["decision"] == "CARD_BLOCKED"
        moved = run(state, "clock", "--advance", "3600")
        assert json.loads(moved.stdout)["offset_seconds"] >= 3600
        back = run(state, "clock", "--set", "2001-01-01T00:00:00Z")
        assert back.returncode == 1 and "never goes backwards" in back.stderr
        assert run(state, "snapshot", "save", "seeded").returncode == 0
        assert [s["name"] for s in json.loads(run(state, "snapshot", "list").stdout)["snapshots"]] == [
            "seeded"
        ]
        assert run(state, "snapshot", "restore", "seeded").returncode == 0
        missing = run(state, "snapshot", "restore", "nope")
        assert missing.returncode == 1 and "not found" in missing.stderr
        unknown = run(state, "trigger", "no-such-event")
        assert unknown.returncode == 1 and "incoming-payment" in unknown.stderr


def test_no_running_sandbox_is_a_clear_error(tmp_path: Path) -> None:
    result = run(tmp_path / "nothing", "journal")
    assert result.returncode != 0 and "no running local sandbox" in result.stderr
    assert "Traceback" not in result.stderr
