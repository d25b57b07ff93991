"""The tutorial notebooks as the tests read them: as committed, never with a learner's saved outputs.

Running the tutorial in JupyterLab saves outputs into ``notebooks/*.ipynb`` (autosave). The tests must
pass after that, in the same clone, so they never read those outputs: checks of what is committed read
git's index (what ``git add`` staged, through the nbstripout filter when it is installed), and the tests
that execute notebooks start from the working copy's cells with every output cleared. Outside a git
checkout (an unpacked archive) the files are what there is.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def committed_text(path: Path, repo: Path = REPO) -> str:
    """The notebook as git will commit it: the index's copy if git tracks the file, else the file."""
    if shutil.which("git") is not None:
        shown = subprocess.run(
            ["git", "show", f":{path.relative_to(repo).as_posix()}"],
            cwd=repo,
            capture_output=True,
            text=True,
            check=False,
        )
        if shown.returncode == 0:
            return shown.stdout
    return path.read_text()


def without_outputs(path: Path) -> nbformat.NotebookNode:
    """The working copy's cells (so uncommitted edits are tested), every output and count cleared."""
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return notebook


def copy_without_outputs(folder: Path, notebooks: list[Path] = NOTEBOOKS) -> Path:
    """Write every numbered notebook, outputs cleared, into ``folder`` (made if missing); return it."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in notebooks:
        nbformat.write(without_outputs(path), folder / path.name)
    return folder
