"""Writing secret files: atomically (never half a file, even under concurrent writers), owner-only,
and no temporary file of a killed writer left behind."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from bunq_helpers.crypto.atomic_file import remove_stale_temp_files, temp_path_for, write_atomically


def test_interrupted_save_leaves_the_previous_file(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "contexts" / "ctx.json"
    write_atomically(path, "old\n")
    import os

    def broken_replace(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(KeyboardInterrupt):
        write_atomically(path, "new\n")
    assert path.read_text() == "old\n"
    assert [p.name for p in path.parent.iterdir()] == ["ctx.json"]  # no temporary file left


def _save_many(path: str, marker: str) -> None:
    for i in range(200):
        write_atomically(Path(path), json.dumps({"writer": marker, "i": i, "pad": "x" * 5000}))


def test_concurrent_saves_never_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "ctx.json"
    ctx = multiprocessing.get_context("fork")
    writers = [ctx.Process(target=_save_many, args=(str(path), m)) for m in "ab"]
    for writer in writers:
        writer.start()
    seen = 0
    while any(w.is_alive() for w in writers):
        if path.exists():
            json.loads(path.read_text())  # always whole
            seen += 1
    for writer in writers:
        writer.join()
        assert writer.exitcode == 0
    assert json.loads(path.read_text())["i"] == 199
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


# A save that blocks once its temporary file holds the whole new content (after fsync, before the
# rename), so the test can kill it with SIGKILL at exactly that moment.
_SAVE_AND_HANG = """
import os, sys
from bunq_helpers.crypto import atomic_file
real_fsync = os.fsync
def fsync_then_hang(fd):
    real_fsync(fd)
    print("written", flush=True)
    sys.stdin.read()  # until killed
os.fsync = fsync_then_hang
atomic_file.write_atomically(sys.argv[1], sys.argv[2])
"""


def _dead_pid() -> int:
    """The id of a process that has exited (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait(timeout=30)
    return child.pid


def _temp_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_a_save_killed_mid_write_leaves_nothing_after_the_next_load(tmp_path: Path) -> None:
    from bunq_helpers.client.config import Environment
    from bunq_helpers.client.context import ApiContext

    path = tmp_path / "ctx.json"
    ApiContext(Environment.LOCAL, api_key="sandbox_" + "0" * 40).save(path)
    secret = "sandbox_" + "5ec2e7" * 8
    writer = subprocess.Popen(
        [sys.executable, "-c", _SAVE_AND_HANG, str(path), secret],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout.readline() == "written\n"
        (left,) = _temp_files(tmp_path)
        assert left.startswith(f".ctx.json.{writer.pid}.") and secret in (tmp_path / left).read_text()
        assert ApiContext.load(path).api_key == "sandbox_" + "0" * 40  # a live writer's file stays
        assert _temp_files(tmp_path) == [left]
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
    assert _temp_files(tmp_path) == [left]  # what kill -9 leaves: the whole new secret, beside the file
    assert ApiContext.load(path).api_key == "sandbox_" + "0" * 40  # the old file is whole
    assert _temp_files(tmp_path) == []


def test_a_save_removes_only_its_own_files_of_dead_writers(tmp_path: Path) -> None:
    path = tmp_path / "ctx.json"
    dead, live = _dead_pid(), os.getppid()
    planted = {
        "dead": temp_path_for(path, dead),
        "live": temp_path_for(path, live),
        "own": temp_path_for(path),
        "other file": temp_path_for(tmp_path / "other.json", dead),
        "not ours": tmp_path / f".ctx.json.{dead}.backup",
    }
    for name, planted_path in planted.items():
        planted_path.write_text(name)
    write_atomically(path, "new\n")
    assert path.read_text() == "new\n"
    assert not planted["dead"].exists()
    assert all(planted[name].exists() for name in ("live", "own", "other file", "not ours"))
    assert remove_stale_temp_files(tmp_path / "missing" / "ctx.json") == []


def test_the_temporary_name_is_git_ignored(tmp_path: Path) -> None:
    repo = Path(__file__).resolve().parents[2]
    if not (repo / ".git").exists():
        pytest.skip("not a git checkout")
    name = temp_path_for(repo / "ctx.json", 4194303).name
    result = subprocess.run(["git", "check-ignore", name], cwd=repo, capture_output=True, text=True)
    assert result.stdout.split() == [name]
