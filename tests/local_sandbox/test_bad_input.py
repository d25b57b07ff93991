"""Bad input, sent for real over HTTPS: bunq's error shape, a message that names the problem, no 500,
no traceback, and no change to the state (checked by reading the database before and after)."""

from __future__ import annotations

import json

import pytest

from bunq_helpers.crypto import keys, signing
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


# The money-moving family. {mine}/{theirs} are account paths; the foreign fixture makes the objects.
MINE = "user/{user}/monetary-account/{account}"
THEIRS = "user/{user}/monetary-account/{other_account}"
ARABIC_TEN = "١٠.٠٠"  # Arabic-Indic digits: Python's \d and Decimal would take them
FULL_WIDTH_TEN = "１０.００"


def _order(value: object = "1.00", **extra: object) -> dict:
    return {
        "amount": {"value": value, "currency": "EUR"},
        "counterparty_alias": {"type": "EMAIL", "value": "a@b.c"},
        "description": "d",
        **extra,
    }


def _inquiry(value: object = "1.00") -> dict:
    return {
        "amount_inquired": {"value": value, "currency": "EUR"},
        "counterparty_alias": {"type": "EMAIL", "value": "a@b.c"},
        "description": "d",
    }


SCHEDULE = {"time_start": "2100-01-01 00:00:00", "recurrence_unit": "DAILY", "recurrence_size": 1}

