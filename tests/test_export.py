"""``scripts/export_walkthrough.py``: the executed walkthrough as one HTML file that opens offline and one
PDF printed by Debian's Chromium, long lines wrapped, not clipped (checked in Chromium)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import load_script
from tests.executed_notebooks import NOTEBOOKS, ExecutedNotebooks
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS

pytestmark = pytest.mark.browser

UNWRAPPED = """() => [...document.querySelectorAll('pre, td, th, p, li, summary')]
  .filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1)
  .map(e => e.tagName + ': ' + e.textContent.slice(0, 60))"""


@pytest.fixture(scope="module")
def exported(executed_notebooks: ExecutedNotebooks, tmp_path_factory) -> tuple[Path, Path]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    out = tmp_path_factory.mktemp("export")
    html, pdf = load_script("export_walkthrough").export(out, executed_notebooks.folder)
    return html, pdf


def test_the_html_opens_offline_with_every_notebook_and_no_secret(exported, executed_notebooks) -> None:
    from playwright.sync_api import sync_playwright

    html, _ = exported
    text = html.read_text(encoding="utf-8")
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=\"https?://", text)
    assert all(secret not in text for secret in executed_notebooks.secrets())
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1000, "height": 1200})
        fetched: list[str] = []
        page.on("request", lambda request: fetched.append(request.url))
        page.goto(html.as_uri(), wait_until="load")
        assert [url for url in fetched if not url.startswith(("file:", "data:"))] == []  # nothing remote
        shown = page.inner_text("body")
        for notebook in NOTEBOOKS:
            title = executed_notebooks.notebooks[notebook.stem].cells[0].source.splitlines()[0].lstrip("# ")
            assert title in shown, title
        assert page.locator("svg[role='img']").count() >= 3  # the diagrams come along
        link = page.locator("a[href='#01_create_an_installation']").first
        assert link.count() == 1  # links between notebooks point inside the one file
        page.emulate_media(media="print")
        page.set_viewport_size({"width": 700, "height": 1000})  # A4 between the PDF's margins
        assert page.evaluate(UNWRAPPED) == []  # long lines wrap, nothing is clipped
        page.screenshot(path=str(SCREENSHOTS / "export-print-width.png"))
        browser.close()


def test_the_pdf_is_printed_with_every_page(exported) -> None:
    _, pdf = exported
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
    assert pages >= 20, pages  # eight notebooks, on A4
