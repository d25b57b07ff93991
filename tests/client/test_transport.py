"""The client's transport against a real local sandbox: HTTPS only, pins, server signatures, errors;
and against a server echoing the request in its errors: no secret in any error."""

from __future__ import annotations

import json
import shutil
import socket
import threading

import pytest

from bunq_helpers.client.config import Environment
from bunq_helpers.client.context import ApiContext
from bunq_helpers.client.display import error_html, error_text
from bunq_helpers.client.endpoint import Endpoint
from bunq_helpers.client.installation import create_installation
from bunq_helpers.client.sandbox_user import create_sandbox_user
from bunq_helpers.client.transport import BunqClient
from bunq_helpers.client.trust import trust_context
from bunq_helpers.crypto import keys
from bunq_helpers.errors import (
    ApiError,
    BadRequestError,
    BunqHelpersError,
    ConfigurationError,
    ConnectionFailedError,
    InsecureUrlError,
    NotFoundError,
    PinMismatchError,
    ResponseSignatureError,
    SignatureRequiredError,
    TlsVerificationError,
)
from bunq_helpers.local_sandbox import LocalSandbox
from tests.client.misbehaving_server import Request, misbehaving_server


def test_http_urls_are_refused_before_anything_is_sent(sandbox: LocalSandbox) -> None:
    seen = []
    sandbox.observe(seen.append)
    plain = sandbox.base_url.replace("https://", "http://")
    with pytest.raises(InsecureUrlError, match="only speaks HTTPS"):
        BunqClient(Endpoint(plain, sandbox.ca_file))
    with pytest.raises(InsecureUrlError, match="only speaks HTTPS"):
        BunqClient(plain)
    client = BunqClient(Endpoint(sandbox.base_url, sandbox.ca_file))
    with pytest.raises(InsecureUrlError):
        client.request("POST", plain + "sandbox-user-person")
    assert seen == []


def test_wrong_pin_fails_before_the_request_reaches_the_server(sandbox: LocalSandbox) -> None:
    seen = []
    sandbox.observe(seen.append)
    wrong = "sha256/" + "A" * 43 + "="
    client = BunqClient(Endpoint(sandbox.base_url, sandbox.ca_file, (wrong,)))
    with pytest.raises(PinMismatchError) as caught:
        client.request("POST", "sandbox-user-person")
    assert caught.value.seen_pin == sandbox.pin
    assert sandbox.pin in str(caught.value) and "Nothing was sent" in str(caught.value)
    assert seen == []  # the server never saw a request
    pinned = BunqClient(Endpoint(sandbox.base_url, sandbox.ca_file, (wrong, sandbox.pin)))
    assert pinned.request("POST", "sandbox-user-person").status == 200
    assert len(seen) == 1


def test_untrusted_certificate_and_wrong_host_name_fail_verification(sandbox: LocalSandbox) -> None:
    with pytest.raises(TlsVerificationError, match="did not verify"):
        BunqClient(sandbox.base_url).request("POST", "sandbox-user-person")
    by_other_name = sandbox.base_url.replace(
        "127.0.0.1", "127.1"
    )  # the same address, a name not in the certificate
    with pytest.raises(TlsVerificationError, match="Hostname mismatch"):
        BunqClient(Endpoint(by_other_name, sandbox.ca_file)).request("POST", "sandbox-user-person")


def test_requests_ca_bundle_does_not_override_the_configured_ca(sandbox: LocalSandbox, monkeypatch) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/nonexistent/ca.pem")
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")  # a proxy would break loopback calls
    client = BunqClient(Endpoint(sandbox.base_url, sandbox.ca_file))
    assert client.request("POST", "sandbox-user-person").status == 200


def test_connection_refused_is_a_clear_error() -> None:
    client = BunqClient("https://127.0.0.1:9/v1/")
    with pytest.raises(ConnectionFailedError, match="got no answer"):
        client.request("POST", "installation", body={})
    assert client.last_exchange is not None and client.last_exchange.status is None


@pytest.fixture
def installed(endpoint: Endpoint, client_key: keys.PrivateKey) -> tuple[BunqClient, str]:
    context = ApiContext(Environment.LOCAL)
    client = BunqClient(endpoint, context=context)
    installation = create_installation(client, client_key)
    context.record_installation(installation, client_key)
    return client, installation.token


@pytest.mark.parametrize("fault", ["tamper-signature", "drop-signature"])
def test_bad_or_missing_server_signature_is_an_error(sandbox, installed, fault: str) -> None:
    client, token = installed
    api_key = create_sandbox_user(client).api_key
    sandbox.faults.add(fault, path="device-server")
    with pytest.raises(ResponseSignatureError) as caught:
        client.request("POST", "device-server", body={"description": "x", "secret": api_key}, token=token)
    exchange = caught.value.exchange
    assert exchange.status == 200 and exchange.server_signature_valid is False
    # Without the fault the same call verifies.
    ok = client.request("POST", "device-server", body={"description": "x", "secret": api_key}, token=token)
    assert ok.server_signature_valid is True


