"""The documentation build cleans up after itself: a state folder it made is removed when it finishes,
and one it was given (DOCS_BUNQ_HELPERS_HOME) is kept."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

FINISH_A_BUILD = """
import runpy, sys, pathlib
conf = runpy.run_path(sys.argv[1])
class App:
    def connect(self, event, handler):
        self.handler = handler
app = App()
conf["setup"](app)
home = pathlib.Path(conf["os"].environ["BUNQ_HELPERS_HOME"])
(home / "bunq-local.conf").write_text("{}")
app.handler(app, None)
print(home, home.exists(), conf["os"].environ["DOCS_BUNQ_HELPERS_BUILD"])
"""


def _finish(tmp_path: Path, **variables: str) -> list[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BUNQ_", "DOCS_"))}
    env.update(TMPDIR=str(tmp_path), **variables)
    result = subprocess.run(
        [sys.executable, "-c", FINISH_A_BUILD, str(REPO / "docs" / "conf.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.split()


def test_the_build_removes_the_folder_it_made_and_keeps_one_it_was_given(tmp_path: Path) -> None:
    tmp_path = tmp_path / "tmp"
    tmp_path.mkdir()
    home, exists, placeholders = _finish(tmp_path)
    assert Path(home).parent == tmp_path and Path(home).name.startswith("bunq-docs-")
    assert exists == "False" and list(tmp_path.iterdir()) == [] and placeholders == "1"
    given = tmp_path / "kept"
    given.mkdir()
    home, exists, _ = _finish(tmp_path, DOCS_BUNQ_HELPERS_HOME=str(given))
    assert home == str(given) and exists == "True"
