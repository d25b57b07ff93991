"""Shared fixtures. Every test runs in its own temporary home, with no BUNQ_* variables and no .env."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest
import requests
from requests.adapters import HTTPAdapter

from bunq_helpers import ApiContext, Endpoint, Environment, Settings
from bunq_helpers.crypto import keys, signing
from bunq_helpers.local_sandbox import LocalSandbox, SandboxOptions
from bunq_helpers.local_sandbox.certificates import load_or_create
from tests.executed_notebooks import ExecutedNotebooks, execute_in_order

KEYS_DIR = Path(__file__).parent / "keys"
SCRIPTS_DIR = Path(__file__).resolve().parents[1] / "scripts"


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


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No BUNQ_* variables, a private BUNQ_HELPERS_HOME, and a working directory with no .env; the local
    sandbox's answer check (``SandboxOptions.strict_answers``) on."""
    for name in list(os.environ):
        if name.startswith("BUNQ_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("BUNQ_SANDBOX_STRICT_ANSWERS", "1")
    home = tmp_path / "home"
    monkeypatch.setenv("BUNQ_HELPERS_HOME", str(home))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return home


@pytest.fixture(scope="session")
def client_key() -> keys.PrivateKey:
    """The committed throwaway RSA-2048 key."""
    return keys.load_private_key((KEYS_DIR / "throwaway-client-key.pem").read_bytes())


@pytest.fixture(scope="session")
def other_key() -> keys.PrivateKey:
    """A second committed throwaway RSA-2048 key: another client's."""
    return keys.load_private_key((KEYS_DIR / "throwaway-other-key.pem").read_bytes())


@pytest.fixture(scope="session")
def executed_notebooks(tmp_path_factory: pytest.TempPathFactory) -> ExecutedNotebooks:
    """Notebooks 00-07 executed once per test run, in order, in fresh kernels (see tests/executed_notebooks.py)."""
    return execute_in_order(tmp_path_factory.mktemp("executed"))


@pytest.fixture(scope="session")
def prepared_state(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A state directory with the CA, server certificate and response-signing key, made once per run."""
    state = tmp_path_factory.mktemp("prepared-state")
    load_or_create(state)
    return state


@pytest.fixture
def fresh_state(prepared_state: Path, tmp_path: Path) -> Callable[[str], Path]:
    """``fresh_state("name")``: a new state directory in the test's folder, copied from the prepared one
    (no users or keys yet; TLS material and signing key ready, so a sandbox starts in milliseconds)."""

    def make(name: str = "state") -> Path:
        return Path(shutil.copytree(prepared_state, tmp_path / name))

    return make


@pytest.fixture
def sandbox(fresh_state: Callable[[str], Path]) -> Iterator[LocalSandbox]:
    """A running local sandbox on a fresh state directory."""
    with LocalSandbox(fresh_state("state")) as running:
        yield running


def endpoint_of(sandbox: LocalSandbox) -> Endpoint:
    """Where a client reaches ``sandbox``: its URL, its CA, its pin."""
    return Endpoint(sandbox.base_url, sandbox.ca_file, (sandbox.pin,))


@pytest.fixture
def endpoint(sandbox: LocalSandbox) -> Endpoint:
    """The sandbox as a client endpoint, pinned."""
    return endpoint_of(sandbox)


@pytest.fixture
def target(endpoint: Endpoint) -> Endpoint:
    """The same endpoint under its name from before ``target.Target`` became ``endpoint.Endpoint``."""
    return endpoint


@pytest.fixture
def settings(tmp_path: Path, client_key: keys.PrivateKey) -> Settings:
    """Local settings with the context file in the test's folder. The file starts with the committed
    throwaway key in it, so ``create_api_context`` uses that key instead of generating one."""
    settings = Settings(
        environment=Environment.LOCAL, home=tmp_path / "home", context_file=tmp_path / "ctx.json"
    )
    ApiContext(Environment.LOCAL, private_key_pem=keys.private_key_to_pem(client_key)).save(
        settings.context_file_path
    )
    return settings


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


@pytest.fixture
def raw(sandbox: LocalSandbox) -> Raw:
    """The plain client, from 127.0.0.1."""
    return Raw(sandbox)


@pytest.fixture
def options() -> SandboxOptions:
    """Default options (every teaching switch off)."""
    return SandboxOptions()


def error_of(response: requests.Response) -> str:
    """The single error_description of a bunq error answer (and check the shape on the way)."""
    body = response.json()
    assert set(body) == {"Error"}, body
    assert len(body["Error"]) == 1
    entry = body["Error"][0]
    assert set(entry) == {"error_description", "error_description_translated"}
    return entry["error_description"]