def test_error_answers_become_specific_errors_with_hints(sandbox, installed) -> None:
    client, token = installed
    with pytest.raises(SignatureRequiredError) as caught:
        client.request("POST", "session-server", body={"secret": "sandbox_x"}, token=token, sign=False)
    error = caught.value
    assert error.status == 466
    assert error.response_id == error.exchange.response_id and len(error.response_id) == 36
    assert "X-Bunq-Client-Signature" in str(error) and error.response_id in str(error)
    assert error.exchange.server_signature_valid is True  # bunq signs errors too
    with pytest.raises(NotFoundError, match="Route not found"):
        client.request("GET", "no-such-endpoint", token=token)


def test_every_request_gets_a_fresh_request_id_echoed_back(installed) -> None:
    client, _ = installed
    first = client.request("POST", "sandbox-user-person")
    second = client.request("POST", "sandbox-user-person")
    assert first.request_id != second.request_id
    assert first.response_header("X-Bunq-Client-Request-Id") == first.request_id
    assert first.response_header("Content-Type") == "application/json"


def test_signature_covers_exactly_the_bytes_sent(installed, client_key) -> None:
    client, token = installed
    exchange = client.request("POST", "sandbox-user-person", body={"a": "b"}, token=token)
    assert exchange.signed_bytes == exchange.request_body == b'{\n  "a": "b"\n}'
    from bunq_helpers.crypto.signing import verify_body

    assert verify_body(
        client_key.public_key(), exchange.request_body, exchange.request_header("X-Bunq-Client-Signature")
    )


def test_transport_errors_carry_the_exchange_and_their_cause(sandbox: LocalSandbox) -> None:
    import ssl

    import requests

    with pytest.raises(TlsVerificationError) as tls:
        BunqClient(sandbox.base_url).request("POST", "sandbox-user-person")
    assert tls.value.exchange is not None and tls.value.exchange.path == "/v1/sandbox-user-person"
    assert isinstance(tls.value.__cause__, requests.exceptions.SSLError)
    assert "certificate verify failed" in str(tls.value) and "Caused by" not in str(tls.value)

    client = BunqClient("https://127.0.0.1:9/v1/")
    with pytest.raises(ConnectionFailedError) as refused:
        client.request("POST", "installation", body={})
    assert refused.value.exchange is client.last_exchange and refused.value.exchange.status is None
    assert isinstance(refused.value.__cause__, requests.exceptions.ConnectionError)
    assert "Connection refused" in str(refused.value) and "Caused by" not in str(refused.value)

    wrong = "sha256/" + "A" * 43 + "="
    pinned = BunqClient(Endpoint(sandbox.base_url, sandbox.ca_file, (wrong,)))
    with pytest.raises(PinMismatchError) as pin:
        pinned.request("POST", "sandbox-user-person")
    assert pin.value.exchange is pinned.last_exchange and sandbox.pin in pin.value.exchange.error
    assert not isinstance(pin.value.__cause__, ssl.SSLError)


def test_the_installation_answer_is_checked_with_the_key_it_brings(sandbox, endpoint, client_key) -> None:
    client = BunqClient(endpoint)  # no context: no key known before the installation
    installation = create_installation(client, client_key)
    assert installation.exchange.server_signature_valid is True
    assert "inside this very answer" in installation.exchange.server_signature_note
    sandbox.faults.add("tamper-signature", path="installation")
    with pytest.raises(ResponseSignatureError) as caught:
        create_installation(client, client_key)
    assert caught.value.exchange.server_signature_valid is False


def test_the_signed_bytes_digest_is_recorded_when_signing(installed) -> None:
    import hashlib

    client, token = installed
    exchange = client.request("POST", "sandbox-user-person", body={"a": "b"}, token=token)
    assert exchange.signed_digest == hashlib.sha256(exchange.request_body).hexdigest()
    assert f"SHA-256 of those bytes: {exchange.signed_digest}" in exchange.text()
    unsigned = client.request("POST", "sandbox-user-person")
    assert unsigned.signed_digest is None and "Not signed" in unsigned.text()


# -- secrets never in an error, even from a server that echoes the request ---------------------------

API_KEY = "sandbox_" + "c0ffee42" * 7
INSTALLATION_TOKEN = "a7" * 32
SESSION_TOKEN = "5e" * 32


def _echo_in_error(connection, request: Request, stop) -> None:
    """Answer like bunq's error, with the whole request (headers and body) in the error text."""
    said = f"Bad request, you sent: {request.head}\r\n\r\n{request.body.decode()}"
    body = json.dumps({"Error": [{"error_description": said, "error_description_translated": said}]})
    head = f"HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    connection.sendall(
        f"{head}X-Echo: {request.header('X-Bunq-Client-Authentication')}\r\n\r\n{body}".encode()
    )


def _context_with_secrets(client_key: keys.PrivateKey) -> ApiContext:
    context = ApiContext(Environment.LOCAL, api_key=API_KEY)
    context.record_private_key(client_key)
    context.installation_token = INSTALLATION_TOKEN
    context.server_public_key_pem = keys.public_key_to_pem(keys.generate_private_key())
    return context


