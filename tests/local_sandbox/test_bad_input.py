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
        400,
        "Authentication token already has a user session.",
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
        '"amount.value" must be positive, got "-1.00"',
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

# Attachments and notes. {inquiry}, {attachment} and {note} are mine; {other_inquiry} and
# {other_attachment} the other user's (see ``objects``). Uploads send the headers in UPLOAD_HEADERS.
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
ACCOUNT = "user/{user}/monetary-account/{account}"
NOTE_TEXT = ACCOUNT + "/request-inquiry/{inquiry}/note-text"
NOTE_ATTACHMENT = ACCOUNT + "/request-inquiry/{inquiry}/note-attachment"
UPLOAD = {"Content-Type": "image/png", "X-Bunq-Attachment-Description": "d"}
UPLOAD_HEADERS = {
    "attachment-public: no Content-Type": {"X-Bunq-Attachment-Description": "d"},
    "attachment-public: JSON instead of a file": {**UPLOAD, "Content-Type": "application/json"},
    "attachment-public: PDF is not an image": {**UPLOAD, "Content-Type": "application/pdf"},
    "attachment-public: bytes are not a PNG": UPLOAD,
    "attachment-public: base64 of a PNG": UPLOAD,
    "attachment-public: empty body": UPLOAD,
    "attachment-public: no description": {"Content-Type": "image/png"},
    "attachment-public: blank description": {**UPLOAD, "X-Bunq-Attachment-Description": ""},
    "attachment-public: installation token": UPLOAD,
    "attachment-public: over the body limit": UPLOAD,
    "attachment: other user's account": UPLOAD,
    "attachment: text/plain": {**UPLOAD, "Content-Type": "text/plain"},
}
CASES += [
    (
        "attachment-public: no Content-Type",
        "POST",
        "attachment-public",
        PNG,
        "session",
        400,
        'Header "Content-Type" is required',
    ),
    (
        "attachment-public: JSON instead of a file",
        "POST",
        "attachment-public",
        {"file": "x"},
        "session",
        400,
        "accepts image/png, image/jpeg, image/gif",
    ),
    (
        "attachment-public: PDF is not an image",
        "POST",
        "attachment-public",
        b"%PDF-1.4",
        "session",
        400,
        '"application/pdf"; this upload accepts',
    ),
    (
        "attachment-public: bytes are not a PNG",
        "POST",
        "attachment-public",
        b"GIF89a....",
        "session",
        400,
        "does not start like a file of type image/png",
    ),
    (
        "attachment-public: base64 of a PNG",
        "POST",
        "attachment-public",
        b"iVBORw0KGgo=",
        "session",
        400,
        "not base64",
    ),
    (
        "attachment-public: empty body",
        "POST",
        "attachment-public",
        b"",
        "session",
        400,
        "The request body is empty",
    ),
    (
        "attachment-public: no description",
        "POST",
        "attachment-public",
        PNG,
        "session",
        400,
        'Header "X-Bunq-Attachment-Description" is required',
    ),
    (
        "attachment-public: blank description",
        "POST",
        "attachment-public",
        PNG,
        "session",
        400,
        'Header "X-Bunq-Attachment-Description" is required',
    ),
    (
        "attachment-public: installation token",
        "POST",
        "attachment-public",
        PNG,
        "installation",
        401,
        "Insufficient authorisation.",
    ),
    (
        "attachment-public: over the body limit",
        "POST",
        "attachment-public",
        PNG + b"\x00" * 1_048_576,
        "session",
        400,
        "larger than 1048576 bytes",
    ),
    (
        "attachment-public: unknown uuid",
        "GET",
        "attachment-public/7d0e5c1a-0000-4000-8000-000000000000",
        None,
        "session",
        404,
        "AttachmentPublic with id",
    ),
    (
        "attachment-public: unknown uuid content",
        "GET",
        "attachment-public/x/content",
        None,
        "session",
        404,
        "AttachmentPublic with id x not found.",
    ),
    (
        "attachment: other user's account",
        "POST",
        "user/{user}/monetary-account/{other_account}/attachment",
        PNG,
        "session",
        404,
        "MonetaryAccount with id",
    ),
    (
        "attachment: text/plain",
        "POST",
        ACCOUNT + "/attachment",
        b"hello",
        "session",
        400,
        "accepts image/png, image/jpeg, image/gif, application/pdf",
    ),
    (
        "attachment: other user's file on my account",
        "GET",
        ACCOUNT + "/attachment/{other_attachment}/content",
        None,
        "session",
        404,
        "AttachmentMonetaryAccount with id",
    ),
    (
        "user attachment: other user's file",
        "GET",
        "user/{user}/attachment/{other_attachment}",
        None,
        "session",
        404,
        "AttachmentUser with id",
    ),
    (
        "user attachment: other user's content",
        "GET",
        "user/{user}/attachment/{other_attachment}/content",
        None,
        "session",
        404,
        "AttachmentUser with id",
    ),
    (
        "user attachment: other user's id",
        "GET",
        "user/{other_user}/attachment/{attachment}",
        None,
        "session",
        404,
        "User with id",
    ),
    ("note-text: no content", "POST", NOTE_TEXT, {}, "session", 400, 'Field "content" is required'),
    (
        "note-text: content is a number",
        "POST",
        NOTE_TEXT,
        {"content": 5},
        "session",
        400,
        'Field "content" must be a string, not number',
    ),
    (
        "note-text: blank content",
        "POST",
        NOTE_TEXT,
        {"content": " "},
        "session",
        400,
        'Field "content" must not be empty',
    ),
    (
        "note-text: content too long",
        "POST",
        NOTE_TEXT,
        {"content": "x" * 10_001},
        "session",
        400,
        'Field "content" is longer than 10000',
    ),
    ("note-text: not JSON", "POST", NOTE_TEXT, b"content=hi", "session", 400, "not valid JSON"),
    (
        "note-text: update with a list",
        "PUT",
        NOTE_TEXT + "/{note}",
        {"content": ["a"]},
        "session",
        400,
        "must be a string, not array",
    ),
    (
        "note-text: other user's inquiry",
        "POST",
        ACCOUNT + "/request-inquiry/{other_inquiry}/note-text",
        {"content": "x"},
        "session",
        404,
        "RequestInquiry with id",
    ),
    (
        "note-text: other user's path",
        "GET",
        "user/{other_user}/monetary-account/{other_account}/request-inquiry/{other_inquiry}/note-text",
        None,
        "session",
        404,
        "User with id",
    ),
    ("note-text: unknown note", "DELETE", NOTE_TEXT + "/{inquiry}", None, "session", 404, "NoteText with id"),
    (
        "note-text: as a note-attachment",
        "GET",
        NOTE_ATTACHMENT + "/{note}",
        None,
        "session",
        404,
        "NoteAttachment with id",
    ),
    (
        "note-attachment: no attachment_id",
        "POST",
        NOTE_ATTACHMENT,
        {"description": "d"},
        "session",
        400,
        'Field "attachment_id" is required',
    ),
    (
        "note-attachment: attachment_id as text",
        "POST",
        NOTE_ATTACHMENT,
        lambda h: {"attachment_id": "1"},
        "session",
        400,
        '"attachment_id" must be a whole number',
    ),
    (
        "note-attachment: attachment_id true",
        "POST",
        NOTE_ATTACHMENT,
        {"attachment_id": True},
        "session",
        400,
        '"attachment_id" must be a whole number',
    ),
    (
        "note-attachment: other user's file",
        "POST",
        NOTE_ATTACHMENT,
        None,
        "session",
        400,
        '"attachment_id": there is no attachment',
    ),
    (
        "note-attachment: description a number",
        "POST",
        NOTE_ATTACHMENT,
        None,
        "session",
        400,
        'Field "description" must be a string',
    ),
    (
        "note-text: unpaired surrogate",
        "POST",
        NOTE_TEXT,
        b'{"content": "receipt \\ud800"}',
        "session",
        400,
        'Field "content" contains a lone UTF-16 surrogate',
    ),
    (
        "request-inquiry: unpaired surrogate",
        "POST",
        ACCOUNT + "/request-inquiry",
        b'{"amount_inquired": {"value": "1.00", "currency": "EUR"}, "description": "\\udfff",'
        b' "counterparty_alias": {"type": "EMAIL", "value": "a@b.c"}}',
        "session",
        400,
        'Field "description" contains a lone UTF-16 surrogate',
    ),
    (
        "note-attachment: attachment_id too large",
        "POST",
        NOTE_ATTACHMENT,
        {"attachment_id": 10**30},
        "session",
        400,
        '"attachment_id" must be a whole number',
    ),
    (
        "method: PATCH note-text",
        "PATCH",
        NOTE_TEXT + "/{note}",
        {},
        "session",
        405,
        "it accepts DELETE, GET, PUT",
    ),
]
# Bodies that need the ids ``objects`` made.
OBJECT_BODIES = {
    "note-attachment: other user's file": lambda o: {"attachment_id": o["other_attachment"]},
    "note-attachment: description a number": lambda o: {"attachment_id": o["attachment"], "description": 7},
}


