"""The documentation site and the notebooks' HTML exports, checked in a real browser (Debian's Chromium via
Playwright).

They show the outputs of the notebooks as the ``executed_notebooks`` fixture executed them, once per
test run: the site is built from them with execution off. Every wait is for an event, never for a
time. Screenshots go to ``test-artifacts/screenshots/``; the tests fail on missing content, not on
pixels. Without Chromium the tests skip, except under CI (``.ci/run`` installs it), where they fail.
JupyterLab is checked in ``test_lab.py``.
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import nbformat
import pytest

from tests.helpers import SCREENSHOTS
from tests.notebooks.executed_notebooks import ExecutedNotebooks
from tests.notebooks.pages import DRAWN, PLACEHOLDERS, shoot_diagrams
from tests.notebooks.test_notebooks import NOTEBOOKS, SHOWN

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory, executed_notebooks: ExecutedNotebooks) -> Iterator[str]:
    """The documentation built with the README's command from the executed notebooks, served on loopback."""
    out = tmp_path_factory.mktemp("site")
    env = {
        **os.environ,
        "DOCS_BUNQ_HELPERS_HOME": str(out / "home"),  # unused: the build executes nothing
        "DOCS_EXECUTED_NOTEBOOKS": str(executed_notebooks.folder),
    }
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", "docs", str(out / "html")],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    print(f"\ndocumentation built in {time.perf_counter() - started:.1f} s")
    handler = functools.partial(QuietHandler, directory=str(out / "html"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def _watch_failures(page) -> list[str]:
    failures: list[str] = []
    page.on("requestfailed", lambda request: failures.append(f"failed {request.url}"))
    page.on(
        "response",
        lambda r: (
            failures.append(f"{r.status} {r.url}") if r.status >= 400 and "favicon" not in r.url else None
        ),
    )
    return failures


def test_every_site_page_shows_its_exchanges_and_no_secret(browser, site, executed_notebooks) -> None:
    base, secrets = site, executed_notebooks.secrets()
    page = browser.new_page(viewport={"width": 1280, "height": 1600})
    failures = _watch_failures(page)
    for name in ("index", "local-sandbox", "api"):
        page.goto(base + f"{name}.html")
        assert page.title()
        page.screenshot(path=str(SCREENSHOTS / f"site-{name}.png"))
    page.goto(base + "index.html")
    assert page.get_by_role("link", name="Download PDF").get_attribute("href") == "bunq-walkthrough.pdf"
    for notebook in NOTEBOOKS:
        page.goto(base + f"tutorial/{notebook.stem}.html")
        text = page.inner_text("article")
        for expected in SHOWN[notebook.stem]:
            assert expected in text or expected in page.content(), f"{notebook.stem}: {expected!r} not shown"
        for placeholder in PLACEHOLDERS:
            assert placeholder not in text, f"{notebook.stem} shows {placeholder!r}"
        html = page.content()
        for secret in secrets:
            assert secret not in html, f"{notebook.stem} shows a secret"
        assert "Traceback" not in text
        assert str(executed_notebooks.home) not in html and "/tmp/" not in html, (
            f"{notebook.stem} shows the build's folders"
        )
        assert "https://127.0.0.1:<port>/v1/" in text and "<BUNQ_HELPERS_HOME>/bunq-local.conf" in text
        if notebook.stem in DRAWN:
            shoot_diagrams(page, f"site-{notebook.stem}-light", DRAWN[notebook.stem])
        page.screenshot(path=str(SCREENSHOTS / f"site-{notebook.stem}.png"), full_page=True)
    page.emulate_media(color_scheme="dark")
    for name in DRAWN:
        page.goto(base + f"tutorial/{name}.html")
        shoot_diagrams(page, f"site-{name}-dark", DRAWN[name])
    page.goto(base + "tutorial/03_add_a_session.html")
    page.screenshot(path=str(SCREENSHOTS / "site-03_add_a_session-dark.png"))
    assert failures == []
    page.close()


# -- the height of a notebook after the handshake, and diagrams at phone width --------------------------

HEIGHT_OF_04_BEFORE = 8159
"""Notebook 04 before issue 20 (every exchange in full), exported with ``jupyter nbconvert --to html`` and
laid out in Chromium 1280 px wide: the figure the compact exchanges are measured against."""


def _nbconvert_page(browser, executed_notebooks, stem: str, out: Path, width: int):
    """The executed notebook exported as ``jupyter nbconvert --to html`` does, opened offline at ``width``."""
    from nbconvert import HTMLExporter

    notebook = nbformat.read(executed_notebooks.folder / f"{stem}.ipynb", as_version=4)
    body, _ = HTMLExporter().from_notebook_node(notebook)
    path = out / f"{stem}.html"
    path.write_text(body, encoding="utf-8")
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.route("http*://**", lambda route: route.abort())  # its CDN scripts are not needed to lay it out
    page.goto(path.as_uri())
    return page


def test_04_is_at_most_a_third_of_its_old_height_with_details_a_click_away(
    browser, executed_notebooks, tmp_path
) -> None:
    page = _nbconvert_page(browser, executed_notebooks, "04_first_calls", tmp_path, 1280)
    height = page.evaluate("() => document.documentElement.scrollHeight")
    page.screenshot(path=str(SCREENSHOTS / "nbconvert-04_first_calls-1280.png"), full_page=True)
    print(f"\n04 exported and laid out at 1280 px: {height} px (before: {HEIGHT_OF_04_BEFORE} px)")
    assert height <= HEIGHT_OF_04_BEFORE / 3, height
    lines = page.locator("details > summary", has_text="verified ✓")
    assert lines.count() >= 6  # one line per exchange: GET /v1/user … the payment … one bank account
    first = lines.first
    assert "session token" in first.inner_text() and "signed ✓" in first.inner_text()
    details = first.locator("xpath=..").locator("summary", has_text="Request headers (bunq's first)")
    assert not details.is_visible()  # folded away
    first.click()
    assert details.is_visible()  # one click away: headers, bodies, signature, curl
    page.close()


def test_diagrams_stay_readable_at_phone_width(browser, executed_notebooks, tmp_path) -> None:
    for stem in ("03_add_a_session", "05_api_context_over_time"):
        page = _nbconvert_page(browser, executed_notebooks, stem, tmp_path, 390)
        diagram = page.locator("svg[role='img']").first
        diagram.scroll_into_view_if_needed()
        box = diagram.bounding_box()
        drawn_width = int(diagram.get_attribute("width"))
        assert box and box["width"] / drawn_width >= 0.78, (stem, box)  # 11 px text stays above 8.5 px
        scroller = diagram.locator("xpath=..")
        assert scroller.evaluate("(e) => e.scrollWidth > e.clientWidth")  # it scrolls sideways instead
        page.screenshot(path=str(SCREENSHOTS / f"phone-{stem}.png"))
        page.close()


# -- the whole walkthrough as one offline HTML file and one PDF (scripts/export_walkthrough.py, which the
# documentation build runs: the site's "Download PDF") ------------------------------------------------

UNWRAPPED = """() => [...document.querySelectorAll('pre, td, th, p, li, summary')]
  .filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1)
  .map(e => e.tagName + ': ' + e.textContent.slice(0, 60))"""


def test_the_exported_html_opens_offline_whole_and_wraps_long_lines(
    browser, site, executed_notebooks
) -> None:
    with urllib.request.urlopen(site + "bunq-walkthrough.html") as answer:
        text = answer.read().decode("utf-8")
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=\"https?://", text)
    assert all(secret not in text for secret in executed_notebooks.secrets())
    page = browser.new_page(viewport={"width": 1000, "height": 1200})
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    page.goto(site + "bunq-walkthrough.html", wait_until="load")
    assert [url for url in fetched if not url.startswith((site, "data:"))] == []  # nothing from elsewhere
    shown = page.inner_text("body")
    for notebook in NOTEBOOKS:
        title = executed_notebooks.notebooks[notebook.stem].cells[0].source.splitlines()[0].lstrip("# ")
        assert title in shown, title
    assert page.locator("svg[role='img']").count() >= 4  # the diagrams come along
    assert page.locator("a[href='#01_create_an_installation']").count() >= 1  # links stay inside the file
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 700, "height": 1000})  # A4 between the PDF's margins
    assert page.evaluate(UNWRAPPED) == []  # long lines wrap, nothing is clipped
    page.screenshot(path=str(SCREENSHOTS / "export-print-width.png"))
    page.close()


def test_the_site_offers_the_walkthrough_as_a_pdf(site) -> None:
    with urllib.request.urlopen(site + "bunq-walkthrough.pdf") as answer:
        data = answer.read()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
    assert pages >= 20, pages  # eight notebooks, on A4
