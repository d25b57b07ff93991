"""Notebooks reach git without outputs: nbstripout, set up as a git filter by the README's command,
strips them as they are staged, and the committed notebooks are exactly what that filter makes (so
saving a notebook in JupyterLab and committing it changes nothing but what was edited)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tests.notebooks.notebook_files import NOTEBOOKS, REPO, committed_text, copy_without_outputs

NBSTRIPOUT = [sys.executable, "-m", "nbstripout"]


def test_git_is_told_to_filter_notebooks_and_the_readme_sets_the_filter_up() -> None:
    attributes = (REPO / ".gitattributes").read_text().splitlines()
    assert "*.ipynb filter=nbstripout" in attributes and "*.ipynb diff=ipynb" in attributes
    assert ".venv/bin/nbstripout --install" in (REPO / "README.md").read_text()
    assert any(line.startswith("nbstripout") for line in (REPO / "requirements.txt").read_text().splitlines())


def test_committed_notebooks_are_what_the_filter_makes(tmp_path: Path) -> None:
    committed = {path: committed_text(path) for path in NOTEBOOKS}  # git's copies, not the working tree
    copies = []
    for path, text in committed.items():
        (tmp_path / path.name).write_text(text)
        copies.append(tmp_path / path.name)
    subprocess.run([*NBSTRIPOUT, *map(str, copies)], check=True, capture_output=True)  # cleans in place
    for (path, text), cleaned in zip(committed.items(), copies, strict=True):
        assert cleaned.read_text() == text, (
            f"run: .venv/bin/nbstripout {path.relative_to(REPO)}, then git add it"
        )


def test_staging_an_executed_notebook_commits_it_without_outputs(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=tmp_path, env=env, capture_output=True, text=True, check=True
        ).stdout

    git("init", "-q")
    subprocess.run([*NBSTRIPOUT, "--install"], cwd=tmp_path, env=env, check=True, capture_output=True)
    shutil.copy2(REPO / ".gitattributes", tmp_path / ".gitattributes")
    notebook = nbformat.read(NOTEBOOKS[0], as_version=4)
    for count, cell in enumerate((c for c in notebook.cells if c.cell_type == "code"), start=1):
        cell.execution_count = count
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="a secret-looking output\n")]
    nbformat.write(notebook, tmp_path / "00.ipynb")
    git("add", "00.ipynb", ".gitattributes")
    staged = nbformat.reads(git("show", ":00.ipynb"), as_version=4)
    code = [c for c in staged.cells if c.cell_type == "code"]
    assert code and all(c.outputs == [] and c.execution_count is None for c in code)
    assert "a secret-looking output" in (tmp_path / "00.ipynb").read_text()  # the working copy keeps them


def test_a_learners_saved_outputs_are_never_what_the_tests_read(tmp_path: Path) -> None:
    """JupyterLab autosaves outputs into the working copy; the tests read git's copy, or clear them."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
    repo, notebook = tmp_path / "clone", tmp_path / "clone" / "notebooks" / "00_start_here.ipynb"
    notebook.parent.mkdir(parents=True)
    shutil.copy2(NOTEBOOKS[0], notebook)
    for args in (["init", "-q"], ["add", "."]):
        subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)
    saved = nbformat.read(notebook, as_version=4)
    code = [cell for cell in saved.cells if cell.cell_type == "code"]
    code[0].execution_count = 1
    code[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text="a learner's output\n")]
    nbformat.write(saved, notebook)  # what Run All and autosave leave behind

    assert "a learner's output" not in committed_text(notebook, repo)
    assert committed_text(notebook, repo) == NOTEBOOKS[0].read_text()
    copied = copy_without_outputs(tmp_path / "copy", [notebook]) / notebook.name
    cleared = nbformat.read(copied, as_version=4)
    assert [c.source for c in cleared.cells] == [c.source for c in saved.cells]
    assert all(c.outputs == [] and c.execution_count is None for c in cleared.cells if c.cell_type == "code")