BANK = "user/{user}/monetary-account-bank"
STATEMENTS = "user/{user}/monetary-account/{account}/customer-statement"
EUR = "EUR"


def _card(**change: object) -> dict:
    """A card-debit order, well formed but for what a case changes."""
    body = {
        "second_line": "x",
        "name_on_card": "Sandy de Vries",
        "type": "MASTERCARD",
        "product_type": "MASTERCARD_DEBIT",
    }
    body.update(change)
    return {k: v for k, v in body.items() if v is not None}


def _export(**change: object) -> dict:
    """A customer-statement export, well formed but for what a case changes."""
    body = {"statement_format": "MT940", "date_start": "2024-01-01", "date_end": "2024-01-31"}
    body.update(change)
    return {k: v for k, v in body.items() if v is not None}


ACCOUNT_CASES = [
    ("bank: no currency", "POST", BANK, {"description": "d"}, "session", 400, 'Field "currency" is required'),
    (
        "bank: currency a number",
        "POST",
        BANK,
        {"currency": 978},
        "session",
        400,
        'Field "currency" must be a string, not number',
    ),
    (
        "bank: limit in Arabic-Indic digits",
        "POST",
        BANK,
        {"currency": EUR, "daily_limit": {"value": "١٠٠.٠٠", "currency": EUR}},
        "session",
        400,
        '"daily_limit.value" must be a string amount',
    ),
    (
        "bank: limit a string",
        "POST",
        BANK,
        {"currency": EUR, "daily_limit": "100"},
        "session",
        400,
        "must be an object",
    ),
    (
        "bank: description a list",
        "POST",
        BANK,
        {"currency": EUR, "description": ["d"]},
        "session",
        400,
        "must be a string, not array",
    ),
    (
        "bank: other user",
        "POST",
        "user/{other_user}/monetary-account-bank",
        {"currency": EUR},
        "session",
        404,
        "User with id",
    ),
    (
        "bank: update other's account",
        "PUT",
        BANK + "/{other_account}",
        {"description": "x"},
        "session",
        404,
        "MonetaryAccount with id",
    ),
    (
        "bank: close without reason",
        "PUT",
        BANK + "/{account}",
        {"status": "CANCELLED"},
        "session",
        400,
        'Field "reason" is required',
    ),
    (
        "bank: close the last account",
        "PUT",
        BANK + "/{account}",
        {"status": "CANCELLED", "sub_status": "REDEMPTION_VOLUNTARY", "reason": "OTHER"},
        "session",
        400,
        "last ACTIVE bank account",
    ),
    (
        "bank: setting a string",
        "PUT",
        BANK + "/{account}",
        {"setting": "blue"},
        "session",
        400,
        '"setting" must be an object',
    ),
    (
        "savings: negative goal",
        "POST",
        "user/{user}/monetary-account-savings",
        {"currency": EUR, "savings_goal": {"value": "-5.00", "currency": EUR}},
        "session",
        400,
        '"savings_goal.value" must be positive',
    ),
    (
        "savings: a bank account's id",
        "PUT",
        "user/{user}/monetary-account-savings/{account}",
        {"description": "x"},
        "session",
        404,
        "MonetaryAccountSavings with id",
    ),
    (
        "joint: no co-owner",
        "POST",
        "user/{user}/monetary-account-joint",
        {"currency": EUR},
        "session",
        400,
        '"all_co_owner" is required',
    ),
    (
        "joint: co-owner a string",
        "POST",
        "user/{user}/monetary-account-joint",
        {"currency": EUR, "all_co_owner": ["a@b.c"]},
        "session",
        400,
        '"all_co_owner[0].alias" must be a pointer',
    ),
    (
        "user-person: other user",
        "PUT",
        "user-person/{other_user}",
        {"first_name": "M"},
        "session",
        404,
        "UserPerson with id",
    ),
    (
        "user-person: timeout a boolean",
        "PUT",
        "user-person/{user}",
        {"session_timeout": True},
        "session",
        400,
        "must be a whole number",
    ),
    (
        "user-person: birth date in Arabic-Indic digits",
        "PUT",
        "user-person/{user}",
        {"date_of_birth": "١٩٩٠-٠١-٠١"},
        "session",
        400,
        '"date_of_birth" must be a date',
    ),
    (
        "user-person: login limit in fullwidth digits",
        "PUT",
        "user-person/{user}",
        {"daily_limit_without_confirmation_login": {"value": "１０.００", "currency": EUR}},
        "session",
        400,
        "must be a string amount",
    ),
    (
        "user-company: a person's id",
        "GET",
        "user-company/{user}",
        None,
        "session",
        404,
        "UserCompany with id",
    ),
    ("event: other user", "GET", "user/{other_user}/event", None, "session", 404, "User with id"),
    (
        "event: unknown status",
        "GET",
        "user/{user}/event?status=OPEN",
        None,
        "session",
        400,
        '"status" must be',
    ),
    (
        "event: other user's event",
        "GET",
        "user/{user}/event/{other_event}",
        None,
        "session",
        404,
        "Event with id",
    ),
    (
        "card-debit: no type",
        "POST",
        "user/{user}/card-debit",
        _card(type=None),
        "session",
        400,
        'Field "type" is required',
    ),
    (
        "card-debit: second line a number",
        "POST",
        "user/{user}/card-debit",
        _card(second_line=7),
        "session",
        400,
        '"second_line" must be a string',
    ),
    (
        "card-debit: PIN for other's account",
        "POST",
        "user/{user}/card-debit",
        lambda mine, other: _card(
            pin_code_assignment=[{"type": "PRIMARY", "monetary_account_id": other.account_id}]
        ),
        "session",
        400,
        "you have no monetary account",
    ),
    ("card: other user's card", "GET", "user/{user}/card/{other_card}", None, "session", 404, "Card with id"),
    (
        "card: limit in Arabic-Indic digits",
        "PUT",
        "user/{user}/card/{card}",
        {"card_limit": {"value": "٥٠", "currency": EUR}},
        "session",
        400,
        '"card_limit.value" must be a string amount',
    ),
    (
        "cvc2: other user's card",
        "POST",
        "user/{user}/card/{other_card}/generated-cvc2",
        {},
        "session",
        404,
        "Card with id",
    ),
    (
        "statement: no format",
        "POST",
        STATEMENTS,
        _export(statement_format=None),
        "session",
        400,
        '"statement_format" is required',
    ),
    (
        "statement: dates in Arabic-Indic digits",
        "POST",
        STATEMENTS,
        _export(date_start="٢٠٢٤-٠١-٠١"),
        "session",
        400,
        '"date_start" must be a date',
    ),
    (
        "statement: date a number",
        "POST",
        STATEMENTS,
        _export(date_end=20240131),
        "session",
        400,
        '"date_end" must be a string, not number',  # bunq's spec says string: the kit's check
    ),
    (
        "statement: other's account",
        "POST",
        "user/{user}/monetary-account/{other_account}/customer-statement",
        _export(),
        "session",
        404,
        "MonetaryAccount with id",
    ),
    (
        "statement: other's statement",
        "GET",
        STATEMENTS + "/{other_statement}/content",
        None,
        "session",
        404,
        "CustomerStatement with id",
    ),
    (
        "statement: delete other's",
        "DELETE",
        STATEMENTS + "/{other_statement}",
        None,
        "session",
        404,
        "CustomerStatement with id",
    ),
]
CASES += ACCOUNT_CASES


