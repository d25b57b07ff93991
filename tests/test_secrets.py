"""Secrets stay secret: never in a URL, a log line, an exception message, or a tracked file."""

from __future__ import annotations

import logging
import re
import subprocess
from pathlib import Path

import pytest

from bunq_helpers.client.display import error_html, error_text
from bunq_helpers.client.handshake import create_api_context
from bunq_helpers.client.session_server import open_session
from bunq_helpers.errors import BunqHelpersError

REPO = Path(__file__).resolve().parents[1]


def test_api_key_and_tokens_never_in_urls_logs_or_messages(settings, endpoint, sandbox, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    urls = []
    sandbox.observe(lambda request: urls.append(request.raw_path + "?" + "&".join(request.query)))
    run = create_api_context(settings, endpoint=endpoint)
    context = run.context
    messages = []
    for action in (
        lambda: open_session(run.client, context.installation_token, context.api_key + "0"),
        lambda: run.client.request("GET", "user", token=context.installation_token),
        lambda: run.client.request(
            "POST",
            "session-server",
            body={"secret": context.api_key},
            token=context.installation_token,
            sign=False,
        ),
    ):
        with pytest.raises(BunqHelpersError) as caught:
            action()
        messages += [
            str(caught.value),
            repr(caught.value),
            error_html(caught.value),
            error_text(caught.value),
        ]
    secrets = list(context.secrets)
    for text in (*urls, *messages, caplog.text, repr(context), repr(settings)):
        for secret in secrets:
            assert secret not in text


# Real key material: an API key, or a private key header followed by base64 content.
TRACKED_SECRET = re.compile(
    r"sandbox_[0-9a-f]{40,}|-----BEGIN (RSA |EC )?PRIVATE KEY-----\s*[A-Za-z0-9+/]{40,}"
)


def test_no_secret_is_tracked_by_git() -> None:
    files = subprocess.run(
        ["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split()
    if not files:
        pytest.skip("not a git checkout")
    offenders = []
    for name in files:
        if name.startswith("tests/keys/"):
            continue  # the throwaway test keys
        path = REPO / name
        if path.is_file() and TRACKED_SECRET.search(path.read_text(errors="ignore")):
            offenders.append(name)
    assert offenders == []
    # What the README and the notebooks suggest creating, and what a killed save leaves.
    secret_files = [
        ".env",
        "bunq-local.conf",
        "bunq.conf",
        "my-context.conf",
        "ctx.json",
        ".ctx.json.12345.0a1b2c3d.tmp",
        "client.pem",
        ".bunq_helpers/x",
        "sandbox-state/server.json",
        "sandbox-state/state.sqlite3",
    ]
    ignored = subprocess.run(
        ["git", "check-ignore", *secret_files], cwd=REPO, capture_output=True, text=True
    ).stdout.split()
    assert ignored == secret_files
