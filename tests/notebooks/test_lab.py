"""JupyterLab showing the executed notebooks, checked in a real browser (Debian's Chromium via Playwright).

JupyterLab opens the notebooks as the ``executed_notebooks`` fixture executed them, once per test run:
signed as trusted, as a notebook run there would be, and once unsigned. Every wait is for an event,
never for a time. Screenshots go to ``test-artifacts/screenshots/``; the tests fail on missing
content, not on pixels. Without Chromium the tests skip, except under CI (``.ci/run`` installs it),
where they fail. The site's pages are checked in ``test_browser.py``; the two modules run on
different workers, sharing one execution of the notebooks.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from nbformat.sign import NotebookNotary

from tests.helpers import SCREENSHOTS
from tests.notebooks.executed_notebooks import ExecutedNotebooks
from tests.notebooks.pages import DRAWN, PLACEHOLDERS, shoot_diagrams
from tests.notebooks.test_notebooks import NOTEBOOKS, SHOWN

pytestmark = pytest.mark.browser


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
    """One JupyterLab page for the module: loaded once; each test opens its notebooks in it and closes them."""
    url, _root = jupyterlab
    page = browser.new_page(viewport={"width": 1400, "height": 1800})
    page.goto(url)
    page.wait_for_function("() => window.jupyterapp", timeout=60_000)
    page.evaluate("() => window.jupyterapp.restored")  # resolves once the workspace is restored
    page.wait_for_function(SPLASH_GONE, timeout=30_000)
    yield page
    page.close()


# The notebooks stay open in tabs, so what is checked is the shown one's: JupyterLab's current widget.
EVERY_CELL_RAN = """() => {
  const shown = window.jupyterapp.shell.currentWidget.node;
  const prompts = [...shown.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')].map(p => p.textContent.trim());
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
  const notebook = window.jupyterapp.shell.currentWidget.node.querySelector('.jp-Notebook');
  const [r, g, b] = getComputedStyle(notebook).color.match(/[\\d.]+/g).map(Number);
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


def _shown(page) -> str:
    """A selector for the widget shown now (the notebook in the front tab)."""
    return f'[id="{page.evaluate("() => window.jupyterapp.shell.currentWidget.id")}"]'


def _show_again(page, path: str) -> None:
    """Bring the tab of a notebook open already to the front, as clicking it does."""
    _command(page, "docmanager:open", {"path": path, "factory": "Notebook"})
    page.wait_for_function(NOTEBOOK_SHOWN, arg=path, timeout=60_000)


def _close_notebooks(page) -> None:
    """Shut their kernels down and close every tab, so the page shows no notebook."""
    page.evaluate("() => window.jupyterapp.serviceManager.sessions.shutdownAll()")
    page.evaluate("() => [...window.jupyterapp.shell.widgets('main')].forEach(widget => widget.dispose())")
    page.wait_for_function("() => !document.querySelector('.jp-Notebook')", timeout=30_000)


def _set_theme(page, theme: str) -> None:
    if page.evaluate("() => document.body.dataset.jpThemeName") != theme:
        _command(page, "apputils:change-theme", {"theme": theme})
        page.wait_for_function(f"() => document.body.dataset.jpThemeName === '{theme}'", timeout=30_000)
    page.wait_for_function(THEME_PAINTED, arg="Dark" in theme, timeout=30_000)


def _theme_now(page) -> str:
    return "dark" if "Dark" in page.evaluate("() => document.body.dataset.jpThemeName") else "light"


def _screenshots(page, name: str, diagrams: int = 0) -> None:
    """``<name>-<theme>.png`` of the shown notebook in the theme on now, and each of its diagrams."""
    theme = _theme_now(page)
    page.wait_for_function(THEME_PAINTED, arg=theme == "dark", timeout=30_000)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{theme}.png"))
    if diagrams:
        shoot_diagrams(page, f"{name}-{theme}", diagrams, within=_shown(page))


def _screenshots_in_both_themes(page, name: str, diagrams: int = 0) -> None:
    """``<name>-light.png`` and ``<name>-dark.png`` (and each diagram in both themes): the theme on
    now first, so one switch does."""
    now = _theme_now(page)
    for theme in (now, "light" if now == "dark" else "dark"):
        _set_theme(page, THEMES[theme])
        _screenshots(page, name, diagrams)


def _check_rendered(page, name: str) -> None:
    shown = _shown(page)
    text = page.inner_text(f"{shown} .jp-Notebook")
    assert "Traceback" not in text, f"{name}: a cell shows a traceback"
    stderr = page.locator(f"{shown} .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    assert stderr.count() == 0
    for placeholder in PLACEHOLDERS:
        assert placeholder not in text, f"{name} shows {placeholder!r}"
    assert "Where this notebook talks to" in text, f"{name}: the exchange and value blocks did not render"


def test_jupyterlab_shows_every_executed_notebook_in_light_and_dark(lab_page, executed_notebooks) -> None:
    """Each notebook opened in a tab of its own and checked in one theme; then, after one switch of
    theme (JupyterLab repaints everything), each tab shown again in the other."""
    page, secrets = lab_page, executed_notebooks.secrets()
    for notebook in NOTEBOOKS:
        _open_notebook(page, notebook.name)
        page.wait_for_function(EVERY_CELL_RAN, timeout=60_000)
        _check_rendered(page, notebook.stem)
        shown = _shown(page)
        text, html = page.inner_text(f"{shown} .jp-Notebook"), page.inner_html(shown)
        for expected in SHOWN[notebook.stem]:
            assert expected in text or expected in html, f"{notebook.stem}: {expected!r} not shown"
        whole_page = page.content()
        for secret in secrets:
            assert secret not in whole_page, f"{notebook.stem} shows a secret in JupyterLab"
        _screenshots(page, f"lab-{notebook.stem}", DRAWN.get(notebook.stem, 0))
    _set_theme(page, THEMES["dark" if _theme_now(page) == "light" else "light"])
    for notebook in NOTEBOOKS:
        _show_again(page, notebook.name)
        _check_rendered(page, notebook.stem)
        _screenshots(page, f"lab-{notebook.stem}", DRAWN.get(notebook.stem, 0))
    _close_notebooks(page)


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
    _close_notebooks(page)