# The money-moving family. ACCOUNT/THEIRS are account paths; the objects fixture makes the objects.
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
        ACCOUNT + "/request-inquiry",
        _inquiry(ARABIC_TEN),
        "session",
        400,
        '"amount_inquired.value" must be a string amount',
    ),
    (
        "request-inquiry: revoke with a number",
        "PUT",
        ACCOUNT + "/request-inquiry/{inquiry}",
        {"status": 1},
        "session",
        400,
        'Field "status" must be a string, not number',
    ),
    (
        "request-inquiry: revoke without status",
        "PUT",
        ACCOUNT + "/request-inquiry/{inquiry}",
        {},
        "session",
        400,
        'Field "status" is required',
    ),
    (
        "request-inquiry: other user's request",
        "PUT",
        ACCOUNT + "/request-inquiry/{other_inquiry}",
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
        ACCOUNT + "/request-response/{my_response}",
        {"status": "ACCEPTED", "amount_responded": {"value": 1, "currency": "EUR"}},
        "session+signed",
        400,
        '"amount_responded.value" must be a string amount',
    ),
    (
        "request-response: full-width digits",
        "PUT",
        ACCOUNT + "/request-response/{my_response}",
        {"status": "ACCEPTED", "amount_responded": {"value": FULL_WIDTH_TEN, "currency": "EUR"}},
        "session+signed",
        400,
        '"amount_responded.value" must be a string amount',
    ),
    (
        "request-response: no status",
        "PUT",
        ACCOUNT + "/request-response/{my_response}",
        {"amount_responded": {"value": "1.00", "currency": "EUR"}},
        "session+signed",
        400,
        'Field "status" is required',
    ),
    (
        "request-response: not enough money",
        "PUT",
        ACCOUNT + "/request-response/{my_response}",
        {"status": "ACCEPTED"},
        "session+signed",
        400,
        "does not cover this payment",
    ),
    (
        "request-response: unsigned accept",
        "PUT",
        ACCOUNT + "/request-response/{my_response}",
        {"status": "ACCEPTED"},
        "session",
        466,
        "request signature is required",
    ),
    (
        "request-response: other user's response",
        "GET",
        ACCOUNT + "/request-response/{other_response}",
        None,
        "session",
        404,
        "RequestResponse with id",
    ),
    (
        "request-response: bad status filter",
        "GET",
        ACCOUNT + "/request-response?status=1",
        None,
        "session",
        400,
        'Query parameter "status" must be one of',
    ),
    (
        "request-inquiry-batch: not a list",
        "POST",
        ACCOUNT + "/request-inquiry-batch",
        {"request_inquiries": _inquiry()},
        "session",
        400,
        'Field "request_inquiries" must be an array, not object',
    ),
    (
        "request-inquiry-batch: item not an object",
        "POST",
        ACCOUNT + "/request-inquiry-batch",
        {"request_inquiries": ["x"]},
        "session",
        400,
        'Field "request_inquiries[0]" must be an object',
    ),
    (
        "request-inquiry-batch: Arabic-Indic total",
        "POST",
        ACCOUNT + "/request-inquiry-batch",
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
        ACCOUNT + "/request-inquiry-batch/{other_batch}",
        None,
        "session",
        404,
        "RequestInquiryBatch with id",
    ),
    (
        "draft-payment: entries a string",
        "POST",
        ACCOUNT + "/draft-payment",
        {"entries": "x", "number_of_required_accepts": 1},
        "session",
        400,
        'Field "entries" must be an array, not string',
    ),
    (
        "draft-payment: accepts as a string",
        "POST",
        ACCOUNT + "/draft-payment",
        {"entries": [_order()], "number_of_required_accepts": "1"},
        "session",
        400,
        '"number_of_required_accepts" must be a whole number, not string',
    ),
    (
        "draft-payment: full-width digits",
        "POST",
        ACCOUNT + "/draft-payment",
        {"entries": [_order(FULL_WIDTH_TEN)], "number_of_required_accepts": 1},
        "session",
        400,
        '"entries[0].amount.value" must be a string amount',
    ),
    (
        "draft-payment: entry without counterparty",
        "POST",
        ACCOUNT + "/draft-payment",
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
        ACCOUNT + "/draft-payment",
        {"entries": [_order()], "number_of_required_accepts": 1, "schedule": {**SCHEDULE, "time_start": 1}},
        "session",
        400,
        '"schedule.time_start" must be a UTC time',
    ),
    (
        "draft-payment: accept without money",
        "PUT",
        ACCOUNT + "/draft-payment/{my_draft}",
        {"status": "ACCEPTED"},
        "session+signed",
        400,
        "does not cover this payment",
    ),
    (
        "draft-payment: other user's draft",
        "PUT",
        ACCOUNT + "/draft-payment/{other_draft}",
        {"status": "ACCEPTED"},
        "session+signed",
        404,
        "DraftPayment with id",
    ),
    (
        "payment-batch: no payments",
        "POST",
        ACCOUNT + "/payment-batch",
        {},
        "session+signed",
        400,
        'Field "payments" is required',
    ),
    (
        "payment-batch: Arabic-Indic digits",
        "POST",
        ACCOUNT + "/payment-batch",
        {"payments": [_order(ARABIC_TEN)]},
        "session+signed",
        400,
        '"payments[0].amount.value" must be a string amount',
    ),
    (
        "payment-batch: unsigned",
        "POST",
        ACCOUNT + "/payment-batch",
        {"payments": [_order()]},
        "session",
        466,
        "request signature is required",
    ),
    (
        "payment-batch: no funds",
        "POST",
        ACCOUNT + "/payment-batch",
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
        ACCOUNT + "/schedule-payment",
        {"payment": _order(), "schedule": {**SCHEDULE, "recurrence_size": "1"}},
        "session+signed",
        400,
        '"schedule.recurrence_size" must be a whole number, not string',
    ),
    (
        "schedule-payment: no payment",
        "POST",
        ACCOUNT + "/schedule-payment",
        {"schedule": SCHEDULE},
        "session+signed",
        400,
        'Field "payment" is required',
    ),
    (
        "schedule-payment: payment a list",
        "POST",
        ACCOUNT + "/schedule-payment",
        {"payment": [_order()], "schedule": SCHEDULE},
        "session+signed",
        400,
        'Field "payment" must be an object, not array',
    ),
    (
        "schedule-payment: full-width digits",
        "POST",
        ACCOUNT + "/schedule-payment",
        {"payment": _order(FULL_WIDTH_TEN), "schedule": SCHEDULE},
        "session+signed",
        400,
        '"payment.amount.value" must be a string amount',
    ),
    (
        "schedule-payment: unsigned",
        "POST",
        ACCOUNT + "/schedule-payment",
        {"payment": _order(), "schedule": SCHEDULE},
        "session",
        466,
        "request signature is required",
    ),
    (
        "schedule-payment: other user's schedule",
        "DELETE",
        ACCOUNT + "/schedule-payment/{other_schedule}",
        None,
        "session",
        404,
        "ScheduledPayment with id",
    ),
    (
        "schedule-payment-batch: payments a number",
        "POST",
        ACCOUNT + "/schedule-payment-batch",
        {"payments": 3, "schedule": SCHEDULE},
        "session+signed",
        400,
        'Field "payments" must be an array, not number',
    ),
    (
        "schedule-payment-batch: other user's batch",
        "PUT",
        ACCOUNT + "/schedule-payment-batch/{other_schedule}",
        {"schedule": SCHEDULE},
        "session",
        404,
        "ScheduledPaymentBatch with id",
    ),
    (
        "schedule: other user's schedule",
        "GET",
        ACCOUNT + "/schedule/{other_schedule}",
        None,
        "session",
        404,
        "Schedule with id",
    ),
    (
        "schedule-instance: other user's schedule",
        "GET",
        ACCOUNT + "/schedule/{other_schedule}/schedule-instance",
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
        ACCOUNT + "/bunqme-tab",
        {"status": "WAITING_FOR_PAYMENT"},
        "session",
        400,
        'Field "bunqme_tab_entry" is required',
    ),
    (
        "bunqme-tab: Arabic-Indic digits",
        "POST",
        ACCOUNT + "/bunqme-tab",
        {"bunqme_tab_entry": {"amount_inquired": {"value": ARABIC_TEN, "currency": "EUR"}}},
        "session",
        400,
        '"bunqme_tab_entry.amount_inquired.value" must be a string amount',
    ),
    (
        "bunqme-tab: description a number",
        "POST",
        ACCOUNT + "/bunqme-tab",
        {"bunqme_tab_entry": {"description": 5}},
        "session",
        400,
        '"bunqme_tab_entry.description" must be a string, not number',
    ),
    (
        "bunqme-tab: other user's tab",
        "PUT",
        ACCOUNT + "/bunqme-tab/{other_tab}",
        {"status": "CANCELLED"},
        "session",
        404,
        "BunqMeTab with id",
    ),
    (
        "list: count in superscript digits",
        "GET",
        ACCOUNT + "/schedule-payment?count=²",
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
def world(raw: Raw, client_key, other_key) -> tuple[Handshake, Handshake]:
    mine = raw.handshake(client_key)
    other = raw.handshake(other_key)
    return mine, other


@pytest.fixture(scope="module")
def objects(raw: Raw, world) -> dict[str, int]:
    """Objects the cases name: ``{x}`` is mine, ``{other_x}`` the other user's (for the 404s).

    A request inquiry each, asked of the other user (so each has a RequestResponse), an attachment
    each, a text note of mine, and the money family's drafts, batches, schedules and tabs. Nothing
    here falls due during the battery: no sugar daddy requests, schedules start in 2100.
    """
    mine, other = world

    def made(
        h: Handshake, path: str, body: dict | bytes, signed: bool = False, headers: dict | None = None
    ) -> int:
        account = f"user/{h.user_id}/monetary-account/{h.account_id}/"
        response = raw.call(
            "POST",
            account + path,
            body,
            token=h.session_token,
            sign_with=h.key if signed else None,
            headers=headers,
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
        "inquiry": made(mine, "request-inquiry", request_to(other)),
        "other_inquiry": made(other, "request-inquiry", request_to(mine)),
        "attachment": made(mine, "attachment", PNG, headers=UPLOAD),
        "other_attachment": made(other, "attachment", PNG, headers=UPLOAD),
        "other_batch": made(other, "request-inquiry-batch", {"request_inquiries": [_inquiry()]}),
        "other_draft": made(other, "draft-payment", {"entries": [_order()], "number_of_required_accepts": 1}),
        "my_draft": made(mine, "draft-payment", {"entries": [_order()], "number_of_required_accepts": 1}),
        "other_schedule": made(
            other, "schedule-payment", {"payment": _order(), "schedule": SCHEDULE}, signed=True
        ),
        "other_tab": made(other, "bunqme-tab", {"bunqme_tab_entry": {"description": "x"}}),
    }
    ids["note"] = made(mine, f"request-inquiry/{ids['inquiry']}/note-text", {"content": "n"})
    ids["my_response"], ids["other_response"] = first_response(mine), first_response(other)
    _objects(raw, mine, other, ids)
    return ids


def _objects(raw: Raw, mine: Handshake, other: Handshake, made: dict[str, int]) -> None:
    """A card each, and an event and a statement of the other user, for the cases that name them."""
    for who, key in ((mine, "card"), (other, "other_card")):
        names = raw.call("GET", f"user/{who.user_id}/card-name", token=who.session_token).json()
        name = names["Response"][0]["CardUserNameArray"]["possible_card_name_array"][0]
        card = raw.call(
            "POST", f"user/{who.user_id}/card-debit", _card(name_on_card=name), token=who.session_token
        )
        made[key] = card.json()["Response"][0]["CardDebit"]["id"]
    events = raw.call("GET", f"user/{other.user_id}/event", token=other.session_token).json()["Response"]
    made["other_event"] = events[0]["Event"]["id"]
    path = f"user/{other.user_id}/monetary-account/{other.account_id}/customer-statement"
    statement = raw.call("POST", path, _export(), token=other.session_token)
    made["other_statement"] = statement.json()["Response"][0]["Id"]["id"]


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
    sandbox, raw, world, objects, name, method, path, body, kind, status, message
) -> None:
    mine, other = world
    if callable(body):
        body = body(mine, other) if body.__code__.co_argcount == 2 else body(mine)
    if name in OBJECT_BODIES:
        body = OBJECT_BODIES[name](objects)
    data = json.dumps(body).encode() if isinstance(body, dict) else body
    headers, token = _headers_and_token(kind, mine, raw, data or b"")
    headers.update(UPLOAD_HEADERS.get(name, {}))
    host = sandbox.base_url.split("/")[2]
    path = path.format(
        user=mine.user_id,
        account=mine.account_id,
        other_user=other.user_id,
        other_account=other.account_id,
        host=host,
        **objects,
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
    # past the HTTP layer's hard limit too: bunq's shape, signed, and nothing done
    assert response.status_code == 400 and "headers are larger than 16384 bytes" in error_of(response)
    server_key = sandbox.app.credentials.signing_key.public_key()
    assert signing.verify_body(server_key, response.content, response.headers["X-Bunq-Server-Signature"])
    assert sandbox.store.snapshot() == before
