"""The tutorial notebooks executed once per test run, for every test that needs their outputs.

Notebooks 00-09 run in order, each in a fresh kernel, against the local sandbox, in a folder of the
run's own. ``test_notebooks.py`` beside it checks what they show; the documentation build (myst-nb with
execution off) and the browser tests (the site and JupyterLab) render the same outputs instead of
executing the notebooks again. The run's home holds every secret it made (the sandbox's database and
the context file), so each of those tests can check that none is shown.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

from tests.notebooks.notebook_files import NOTEBOOKS, copy_without_outputs, fresh_kernel


@dataclass(frozen=True)
class ExecutedNotebooks:
    """Where the executed notebooks are, and the tutorial state their run left behind."""

    folder: Path  # a copy of notebooks/, every numbered notebook with its outputs
    home: Path  # the run's BUNQ_HELPERS_HOME: local-sandbox/sandbox.sqlite3 and bunq-local.conf
    notebooks: dict[str, nbformat.NotebookNode]  # by stem, in order
    seconds: float

    def secrets(self) -> list[str]:
        """Every token and API key the run's sandbox issued, and the lines of the saved private key."""
        with sqlite3.connect(self.home / "local-sandbox" / "sandbox.sqlite3") as db:
            tokens = [row[0] for row in db.execute("SELECT token FROM tokens")]
            api_keys = [row[0] for row in db.execute("SELECT api_key FROM credentials")]
            # OAuth: apps' secrets and authorization codes (notebooks 08 and 09)
            api_keys += [row[0] for row in db.execute("SELECT secret FROM oauth_clients")]
            api_keys += [row[0] for row in db.execute("SELECT code FROM oauth_codes")]
        context = json.loads((self.home / "bunq-local.conf").read_text())
        private_lines = context["installation_context"]["private_key_client"].splitlines()[1:-1]
        assert tokens and api_keys and private_lines
        return tokens + api_keys + private_lines


def execute_in_order(workdir: Path) -> ExecutedNotebooks:
    """Copy notebooks/ into ``workdir`` and execute 00-09 there, in order, each in a fresh kernel."""
    from nbclient import NotebookClient

    folder, home = workdir / "notebooks", workdir / "tutorial-home"
    copy_without_outputs(folder)  # never a learner's saved outputs
    # Only the local sandbox and this run's home; never a developer's BUNQ_* settings or .env.
    env = {name: value for name, value in os.environ.items() if not name.startswith("BUNQ_")}
    env.update(BUNQ_HELPERS_HOME=str(home), BUNQ_ENVIRONMENT="local")
    # Executed as the documentation build executes them (its paths and ports shown as placeholders),
    # since the docs build and the browser tests publish these very outputs.
    env["DOCS_BUNQ_HELPERS_BUILD"] = "1"
    executed = {}
    started = time.perf_counter()
    for path in NOTEBOOKS:
        notebook = nbformat.read(folder / path.name, as_version=4)
        client = NotebookClient(
            notebook,
            km=fresh_kernel(workdir / "kernels"),
            timeout=120,
            resources={"metadata": {"path": str(folder)}},
        )
        client.execute(env=env)
        nbformat.write(notebook, folder / path.name)
        executed[path.stem] = notebook
    return ExecutedNotebooks(folder, home, executed, time.perf_counter() - started)


def execute_once(workdir: Path) -> ExecutedNotebooks:
    """``execute_in_order`` in ``workdir``, shared by the processes of one test run: the first to ask
    executes the notebooks while holding a lock on the folder; the others wait for the lock and read
    what it wrote. If that run failed, the next to ask starts again from nothing."""
    import fcntl  # POSIX; the tests run on Linux and macOS

    workdir.mkdir(parents=True, exist_ok=True)
    with open(workdir / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, also if this process dies
        done = workdir / "done.json"
        if done.exists():
            folder = workdir / "notebooks"
            notebooks = {path.stem: nbformat.read(folder / path.name, as_version=4) for path in NOTEBOOKS}
            return ExecutedNotebooks(
                folder, workdir / "tutorial-home", notebooks, json.loads(done.read_text())
            )
        for left in ("notebooks", "tutorial-home", "kernels"):
            shutil.rmtree(workdir / left, ignore_errors=True)
        executed = execute_in_order(workdir)
        done.write_text(json.dumps(executed.seconds))
        return executed