def _renderings(error: BunqHelpersError) -> list[str]:
    shown = [str(error), repr(error), error_text(error), error_html(error), *error.args]
    if isinstance(error, ApiError):
        shown += [error.description, *error.translated]
    exchange = error.exchange
    return [*shown, exchange.text(), exchange.html(), exchange.curl(), repr(exchange), exchange._repr_html_()]


def _assert_nothing_leaks(error: BunqHelpersError, secrets: list[str]) -> None:
    for shown in _renderings(error):
        for secret in secrets:
            assert secret not in shown and secret[:20] not in shown, (secret[:20], shown[:300])


def test_a_server_echoing_the_request_in_its_error_leaks_no_secret(tmp_path, client_key) -> None:
    context = _context_with_secrets(client_key)
    pem_lines = context.private_key_pem.splitlines()[1:-1]
    stranger = "sandbox_" + "d15c0" * 10  # a key no one registered: masked by its shape
    with misbehaving_server(_echo_in_error, tmp_path) as served:
        client = BunqClient(served.endpoint, context=context)
        calls = [
            lambda: client.request(
                "POST", "device-server", body={"secret": API_KEY}, token=INSTALLATION_TOKEN
            ),
            lambda: client.request("GET", "user", token=SESSION_TOKEN),
            lambda: client.request("POST", "x", body={"note": context.private_key_pem}, token=SESSION_TOKEN),
            lambda: BunqClient(served.endpoint).request("POST", "x", body={"secret": stranger}),
        ]
        for call in calls:
            with pytest.raises(BadRequestError) as caught:
                call()
            _assert_nothing_leaks(
                caught.value, [API_KEY, INSTALLATION_TOKEN, SESSION_TOKEN, stranger, *pem_lines]
            )
            assert "you sent: " in str(caught.value) and "X-Bunq-Client-Request-Id" in str(caught.value)
    echoed = "".join(r.head + r.body.decode() for r in served.requests)
    assert all(secret in echoed for secret in (API_KEY, INSTALLATION_TOKEN, SESSION_TOKEN, stranger))
    assert API_KEY in caught.value.exchange.text(reveal=True) or stranger in caught.value.exchange.text(
        reveal=True
    )


def test_a_token_with_a_line_break_is_refused_unsent_and_unshown(tmp_path, client_key) -> None:
    context = _context_with_secrets(client_key)
    broken = SESSION_TOKEN[:30] + "\n" + SESSION_TOKEN[30:]
    with misbehaving_server(_echo_in_error, tmp_path) as served:
        client = BunqClient(served.endpoint, context=context)
        with pytest.raises(ConfigurationError, match="has a line break at character 31") as caught:
            client.request("GET", "user", token=broken)
    assert served.requests == []  # nothing was sent
    _assert_nothing_leaks(caught.value, [SESSION_TOKEN[:30], SESSION_TOKEN[30:]])
    assert caught.value.__cause__ is None and caught.value.__context__ is None


def test_clients_share_one_tls_context_per_ca_file_and_a_new_ca_gets_a_new_one(tmp_path) -> None:
    """A context is made once per CA file, not per connection; a CA written anew is not missed."""
    state = tmp_path / "state"
    with LocalSandbox(state) as first:
        ca_file = first.ca_file
        assert (
            BunqClient(Endpoint(first.base_url, ca_file)).request("POST", "sandbox-user-person").status == 200
        )
        shared = trust_context(ca_file)
        assert trust_context(ca_file) is shared
    shutil.rmtree(state)  # a new state: a new CA at the same path
    with LocalSandbox(state) as second:
        assert second.ca_file == ca_file
        assert (
            BunqClient(Endpoint(second.base_url, ca_file)).request("POST", "sandbox-user-person").status
            == 200
        )
        assert trust_context(ca_file) is not shared


def test_a_proxy_from_the_environment_is_used_for_bunq_but_not_for_localhost(monkeypatch) -> None:
    """As a requests Session would: HTTPS_PROXY carries calls to bunq (CONNECT), never loopback ones."""
    listener = socket.create_server(("127.0.0.1", 0))
    seen: list[bytes] = []

    def proxy() -> None:
        conn, _ = listener.accept()
        with conn:
            seen.append(conn.recv(4096))

    thread = threading.Thread(target=proxy, daemon=True)
    thread.start()
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{listener.getsockname()[1]}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    with pytest.raises(ConnectionFailedError):
        BunqClient("https://public-api.sandbox.bunq.com/v1/").request("POST", "sandbox-user-person")
    thread.join(timeout=10)
    listener.close()
    assert seen and seen[0].startswith(b"CONNECT public-api.sandbox.bunq.com:443 ")


def test_request_ids_are_random_version_4_uuids_as_uuid4_writes_them() -> None:
    import uuid

    from bunq_helpers.client.transport import default_headers, new_request_id

    ids = {new_request_id() for _ in range(2000)}
    assert len(ids) == 2000
    for text in ids:
        parsed = uuid.UUID(text)
        assert str(parsed) == text and parsed.version == 4 and parsed.variant == uuid.RFC_4122
    assert default_headers()["X-Bunq-Client-Request-Id"] != default_headers()["X-Bunq-Client-Request-Id"]
