"""Showing exchanges: secrets masked in text, HTML and curl unless revealed; HTML safe for notebooks."""

from __future__ import annotations

import re

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