MONEY_CASES = [
    (
        "request-inquiry: Arabic-Indic digits",
        "POST",
        MINE + "/request-inquiry",
        _inquiry(ARABIC_TEN),
        "session",
        400,
        '"amount_inquired.value" must be a string amount',
    ),
    (
        "request-inquiry: revoke with a number",
        "PUT",
        MINE + "/request-inquiry/{my_inquiry}",
        {"status": 1},
        "session",
        400,
        'Field "status" must be one of REVOKED',
    ),
    (
        "request-inquiry: revoke without status",
        "PUT",
        MINE + "/request-inquiry/{my_inquiry}",
        {},
        "session",
        400,
        'Field "status" is required',
    ),
    (
        "request-inquiry: other user's request",
        "PUT",
        MINE + "/request-inquiry/{other_inquiry}",
        {"status": "REVOKED"},
        "session",
        404,
        "RequestInquiry with id",
    ),
    (
        "request-inquiry: on another user's account",
        "GET",
        THEIRS + "/request-inquiry",
        None,
        "session",
        404,
        "MonetaryAccount with id",
    ),
    (
        "request-response: amount as number",
        "PUT",
        MINE + "/request-response/{my_response}",
        {"status": "ACCEPTED", "amount_responded": {"value": 1, "currency": "EUR"}},
        "session+signed",
        400,
        '"amount_responded.value" must be a string amount',
    ),
    (
        "request-response: full-width digits",
        "PUT",
        MINE + "/request-response/{my_response}",
        {"status": "ACCEPTED", "amount_responded": {"value": FULL_WIDTH_TEN, "currency": "EUR"}},
        "session+signed",
        400,
        '"amount_responded.value" must be a string amount',
    ),
    (
        "request-response: no status",
        "PUT",
        MINE + "/request-response/{my_response}",
        {"amount_responded": {"value": "1.00", "currency": "EUR"}},
        "session+signed",
        400,
        'Field "status" is required',
    ),
    (
        "request-response: not enough money",
        "PUT",
        MINE + "/request-response/{my_response}",
        {"status": "ACCEPTED"},
        "session+signed",
        400,
        "does not cover this payment",
    ),
    (
        "request-response: unsigned accept",
        "PUT",
        MINE + "/request-response/{my_response}",
        {"status": "ACCEPTED"},
        "session",
        466,
        "request signature is required",
    ),
    (
        "request-response: other user's response",
        "GET",
        MINE + "/request-response/{other_response}",
        None,
        "session",
        404,
        "RequestResponse with id",
    ),
    (
        "request-response: bad status filter",
        "GET",
        MINE + "/request-response?status=1",
        None,
        "session",
        400,
        'Query parameter "status" must be one of',
    ),
    (
        "request-inquiry-batch: not a list",
        "POST",
        MINE + "/request-inquiry-batch",
        {"request_inquiries": _inquiry()},
        "session",
        400,
        'Field "request_inquiries" must be an array, not object',
    ),
    (
        "request-inquiry-batch: item not an object",
        "POST",
        MINE + "/request-inquiry-batch",
        {"request_inquiries": ["x"]},
        "session",
        400,
        'Field "request_inquiries[0]" must be an object',
    ),
    (
        "request-inquiry-batch: Arabic-Indic total",
        "POST",
        MINE + "/request-inquiry-batch",
        {
            "request_inquiries": [_inquiry()],
            "total_amount_inquired": {"value": ARABIC_TEN, "currency": "EUR"},
        },
        "session",
        400,
        '"total_amount_inquired.value" must be a string amount',
    ),
    (
        "request-inquiry-batch: other user's batch",
        "GET",
        MINE + "/request-inquiry-batch/{other_batch}",
        None,
        "session",
        404,
        "RequestInquiryBatch with id",
    ),
    (
        "draft-payment: entries a string",
        "POST",
        MINE + "/draft-payment",
        {"entries": "x", "number_of_required_accepts": 1},
        "session",
        400,
        'Field "entries" must be an array, not string',
    ),
    (
        "draft-payment: accepts as a string",
        "POST",
        MINE + "/draft-payment",
        {"entries": [_order()], "number_of_required_accepts": "1"},
        "session",
        400,
        '"number_of_required_accepts" must be a whole number, not string',
    ),
    (
        "draft-payment: full-width digits",
        "POST",
        MINE + "/draft-payment",
        {"entries": [_order(FULL_WIDTH_TEN)], "number_of_required_accepts": 1},
        "session",
        400,
        '"entries[0].amount.value" must be a string amount',
    ),
    (
        "draft-payment: entry without counterparty",
        "POST",
        MINE + "/draft-payment",
        {
            "entries": [{"amount": {"value": "1.00", "currency": "EUR"}, "description": "d"}],
            "number_of_required_accepts": 1,
        },
        "session",
        400,
        '"entries[0].counterparty_alias" is required',
    ),
    (
        "draft-payment: schedule time a number",
        "POST",
        MINE + "/draft-payment",
        {"entries": [_order()], "number_of_required_accepts": 1, "schedule": {**SCHEDULE, "time_start": 1}},
        "session",
        400,
        '"schedule.time_start" must be a UTC time',
    ),
    (
        "draft-payment: accept without money",
        "PUT",
        MINE + "/draft-payment/{my_draft}",
        {"status": "ACCEPTED"},
        "session+signed",
        400,
        "does not cover this payment",
    ),
    (
        "draft-payment: other user's draft",
        "PUT",
        MINE + "/draft-payment/{other_draft}",
        {"status": "ACCEPTED"},
        "session+signed",
        404,
        "DraftPayment with id",
    ),
    (
        "payment-batch: no payments",
        "POST",
        MINE + "/payment-batch",
        {},
        "session+signed",
        400,
        'Field "payments" is required',
    ),
    (
        "payment-batch: Arabic-Indic digits",
        "POST",
        MINE + "/payment-batch",
        {"payments": [_order(ARABIC_TEN)]},
        "session+signed",
        400,
        '"payments[0].amount.value" must be a string amount',
    ),
    (
        "payment-batch: unsigned",
        "POST",
        MINE + "/payment-batch",
        {"payments": [_order()]},
        "session",
        466,
        "request signature is required",
    ),
    (
        "payment-batch: no funds",
        "POST",
        MINE + "/payment-batch",
        {"payments": [_order(), _order()]},
        "session+signed",
        400,
        "does not cover this batch of 2 payments",
    ),
    (
        "payment-batch: on another user's account",
        "POST",
        THEIRS + "/payment-batch",
        {"payments": [_order()]},
        "session+signed",
        404,
        "MonetaryAccount with id",
    ),
    (
        "schedule-payment: size as a string",
        "POST",
        MINE + "/schedule-payment",
        {"payment": _order(), "schedule": {**SCHEDULE, "recurrence_size": "1"}},
        "session+signed",
        400,
        '"schedule.recurrence_size" must be a whole number, not string',
    ),
    (
        "schedule-payment: no payment",
        "POST",
        MINE + "/schedule-payment",
        {"schedule": SCHEDULE},
        "session+signed",
        400,
        'Field "payment" is required',
    ),
    (
        "schedule-payment: payment a list",
        "POST",
        MINE + "/schedule-payment",
        {"payment": [_order()], "schedule": SCHEDULE},
        "session+signed",
        400,
        'Field "payment" must be an object, not array',
    ),
    (
        "schedule-payment: full-width digits",
        "POST",
        MINE + "/schedule-payment",
        {"payment": _order(FULL_WIDTH_TEN), "schedule": SCHEDULE},
        "session+signed",
        400,
        '"payment.amount.value" must be a string amount',
    ),
    (
        "schedule-payment: unsigned",
        "POST",
        MINE + "/schedule-payment",
        {"payment": _order(), "schedule": SCHEDULE},
        "session",
        466,
        "request signature is required",
    ),
    (
        "schedule-payment: other user's schedule",
        "DELETE",
        MINE + "/schedule-payment/{other_schedule}",
        None,
        "session",
        404,
        "ScheduledPayment with id",
    ),
    (
        "schedule-payment-batch: payments a number",
        "POST",
        MINE + "/schedule-payment-batch",
        {"payments": 3, "schedule": SCHEDULE},
        "session+signed",
        400,
        'Field "payments" must be a non-empty array',
    ),
    (
        "schedule-payment-batch: other user's batch",
        "PUT",
        MINE + "/schedule-payment-batch/{other_schedule}",
        {"schedule": SCHEDULE},
        "session",
        404,
        "ScheduledPaymentBatch with id",
    ),
    (
        "schedule: other user's schedule",
        "GET",
        MINE + "/schedule/{other_schedule}",
        None,
        "session",
        404,
        "Schedule with id",
    ),
    (
        "schedule-instance: other user's schedule",
        "GET",
        MINE + "/schedule/{other_schedule}/schedule-instance",
        None,
        "session",
        404,
        "Schedule with id",
    ),
    (
        "schedule: another user's list",
        "GET",
        "user/{other_user}/schedule",
        None,
        "session",
        404,
        "User with id",
    ),
    (
        "bunqme-tab: no entry",
        "POST",
        MINE + "/bunqme-tab",
        {"status": "WAITING_FOR_PAYMENT"},
        "session",
        400,
        'Field "bunqme_tab_entry" is required',
    ),
    (
        "bunqme-tab: Arabic-Indic digits",
        "POST",
        MINE + "/bunqme-tab",
        {"bunqme_tab_entry": {"amount_inquired": {"value": ARABIC_TEN, "currency": "EUR"}}},
        "session",
        400,
        '"bunqme_tab_entry.amount_inquired.value" must be a string amount',
    ),
    (
        "bunqme-tab: description a number",
        "POST",
        MINE + "/bunqme-tab",
        {"bunqme_tab_entry": {"description": 5}},
        "session",
        400,
        '"bunqme_tab_entry.description" must be a string, not number',
    ),
    (
        "bunqme-tab: other user's tab",
        "PUT",
        MINE + "/bunqme-tab/{other_tab}",
        {"status": "CANCELLED"},
        "session",
        404,
        "BunqMeTab with id",
    ),
    (
        "list: count in superscript digits",
        "GET",
        MINE + "/schedule-payment?count=²",
        None,
        "session",
        400,
        '"count" must be a whole number',
    ),
]
CASES += MONEY_CASES


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    """One sandbox for the whole battery: each case compares the state before and after itself."""
    with LocalSandbox(tmp_path_factory.mktemp("battery")) as running:
        yield running


