"""The documentation site and JupyterLab, checked in a real browser (Debian's Chromium via Playwright).

Screenshots go to ``test-artifacts/screenshots/``; the tests fail on missing content, not on pixels.
Without Chromium the tests skip, except under CI (``.ci/run`` installs it), where they fail.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import socket
import sqlite3
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

from tests.test_notebooks import NOTEBOOKS, SHOWN

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PLACEHOLDERS = ("<IPython.core.display", "IPython.core.display.JSON object", "<Exchange ")
DRAWN = {"00_start_here": 1, "03_add_a_session": 1, "05_api_context_over_time": 1}
"""Notebooks with pictures (inline SVG drawn from the run's exchanges): how many each shows."""

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - playwright is in requirements-dev.txt
        pytest.fail(str(exc))
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _secrets(home: Path) -> list[str]:
    """Every token, API key and private-key line that exists so far under ``home``."""
    found: list[str] = []
    database = home / "local-sandbox" / "sandbox.sqlite3"
    if database.exists():
        with sqlite3.connect(database) as db:
            found += [row[0] for row in db.execute("SELECT token FROM tokens")]
            found += [row[0] for row in db.execute("SELECT api_key FROM credentials")]
    context_file = home / "bunq-local.conf"
    if context_file.exists():
        context = json.loads(context_file.read_text())
        private_key = (context.get("installation_context") or {}).get("private_key_client") or ""
        found += private_key.splitlines()[1:-1]  # a context is saved before its installation exists
    return found


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """The documentation built with the README's command, served over HTTP on loopback."""
    out = tmp_path_factory.mktemp("site")
    home = out / "home"
    env = {**os.environ, "DOCS_BUNQ_HELPERS_HOME": str(home)}
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
    yield f"http://127.0.0.1:{server.server_port}/", home
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


def test_every_site_page_shows_its_exchanges_and_no_secret(browser, site) -> None:
    base, home = site
    secrets = _secrets(home)
    assert secrets
    page = browser.new_page(viewport={"width": 1280, "height": 1600})
    failures = _watch_failures(page)
    for name in ("index", "local-sandbox", "api"):
        page.goto(base + f"{name}.html")
        assert page.title()
        page.screenshot(path=str(SCREENSHOTS / f"site-{name}.png"))
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
        assert str(home) not in html and "/tmp/" not in html, f"{notebook.stem} shows the build's folders"
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
def jupyterlab(tmp_path_factory) -> Iterator[tuple[str, Path, Path]]:
    """JupyterLab on loopback over a copy of the notebooks, with the tutorial's state in a temp folder."""
    root = tmp_path_factory.mktemp("lab")
    for notebook in NOTEBOOKS:
        shutil.copy2(notebook, root / notebook.name)
    home = root / ".home"
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
        BUNQ_HELPERS_HOME=str(home), BUNQ_ENVIRONMENT="local", JUPYTER_CONFIG_DIR=str(root / ".jupyter")
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
            time.sleep(0.5)
    yield f"{base}/lab/tree/{{name}}?token={token}&reset", root, home
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


RUN_ALL_DONE = """() => {
  const prompts = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')].map(p => p.textContent.trim());
  return prompts.length > 0 && prompts.every(p => /^\\[\\d+\\]:$/.test(p));
}"""


KERNEL_IDLE = """() => {
  const widget = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const kernel = widget && widget.sessionContext && widget.sessionContext.session && widget.sessionContext.session.kernel;
  return kernel && kernel.status === 'idle';
}"""


def _open_notebook(browser, url: str):
    """Open a notebook as a person would: JupyterLab 4 asks which kernel to start; choose the preferred one."""
    page = browser.new_page(viewport={"width": 1400, "height": 1800})
    page.goto(url)
    page.wait_for_function(
        "() => window.jupyterapp && document.querySelector('.jp-Notebook .jp-Cell')", timeout=60_000
    )
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    select = page.locator(".jp-Dialog").get_by_role("button", name="Select")
    with contextlib.suppress(PlaywrightTimeout):  # no dialog: the kernel started by itself
        select.wait_for(timeout=10_000)
        select.click()
    page.wait_for_function(KERNEL_IDLE, timeout=60_000)
    return page


def _command(page, command: str, args: str = "{}") -> None:
    """Run a JupyterLab command without waiting on its promise (some wait for a dialog)."""
    page.evaluate(f"() => {{ window.jupyterapp.commands.execute('{command}', {args}); }}")


def _shutdown_kernels(page) -> None:
    page.evaluate("() => window.jupyterapp.serviceManager.sessions.shutdownAll()")


def _set_theme(page, theme: str) -> None:
    _command(page, "apputils:change-theme", f"{{theme: '{theme}'}}")
    page.wait_for_function(f"() => document.body.dataset.jpThemeName === '{theme}'", timeout=30_000)
    page.wait_for_function(
        "() => !document.querySelector('.jp-Spinner')", timeout=30_000
    )  # the switch is done
    page.wait_for_timeout(300)


def _check_rendered(page, name: str) -> None:
    text = page.inner_text(".jp-Notebook")
    assert "Traceback" not in text, f"{name}: a cell shows a traceback"
    assert page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count() == 0
    for placeholder in PLACEHOLDERS:
        assert placeholder not in text, f"{name} shows {placeholder!r}"
    assert "Where this notebook talks to" in text, f"{name}: the exchange and value blocks did not render"


def test_jupyterlab_runs_every_notebook_in_light_and_dark(browser, jupyterlab) -> None:
    url, _root, home = jupyterlab
    for notebook in NOTEBOOKS:
        page = _open_notebook(browser, url.format(name=notebook.name))
        _command(page, "notebook:run-all-cells")
        page.wait_for_function(RUN_ALL_DONE, timeout=120_000)
        _check_rendered(page, notebook.stem)
        text, html = page.inner_text(".jp-Notebook"), page.content()
        for expected in SHOWN[notebook.stem]:
            assert expected in text or expected in html, f"{notebook.stem}: {expected!r} not shown"
        for secret in _secrets(home):
            assert secret not in html, f"{notebook.stem} shows a secret in JupyterLab"
        page.screenshot(path=str(SCREENSHOTS / f"lab-{notebook.stem}-light.png"))
        if notebook.stem in DRAWN:
            _shoot_diagrams(page, f"lab-{notebook.stem}-light", DRAWN[notebook.stem])
        _set_theme(page, "JupyterLab Dark")
        page.screenshot(path=str(SCREENSHOTS / f"lab-{notebook.stem}-dark.png"))
        if notebook.stem in DRAWN:
            _shoot_diagrams(page, f"lab-{notebook.stem}-dark", DRAWN[notebook.stem])
        _set_theme(page, "JupyterLab Light")
        _shutdown_kernels(page)
        page.close()
    assert _secrets(home)  # the checks above had secrets to look for


def test_untrusted_executed_notebook_still_renders_exchanges(browser, jupyterlab) -> None:
    from nbclient import NotebookClient

    url, root, home = jupyterlab
    source = root / "03_add_a_session.ipynb"
    executed = nbformat.read(source, as_version=4)
    env_before = dict(os.environ)
    os.environ.update(BUNQ_HELPERS_HOME=str(home), BUNQ_ENVIRONMENT="local")
    try:
        NotebookClient(
            executed, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(root)}}
        ).execute()
    finally:
        os.environ.clear()
        os.environ.update(env_before)
    name = "untrusted-03_add_a_session.ipynb"
    nbformat.write(executed, root / name)  # not signed by this server's notary: opened untrusted
    page = _open_notebook(browser, url.format(name=name))
    assert page.locator(".jp-Notebook .jp-OutputArea-output").count() > 5
    _check_rendered(page, name)
    html = page.content()
    assert all(secret not in html for secret in _secrets(home)), f"{name} shows a secret"
    details = page.locator(".jp-RenderedHTMLCommon details")
    assert details.count() >= 5  # the exchange's sections survived the sanitiser
    assert "Values picked out" in page.inner_text(".jp-Notebook")
    page.screenshot(path=str(SCREENSHOTS / "lab-untrusted-light.png"))
    # JupyterLab's sanitiser drops inline SVG from untrusted output; what is left reads as text.
    drawn = page.locator(".jp-OutputArea-output", has_text="What you just did").last
    drawn.scroll_into_view_if_needed()
    assert "POST /v1/session-server" in drawn.inner_text()
    drawn.screenshot(path=str(SCREENSHOTS / "lab-untrusted-diagram-as-text.png"))
    _set_theme(page, "JupyterLab Dark")
    page.screenshot(path=str(SCREENSHOTS / "lab-untrusted-dark.png"))
    _set_theme(page, "JupyterLab Light")
    _shutdown_kernels(page)
    page.close()
