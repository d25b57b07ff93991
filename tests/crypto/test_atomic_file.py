"""Writing secret files: atomically (never half a file, even under concurrent writers), owner-only."""

from __future__ import annotations

import json
import multiprocessing
import stat
from pathlib import Path

import pytest

from bunq_helpers.crypto.atomic_file import write_atomically


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
