"""Showing exchanges: secrets masked in text, HTML and curl unless revealed; HTML safe for notebooks."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

import pytest

from bunq_helpers import create_api_context
from bunq_helpers.client.masking import mask_text, mask_value

FORBIDDEN_HTML = re.compile(r"<style|<script|var\(--|javascript:", re.IGNORECASE)


@pytest.fixture
def run(settings, endpoint):
    return create_api_context(settings, endpoint=endpoint)


def _secrets(run) -> list[str]:
    context = run.context
    return [context.api_key, context.installation_token, context.session.token, context.private_key_pem]


def test_masked_everywhere_by_default(run) -> None:
    secrets = _secrets(run)
    for exchange in run.exchanges:
        for rendering in (
            exchange.text(),
            exchange.html(),
            exchange.curl(),
            repr(exchange),
            exchange._repr_html_(),
        ):
            for secret in secrets:
                assert secret not in rendering
                assert secret[:40] not in rendering
    assert "sandbox_" in run.exchanges[-1].text()  # a recognisable prefix stays


def test_reveal_is_explicit(run) -> None:
    device = next(e for e in run.exchanges if e.path == "/v1/device-server")
    assert run.context.api_key in device.text(reveal=True)
    assert run.context.api_key in device.curl(reveal=True)
    assert run.context.installation_token in device.html(reveal=True)


def test_exchange_shows_every_part(run) -> None:
    session = next(e for e in run.exchanges if e.path == "/v1/session-server")
    text = session.text()
    for part in (
        "POST https://",
        "X-Bunq-Client-Authentication:",
        "X-Bunq-Client-Signature:",
        "Bytes signed:",
        "SHA-256 of those bytes:",
        "← 200 OK",
        "X-Bunq-Client-Response-Id:",
        "Server signature: verified",
        "session_token = ",
        "curl --request POST",
    ):
        assert part in text, part
    html = session.html()
    assert not FORBIDDEN_HTML.search(html)
    assert "<details" in html and "Values picked out" in html
    assert repr(session).startswith("<Exchange 'Add a session': POST /v1/session-server -> 200 OK in ")


def test_private_keys_and_key_shapes_are_masked_without_registration(run) -> None:
    pem = run.context.private_key_pem
    assert "(private key masked)" in mask_text(pem) and pem.splitlines()[1] not in mask_text(pem)
    escaped = pem.replace("\n", "\\n")
    assert pem.splitlines()[1] not in mask_text(f'{{"k": "{escaped}"}}')
    key = "sandbox_" + "ab" * 28
    assert mask_text(f"key={key}") == "key=sandbox_abab…"
    assert mask_value("a4f9d888eea84f52") == "a4f9d8…"


def test_bunqs_request_headers_come_first_and_response_headers_start_open(run) -> None:
    session = next(e for e in run.exchanges if e.path == "/v1/session-server")
    names = [line.split(":")[0] for line in session.text().split("\n\n")[0].splitlines()[2:]]
    assert names[:3] == [
        "X-Bunq-Client-Authentication",
        "X-Bunq-Client-Signature",
        "X-Bunq-Client-Request-Id",
    ]
    assert names.index("User-Agent") < names.index("Accept-Encoding")  # requests' defaults after bunq's
    html = session.html()
    assert (
        "<details open><summary style='cursor:pointer;font-weight:600;margin-top:4px'>Response headers"
        in html
    )
    assert html.index("X-Bunq-Client-Authentication") < html.index("Accept-Encoding")


def test_long_bodies_start_collapsed_with_a_summary_and_seconds_say_how_long(run) -> None:
    from bunq_helpers.client.display import human_duration, long_summary, values_html

    listing = run.client.request("GET", "user", token=run.context.session_token)
    html = listing.html()
    assert re.search(
        r"<details><summary[^>]*>Response body: \d+ lines: 1 item \(UserPerson\); click to open", html
    )
    assert "<details open><summary style='cursor:pointer;font-weight:600;margin-top:4px'>Request body" in html
    assert long_summary("short") is None
    assert "40 keys" in values_html("t", {"file": json.dumps({f"k{i}": i for i in range(40)}, indent=1)})
    session = next(e for e in run.exchanges if e.path == "/v1/session-server")
    assert "session_timeout = 604800 s (7 days)" in session.text()
    assert [human_duration(s) for s in (604800, 90, 3, 1800, 93784)] == [
        "7 days",
        "1 min 30 s",
        "3 s",
        "30 min",
        "1 day 2 h",
    ]


def test_the_curl_form_holds_no_secret_and_replays(run, sandbox) -> None:
    context = run.context
    session = next(e for e in run.exchanges if e.path == "/v1/session-server")
    command = session.text().split("As curl (secrets from shell variables):\n")[1]
    for secret in _secrets(run):
        assert secret[:12] not in command
    assert '"X-Bunq-Client-Authentication: $BUNQ_INSTALLATION_TOKEN"' in command
    assert '"${BUNQ_BASE_URL}session-server" --cacert "$BUNQ_CA_FILE"' in command
    assert "${BUNQ_API_KEY}" in command and "$RANDOM" in command
    if shutil.which("curl") is None or shutil.which("bash") is None:
        pytest.skip("curl and bash are needed to replay")
    env = {
        "PATH": os.environ["PATH"],
        "BUNQ_BASE_URL": sandbox.base_url,
        "BUNQ_CA_FILE": sandbox.ca_file,
        "BUNQ_API_KEY": context.api_key,
        "BUNQ_INSTALLATION_TOKEN": context.installation_token,
    }
    replayed = subprocess.run(
        ["bash", "-c", command + " --silent --show-error"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert replayed.returncode == 0, replayed.stderr
    answer = json.loads(replayed.stdout)
    assert [next(iter(item)) for item in answer["Response"]] == [
        "Id",
        "Token",
        "UserPerson",
    ]  # signature matched


def test_a_compact_exchange_is_one_line_with_its_token_in_colour_and_the_rest_a_click_away(run) -> None:
    from bunq_helpers.client.display import TOKEN_COLOURS, exchange_html

    device = next(e for e in run.exchanges if e.path == "/v1/device-server")
    user = run.client.request("GET", "user", token=run.context.session_token)
    for exchange, token in ((device, "installation token"), (user, "session token")):
        html = exchange_html(exchange, compact=True)
        line = re.search(r"<summary style='cursor:pointer'>(.*?)</summary>", html).group(1)
        assert f"color:{TOKEN_COLOURS[token]}" in line and token in line
        assert "200 OK" in line and "signed ✓" in line and "verified ✓" in line and " ms" in line
        assert exchange.signature not in line and "X-Bunq-Client-Signature" not in line
        assert html.index("X-Bunq-Client-Signature") > html.index("</summary>")  # inside the details
        assert re.match(r"<div [^>]*><details><summary", html)  # the details start closed
    picked = exchange_html(device, compact=True).split("Picked out:")[1]
    assert "device_id" in picked
    assert len(exchange_html(user, compact=True)) < len(exchange_html(user)) + 1500


def test_urls_show_the_port_as_a_placeholder_in_the_docs_build(run, monkeypatch) -> None:
    from bunq_helpers.client.display import shown_url

    exchange = run.exchanges[0]
    assert re.search(r"https://127\.0\.0\.1:\d+/v1/", exchange.html())
    monkeypatch.setenv("DOCS_BUNQ_HELPERS_BUILD", "1")
    assert "https://127.0.0.1:&lt;port&gt;/v1/" in exchange.html() and "127.0.0.1:<port>" in exchange.text()
    assert (
        shown_url("https://public-api.sandbox.bunq.com/v1/user")
        == "https://public-api.sandbox.bunq.com/v1/user"
    )
