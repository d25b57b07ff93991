"""The journal explains refusals: eight signature mistakes and the causes of ``Incorrect API key or IP
address.``, each made by a plain ``requests`` client, each getting its own explanation.

The answers on the wire stay bunq's (status and text checked too); only the journal says why.
"""

from __future__ import annotations

import base64
import json
import secrets

import pytest
import requests
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from bunq_helpers.crypto import keys, signing
from bunq_helpers.local_sandbox import LocalSandbox
from bunq_helpers.local_sandbox.bunq_errors import (
    CREDENTIALS_INCORRECT,
    INSUFFICIENT_AUTHORISATION,
    SIGNATURE_INVALID,
)
from tests.helpers import Handshake, Raw, error_of

PAY_BODY = {
    "description": "Lunch / 2 people",
    "amount": {"value": "1.50", "currency": "EUR"},
    "counterparty_alias": {"type": "EMAIL", "value": "sugardaddy@bunq.com", "name": "Sugar Daddy"},
}


def _sign(key: keys.PrivateKey, data: bytes, algorithm: hashes.HashAlgorithm | None = None) -> str:
    raw = key.sign(data, padding.PKCS1v15(), algorithm or hashes.SHA256())
    return base64.b64encode(raw).decode()


def _explained(sandbox: LocalSandbox, response: requests.Response) -> dict:
    """The journal entry of this answer, found by the request id the client sent."""
    [entry] = sandbox.journal(request_id=response.request.headers["X-Bunq-Client-Request-Id"])
    assert entry["response_id"] == response.headers["X-Bunq-Client-Response-Id"]
    assert entry["status"] == response.status_code
    return entry


def _old_scheme(method: str, path: str, headers: dict[str, str], body: bytes) -> bytes:
    """bunq's pre-2020 string to sign, as its old SDKs built it."""
    signed = sorted(
        (name, value)
        for name, value in headers.items()
        if name in ("Cache-Control", "User-Agent") or name.startswith("X-Bunq-")
    )
    lines = [f"{method} {path}", *(f"{name}: {value}" for name, value in signed)]
    return ("\n".join(lines) + "\n\n").encode() + body


def _headers(hs: Handshake, token: str) -> dict[str, str]:
    return {
        "Cache-Control": "no-cache",
        "User-Agent": "my-integration/1.0",
        "X-Bunq-Client-Request-Id": secrets.token_hex(8),
        "X-Bunq-Language": "en_US",
        "X-Bunq-Region": "nl_NL",
        "X-Bunq-Geolocation": "0 0 0 0 000",
        "X-Bunq-Client-Authentication": token,
    }


MISTAKES = {
    # cause: how the client signs (key, other key, body sent, path, headers) -> signature
    "indent": (
        "body-reserialised",
        "indented (2 spaces)",
        lambda k, o, b, p, h: _sign(k, json.dumps(json.loads(b), indent=2).encode()),
    ),
    "key-order": (
        "body-reserialised",
        "keys sorted",
        lambda k, o, b, p, h: _sign(
            k, json.dumps(json.loads(b), sort_keys=True, separators=(",", ":")).encode()
        ),
    ),
    "spacing": (
        "body-reserialised",
        "a space after each ',' and ':'",
        lambda k, o, b, p, h: _sign(k, json.dumps(json.loads(b)).encode()),
    ),
    "trailing-newline": ("trailing-newline", "trailing newline", lambda k, o, b, p, h: _sign(k, b + b"\n")),
    "pre-2020": ("pre-2020-scheme", "pre-2020", lambda k, o, b, p, h: _sign(k, _old_scheme("POST", p, h, b))),
    "sha1": ("wrong-hash", "SHA-1", lambda k, o, b, p, h: _sign(k, b, hashes.SHA1())),  # noqa: S303
    "other-key": (
        "other-key",
        "not made with the private key of this installation",
        lambda k, o, b, p, h: _sign(o, b),
    ),
    "url-only": ("url-or-headers-only", "URL", lambda k, o, b, p, h: _sign(k, p.encode())),
    "empty-body": ("empty-body-signed", "empty body", lambda k, o, b, p, h: _sign(k, b"")),
    "something-else": (
        "no-known-mistake",
        "no known mistake",
        lambda k, o, b, p, h: _sign(k, b'{"other":1}'),
    ),
}


