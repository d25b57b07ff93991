"""Return the tutorial to a fresh start: the saved context, the local sandbox's state, notebook outputs.

    .venv/bin/python -m bunq_helpers reset --dry-run    # lists what it would remove, removes nothing
    .venv/bin/python -m bunq_helpers reset              # removes it

What goes: the context file of the chosen environment with what sits next to it (the handshake log
the notebooks draw from, a ``.old`` copy from ``--start-over``, a half-written temporary file, the
contexts notebooks 8 and 9 keep beside it: ``Settings.beside``), the
in-process local sandbox's state folder (its users, keys, sessions; it is made again on the next
start), and the outputs saved in the notebooks (JupyterLab's autosave), cleared in place. A standalone
sandbox keeps its own state in the folder it was started with; the reset says how to wipe that one,
since another process owns it. bunq's real sandbox is never touched: there, only files are removed.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from ..crypto.atomic_file import write_atomically
from .config import Environment, Settings
from .connect import stop_local_sandbox

CONTEXT_SIDE_FILES = (".handshake.json", ".old")


@dataclass(frozen=True)
class Removal:
    """One thing the reset removes: where, and what it is."""

    path: Path
    what: str

    def __str__(self) -> str:
        return f"{self.path}  ({self.what})"


@dataclass
class ResetPlan:
    """What a reset removes, and what it leaves to the user (a standalone sandbox's state)."""

    removals: list[Removal]
    notes: list[str]

    def lines(self, *, done: bool) -> list[str]:
        verb = "Removed" if done else "Would remove"
        lines = [f"{verb}: {removal}" for removal in self.removals] or ["Nothing to remove: already fresh."]
        return lines + self.notes


def _outputs_in(path: Path) -> int:
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return 0
    return sum(
        bool(cell.get("outputs")) or cell.get("execution_count") is not None
        for cell in notebook.get("cells", [])
        if cell.get("cell_type") == "code"
    )


def plan_reset(settings: Settings, notebooks: Path | None = None) -> ResetPlan:
    """What ``reset`` would remove for ``settings`` (and, given, the notebooks folder)."""
    removals = []
    context = settings.context_file_path
    beside = sorted(context.parent.glob(f"{context.stem}.*{context.suffix}"))  # Settings.beside's contexts
    for saved in (context, *beside):
        for path in (
            saved,
            *(saved.with_name(saved.name + suffix) for suffix in CONTEXT_SIDE_FILES),
            *sorted(saved.parent.glob(f".{saved.name}.*.tmp")),
        ):
            if path.is_file():
                what = "the saved API context" if path == context else "next to it"
                removals.append(Removal(path, "a context kept beside it" if path in beside else what))
    notes = []
    if settings.environment is Environment.LOCAL and not settings.base_url:
        if settings.local_state_dir.is_dir():
            removals.append(Removal(settings.local_state_dir, "the local sandbox's users, keys and sessions"))
    elif settings.environment is Environment.LOCAL:
        notes.append(
            "The standalone sandbox at BUNQ_BASE_URL keeps its own state: stop it, then run "
            ".venv/bin/python -m bunq_helpers.local_sandbox --reset --state-dir <its folder>."
        )
    else:
        notes.append(f"Nothing is sent to {settings.environment.value}: bunq keeps its installations.")
    if notebooks is not None:
        for path in sorted(notebooks.glob("[0-9][0-9]_*.ipynb")):
            count = _outputs_in(path)
            if count:
                removals.append(Removal(path, f"outputs of {count} cells, cleared in place"))
    return ResetPlan(removals, notes)


def _clear_outputs(path: Path) -> None:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"], cell["execution_count"] = [], None
    text = json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"
    write_atomically(path, text.encode("utf-8"), mode=os.stat(path).st_mode & 0o777)


def reset(settings: Settings, notebooks: Path | None = None, *, dry_run: bool = False) -> ResetPlan:
    """Remove what ``plan_reset`` lists (nothing with ``dry_run``); return the plan.

    The in-process local sandbox of this process is stopped before its folder goes."""
    plan = plan_reset(settings, notebooks)
    if dry_run:
        return plan
    for removal in plan.removals:
        if removal.path == settings.local_state_dir:
            stop_local_sandbox(removal.path)
            shutil.rmtree(removal.path)
        elif removal.path.suffix == ".ipynb":
            _clear_outputs(removal.path)
        else:
            removal.path.unlink(missing_ok=True)
    return plan
