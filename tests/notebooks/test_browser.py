"""The documentation site and JupyterLab, checked in a real browser (Debian's Chromium via Playwright).

Both show the outputs of the notebooks as the ``executed_notebooks`` fixture executed them, once per
test run: the site is built from them with execution off, JupyterLab opens them (signed as trusted,
as a notebook run there would be, and once unsigned). Every wait is for an event, never for a time.
Screenshots go to ``test-artifacts/screenshots/``; the tests fail on missing content, not on pixels.
Without Chromium the tests skip, except under CI (``.ci/run`` installs it), where they fail.
"""

from __future__ import annotations

import functools
import os
import re
import socket
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
from nbformat.sign import NotebookNotary

from tests.helpers import SCREENSHOTS, chromium
from tests.notebooks.executed_notebooks import ExecutedNotebooks
from tests.notebooks.test_notebooks import NOTEBOOKS, SHOWN

REPO = Path(__file__).resolve().parents[2]
PLACEHOLDERS = ("<IPython.core.display", "IPython.core.display.JSON object", "<Exchange ")
DRAWN = {
    "00_start_here": 1,
    "03_add_a_session": 1,
    "05_api_context_over_time": 2,
    "08_acting_for_another_user": 1,
    "09_psd2_providers": 1,
}
"""Notebooks with pictures (inline SVG drawn from the run's exchanges): how many each shows."""

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as launched:
        yield launched


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


