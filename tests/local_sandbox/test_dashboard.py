"""The dashboard at ``/_sandbox/`` in a real browser (Debian's Chromium via Playwright), light and dark,
with and without JavaScript; and what a page from another origin cannot do to it.

Chromium trusts the sandbox by its key pin (``--ignore-certificate-errors-spki-list`` takes exactly the
pin ``sandbox.pin`` carries), so TLS is verified against that key and nothing else. Every wait is for an
event. Screenshots go to ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from bunq_helpers.local_sandbox import LocalSandbox
from tests.helpers import SCREENSHOTS, chromium

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def running(tmp_path_factory) -> Iterator[LocalSandbox]:
    with LocalSandbox(tmp_path_factory.mktemp("dashboard-state")) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def browser(running: LocalSandbox) -> Iterator[object]:
    """Chromium trusting the sandbox by its key pin alone."""
    pin = running.pin.removeprefix("sha256/")
    with chromium(f"--ignore-certificate-errors-spki-list={pin}") as launched:
        yield launched


@pytest.fixture
def world(running: LocalSandbox) -> dict:
    """Two friends, a refused call (so the journal has an explanation), a callback filter-less payment."""
    users = running.load_scenario("two-friends")["users"]
    requests.get(
        running.base_url + "user",
        headers={"X-Bunq-Client-Authentication": "0" * 64, "X-Bunq-Client-Request-Id": "ui-1"},
        verify=running.ca_file,
        timeout=30,
    )
    return {"users": users, "account_id": users[0]["account_id"], "iban": users[0]["iban"]}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_dashboard_shows_the_sandbox(browser, running: LocalSandbox, world: dict, scheme: str) -> None:
    context = browser.new_context(color_scheme=scheme, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.on("console", lambda m: failed.append(m.text) if m.type == "error" else None)
    response = page.goto(running.sandbox_url)
    assert response.status == 200
    assert page.title() == "Local bunq sandbox"
    journal = page.locator("#journal-title").locator("xpath=..")
    assert "Insufficient authorisation." in journal.inner_text()
    assert "Why:" in journal.inner_text() and "is not known here" in journal.inner_text()
    accounts = page.locator("#accounts-title").locator("xpath=..").inner_text()
    assert world["iban"] in accounts and "EUR" in accounts
    assert "Sandy de Vries" in page.locator("#users-title").locator("xpath=..").inner_text()
    assert re.match(r"\d{4}-\d\d-\d\dT", page.locator("#clock-now").inner_text())
    for title in ("triggers-title", "snapshots-title", "scenarios-title", "callbacks-title"):
        assert page.locator(f"#{title}").is_visible()
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    dark = sum(int(v) for v in re.findall(r"\d+", background)[:3]) < 200
    assert dark == (scheme == "dark"), background
    page.screenshot(path=str(SCREENSHOTS / f"sandbox-dashboard-{scheme}.png"), full_page=True)
    assert not failed, failed  # nothing from the network, no script errors (CSP)
    context.close()


def test_forms_work_without_javascript(browser, running: LocalSandbox, world: dict) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(running.sandbox_url)
    before = running.clock.offset
    page.select_option("#advance", "3600")
    with page.expect_navigation():
        page.click("text=Advance the clock")
    assert "Clock now" in page.locator(".notice").inner_text()
    assert running.clock.offset - before == pytest.approx(3600)
    page.fill("#snapshot-name", "from-the-page")
    with page.expect_navigation():
        page.click("text=Save the state")
    assert "from-the-page" in [s["name"] for s in running.snapshots()]
    page.select_option("#trigger-name", "incoming-payment")
    page.select_option("#trigger-account", str(world["account_id"]))
    page.fill("#trigger-amount", "7.00")
    with page.expect_navigation():
        page.click("button:text('Trigger')")
    assert "Trigger incoming-payment made" in page.locator(".notice").inner_text()
    balance = (
        running.store.read()
        .execute("SELECT balance_cents FROM accounts WHERE id = ?", (world["account_id"],))
        .fetchone()[0]
    )
    assert "%.2f" % (balance / 100) in page.locator("#accounts-title").locator("xpath=..").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "sandbox-dashboard-after-forms.png"), full_page=True)
    context.close()


def test_live_refresh_shows_new_money(browser, running: LocalSandbox, world: dict) -> None:
    page = browser.new_page()
    page.goto(running.sandbox_url)
    running.trigger("incoming-payment", account_id=world["account_id"], amount="1234.00")
    balance = (
        running.store.read()
        .execute("SELECT balance_cents FROM accounts WHERE id = ?", (world["account_id"],))
        .fetchone()[0]
    )
    page.locator("#accounts-title").locator("xpath=..").get_by_text("%.2f EUR" % (balance / 100)).wait_for(
        timeout=15_000
    )
    page.close()


def test_a_page_from_another_origin_changes_nothing(
    browser, running: LocalSandbox, world: dict, tmp_path: Path
) -> None:
    before = running.clock.offset
    page = browser.new_page()
    page.set_content(
        f'<form method="post" action="{running.sandbox_url}ui/clock"><input name="advance_seconds" value="86400">'
        '<button id="go">go</button></form>'
    )
    with page.expect_navigation():
        page.click("#go")
    assert "CSRF" in page.content()
    assert running.clock.offset == before
    page.close()
    # even with the right token, a form sent from another site's page is refused by its Origin
    token = re.search(
        r'name="csrf" value="([^"]+)"',
        requests.get(running.sandbox_url, verify=running.ca_file, timeout=30).text,
    )[1]
    refused = requests.post(
        running.sandbox_url + "ui/clock",
        data={"csrf": token, "advance_seconds": "60"},
        headers={"Origin": "https://evil.example"},
        verify=running.ca_file,
        timeout=30,
        allow_redirects=False,
    )
    assert refused.status_code == 403 and running.clock.offset == before
    # and GET never changes anything
    requests.get(running.sandbox_url + "ui/clock", verify=running.ca_file, timeout=30)
    assert running.clock.offset == before
