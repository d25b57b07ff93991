"""Bad input, sent for real over HTTPS: bunq's error shape, a message that names the problem, no 500,
no traceback, and no change to the state (checked by reading the database before and after)."""

from __future__ import annotations

import json

import pytest

from bunq_helpers.crypto import signing
from bunq_helpers.local_sandbox import LocalSandbox
from tests.conftest import KEYS_DIR, Handshake, Raw, error_of

LONG = "x" * 300


def _pem(name: str) -> str:
    return (KEYS_DIR / name).read_text()


PAYMENT = "user/{user}/monetary-account/{account}/payment"


def _payment(value: object = "1.00", currency: str = "EUR", alias_type: str = "EMAIL") -> dict:
    """A payment body, well formed but for what a case changes."""
    return {
        "amount": {"value": value, "currency": currency},
        "counterparty_alias": {"type": alias_type, "value": "1" if alias_type == "FAX" else "a@b.c"},
        "description": "d",
    }


# (name, method, path template, body or callable(h) -> body, token kind, expected status, message part)
CASES = [
    (
        "installation: empty body",
        "POST",
        "installation",
        b"",
        None,
        400,
        'Field "client_public_key" is required',
    ),
    (
        "installation: truncated JSON",
        "POST",
        "installation",
        b'{"client_public_key": "-----BEGIN',
        None,
        400,
        "not valid JSON",
    ),
    ("installation: array body", "POST", "installation", b"[1, 2]", None, 400, "must be a JSON object"),
    (
        "installation: number key",
        "POST",
        "installation",
        {"client_public_key": 42},
        None,
        400,
        "must be a string, not number",
    ),
    (
        "installation: null key",
        "POST",
        "installation",
        {"client_public_key": None},
        None,
        400,
        "must be a string, not null",
    ),
    (
        "installation: empty key",
        "POST",
        "installation",
        {"client_public_key": ""},
        None,
        400,
        "must not be empty",
    ),
    (
        "installation: not PEM",
        "POST",
        "installation",
        {"client_public_key": "ssh-rsa AAAA"},
        None,
        400,
        "BEGIN PUBLIC KEY",
    ),
    (
        "installation: PEM garbage",
        "POST",
        "installation",
        {"client_public_key": "-----BEGIN PUBLIC KEY-----\nxx\n-----END PUBLIC KEY-----"},
        None,
        400,
        "could not be decoded",
    ),
    (
        "installation: RSA-1024",
        "POST",
        "installation",
        {"client_public_key": _pem("too-small-1024.pub.pem")},
        None,
        400,
        "1024 bits",
    ),
    (
        "installation: EC key",
        "POST",
        "installation",
        {"client_public_key": _pem("ec-p256.pub.pem")},
        None,
        400,
        "not RSA",
    ),
    (
        "installation: private key sent",
        "POST",
        "installation",
        {"client_public_key": _pem("throwaway-client-key.pem")},
        None,
        400,
        "BEGIN PUBLIC KEY",
    ),
    (
        "installation: non-UTF-8",
        "POST",
        "installation",
        b'{"client_public_key": "\xff\xfe"}',
        None,
        400,
        "not valid UTF-8",
    ),
    (
        "installation: duplicate field",
        "POST",
        "installation",
        b'{"client_public_key": "a", "client_public_key": "b"}',
        None,
        400,
        "more than once",
    ),
    ("installation: NaN", "POST", "installation", b'{"client_public_key": NaN}', None, 400, "not valid JSON"),
    (
        "installation: deep nesting",
        "POST",
        "installation",
        b"[" * 100_000 + b"]" * 100_000,
        None,
        400,
        "nested too deeply",
    ),
    (
        "installation: oversized",
        "POST",
        "installation",
        b'{"client_public_key": "' + b"A" * 1_100_000 + b'"}',
        None,
        400,
        "larger than",
    ),
    (
        "installation: huge key string",
        "POST",
        "installation",
        {"client_public_key": "A" * 20_000},
        None,
        400,
        "longer than",
    ),
    ("sandbox-user: malformed", "POST", "sandbox-user-person", b"{nope", None, 400, "not valid JSON"),
    (
        "device-server: no token",
        "POST",
        "device-server",
        lambda h: {"description": "d", "secret": h.api_key},
        "none",
        401,
        "Insufficient authorisation.",
    ),
    (
        "device-server: unknown token",
        "POST",
        "device-server",
        lambda h: {"description": "d", "secret": h.api_key},
        "unknown",
        401,
        "Insufficient authorisation.",
    ),
    (
        "device-server: session token",
        "POST",
        "device-server",
        lambda h: {"description": "d", "secret": h.api_key},
        "session",
        401,
        "Insufficient authorisation.",
    ),
    (
        "device-server: missing description",
        "POST",
        "device-server",
        lambda h: {"secret": h.api_key},
        "installation",
        400,
        'Field "description" is required',
    ),
    (
        "device-server: missing secret",
        "POST",
        "device-server",
        {"description": "d"},
        "installation",
        400,
        'Field "secret" is required',
    ),
    (
        "device-server: secret is a list",
        "POST",
        "device-server",
        {"description": "d", "secret": ["k"]},
        "installation",
        400,
        'Field "secret" must be a string, not array',
    ),
    (
        "device-server: description too long",
        "POST",
        "device-server",
        lambda h: {"description": LONG, "secret": h.api_key},
        "installation",
        400,
        "longer than 255",
    ),
    (
        "device-server: ips not a list",
        "POST",
        "device-server",
        lambda h: {"description": "d", "secret": h.api_key, "permitted_ips": "*"},
        "installation",
        400,
        "must be an array",
    ),
    (
        "device-server: ip not an address",
        "POST",
        "device-server",
        lambda h: {"description": "d", "secret": h.api_key, "permitted_ips": ["10.0.0.300"]},
        "installation",
        400,
        "not an IP address",
    ),
    (
        "device-server: ip is a number",
        "POST",
        "device-server",
        lambda h: {"description": "d", "secret": h.api_key, "permitted_ips": [1]},
        "installation",
        400,
        "must contain strings",
    ),
    (
        "device-server: unknown key",
        "POST",
        "device-server",
        {"description": "d", "secret": "sandbox_" + "0" * 56},
        "installation",
        400,
        "User credentials are incorrect",
    ),
    (
        "session-server: unsigned",
        "POST",
        "session-server",
        lambda h: {"secret": h.api_key},
        "installation",
        466,
        "request signature is required",
    ),
    (
        "session-server: session token",
        "POST",
        "session-server",
        lambda h: {"secret": h.api_key},
        "session",
        401,
        "Insufficient authorisation.",
    ),
    (
        "session-server: truncated signature",
        "POST",
        "session-server",
        lambda h: {"secret": h.api_key},
        "installation+truncated-signature",
        400,
        "The request signature is invalid.",
    ),
    (
        "session-server: non-base64 signature",
        "POST",
        "session-server",
        lambda h: {"secret": h.api_key},
        "installation+garbage-signature",
        400,
        "The request signature is invalid.",
    ),
    (
        "session-server: signed, missing secret",
        "POST",
        "session-server",
        {},
        "installation+signed",
        400,
        'Field "secret" is required',
    ),
    ("user: installation token", "GET", "user", None, "installation", 401, "Insufficient authorisation."),
    ("user: revoked session", "GET", "user", None, "closed-session", 401, "Insufficient authorisation."),
    ("user: other user's id", "GET", "user/{other_user}", None, "session", 404, "User with id"),
    (
        "account: not a number",
        "GET",
        "user/{user}/monetary-account/abc",
        None,
        "session",
        404,
        "Route not found.",
    ),
    (
        "account: other account",
        "GET",
        "user/{user}/monetary-account/{other_account}",
        None,
        "session",
        404,
        "MonetaryAccount with id",
    ),
    (
        "payment: amount as number",
        "POST",
        PAYMENT,
        _payment(value=1),
        "session+signed",
        400,
        '"amount.value" must be a string amount',
    ),
    (
        "payment: negative amount",
        "POST",
        PAYMENT,
        _payment(value="-1.00"),
        "session+signed",
        400,
        '"amount.value" must be a string amount',
    ),
    (
        "payment: dollars",
        "POST",
        PAYMENT,
        _payment(currency="USD"),
        "session+signed",
        400,
        'must be "EUR"',
    ),
    (
        "payment: bad pointer type",
        "POST",
        PAYMENT,
        _payment(alias_type="FAX"),
        "session+signed",
        400,
        '"counterparty_alias.type" must be one of',
    ),
    (
        "payment: no funds",
        "POST",
        PAYMENT,
        _payment(),
        "session+signed",
        400,
        "does not cover",
    ),
    (
        "payment: unsigned",
        "POST",
        PAYMENT,
        _payment(),
        "session",
        466,
        "request signature is required",
    ),
    (
        "request-inquiry: over 500",
        "POST",
        "user/{user}/monetary-account/{account}/request-inquiry",
        {
            "amount_inquired": {"value": "501.00", "currency": "EUR"},
            "counterparty_alias": {"type": "EMAIL", "value": "sugardaddy@bunq.com"},
            "description": "d",
        },
        "session",
        400,
        "at most 500.00 EUR",
    ),
    (
        "request-inquiry: bunqme not bool",
        "POST",
        "user/{user}/monetary-account/{account}/request-inquiry",
        {
            "amount_inquired": {"value": "5.00", "currency": "EUR"},
            "counterparty_alias": {"type": "EMAIL", "value": "sugardaddy@bunq.com"},
            "description": "d",
            "allow_bunqme": "yes",
        },
        "session",
        400,
        '"allow_bunqme" must be true or false',
    ),
    (
        "list: count too large",
        "GET",
        "user/{user}/monetary-account?count=201",
        None,
        "session",
        400,
        '"count" must be a whole number from 1 to 200',
    ),
    (
        "list: count not a number",
        "GET",
        "user/{user}/payment?count=x",
        None,
        "session",
        404,
        "Route not found.",
    ),
    ("path: encoded slash", "GET", "user%2F1", None, "session", 404, "Route not found."),
    ("path: encoded dots", "GET", "user/%2e%2e/installation", None, "session", 404, "Route not found."),
    ("path: double slash", "GET", "user//{user}", None, "session", 404, "Route not found."),
    ("path: outside /v1/", "GET", "https://{host}/v2/user", None, "session", 404, "Route not found."),
    ("method: PUT installation", "PUT", "installation", {}, None, 405, "Method PUT is not allowed"),
    ("method: DELETE user", "DELETE", "user", None, "session", 405, "it accepts GET"),
    ("method: PATCH device-server", "PATCH", "device-server", {}, "installation", 405, "not allowed"),
]


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    """One sandbox for the whole battery: each case compares the state before and after itself."""
    with LocalSandbox(tmp_path_factory.mktemp("battery")) as running:
        yield running