def _shoot_diagrams(page, name: str, expected: int) -> None:
    """Check the notebook's inline SVG pictures are drawn (sized, with text) and screenshot each."""
    diagrams = page.locator("svg[role='img']")
    assert diagrams.count() == expected, f"{name}: {diagrams.count()} diagrams, expected {expected}"
    for index in range(expected):
        diagram = diagrams.nth(index)
        diagram.scroll_into_view_if_needed()
        box = diagram.bounding_box()
        assert box and box["width"] > 300 and box["height"] > 100, f"{name}: diagram {index} is not drawn"
        assert diagram.locator("text").count() >= 5
        diagram.screenshot(path=str(SCREENSHOTS / f"{name}-diagram-{index}.png"))


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
            _shoot_diagrams(page, f"site-{notebook.stem}-light", DRAWN[notebook.stem])
        page.screenshot(path=str(SCREENSHOTS / f"site-{notebook.stem}.png"), full_page=True)
    page.emulate_media(color_scheme="dark")
    for name in DRAWN:
        page.goto(base + f"tutorial/{name}.html")
        _shoot_diagrams(page, f"site-{name}-dark", DRAWN[name])
    page.goto(base + "tutorial/03_add_a_session.html")
    page.screenshot(path=str(SCREENSHOTS / "site-03_add_a_session-dark.png"))
    assert failures == []
    page.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory, executed_notebooks: ExecutedNotebooks) -> Iterator[tuple[str, Path]]:
    """JupyterLab on loopback over the executed notebooks, signed as trusted by the notary it uses."""
    root = tmp_path_factory.mktemp("lab")
    data = root / ".data"  # JupyterLab's notary keeps its secret and its signatures here
    data.mkdir()
    with NotebookNotary(data_dir=str(data)) as notary:
        for name, notebook in executed_notebooks.notebooks.items():
            notary.sign(notebook)  # as if run in this JupyterLab: its HTML output is trusted
            nbformat.write(notebook, root / f"{name}.ipynb")
    home = root / ".home"  # the kernels opened here execute nothing; their state stays apart
    settings = root / ".settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(
        '{"fetchNews": "false", "checkForUpdates": false}'
    )
    tracker = root / ".settings" / "@jupyterlab" / "notebook-extension"
    tracker.mkdir(parents=True)
    # Render every cell (JupyterLab 4 otherwise drops off-screen cells from the page), so all can be checked.
    (tracker / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
    port, token = _free_port(), "browser-test-token"
    env = {k: v for k, v in os.environ.items() if not k.startswith("BUNQ_")}
    env.update(
        BUNQ_HELPERS_HOME=str(home),
        BUNQ_ENVIRONMENT="local",
        JUPYTER_CONFIG_DIR=str(root / ".jupyter"),
        JUPYTER_DATA_DIR=str(data),
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--allow-root",
            f"--ServerApp.port={port}",
            "--ServerApp.ip=127.0.0.1",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={root}",
            "--LabApp.expose_app_in_browser=True",
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            f"--LabApp.workspaces_dir={root / '.workspaces'}",
            f"--LabApp.user_settings_dir={root / '.settings'}",
        ],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail("JupyterLab did not start: " + (process.stderr.read() if process.stderr else ""))
            time.sleep(0.1)  # polls a server that is starting; bounded by the deadline
    yield f"{base}/lab?token={token}&reset", root
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


# JupyterLab covers the page with its splash screen while it loads and while it switches themes, and
# removes it once done (after a 200 ms fade).
SPLASH_GONE = "() => !document.getElementById('jupyterlab-splash')"


@pytest.fixture(scope="module")
def lab_page(browser, jupyterlab) -> Iterator[object]:
    """One JupyterLab page for the module: loaded once, each notebook opened in it and closed again."""
    url, _root = jupyterlab
    page = browser.new_page(viewport={"width": 1400, "height": 1800})
    page.goto(url)
    page.wait_for_function("() => window.jupyterapp", timeout=60_000)
    page.evaluate("() => window.jupyterapp.restored")  # resolves once the workspace is restored
    page.wait_for_function(SPLASH_GONE, timeout=30_000)
    yield page
    page.close()


EVERY_CELL_RAN = """() => {
  const prompts = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')].map(p => p.textContent.trim());
  return prompts.length > 0 && prompts.every(p => /^\\[\\d+\\]:$/.test(p));
}"""

NOTEBOOK_SHOWN = """(path) => {
  const widget = window.jupyterapp.shell.currentWidget;
  return widget && widget.context && widget.context.path === path && widget.node.querySelector('.jp-Notebook .jp-Cell');
}"""

KERNEL_IDLE = """() => {
  const widget = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const kernel = widget && widget.sessionContext && widget.sessionContext.session && widget.sessionContext.session.kernel;
  return kernel && kernel.status === 'idle';
}"""

# JupyterLab 4 may ask which kernel to start, or start the notebook's own: whichever comes first.
KERNEL_DIALOG_OR_IDLE = f"""() => {{
  if (document.querySelector('.jp-Dialog')) return 'dialog';
  return ({KERNEL_IDLE})() ? 'idle' : false;
}}"""

# A theme has taken effect once the notebook's text is painted in its colours (light text on dark)
# and the splash screen is gone.
THEME_PAINTED = f"""(dark) => {{
  const [r, g, b] = getComputedStyle(document.querySelector('.jp-Notebook')).color.match(/[\\d.]+/g).map(Number);
  const light_text = (0.299 * r + 0.587 * g + 0.114 * b) / 255 > 0.5;
  return light_text === dark && ({SPLASH_GONE})() && !document.querySelector('.jp-Spinner');
}}"""

THEMES = {"light": "JupyterLab Light", "dark": "JupyterLab Dark"}


def _command(page, command: str, args: object = None) -> None:
    """Run a JupyterLab command without waiting on its promise (some wait for a dialog)."""
    page.evaluate(
        "([command, args]) => { window.jupyterapp.commands.execute(command, args); }", [command, args or {}]
    )


def _open_notebook(page, path: str) -> None:
    """Open a notebook as a person would: if JupyterLab asks which kernel to start, choose the preferred one."""
    _command(page, "docmanager:open", {"path": path, "factory": "Notebook"})
    page.wait_for_function(NOTEBOOK_SHOWN, arg=path, timeout=60_000)
    if page.wait_for_function(KERNEL_DIALOG_OR_IDLE, timeout=60_000).json_value() == "dialog":
        page.locator(".jp-Dialog").get_by_role("button", name="Select").click()
        page.wait_for_function(KERNEL_IDLE, timeout=60_000)
    page.wait_for_function(SPLASH_GONE, timeout=30_000)


def _close_notebook(page) -> None:
    """Shut its kernel down and close it, so the page shows no notebook."""
    page.evaluate("() => window.jupyterapp.serviceManager.sessions.shutdownAll()")
    page.evaluate("() => window.jupyterapp.shell.currentWidget.dispose()")
    page.wait_for_function("() => !document.querySelector('.jp-Notebook')", timeout=30_000)


def _set_theme(page, theme: str) -> None:
    if page.evaluate("() => document.body.dataset.jpThemeName") != theme:
        _command(page, "apputils:change-theme", {"theme": theme})
        page.wait_for_function(f"() => document.body.dataset.jpThemeName === '{theme}'", timeout=30_000)
    page.wait_for_function(THEME_PAINTED, arg="Dark" in theme, timeout=30_000)


def _screenshots_in_both_themes(page, name: str, diagrams: int = 0) -> None:
    """``<name>-light.png`` and ``<name>-dark.png`` (and each diagram in both themes): the theme on
    now first, so one switch does."""
    now = "dark" if "Dark" in page.evaluate("() => document.body.dataset.jpThemeName") else "light"
    for theme in (now, "light" if now == "dark" else "dark"):
        _set_theme(page, THEMES[theme])
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{theme}.png"))
        if diagrams:
            _shoot_diagrams(page, f"{name}-{theme}", diagrams)


def _check_rendered(page, name: str) -> None:
    text = page.inner_text(".jp-Notebook")
    assert "Traceback" not in text, f"{name}: a cell shows a traceback"
    assert page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count() == 0
    for placeholder in PLACEHOLDERS:
        assert placeholder not in text, f"{name} shows {placeholder!r}"
    assert "Where this notebook talks to" in text, f"{name}: the exchange and value blocks did not render"


def test_jupyterlab_shows_every_executed_notebook_in_light_and_dark(lab_page, executed_notebooks) -> None:
    page, secrets = lab_page, executed_notebooks.secrets()
    for notebook in NOTEBOOKS:
        _open_notebook(page, notebook.name)
        page.wait_for_function(EVERY_CELL_RAN, timeout=60_000)
        _check_rendered(page, notebook.stem)
        text, html = page.inner_text(".jp-Notebook"), page.content()
        for expected in SHOWN[notebook.stem]:
            assert expected in text or expected in html, f"{notebook.stem}: {expected!r} not shown"
        for secret in secrets:
            assert secret not in html, f"{notebook.stem} shows a secret in JupyterLab"
        _screenshots_in_both_themes(page, f"lab-{notebook.stem}", DRAWN.get(notebook.stem, 0))
        _close_notebook(page)


def test_untrusted_executed_notebook_still_renders_exchanges(
    lab_page, jupyterlab, executed_notebooks
) -> None:
    page, (_url, root) = lab_page, jupyterlab
    name = "untrusted-03_add_a_session.ipynb"
    # The executed file as nbclient wrote it, not signed by this server's notary: opened untrusted.
    (root / name).write_bytes((executed_notebooks.folder / "03_add_a_session.ipynb").read_bytes())
    _open_notebook(page, name)
    assert page.locator(".jp-Notebook .jp-OutputArea-output").count() > 5
    _check_rendered(page, name)
    html = page.content()
    assert all(secret not in html for secret in executed_notebooks.secrets()), f"{name} shows a secret"
    details = page.locator(".jp-RenderedHTMLCommon details")
    assert details.count() >= 5  # the exchange's sections survived the sanitiser
    assert "Values picked out" in page.inner_text(".jp-Notebook")
    # JupyterLab's sanitiser drops inline SVG from untrusted output; what is left reads as text.
    drawn = page.locator(".jp-OutputArea-output", has_text="What you just did").last
    drawn.scroll_into_view_if_needed()
    assert "POST /v1/session-server" in drawn.inner_text()
    drawn.screenshot(path=str(SCREENSHOTS / "lab-untrusted-diagram-as-text.png"))
    _screenshots_in_both_themes(page, "lab-untrusted")
    _close_notebook(page)


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
