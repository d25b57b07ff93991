"""The OAuth authorization page in a real browser (Debian's Chromium via Playwright), with JavaScript off:
approve and deny as a user would, in the light and the dark colour scheme, with screenshots in
``test-artifacts/screenshots/``. The app's redirect URL is a tiny HTTP server of the test's own on
loopback (a browser follows the 302 there), so nothing leaves the machine. The sandbox's certificate comes from its own CA, which this Chromium does
not know: the browser context is told to accept it (the HTTPS checks themselves are the client's tests').
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bunq_helpers.local_sandbox import LocalSandbox
from tests.helpers import SCREENSHOTS, Raw, chromium
from tests.local_sandbox.oauth_world import auth_params, exchange, origin, query_of, register_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def app_server() -> Iterator[tuple[str, list[str]]]:
    """The app's redirect target: records each URL it is sent to."""
    landed: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.startswith("/oauth/callback"):  # not the browser asking for a favicon
                landed.append(f"http://127.0.0.1:{self.server.server_address[1]}{self.path}")
            body = b"<p>back at the app</p>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/oauth/callback", landed
    server.shutdown()
    server.server_close()


@pytest.fixture
def world(sandbox: LocalSandbox, client_key, other_key, app_server):
    raw = Raw(sandbox)
    owner, granting = raw.handshake(client_key), raw.handshake(other_key)
    app = register_app(raw, owner, redirect_uri=app_server[0], name='Budget <b>app</b> "pro"')
    return raw, app, granting, app_server[1]


def _open(browser, raw: Raw, app, scheme: str):
    context = browser.new_context(color_scheme=scheme, java_script_enabled=False, ignore_https_errors=True)
    page = context.new_page()
    query = "&".join(f"{k}={v}" for k, v in auth_params(app, state="browser-state").items())
    response = page.goto(f"{origin(raw)}/auth?{query}")
    assert response is not None and response.status == 200
    return context, page


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_approve_in_the_browser(browser, world, scheme: str) -> None:
    raw, app, granting, landed = world
    context, page = _open(browser, raw, app, scheme)
    try:
        assert page.locator("strong.app").inner_text() == 'Budget <b>app</b> "pro"'  # shown as text, escaped
        assert page.locator("svg").count() == 1 and page.locator("svg").bounding_box()["width"] > 100
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == ("rgb(18, 18, 22)" if scheme == "dark" else "rgb(255, 255, 255)")
        page.screenshot(path=str(SCREENSHOTS / f"oauth-page-{scheme}.png"), full_page=True)
        page.select_option("select[name=user_id]", str(granting.user_id))
        with page.expect_navigation(url="http://127.0.0.1:*/**"):
            page.click("button[value=approve]")
        (url,) = landed
        assert url.startswith(app.redirect_uri + "?code=")
        params = query_of(url)
        assert params["state"] == "browser-state"
        assert exchange(raw, app, params["code"]).status_code == 200
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_deny_in_the_browser(browser, world, scheme: str) -> None:
    raw, app, _granting, landed = world
    context, page = _open(browser, raw, app, scheme)
    try:
        with page.expect_navigation(url="http://127.0.0.1:*/**"):
            page.click("button[value=deny]")
        (url,) = landed
        assert query_of(url) == {
            "error": "access_denied",
            "error_description": "The user denied the request.",
            "state": "browser-state",
        }
        page.screenshot(path=str(SCREENSHOTS / f"oauth-page-denied-{scheme}.png"))
    finally:
        context.close()


def test_a_refused_request_shows_why_and_goes_nowhere(browser, world) -> None:
    raw, app, _, landed = world
    context = browser.new_context(java_script_enabled=False, ignore_https_errors=True)
    try:
        page = context.new_page()
        page.route(
            "**/*", lambda route: route.abort() if "app.example" in route.request.url else route.continue_()
        )
        query = "&".join(f"{k}={v}" for k, v in auth_params(app, redirect_uri=app.redirect_uri + "/").items())
        response = page.goto(f"{origin(raw)}/auth?{query}")
        assert response is not None and response.status == 400
        assert "Did you mean" in page.locator("[role=alert]").inner_text()
        assert page.locator("form").count() == 0 and landed == []
        page.screenshot(path=str(SCREENSHOTS / "oauth-page-refused.png"))
    finally:
        context.close()


def test_screenshots_exist() -> None:
    assert Path(SCREENSHOTS).is_dir()