@pytest.fixture(scope="module")
def raw(sandbox) -> Raw:
    return Raw(sandbox)


@pytest.fixture(scope="module")
def world(raw: Raw, client_key, other_key) -> tuple[Handshake, Handshake]:
    mine = raw.handshake(client_key)
    other = raw.handshake(other_key)
    return mine, other


def _headers_and_token(kind: str | None, mine: Handshake, raw: Raw, body: bytes) -> tuple[dict, str | None]:
    if kind in (None, "none"):
        return {}, None
    base, _, extra = kind.partition("+")
    token = {
        "installation": mine.installation_token,
        "session": mine.session_token,
        "unknown": "e" * 64,
        "closed-session": None,
    }[base]
    if base == "closed-session":
        closing = raw.handshake(mine.key, api_key=mine.api_key)
        raw.call("DELETE", "session/0", token=closing.session_token)
        token = closing.session_token
    headers = {}
    if extra == "signed":
        headers["X-Bunq-Client-Signature"] = signing.sign_body(mine.key, body)
    elif extra == "truncated-signature":
        headers["X-Bunq-Client-Signature"] = signing.sign_body(mine.key, body)[:100]
    elif extra == "garbage-signature":
        headers["X-Bunq-Client-Signature"] = "%%% not base64 %%%"
    return headers, token


