"""Sphinx configuration: the notebooks, executed against the local sandbox at build time, plus
a landing page, a page on the local sandbox, and an API reference from the docstrings.

Build (offline, every asset local):  .venv/bin/sphinx-build -b html docs docs/_build/html
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
import tempfile
from pathlib import Path

DOCS = Path(__file__).resolve().parent
REPO = DOCS.parent
sys.path.insert(0, str(REPO))

# The notebooks live in notebooks/; Sphinx reads them from a copy inside the source tree. The tests
# set DOCS_EXECUTED_NOTEBOOKS to a folder of notebooks they already executed against the local
# sandbox: the build then shows those outputs as they are instead of executing the notebooks again.
EXECUTED = os.environ.get("DOCS_EXECUTED_NOTEBOOKS")
NOTEBOOK_COPY = DOCS / "tutorial"
if NOTEBOOK_COPY.exists():
    shutil.rmtree(NOTEBOOK_COPY)
NOTEBOOK_COPY.mkdir()
for notebook in sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb")):
    shutil.copy2(Path(EXECUTED) / notebook.name if EXECUTED else notebook, NOTEBOOK_COPY / notebook.name)

# Always the local sandbox, in a state folder of the build's own (DOCS_BUNQ_HELPERS_HOME to choose it,
# and keep it), and never a developer's .env: the notebooks run in order and continue from each
# other's state. A folder the build made itself is removed when the build finishes.
BUILD_HOME = None if os.environ.get("DOCS_BUNQ_HELPERS_HOME") else tempfile.mkdtemp(prefix="bunq-docs-")
os.environ["BUNQ_HELPERS_HOME"] = os.environ.get("DOCS_BUNQ_HELPERS_HOME") or str(BUILD_HOME)
os.environ["BUNQ_ENVIRONMENT"] = "local"
# The pages show placeholders for the build machine's paths and the sandbox's port (notebook.py).
os.environ["DOCS_BUNQ_HELPERS_BUILD"] = "1"
for name in ("BUNQ_API_KEY", "BUNQ_BASE_URL", "BUNQ_CONTEXT_FILE", "BUNQ_PINNED_KEYS", "BUNQ_CA_FILE"):
    os.environ.pop(name, None)

project = "bunq_helpers"
author = "bunq_helpers contributors"
copyright = "2026, bunq_helpers contributors"
extensions = ["myst_nb", "sphinx.ext.autodoc", "sphinx.ext.viewcode"]
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
html_theme = "furo"
html_title = "bunq_helpers: the bunq API handshake, step by step"
html_static_path: list[str] = []

nb_execution_mode = "off" if EXECUTED else "force"
nb_execution_timeout = 180
nb_execution_raise_on_error = True
nb_execution_in_temp = False
nb_output_stderr = "remove"
nb_mime_priority_overrides = [("html", "text/html", 0)]
myst_enable_extensions = ["colon_fence"]

autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "undoc-members": False, "show-inheritance": True}
# Client modules name LocalSandbox only for type checkers (they never import the sandbox's internals):
# point the annotation at the one name the sandbox's package exports.
autodoc_type_aliases = {"LocalSandbox": "bunq_helpers.local_sandbox.LocalSandbox"}


def remove_build_home(app: object, exception: BaseException | None) -> None:
    """Delete the state folder this build made for itself (it holds throwaway keys and tokens)."""
    if BUILD_HOME is not None:
        shutil.rmtree(BUILD_HOME, ignore_errors=True)


def export_walkthrough(app: object, exception: BaseException | None) -> None:
    """The whole walkthrough as one offline HTML file and one PDF next to the pages (the landing page's
    "Download PDF" link): from the notebooks executed already (DOCS_EXECUTED_NOTEBOOKS), else executed
    once more for it. Without Debian's Chromium or Playwright there is no PDF, and the build says so."""
    if exception is not None or getattr(app, "builder").name != "html":  # noqa: B009
        return
    spec = importlib.util.spec_from_file_location(
        "export_walkthrough", REPO / "scripts" / "export_walkthrough.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = Path(getattr(app, "outdir"))  # noqa: B009
    can_print = module.CHROMIUM.exists() and importlib.util.find_spec("playwright") is not None
    module.export(out, Path(EXECUTED) if EXECUTED else None, pdf=can_print)
    if not can_print:
        print(
            f"no PDF: it needs {module.CHROMIUM} (apt-get install chromium) and Playwright (requirements-dev.txt)",
            file=sys.stderr,
        )


def setup(app: object) -> None:
    """Sphinx's hooks: the offline export, then clean up after the build."""
    app.connect("build-finished", export_walkthrough)  # type: ignore[attr-defined]
    app.connect("build-finished", remove_build_home)  # type: ignore[attr-defined]