@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_signature_mistakes_are_named(
    sandbox: LocalSandbox, raw: Raw, client_key, other_key, mistake: str
) -> None:
    cause, words, sign = MISTAKES[mistake]
    hs = raw.handshake(client_key)
    path = f"/v1/user/{hs.user_id}/monetary-account/{hs.account_id}/payment"
    body = json.dumps(PAY_BODY, separators=(",", ":")).encode()
    headers = _headers(hs, hs.session_token)
    headers["X-Bunq-Client-Signature"] = sign(client_key, other_key, body, path, headers)
    response = requests.post(
        sandbox.base_url[:-4] + path, data=body, headers=headers, verify=sandbox.ca_file, timeout=30
    )
    assert response.status_code == 400 and error_of(response) == SIGNATURE_INVALID  # bunq's words, unchanged
    entry = _explained(sandbox, response)
    assert entry["cause"] == cause, entry
    assert words in entry["explanation"], entry["explanation"]
    assert entry["error"] == SIGNATURE_INVALID
    if cause == "no-known-mistake":  # both digests shown
        assert signing.body_digest(body) in entry["explanation"]


def test_a_signature_made_by_another_installation_names_it(
    sandbox: LocalSandbox, raw: Raw, client_key, other_key
) -> None:
    hs = raw.handshake(client_key)
    other_id, _, _ = raw.install(other_key)
    body = json.dumps({"secret": hs.api_key}).encode()
    headers = {**_headers(hs, hs.installation_token), "X-Bunq-Client-Signature": _sign(other_key, body)}
    response = requests.post(
        sandbox.base_url + "session-server", data=body, headers=headers, verify=sandbox.ca_file, timeout=30
    )
    assert response.status_code == 400
    entry = _explained(sandbox, response)
    assert entry["cause"] == "other-key" and f"installation {other_id}" in entry["explanation"]


def _device(raw: Raw, token: str, key: keys.PrivateKey, secret: str, **extra) -> requests.Response:
    headers = {"X-Bunq-Client-Request-Id": secrets.token_hex(8)}
    return raw.call(
        "POST",
        "device-server",
        {"description": "mine", "secret": secret, **extra},
        token=token,
        sign_with=key,
        headers=headers,
    )


def _session(raw: Raw, token: str, key: keys.PrivateKey, secret: str) -> requests.Response:
    headers = {"X-Bunq-Client-Request-Id": secrets.token_hex(8)}
    return raw.call("POST", "session-server", {"secret": secret}, token=token, sign_with=key, headers=headers)


def test_unknown_api_key(sandbox: LocalSandbox, raw: Raw, client_key) -> None:
    _, token, _ = raw.install(client_key)
    typo = "sandbox_" + secrets.token_hex(28)
    response = _device(raw, token, client_key, typo)
    assert response.status_code == 400 and error_of(response) == CREDENTIALS_INCORRECT
    entry = _explained(sandbox, response)
    assert entry["cause"] == "api-key-unknown"
    assert typo[:12] in entry["explanation"] and typo not in entry["explanation"]  # masked


def test_production_key_on_the_sandbox(sandbox: LocalSandbox, raw: Raw, client_key) -> None:
    _, token, _ = raw.install(client_key)
    production = secrets.token_hex(32)
    response = _device(raw, token, client_key, production)
    assert response.status_code == 400 and error_of(response) == CREDENTIALS_INCORRECT
    entry = _explained(sandbox, response)
    assert entry["cause"] == "production-key-on-sandbox" and "not a sandbox key" in entry["explanation"]
    assert production not in json.dumps(sandbox.journal())


def test_ip_not_permitted_shows_both(sandbox: LocalSandbox, raw: Raw, client_key) -> None:
    api_key = raw.sandbox_user()
    _, token, _ = raw.install(client_key)
    assert _device(raw, token, client_key, api_key, permitted_ips=["10.0.0.1"]).status_code == 200
    response = _session(raw, token, client_key, api_key)
    assert response.status_code == 400 and error_of(response) == CREDENTIALS_INCORRECT
    entry = _explained(sandbox, response)
    assert entry["cause"] == "ip-not-permitted"
    assert "127.0.0.1" in entry["explanation"] and "10.0.0.1" in entry["explanation"]