@pytest.mark.parametrize(
    ("name", "method", "path", "body", "kind", "status", "message"), CASES, ids=[c[0] for c in CASES]
)
def test_bad_input_gets_bunqs_error_and_changes_nothing(
    sandbox, raw, world, name, method, path, body, kind, status, message
) -> None:
    mine, other = world
    if callable(body):
        body = body(mine)
    data = json.dumps(body).encode() if isinstance(body, dict) else body
    headers, token = _headers_and_token(kind, mine, raw, data or b"")
    host = sandbox.base_url.split("/")[2]
    path = path.format(
        user=mine.user_id,
        account=mine.account_id,
        other_user=other.user_id,
        other_account=other.account_id,
        host=host,
    )
    before = sandbox.store.snapshot()
    response = raw.call(method, path, data, token=token, headers=headers)
    after = sandbox.store.snapshot()
    assert response.status_code == status, response.text
    assert message in error_of(response)
    assert "Traceback" not in response.text and 'File "' not in response.text
    assert response.headers["Content-Type"] == "application/json"
    assert signing.verify_body(mine.server_key, response.content, response.headers["X-Bunq-Server-Signature"])
    if kind != "closed-session":
        assert after == before, name


def test_there_are_at_least_forty_cases() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize(
    "target", ["/v1/user/../installation", "/v1/./user", "/v1/user/%2e%2e/installation", "/v1/..%2Fuser"]
)
def test_dot_segments_sent_literally_are_not_routed(raw: Raw, world, target: str) -> None:
    mine, _ = world
    status, body = raw.literal("GET", target, token=mine.session_token)
    assert status == 404 and body["Error"][0]["error_description"] == "Route not found."


def test_huge_headers_get_bunqs_error_shape(sandbox, raw: Raw) -> None:
    before = sandbox.store.snapshot()
    response = raw.call("POST", "sandbox-user-person", headers={"X-Bunq-Geolocation": "0" * 20_000})
    assert response.status_code == 400 and "headers are larger than 16384 bytes" in error_of(response)
    assert sandbox.store.snapshot() == before
    response = raw.call("POST", "sandbox-user-person", headers={"X-Bunq-Geolocation": "0" * 300_000})
    assert response.status_code in (413, 431)  # cheroot's own hard limit, before the app