@pytest.fixture(scope="module")
def raw(sandbox) -> Raw:
    return Raw(sandbox)


@pytest.fixture(scope="module")
def world(raw: Raw, client_key) -> tuple[Handshake, Handshake]:
    mine = raw.handshake(client_key)
    other = raw.handshake(keys.generate_private_key())
    return mine, other


@pytest.fixture(scope="module")
def foreign(raw: Raw, world) -> dict[str, int]:
    """Objects of both users for the money cases: each user's own, and the other user's (for 404s).

    Nothing here falls due during the battery: no sugar daddy requests, schedules start in 2100.
    """
    mine, other = world

    def made(h: Handshake, path: str, body: dict, signed: bool = False) -> int:
        account = f"user/{h.user_id}/monetary-account/{h.account_id}/"
        response = raw.call(
            "POST", account + path, body, token=h.session_token, sign_with=h.key if signed else None
        )
        assert response.status_code == 200, response.text
        return response.json()["Response"][0]["Id"]["id"]

    def email(h: Handshake) -> str:
        user = raw.call("GET", f"user/{h.user_id}", token=h.session_token).json()["Response"][0]
        return user["UserPerson"]["alias"][0]["value"]

    def request_to(h: Handshake) -> dict:
        return {**_inquiry(), "counterparty_alias": {"type": "EMAIL", "value": email(h)}}

    def first_response(h: Handshake) -> int:
        path = f"user/{h.user_id}/monetary-account/{h.account_id}/request-response"
        return raw.call("GET", path, token=h.session_token).json()["Response"][0]["RequestResponse"]["id"]

    ids = {
        "other_inquiry": made(other, "request-inquiry", request_to(mine)),
        "my_inquiry": made(mine, "request-inquiry", request_to(other)),
        "other_batch": made(other, "request-inquiry-batch", {"request_inquiries": [_inquiry()]}),
        "other_draft": made(other, "draft-payment", {"entries": [_order()], "number_of_required_accepts": 1}),
        "my_draft": made(mine, "draft-payment", {"entries": [_order()], "number_of_required_accepts": 1}),
        "other_schedule": made(
            other, "schedule-payment", {"payment": _order(), "schedule": SCHEDULE}, signed=True
        ),
        "other_tab": made(other, "bunqme-tab", {"bunqme_tab_entry": {"description": "x"}}),
    }
    ids["my_response"], ids["other_response"] = first_response(mine), first_response(other)
    return ids


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
    sandbox, raw, world, foreign, name, method, path, body, kind, status, message
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
        **foreign,
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
