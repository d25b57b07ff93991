"""What tests import: the committed keys, scripts as modules, a standalone sandbox process, and a plain
HTTPS client (``Raw``) for testing the server without the package's transport. Fixtures live in the
``conftest.py`` files; this module holds what test files import by name."""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest
import requests
from requests.adapters import HTTPAdapter

from bunq_helpers import Endpoint
from bunq_helpers.crypto import keys, signing
from bunq_helpers.local_sandbox import LocalSandbox

KEYS_DIR = Path(__file__).parent / "keys"
SCRIPTS_DIR = Path(__file__).resolve().parents[1] / "scripts"
# Chromium as the browser tests drive it (the notebooks' pages, the OAuth page, the dashboard).
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextmanager
def chromium(*extra_args: str) -> Iterator[object]:
    """Debian's Chromium driven by Playwright: skipped where it is missing, a failure in CI (which installs it)."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=[*CHROMIUM_ARGS, *extra_args]
        )
        try:
            yield launched
        finally:
            launched.close()


def load_script(name: str) -> ModuleType:
    """A script of ``scripts/`` as a module (scripts are not a package)."""
    spec = importlib.util.spec_from_file_location(f"scripts_{name}", SCRIPTS_DIR / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@contextmanager
def standalone_sandbox(state: Path, *args: str) -> Iterator[SimpleNamespace]:
    """``python -m bunq_helpers.local_sandbox`` as its own process; yields what it printed, plus the process."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bunq_helpers.local_sandbox", "--port", "0", "--state-dir", str(state), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        info = json.loads(process.stdout.readline())
        yield SimpleNamespace(**info, state=state, process=process)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)


def endpoint_of(sandbox: LocalSandbox) -> Endpoint:
    """Where a client reaches ``sandbox``: its URL, its CA, its pin."""
    return Endpoint(sandbox.base_url, sandbox.ca_file, (sandbox.pin,))


class _SourceAdapter(HTTPAdapter):
    def __init__(self, source: str) -> None:
        self.source = source
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.source, 0)
        super().init_poolmanager(*args, **kwargs)


@dataclass
class Handshake:
    """What a raw handshake produced."""

    api_key: str
    key: keys.PrivateKey
    installation_id: int
    installation_token: str
    server_key: keys.PublicKey
    device_id: int
    session_token: str
    user_id: int
    account_id: int


class Raw:
    """A deliberately plain HTTPS client for testing the server without the package's transport."""

    def __init__(self, sandbox: LocalSandbox, source: str | None = None) -> None:
        self.sandbox = sandbox
        self.http = requests.Session()
        self.http.trust_env = False
        if source:
            self.http.mount("https://", _SourceAdapter(source))

    def call(
        self,
        method: str,
        path: str,
        body: bytes | dict | str | None = None,
        *,
        token: str | None = None,
        sign_with: keys.PrivateKey | None = None,
        headers: dict[str, str] | None = None,
    ) -> requests.Response:
        data = json.dumps(body).encode() if isinstance(body, dict) else body
        data = data.encode() if isinstance(data, str) else data
        sent = {"User-Agent": "tests", "Cache-Control": "no-cache", **(headers or {})}
        if token is not None:
            sent["X-Bunq-Client-Authentication"] = token
        if sign_with is not None:
            sent["X-Bunq-Client-Signature"] = signing.sign_body(sign_with, data or b"")
        url = self.sandbox.base_url + path.lstrip("/") if not path.startswith("https://") else path
        return self.http.request(
            method, url, data=data, headers=sent, verify=self.sandbox.ca_file, timeout=30
        )

    def literal(self, method: str, target: str, token: str | None = None) -> tuple[int, dict]:
        """Send a request line exactly as given (requests would normalise ``..`` away)."""
        import http.client
        import ssl
        from urllib.parse import urlsplit

        parts = urlsplit(self.sandbox.base_url)
        tls = ssl.create_default_context(cafile=self.sandbox.ca_file)
        connection = http.client.HTTPSConnection(parts.hostname, parts.port, context=tls, timeout=30)
        try:
            connection.putrequest(method, target, skip_accept_encoding=True)
            if token:
                connection.putheader("X-Bunq-Client-Authentication", token)
            connection.endheaders()
            response = connection.getresponse()
            return response.status, json.loads(response.read())
        finally:
            connection.close()

    def sandbox_user(self, company: bool = False) -> str:
        response = self.call("POST", "sandbox-user-company" if company else "sandbox-user-person")
        assert response.status_code == 200, response.text
        return response.json()["Response"][0]["ApiKey"]["api_key"]

    def install(self, key: keys.PrivateKey) -> tuple[int, str, keys.PublicKey]:
        response = self.call("POST", "installation", {"client_public_key": keys.public_key_to_pem(key)})
        assert response.status_code == 200, response.text
        items = response.json()["Response"]
        return (
            items[0]["Id"]["id"],
            items[1]["Token"]["token"],
            keys.load_public_key(items[2]["ServerPublicKey"]["server_public_key"]),
        )

    def open_session(self, done: Handshake) -> requests.Response:
        """POST session-server again for a finished handshake, signed with its key."""
        return self.call(
            "POST",
            "session-server",
            {"secret": done.api_key},
            token=done.installation_token,
            sign_with=done.key,
        )

    def handshake(
        self, key: keys.PrivateKey, api_key: str | None = None, permitted_ips: list[str] | None = None
    ) -> Handshake:
        api_key = api_key or self.sandbox_user()
        installation_id, installation_token, server_key = self.install(key)
        body: dict[str, Any] = {"description": "tests", "secret": api_key}
        if permitted_ips is not None:
            body["permitted_ips"] = permitted_ips
        device = self.call("POST", "device-server", body, token=installation_token, sign_with=key)
        assert device.status_code == 200, device.text
        session = self.call(
            "POST", "session-server", {"secret": api_key}, token=installation_token, sign_with=key
        )
        assert session.status_code == 200, session.text
        items = session.json()["Response"]
        user_id = items[2]["UserPerson"]["id"]
        session_token = items[1]["Token"]["token"]
        accounts = self.call("GET", f"user/{user_id}/monetary-account-bank", token=session_token)
        return Handshake(
            api_key=api_key,
            key=key,
            installation_id=installation_id,
            installation_token=installation_token,
            server_key=server_key,
            device_id=device.json()["Response"][0]["Id"]["id"],
            session_token=session_token,
            user_id=user_id,
            account_id=accounts.json()["Response"][0]["MonetaryAccountBank"]["id"],
        )


def error_of(response: requests.Response) -> str:
    """The single error_description of a bunq error answer (and check the shape on the way)."""
    body = response.json()
    assert set(body) == {"Error"}, body
    assert len(body["Error"]) == 1
    entry = body["Error"][0]
    assert set(entry) == {"error_description", "error_description_translated"}
    return entry["error_description"]