def test_device_under_another_installation(sandbox: LocalSandbox, raw: Raw, client_key, other_key) -> None:
    hs = raw.handshake(client_key)
    other_id, other_token, _ = raw.install(other_key)
    response = _session(raw, other_token, other_key, hs.api_key)
    assert response.status_code == 400 and error_of(response) == CREDENTIALS_INCORRECT
    entry = _explained(sandbox, response)
    assert entry["cause"] == "device-other-installation"
    assert (
        f"installation {hs.installation_id}" in entry["explanation"] and str(other_id) in entry["explanation"]
    )


def test_installation_token_where_a_session_token_belongs_and_the_reverse(
    sandbox: LocalSandbox, raw: Raw, client_key
) -> None:
    hs = raw.handshake(client_key)
    wrong = raw.call(
        "GET", f"user/{hs.user_id}", token=hs.installation_token, headers={"X-Bunq-Client-Request-Id": "r-1"}
    )
    assert wrong.status_code == 401 and error_of(wrong) == INSUFFICIENT_AUTHORISATION
    assert _explained(sandbox, wrong)["cause"] == "installation-token-for-session"
    reverse = _device(raw, hs.session_token, client_key, hs.api_key)
    assert reverse.status_code == 401 and error_of(reverse) == INSUFFICIENT_AUTHORISATION
    entry = _explained(sandbox, reverse)
    assert entry["cause"] == "session-token-for-installation" and "device-server" in entry["explanation"]


def test_logout_and_reset_are_told_apart(sandbox: LocalSandbox, raw: Raw, client_key) -> None:
    hs = raw.handshake(client_key)
    assert raw.call("DELETE", "session/0", token=hs.session_token).status_code == 200
    closed = raw.call(
        "GET",
        f"user/{hs.user_id}",
        token=hs.session_token,
        headers={"X-Bunq-Client-Request-Id": "after-logout"},
    )
    entry = _explained(sandbox, closed)
    assert entry["cause"] == "session-logged-out" and " at 20" in entry["explanation"]
    again = raw.handshake(client_key)
    sandbox.reset()
    wiped = raw.call(
        "GET",
        f"user/{again.user_id}",
        token=again.session_token,
        headers={"X-Bunq-Client-Request-Id": "after-reset"},
    )
    assert wiped.status_code == 401
    assert _explained(sandbox, wiped)["cause"] == "token-reset"


def test_a_successful_call_has_no_explanation(sandbox: LocalSandbox, raw: Raw, client_key) -> None:
    hs = raw.handshake(client_key)
    ok = raw.call(
        "GET", f"user/{hs.user_id}", token=hs.session_token, headers={"X-Bunq-Client-Request-Id": "fine"}
    )
    entry = _explained(sandbox, ok)
    assert entry["status"] == 200 and entry["explanation"] is None and entry["error"] is None
    assert entry["duration_ms"] >= 0 and entry["path"] == f"/v1/user/{hs.user_id}"


def test_rate_limit_says_which_window_and_when_it_frees(fresh_state, client_key) -> None:
    from bunq_helpers.local_sandbox import SandboxOptions

    with LocalSandbox(fresh_state("limits"), options=SandboxOptions(rate_limits=True)) as limited:
        raw = Raw(limited)
        statuses = [
            raw.call("POST", "sandbox-user-person", headers={"X-Bunq-Client-Request-Id": f"r{i}"}).status_code
            for i in range(6)
        ]
        assert statuses[-1] == 429
        [entry] = limited.journal(request_id="r5")
        assert (
            entry["cause"] == "rate-limited"
            and "5 POST call(s) to sandbox-user-person within 3 s" in entry["explanation"]
        )
        assert "frees at 20" in entry["explanation"]


def test_route_not_found_says_why(sandbox: LocalSandbox, raw: Raw) -> None:
    outside = raw.call("GET", sandbox.base_url[:-3] + "user", headers={"X-Bunq-Client-Request-Id": "no-v1"})
    assert outside.status_code == 404 and error_of(outside) == "Route not found."
    assert _explained(sandbox, outside)["cause"] == "not-under-v1"
    typo = raw.call("GET", "user/1/monetary_account_bank", headers={"X-Bunq-Client-Request-Id": "typo"})
    assert typo.status_code == 404 and _explained(sandbox, typo)["cause"] == "route-unknown"
