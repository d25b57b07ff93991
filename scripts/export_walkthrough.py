"""Export the whole walkthrough (notebooks 00-09, executed) as one offline HTML file and one PDF.

    .venv/bin/python scripts/export_walkthrough.py                   # -> export/bunq-walkthrough.{html,pdf}
    .venv/bin/python scripts/export_walkthrough.py --out DIR --executed FOLDER

The notebooks are executed in order against a throwaway local sandbox (as the documentation build
does: paths and ports shown as placeholders, secrets masked), unless ``--executed`` names a folder of
notebooks executed already. They are joined into one notebook and exported with nbconvert's HTML
exporter (its ``lab`` template, the one ``jupyter nbconvert --to html`` uses), minus the two scripts
that template loads from a CDN (require.js and MathJax) and the one that would import Mermaid from
a CDN (the walkthrough has no widgets, formulas or Mermaid diagrams), so the file opens with no network. Long lines wrap instead of running off the page.

The PDF is that HTML printed by Debian's Chromium (``/usr/bin/chromium``, ``apt-get install chromium``)
through Playwright's ``page.pdf``: nbconvert's own ``--to webpdf`` looks for a Chromium of its own
download and does not find Debian's. Every exchange prints as its one line, as on screen; its details
stay folded.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
NAME = "bunq-walkthrough"
SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.IGNORECASE | re.DOTALL)
REMOTE = re.compile(r"https?://cdn|\ssrc=\"https?://", re.IGNORECASE)
WRAP_CSS = """<style>
/* Offline export: long lines wrap instead of being clipped, on screen and on paper. */
pre, code, .jp-RenderedText pre { white-space: pre-wrap !important; overflow-wrap: anywhere; word-break: break-word; }
td, th { overflow-wrap: anywhere; }
.jp-OutputArea-output, .jp-RenderedHTMLCommon { overflow-x: visible !important; }
.jp-Cell { break-inside: auto; }
@media print { .jp-InputPrompt, .jp-OutputPrompt { display: none; } body { margin: 0; } }
</style>"""


def notebooks(folder: Path) -> list[Path]:
    """The numbered notebooks of ``folder``, in order."""
    found = sorted(folder.glob("[0-9][0-9]_*.ipynb"))
    if not found:
        raise SystemExit(f"no notebooks (00_….ipynb) in {folder}")
    return found


def execute(source: Path, work: Path) -> Path:
    """Execute the notebooks of ``source`` in order in ``work`` against a throwaway local sandbox."""
    from nbclient import NotebookClient

    folder, home = work / "notebooks", work / "home"
    folder.mkdir(parents=True)
    env = {name: value for name, value in os.environ.items() if not name.startswith("BUNQ_")}
    env.update(BUNQ_HELPERS_HOME=str(home), BUNQ_ENVIRONMENT="local", DOCS_BUNQ_HELPERS_BUILD="1")
    for path in notebooks(source):
        notebook = nbformat.read(path, as_version=4)
        for cell in notebook.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        print(f"executing {path.name}", file=sys.stderr)
        NotebookClient(
            notebook, kernel_name="python3", timeout=180, resources={"metadata": {"path": str(folder)}}
        ).execute(env=env)
        nbformat.write(notebook, folder / path.name)
    return folder


def joined(folder: Path) -> nbformat.NotebookNode:
    """One notebook: every numbered notebook's cells in order; links between them become anchors."""
    paths = notebooks(folder)
    anchors = {path.name: f"#{path.stem}" for path in paths}
    whole = nbformat.v4.new_notebook(metadata=nbformat.read(paths[0], as_version=4).metadata)
    for path in paths:
        notebook = nbformat.read(path, as_version=4)
        whole.cells.append(nbformat.v4.new_markdown_cell(f'<a id="{path.stem}"></a>'))
        for cell in notebook.cells:
            if cell.cell_type == "markdown":
                for name, anchor in anchors.items():
                    cell.source = cell.source.replace(f"]({name})", f"]({anchor})")
            whole.cells.append(cell)
    for index, cell in enumerate(whole.cells):
        cell.id = f"cell-{index}"
    return whole


def offline_html(notebook: nbformat.NotebookNode) -> str:
    """nbconvert's HTML (lab template) with no remote script, and long lines wrapped."""
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter(template_name="lab").from_notebook_node(notebook)
    body = SCRIPT.sub(lambda script: "" if REMOTE.search(script.group(0)) else script.group(0), body)
    body = body.replace("<title>Notebook</title>", "<title>bunq's API handshake, step by step</title>")
    return body.replace("</head>", WRAP_CSS + "\n</head>", 1)


def print_pdf(html: Path, pdf: Path) -> None:
    """``html`` printed to ``pdf`` (A4) by Debian's Chromium, with no network."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        raise SystemExit(f"{CHROMIUM} is missing: apt-get install chromium (the PDF is printed by it)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page()
        page.route("http*://**", lambda route: route.abort())  # offline, as the file must be
        page.goto(html.as_uri())
        page.emulate_media(media="print")
        page.pdf(
            path=str(pdf),
            format="A4",
            print_background=True,
            margin={"top": "14mm", "bottom": "14mm", "left": "12mm", "right": "12mm"},
        )
        browser.close()


def export(out: Path, executed: Path | None = None, *, pdf: bool = True) -> list[Path]:
    """Write ``<out>/bunq-walkthrough.html`` (and ``.pdf``); return the files written."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bunq-export-") as work:
        folder = executed or execute(REPO / "notebooks", Path(work))
        html = out / f"{NAME}.html"
        html.write_text(offline_html(joined(folder)), encoding="utf-8")
    written = [html]
    if pdf:
        print_pdf(html, out / f"{NAME}.pdf")
        written.append(out / f"{NAME}.pdf")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("export"), help="where to write (default: export/)")
    parser.add_argument("--executed", type=Path, default=None, help="notebooks executed already")
    parser.add_argument("--no-pdf", action="store_true", help="only the HTML file")
    args = parser.parse_args(argv)
    for path in export(args.out, args.executed, pdf=not args.no_pdf):
        print(f"wrote {path} ({path.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
