"""Bad input, sent for real over HTTPS: bunq's error shape, a message that names the problem, no 500,
no traceback, and no change to the state (checked by reading the database before and after)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import pytest

from bunq_helpers.crypto import signing
from bunq_helpers.local_sandbox import LocalSandbox
from bunq_helpers.local_sandbox.divergences import REQUEST_TYPES_BUNQ_TAKES, defaulted_fields, request_schema
from bunq_helpers.local_sandbox.endpoints import all_routes
from bunq_helpers.local_sandbox.routing import Auth
from tests.helpers import KEYS_DIR, Handshake, Raw, error_of

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


@dataclass(frozen=True)
class Case:
    """One bad request and bunq's answer: ``path`` is a template (``{user}``, ``{account}``, ``{other_user}``,
    the ``objects`` below); ``body`` bytes, a dict, or ``callable(mine[, other])``; ``token`` the kind sent
    (None, ``installation``, ``session``, ``unknown``, ``closed-session``, with ``+signed`` and friends);
    ``message`` a part of the single ``error_description``."""

    name: str
    method: str
    path: str
    body: Any = None
    token: str | None = None
    status: int = 400
    message: str = ""
    also: tuple[str, ...] = ()  # one of these must be in the message too


CASES = [
    Case(
        "installation: empty body",
        "POST",
        "installation",
        body=b"",
        message='Field "client_public_key" is required',
    ),
    Case(
        "installation: truncated JSON",
        "POST",
        "installation",
        body=b'{"client_public_key": "-----BEGIN',
        message="not valid JSON",
    ),
    Case("installation: array body", "POST", "installation", body=b"[1, 2]", message="must be a JSON object"),
    Case(
        "installation: number key",
        "POST",
        "installation",
        body={"client_public_key": 42},
        message="must be a string, not number",
    ),
    Case(
        "installation: null key",
        "POST",
        "installation",
        body={"client_public_key": None},
        message="must be a string, not null",
    ),
    Case(
        "installation: empty key",
        "POST",
        "installation",
        body={"client_public_key": ""},
        message="must not be empty",
    ),
    Case(
        "installation: not PEM",
        "POST",
        "installation",
        body={"client_public_key": "ssh-rsa AAAA"},
        message="BEGIN PUBLIC KEY",
    ),
    Case(
        "installation: PEM garbage",
        "POST",
        "installation",
        body={"client_public_key": "-----BEGIN PUBLIC KEY-----\nxx\n-----END PUBLIC KEY-----"},
        message="could not be decoded",
    ),
    Case(
        "installation: RSA-1024",
        "POST",
        "installation",
        body={"client_public_key": _pem("too-small-1024.pub.pem")},
        message="1024 bits",
    ),
    Case(
        "installation: EC key",
        "POST",
        "installation",
        body={"client_public_key": _pem("ec-p256.pub.pem")},
        message="not RSA",
    ),
    Case(
        "installation: private key sent",
        "POST",
        "installation",
        body={"client_public_key": _pem("throwaway-client-key.pem")},
        message="BEGIN PUBLIC KEY",
    ),
    Case(
        "installation: non-UTF-8",
        "POST",
        "installation",
        body=b'{"client_public_key": "\xff\xfe"}',
        message="not valid UTF-8",
    ),
    Case(
        "installation: duplicate field",
        "POST",
        "installation",
        body=b'{"client_public_key": "a", "client_public_key": "b"}',
        message="more than once",
    ),
    Case(
        "installation: NaN",
        "POST",
        "installation",
        body=b'{"client_public_key": NaN}',
        message="not valid JSON",
    ),
    Case(
        "installation: deep nesting",
        "POST",
        "installation",
        body=b"[" * 100_000 + b"]" * 100_000,
        message="nested too deeply",
    ),
    Case(
        "installation: oversized",
        "POST",
        "installation",
        body=b'{"client_public_key": "' + b"A" * 1_100_000 + b'"}',
        message="larger than",
    ),
    Case(
        "installation: huge key string",
        "POST",
        "installation",
        body={"client_public_key": "A" * 20_000},
        message="longer than",
    ),
    Case("sandbox-user: malformed", "POST", "sandbox-user-person", body=b"{nope", message="not valid JSON"),
    Case(
        "device-server: no token",
        "POST",
        "device-server",
        body=lambda h: {"description": "d", "secret": h.api_key},
        token="none",
        status=401,
        message="Insufficient authorisation.",
    ),
    Case(
        "device-server: unknown token",
        "POST",
        "device-server",
        body=lambda h: {"description": "d", "secret": h.api_key},
        token="unknown",
        status=401,
        message="Insufficient authorisation.",
    ),
    Case(
        "device-server: session token",
        "POST",
        "device-server",
        body=lambda h: {"description": "d", "secret": h.api_key},
        token="session",
        status=401,
        message="Insufficient authorisation.",
    ),
    Case(
        "device-server: missing description",
        "POST",
        "device-server",
        body=lambda h: {"secret": h.api_key},
        token="installation",
        message='Field "description" is required',
    ),
    Case(
        "device-server: missing secret",
        "POST",
        "device-server",
        body={"description": "d"},
        token="installation",
        message='Field "secret" is required',
    ),
    Case(
        "device-server: secret is a list",
        "POST",
        "device-server",
        body={"description": "d", "secret": ["k"]},
        token="installation",
        message='Field "secret" must be a string, not array',
    ),
    Case(
        "device-server: description too long",
        "POST",
        "device-server",
        body=lambda h: {"description": LONG, "secret": h.api_key},
        token="installation",
        message="longer than 255",
    ),
    Case(
        "device-server: ips not a list",
        "POST",
        "device-server",
        body=lambda h: {"description": "d", "secret": h.api_key, "permitted_ips": "*"},
        token="installation",
        message="must be an array",
    ),
    Case(
        "device-server: ip not an address",
        "POST",
        "device-server",
        body=lambda h: {"description": "d", "secret": h.api_key, "permitted_ips": ["10.0.0.300"]},
        token="installation",
        message="not an IP address",
    ),
    Case(
        "device-server: ip is a number",
        "POST",
        "device-server",
        body=lambda h: {"description": "d", "secret": h.api_key, "permitted_ips": [1]},
        token="installation",
        message="must contain strings",
    ),
    Case(
        "device-server: unknown key",
        "POST",
        "device-server",
        body={"description": "d", "secret": "sandbox_" + "0" * 56},
        token="installation",
        message="User credentials are incorrect",
    ),
    Case(
        "session-server: unsigned",
        "POST",
        "session-server",
        body=lambda h: {"secret": h.api_key},
        token="installation",
        status=466,
        message="request signature is required",
    ),
    Case(
        "session-server: session token",
        "POST",
        "session-server",
        body=lambda h: {"secret": h.api_key},
        token="session",
        message="Authentication token already has a user session.",
    ),
    Case(
        "session-server: truncated signature",
        "POST",
        "session-server",
        body=lambda h: {"secret": h.api_key},
        token="installation+truncated-signature",
        message="The request signature is invalid.",
    ),
    Case(
        "session-server: non-base64 signature",
        "POST",
        "session-server",
        body=lambda h: {"secret": h.api_key},
        token="installation+garbage-signature",
        message="The request signature is invalid.",
    ),
    Case(
        "session-server: signed, missing secret",
        "POST",
        "session-server",
        body={},
        token="installation+signed",
        message='Field "secret" is required',
    ),
    Case(
        "user: installation token",
        "GET",
        "user",
        token="installation",
        status=401,
        message="Insufficient authorisation.",
    ),
    Case(
        "user: revoked session",
        "GET",
        "user",
        token="closed-session",
        status=401,
        message="Insufficient authorisation.",
    ),
    Case(
        "user: other user's id",
        "GET",
        "user/{other_user}",
        token="session",
        status=404,
        message="User with id",
    ),
    Case(
        "account: not a number",
        "GET",
        "user/{user}/monetary-account/abc",
        token="session",
        status=404,
        message="Route not found.",
    ),
    Case(
        "account: other account",
        "GET",
        "user/{user}/monetary-account/{other_account}",
        token="session",
        status=404,
        message="MonetaryAccount with id",
    ),
    Case(
        "payment: amount as number",
        "POST",
        PAYMENT,
        body=_payment(value=1),
        token="session+signed",
        message='"amount.value" must be a string amount',
    ),
    Case(
        "payment: negative amount",
        "POST",
        PAYMENT,
        body=_payment(value="-1.00"),
        token="session+signed",
        message='"amount.value" must be positive, got "-1.00"',
    ),
    Case(
        "payment: dollars",
        "POST",
        PAYMENT,
        body=_payment(currency="USD"),
        token="session+signed",
        message='must be "EUR"',
    ),
    Case(
        "payment: bad pointer type",
        "POST",
        PAYMENT,
        body=_payment(alias_type="FAX"),
        token="session+signed",
        message='"counterparty_alias.type" must be one of',
    ),
    Case(
        "payment: no funds",
        "POST",
        PAYMENT,
        body=_payment(),
        token="session+signed",
        message="does not cover",
    ),
    Case(
        "payment: unsigned",
        "POST",
        PAYMENT,
        body=_payment(),
        token="session",
        status=466,
        message="request signature is required",
    ),
    Case(
        "request-inquiry: bunqme not bool",
        "POST",
        "user/{user}/monetary-account/{account}/request-inquiry",
        body={
            "amount_inquired": {"value": "5.00", "currency": "EUR"},
            "counterparty_alias": {"type": "EMAIL", "value": "sugardaddy@bunq.com"},
            "description": "d",
            "allow_bunqme": "yes",
        },
        token="session",
        message='"allow_bunqme" must be true or false',
    ),
    Case(
        "list: count too large",
        "GET",
        "user/{user}/monetary-account?count=201",
        token="session",
        message='"count" must be a whole number from 1 to 200',
    ),
    Case(
        "list: count not a number",
        "GET",
        "user/{user}/payment?count=x",
        token="session",
        status=404,
        message="Route not found.",
    ),
    Case("path: encoded slash", "GET", "user%2F1", token="session", status=404, message="Route not found."),
    Case(
        "path: encoded dots",
        "GET",
        "user/%2e%2e/installation",
        token="session",
        status=404,
        message="Route not found.",
    ),
    Case(
        "path: double slash", "GET", "user//{user}", token="session", status=404, message="Route not found."
    ),
    Case(
        "path: outside /v1/",
        "GET",
        "https://{host}/v2/user",
        token="session",
        status=404,
        message="Route not found.",
    ),
    Case(
        "method: PUT installation",
        "PUT",
        "installation",
        body={},
        status=405,
        message="Method PUT is not allowed",
    ),
    Case("method: DELETE user", "DELETE", "user", token="session", status=405, message="it accepts GET"),
    Case(
        "method: PATCH device-server",
        "PATCH",
        "device-server",
        body={},
        token="installation",
        status=405,
        message="not allowed",
    ),
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
    Case(
        "attachment-public: no Content-Type",
        "POST",
        "attachment-public",
        body=PNG,
        token="session",
        message='Header "Content-Type" is required',
    ),
    Case(
        "attachment-public: JSON instead of a file",
        "POST",
        "attachment-public",
        body={"file": "x"},
        token="session",
        message="accepts image/png, image/jpeg, image/gif",
    ),
    Case(
        "attachment-public: PDF is not an image",
        "POST",
        "attachment-public",
        body=b"%PDF-1.4",
        token="session",
        message='"application/pdf"; this upload accepts',
    ),
    Case(
        "attachment-public: bytes are not a PNG",
        "POST",
        "attachment-public",
        body=b"GIF89a....",
        token="session",
        message="does not start like a file of type image/png",
    ),
    Case(
        "attachment-public: base64 of a PNG",
        "POST",
        "attachment-public",
        body=b"iVBORw0KGgo=",
        token="session",
        message="not base64",
    ),
    Case(
        "attachment-public: empty body",
        "POST",
        "attachment-public",
        body=b"",
        token="session",
        message="The request body is empty",
    ),
    Case(
        "attachment-public: no description",
        "POST",
        "attachment-public",
        body=PNG,
        token="session",
        message='Header "X-Bunq-Attachment-Description" is required',
    ),
    Case(
        "attachment-public: blank description",
        "POST",
        "attachment-public",
        body=PNG,
        token="session",
        message='Header "X-Bunq-Attachment-Description" is required',
    ),
    Case(
        "attachment-public: installation token",
        "POST",
        "attachment-public",
        body=PNG,
        token="installation",
        status=401,
        message="Insufficient authorisation.",
    ),
    Case(
        "attachment-public: over the body limit",
        "POST",
        "attachment-public",
        body=PNG + b"\x00" * 1_048_576,
        token="session",
        message="larger than 1048576 bytes",
    ),
    Case(
        "attachment-public: unknown uuid",
        "GET",
        "attachment-public/7d0e5c1a-0000-4000-8000-000000000000",
        token="session",
        status=404,
        message="AttachmentPublic with id",
    ),
    Case(
        "attachment-public: unknown uuid content",
        "GET",
        "attachment-public/x/content",
        token="session",
        status=404,
        message="AttachmentPublic with id x not found.",
    ),
    Case(
        "attachment: other user's account",
        "POST",
        "user/{user}/monetary-account/{other_account}/attachment",
        body=PNG,
        token="session",
        status=404,
        message="MonetaryAccount with id",
    ),
    Case(
        "attachment: text/plain",
        "POST",
        ACCOUNT + "/attachment",
        body=b"hello",
        token="session",
        message="accepts image/png, image/jpeg, image/gif, application/pdf",
    ),
    Case(
        "attachment: other user's file on my account",
        "GET",
        ACCOUNT + "/attachment/{other_attachment}/content",
        token="session",
        status=404,
        message="AttachmentMonetaryAccount with id",
    ),
    Case(
        "user attachment: other user's file",
        "GET",
        "user/{user}/attachment/{other_attachment}",
        token="session",
        status=404,
        message="AttachmentUser with id",
    ),
    Case(
        "user attachment: other user's content",
        "GET",
        "user/{user}/attachment/{other_attachment}/content",
        token="session",
        status=404,
        message="AttachmentUser with id",
    ),
    Case(
        "user attachment: other user's id",
        "GET",
        "user/{other_user}/attachment/{attachment}",
        token="session",
        status=404,
        message="User with id",
    ),
    Case(
        "note-text: no content",
        "POST",
        NOTE_TEXT,
        body={},
        token="session",
        message='Field "content" is required',
    ),
    Case(
        "note-text: content is a number",
        "POST",
        NOTE_TEXT,
        body={"content": 5},
        token="session",
        message='Field "content" must be a string, not number',
    ),
    Case(
        "note-text: blank content",
        "POST",
        NOTE_TEXT,
        body={"content": " "},
        token="session",
        message='Field "content" must not be empty',
    ),
    Case(
        "note-text: content too long",
        "POST",
        NOTE_TEXT,
        body={"content": "x" * 10_001},
        token="session",
        message='Field "content" is longer than 10000',
    ),
    Case(
        "note-text: not JSON",
        "POST",
        NOTE_TEXT,
        body=b"content=hi",
        token="session",
        message="not valid JSON",
    ),
    Case(
        "note-text: update with a list",
        "PUT",
        NOTE_TEXT + "/{note}",
        body={"content": ["a"]},
        token="session",
        message="must be a string, not array",
    ),
    Case(
        "note-text: other user's inquiry",
        "POST",
        ACCOUNT + "/request-inquiry/{other_inquiry}/note-text",
        body={"content": "x"},
        token="session",
        status=404,
        message="RequestInquiry with id",
    ),
    Case(
        "note-text: other user's path",
        "GET",
        "user/{other_user}/monetary-account/{other_account}/request-inquiry/{other_inquiry}/note-text",
        token="session",
        status=404,
        message="User with id",
    ),
    Case(
        "note-text: unknown note",
        "DELETE",
        NOTE_TEXT + "/{inquiry}",
        token="session",
        status=404,
        message="NoteText with id",
    ),
    Case(
        "note-text: as a note-attachment",
        "GET",
        NOTE_ATTACHMENT + "/{note}",
        token="session",
        status=404,
        message="NoteAttachment with id",
    ),
    Case(
        "note-attachment: no attachment_id",
        "POST",
        NOTE_ATTACHMENT,
        body={"description": "d"},
        token="session",
        message='Field "attachment_id" is required',
    ),
    Case(
        "note-attachment: attachment_id as text",
        "POST",
        NOTE_ATTACHMENT,
        body=lambda h: {"attachment_id": "1"},
        token="session",
        message='"attachment_id" must be a whole number',
    ),
    Case(
        "note-attachment: attachment_id true",
        "POST",
        NOTE_ATTACHMENT,
        body={"attachment_id": True},
        token="session",
        message='"attachment_id" must be a whole number',
    ),
    Case(
        "note-attachment: other user's file",
        "POST",
        NOTE_ATTACHMENT,
        token="session",
        message='"attachment_id": there is no attachment',
    ),
    Case(
        "note-attachment: description a number",
        "POST",
        NOTE_ATTACHMENT,
        token="session",
        message='Field "description" must be a string',
    ),
    Case(
        "note-text: unpaired surrogate",
        "POST",
        NOTE_TEXT,
        body=b'{"content": "receipt \\ud800"}',
        token="session",
        message='Field "content" contains a lone UTF-16 surrogate',
    ),
    Case(
        "request-inquiry: unpaired surrogate",
        "POST",
        ACCOUNT + "/request-inquiry",
        body=b'{"amount_inquired": {"value": "1.00", "currency": "EUR"}, "description": "\\udfff",'
        b' "counterparty_alias": {"type": "EMAIL", "value": "a@b.c"}}',
        token="session",
        message='Field "description" contains a lone UTF-16 surrogate',
    ),
    Case(
        "note-attachment: attachment_id too large",
        "POST",
        NOTE_ATTACHMENT,
        body={"attachment_id": 10**30},
        token="session",
        message='"attachment_id" must be a whole number',
    ),
    Case(
        "method: PATCH note-text",
        "PATCH",
        NOTE_TEXT + "/{note}",
        body={},
        token="session",
        status=405,
        message="it accepts DELETE, GET, PUT",
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
    Case(
        "bank: no currency",
        "POST",
        BANK,
        body={"description": "d"},
        token="session",
        message='Field "currency" is required',
    ),
    Case(
        "bank: currency a number",
        "POST",
        BANK,
        body={"currency": 978},
        token="session",
        message='Field "currency" must be one of EUR',
    ),
    Case(
        "bank: limit in Arabic-Indic digits",
        "POST",
        BANK,
        body={"currency": EUR, "daily_limit": {"value": "١٠٠.٠٠", "currency": EUR}},
        token="session",
        message='"daily_limit.value" must be a string amount',
    ),
    Case(
        "bank: limit a string",
        "POST",
        BANK,
        body={"currency": EUR, "daily_limit": "100"},
        token="session",
        message="must be an object",
    ),
    Case(
        "bank: description a list",
        "POST",
        BANK,
        body={"currency": EUR, "description": ["d"]},
        token="session",
        message="must be a string, not array",
    ),
    Case(
        "bank: other user",
        "POST",
        "user/{other_user}/monetary-account-bank",
        body={"currency": EUR},
        token="session",
        status=404,
        message="User with id",
    ),
    Case(
        "bank: update other's account",
        "PUT",
        BANK + "/{other_account}",
        body={"description": "x"},
        token="session",
        status=404,
        message="MonetaryAccount with id",
    ),
    Case(
        "bank: close without reason",
        "PUT",
        BANK + "/{account}",
        body={"status": "CANCELLED"},
        token="session",
        message='Field "reason" is required',
    ),
    Case(
        "bank: close the last account",
        "PUT",
        BANK + "/{account}",
        body={"status": "CANCELLED", "sub_status": "REDEMPTION_VOLUNTARY", "reason": "OTHER"},
        token="session",
        message="last ACTIVE bank account",
    ),
    Case(
        "bank: setting a string",
        "PUT",
        BANK + "/{account}",
        body={"setting": "blue"},
        token="session",
        message='"setting" must be an object',
    ),
    Case(
        "savings: negative goal",
        "POST",
        "user/{user}/monetary-account-savings",
        body={"currency": EUR, "savings_goal": {"value": "-5.00", "currency": EUR}},
        token="session",
        message='"savings_goal.value" must be positive',
    ),
    Case(
        "savings: a bank account's id",
        "PUT",
        "user/{user}/monetary-account-savings/{account}",
        body={"description": "x"},
        token="session",
        status=404,
        message="MonetaryAccountSavings with id",
    ),
    Case(
        "joint: no co-owner",
        "POST",
        "user/{user}/monetary-account-joint",
        body={"currency": EUR},
        token="session",
        message='"all_co_owner" is required',
    ),
    Case(
        "joint: co-owner a string",
        "POST",
        "user/{user}/monetary-account-joint",
        body={"currency": EUR, "all_co_owner": ["a@b.c"]},
        token="session",
        message='"all_co_owner[0].alias" must be a pointer',
    ),
    Case(
        "user-person: other user",
        "PUT",
        "user-person/{other_user}",
        body={"first_name": "M"},
        token="session",
        status=404,
        message="UserPerson with id",
    ),
    Case(
        "user-person: timeout a boolean",
        "PUT",
        "user-person/{user}",
        body={"session_timeout": True},
        token="session",
        message="must be a whole number",
    ),
    Case(
        "user-person: birth date in Arabic-Indic digits",
        "PUT",
        "user-person/{user}",
        body={"date_of_birth": "١٩٩٠-٠١-٠١"},
        token="session",
        message='"date_of_birth" must be a date',
    ),
    Case(
        "user-person: login limit in fullwidth digits",
        "PUT",
        "user-person/{user}",
        body={"daily_limit_without_confirmation_login": {"value": "１０.００", "currency": EUR}},
        token="session",
        message="must be a string amount",
    ),
    Case(
        "user-company: a person's id",
        "GET",
        "user-company/{user}",
        token="session",
        status=404,
        message="UserCompany with id",
    ),
    Case(
        "event: other user",
        "GET",
        "user/{other_user}/event",
        token="session",
        status=404,
        message="User with id",
    ),
    Case(
        "event: unknown status",
        "GET",
        "user/{user}/event?status=OPEN",
        token="session",
        message='"status" must be',
    ),
    Case(
        "event: other user's event",
        "GET",
        "user/{user}/event/{other_event}",
        token="session",
        status=404,
        message="Event with id",
    ),
    Case(
        "card-debit: no type",
        "POST",
        "user/{user}/card-debit",
        body=_card(type=None),
        token="session",
        message='Field "type" is required',
    ),
    Case(
        "card-debit: second line a number",
        "POST",
        "user/{user}/card-debit",
        body=_card(second_line=7),
        token="session",
        message='"second_line" must be a string',
    ),
    Case(
        "card-debit: PIN for other's account",
        "POST",
        "user/{user}/card-debit",
        body=lambda mine, other: _card(
            pin_code_assignment=[{"type": "PRIMARY", "monetary_account_id": other.account_id}]
        ),
        token="session",
        message="you have no monetary account",
    ),
    Case(
        "card: other user's card",
        "GET",
        "user/{user}/card/{other_card}",
        token="session",
        status=404,
        message="Card with id",
    ),
    Case(
        "card: limit in Arabic-Indic digits",
        "PUT",
        "user/{user}/card/{card}",
        body={"card_limit": {"value": "٥٠", "currency": EUR}},
        token="session",
        message='"card_limit.value" must be a string amount',
    ),
    Case(
        "cvc2: other user's card",
        "POST",
        "user/{user}/card/{other_card}/generated-cvc2",
        body={},
        token="session",
        status=404,
        message="Card with id",
    ),
    Case(
        "statement: no format",
        "POST",
        STATEMENTS,
        body=_export(statement_format=None),
        token="session",
        message='"statement_format" is required',
    ),
    Case(
        "statement: dates in Arabic-Indic digits",
        "POST",
        STATEMENTS,
        body=_export(date_start="٢٠٢٤-٠١-٠١"),
        token="session",
        message='"date_start" must be a date',
    ),
    Case(
        "statement: date a number",
        "POST",
        STATEMENTS,
        body=_export(date_end=20240131),
        token="session",
        message='"date_end" must be a date',
    ),
    Case(
        "statement: other's account",
        "POST",
        "user/{user}/monetary-account/{other_account}/customer-statement",
        body=_export(),
        token="session",
        status=404,
        message="MonetaryAccount with id",
    ),
    Case(
        "statement: other's statement",
        "GET",
        STATEMENTS + "/{other_statement}/content",
        token="session",
        status=404,
        message="CustomerStatement with id",
    ),
    Case(
        "statement: delete other's",
        "DELETE",
        STATEMENTS + "/{other_statement}",
        token="session",
        status=404,
        message="CustomerStatement with id",
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
    Case(
        "request-inquiry: Arabic-Indic digits",
        "POST",
        ACCOUNT + "/request-inquiry",
        body=_inquiry(ARABIC_TEN),
        token="session",
        message='"amount_inquired.value" must be a string amount',
    ),
    Case(
        "request-inquiry: revoke with a number",
        "PUT",
        ACCOUNT + "/request-inquiry/{inquiry}",
        body={"status": 1},
        token="session",
        message='Field "status" must be one of REVOKED',
    ),
    Case(
        "request-inquiry: revoke without status",
        "PUT",
        ACCOUNT + "/request-inquiry/{inquiry}",
        body={},
        token="session",
        message='Field "status" is required',
    ),
    Case(
        "request-inquiry: other user's request",
        "PUT",
        ACCOUNT + "/request-inquiry/{other_inquiry}",
        body={"status": "REVOKED"},
        token="session",
        status=404,
        message="RequestInquiry with id",
    ),
    Case(
        "request-inquiry: on another user's account",
        "GET",
        THEIRS + "/request-inquiry",
        token="session",
        status=404,
        message="MonetaryAccount with id",
    ),
    Case(
        "request-response: amount as number",
        "PUT",
        ACCOUNT + "/request-response/{my_response}",
        body={"status": "ACCEPTED", "amount_responded": {"value": 1, "currency": "EUR"}},
        token="session+signed",
        message='"amount_responded.value" must be a string amount',
    ),
    Case(
        "request-response: full-width digits",
        "PUT",
        ACCOUNT + "/request-response/{my_response}",
        body={"status": "ACCEPTED", "amount_responded": {"value": FULL_WIDTH_TEN, "currency": "EUR"}},
        token="session+signed",
        message='"amount_responded.value" must be a string amount',
    ),
    Case(
        "request-response: no status",
        "PUT",
        ACCOUNT + "/request-response/{my_response}",
        body={"amount_responded": {"value": "1.00", "currency": "EUR"}},
        token="session+signed",
        message='Field "status" is required',
    ),
    Case(
        "request-response: not enough money",
        "PUT",
        ACCOUNT + "/request-response/{my_response}",
        body={"status": "ACCEPTED"},
        token="session+signed",
        message="does not cover this payment",
    ),
    Case(
        "request-response: unsigned accept",
        "PUT",
        ACCOUNT + "/request-response/{my_response}",
        body={"status": "ACCEPTED"},
        token="session",
        status=466,
        message="request signature is required",
    ),
    Case(
        "request-response: other user's response",
        "GET",
        ACCOUNT + "/request-response/{other_response}",
        token="session",
        status=404,
        message="RequestResponse with id",
    ),
    Case(
        "request-response: bad status filter",
        "GET",
        ACCOUNT + "/request-response?status=1",
        token="session",
        message='Query parameter "status" must be one of',
    ),
    Case(
        "request-inquiry-batch: not a list",
        "POST",
        ACCOUNT + "/request-inquiry-batch",
        body={"request_inquiries": _inquiry()},
        token="session",
        message='Field "request_inquiries" must be an array, not object',
    ),
    Case(
        "request-inquiry-batch: item not an object",
        "POST",
        ACCOUNT + "/request-inquiry-batch",
        body={"request_inquiries": ["x"]},
        token="session",
        message='Field "request_inquiries[0]" must be an object',
    ),
    Case(
        "request-inquiry-batch: Arabic-Indic total",
        "POST",
        ACCOUNT + "/request-inquiry-batch",
        body={
            "request_inquiries": [_inquiry()],
            "total_amount_inquired": {"value": ARABIC_TEN, "currency": "EUR"},
        },
        token="session",
        message='"total_amount_inquired.value" must be a string amount',
    ),
    Case(
        "request-inquiry-batch: other user's batch",
        "GET",
        ACCOUNT + "/request-inquiry-batch/{other_batch}",
        token="session",
        status=404,
        message="RequestInquiryBatch with id",
    ),
    Case(
        "draft-payment: entries a string",
        "POST",
        ACCOUNT + "/draft-payment",
        body={"entries": "x", "number_of_required_accepts": 1},
        token="session",
        message='Field "entries" must be an array, not string',
    ),
    Case(
        "draft-payment: accepts as a string",
        "POST",
        ACCOUNT + "/draft-payment",
        body={"entries": [_order()], "number_of_required_accepts": "1"},
        token="session",
        message='"number_of_required_accepts" must be a whole number, not string',
    ),
    Case(
        "draft-payment: full-width digits",
        "POST",
        ACCOUNT + "/draft-payment",
        body={"entries": [_order(FULL_WIDTH_TEN)], "number_of_required_accepts": 1},
        token="session",
        message='"entries[0].amount.value" must be a string amount',
    ),
    Case(
        "draft-payment: entry without counterparty",
        "POST",
        ACCOUNT + "/draft-payment",
        body={
            "entries": [{"amount": {"value": "1.00", "currency": "EUR"}, "description": "d"}],
            "number_of_required_accepts": 1,
        },
        token="session",
        message='"entries[0].counterparty_alias" is required',
    ),
    Case(
        "draft-payment: schedule time a number",
        "POST",
        ACCOUNT + "/draft-payment",
        body={
            "entries": [_order()],
            "number_of_required_accepts": 1,
            "schedule": {**SCHEDULE, "time_start": 1},
        },
        token="session",
        message='"schedule.time_start" must be a UTC time',
    ),
    Case(
        "draft-payment: accept without money",
        "PUT",
        ACCOUNT + "/draft-payment/{my_draft}",
        body={"status": "ACCEPTED"},
        token="session+signed",
        message="does not cover this payment",
    ),
    Case(
        "draft-payment: other user's draft",
        "PUT",
        ACCOUNT + "/draft-payment/{other_draft}",
        body={"status": "ACCEPTED"},
        token="session+signed",
        status=404,
        message="DraftPayment with id",
    ),
    Case(
        "payment-batch: no payments",
        "POST",
        ACCOUNT + "/payment-batch",
        body={},
        token="session+signed",
        message='Field "payments" is required',
    ),
    Case(
        "payment-batch: Arabic-Indic digits",
        "POST",
        ACCOUNT + "/payment-batch",
        body={"payments": [_order(ARABIC_TEN)]},
        token="session+signed",
        message='"payments[0].amount.value" must be a string amount',
    ),
    Case(
        "payment-batch: unsigned",
        "POST",
        ACCOUNT + "/payment-batch",
        body={"payments": [_order()]},
        token="session",
        status=466,
        message="request signature is required",
    ),
    Case(
        "payment-batch: no funds",
        "POST",
        ACCOUNT + "/payment-batch",
        body={"payments": [_order(), _order()]},
        token="session+signed",
        message="does not cover this batch of 2 payments",
    ),
    Case(
        "payment-batch: on another user's account",
        "POST",
        THEIRS + "/payment-batch",
        body={"payments": [_order()]},
        token="session+signed",
        status=404,
        message="MonetaryAccount with id",
    ),
    Case(
        "schedule-payment: size as a string",
        "POST",
        ACCOUNT + "/schedule-payment",
        body={"payment": _order(), "schedule": {**SCHEDULE, "recurrence_size": "1"}},
        token="session+signed",
        message='"schedule.recurrence_size" must be a whole number, not string',
    ),
    Case(
        "schedule-payment: no payment",
        "POST",
        ACCOUNT + "/schedule-payment",
        body={"schedule": SCHEDULE},
        token="session+signed",
        message='Field "payment" is required',
    ),
    Case(
        "schedule-payment: payment a list",
        "POST",
        ACCOUNT + "/schedule-payment",
        body={"payment": [_order()], "schedule": SCHEDULE},
        token="session+signed",
        message='Field "payment" must be an object, not array',
    ),
    Case(
        "schedule-payment: full-width digits",
        "POST",
        ACCOUNT + "/schedule-payment",
        body={"payment": _order(FULL_WIDTH_TEN), "schedule": SCHEDULE},
        token="session+signed",
        message='"payment.amount.value" must be a string amount',
    ),
    Case(
        "schedule-payment: unsigned",
        "POST",
        ACCOUNT + "/schedule-payment",
        body={"payment": _order(), "schedule": SCHEDULE},
        token="session",
        status=466,
        message="request signature is required",
    ),
    Case(
        "schedule-payment: other user's schedule",
        "DELETE",
        ACCOUNT + "/schedule-payment/{other_schedule}",
        token="session",
        status=404,
        message="ScheduledPayment with id",
    ),
    Case(
        "schedule-payment-batch: payments a number",
        "POST",
        ACCOUNT + "/schedule-payment-batch",
        body={"payments": 3, "schedule": SCHEDULE},
        token="session+signed",
        message='Field "payments" must be a non-empty array',
    ),
    Case(
        "schedule-payment-batch: other user's batch",
        "PUT",
        ACCOUNT + "/schedule-payment-batch/{other_schedule}",
        body={"schedule": SCHEDULE},
        token="session",
        status=404,
        message="ScheduledPaymentBatch with id",
    ),
    Case(
        "schedule: other user's schedule",
        "GET",
        ACCOUNT + "/schedule/{other_schedule}",
        token="session",
        status=404,
        message="Schedule with id",
    ),
    Case(
        "schedule-instance: other user's schedule",
        "GET",
        ACCOUNT + "/schedule/{other_schedule}/schedule-instance",
        token="session",
        status=404,
        message="Schedule with id",
    ),
    Case(
        "schedule: another user's list",
        "GET",
        "user/{other_user}/schedule",
        token="session",
        status=404,
        message="User with id",
    ),
    Case(
        "bunqme-tab: no entry",
        "POST",
        ACCOUNT + "/bunqme-tab",
        body={"status": "WAITING_FOR_PAYMENT"},
        token="session",
        message='Field "bunqme_tab_entry" is required',
    ),
    Case(
        "bunqme-tab: Arabic-Indic digits",
        "POST",
        ACCOUNT + "/bunqme-tab",
        body={"bunqme_tab_entry": {"amount_inquired": {"value": ARABIC_TEN, "currency": "EUR"}}},
        token="session",
        message='"bunqme_tab_entry.amount_inquired.value" must be a string amount',
    ),
    Case(
        "bunqme-tab: description a number",
        "POST",
        ACCOUNT + "/bunqme-tab",
        body={"bunqme_tab_entry": {"description": 5}},
        token="session",
        message='"bunqme_tab_entry.description" must be a string, not number',
    ),
    Case(
        "bunqme-tab: other user's tab",
        "PUT",
        ACCOUNT + "/bunqme-tab/{other_tab}",
        body={"status": "CANCELLED"},
        token="session",
        status=404,
        message="BunqMeTab with id",
    ),
    Case(
        "list: count in superscript digits",
        "GET",
        ACCOUNT + "/schedule-payment?count=²",
        token="session",
        message='"count" must be a whole number',
    ),
]
CASES += MONEY_CASES


# -- presence and type, for every operation whose JSON body the kit checks: made from the catalogue, so
# an operation added later is covered the day it is declared ------------------------------------------

_FILLER = {"string": "x", "integer": 1, "number": 1, "boolean": True}
_WRONG_WORDS = {  # what the wrong value must be called, by the field's JSON type
    "string": "must be a string, not number",
    "integer": "must be a whole number, not string",
    "number": "must be a number, not string",
    "boolean": "must be true or false, not string",
}


def _filler(kind: Any) -> Any:
    """A value of the right JSON type (enough for the body check, which runs before the handler; the
    field under test comes first in the body, so a rule on a filled field does not answer before it)."""
    return [] if isinstance(kind, list) else _FILLER.get(kind, {})


def _case_path(template: str) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        return {"user_id": "{user}", "account_id": "{account}"}.get(
            name, "0" if name.endswith("_uuid") else "1"
        )

    return re.sub(r"\{(\w+)\}", value, template)


def generated_cases() -> list[Case]:
    """A missing-field case for each required field and a wrong-type case for each field, per operation."""
    cases = []
    for route in all_routes():
        schema = request_schema(route.operation) if route.operation is not None else None
        if schema is None or "media_type" in schema or not schema["fields"]:
            continue
        operation_id, fields = route.operation.operation_id, schema["fields"]
        required = [
            field for field in schema.get("required", ()) if field not in defaulted_fields(operation_id)
        ]
        token = {Auth.NONE: None, Auth.INSTALLATION: "installation", Auth.SESSION: "session"}[route.auth]
        if route.signature_required:
            token += "+signed"
        shared = {"method": route.method, "path": _case_path(route.template), "token": token}
        for missing in required:
            body = {field: _filler(fields[field]) for field in required if field != missing}
            message = f'Field "{missing}" is required.'
            cases.append(Case(f"{operation_id}: {missing} missing", body=body, message=message, **shared))
        for field, kind in fields.items():
            wrong = 5 if kind == "string" else "x"
            alternative = REQUEST_TYPES_BUNQ_TAKES.get((operation_id, field))
            if alternative is not None and isinstance(wrong, type(_filler(alternative[0]))):  # bunq takes it
                continue
            body = {field: wrong, **{name: _filler(fields[name]) for name in required if name != field}}
            words = (
                "must be an array" if isinstance(kind, list) else _WRONG_WORDS.get(kind, "must be an object")
            )
            cases.append(
                Case(
                    f"{operation_id}: {field} of the wrong type",
                    body=body,
                    message=f'"{field}"',
                    also=(
                        words,
                        "must be one of",
                        "must be a date",
                        "must be a non-empty array",
                        "Invalid type",
                    ),
                    **shared,
                )
            )
    return cases


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


@pytest.mark.parametrize("case", CASES + generated_cases(), ids=lambda case: case.name)
def test_bad_input_gets_bunqs_error_and_changes_nothing(sandbox, raw, world, objects, case: Case) -> None:
    mine, other = world
    body = case.body
    if callable(body):
        body = body(mine, other) if body.__code__.co_argcount == 2 else body(mine)
    if case.name in OBJECT_BODIES:
        body = OBJECT_BODIES[case.name](objects)
    data = json.dumps(body).encode() if isinstance(body, dict) else body
    headers, token = _headers_and_token(case.token, mine, raw, data or b"")
    headers.update(UPLOAD_HEADERS.get(case.name, {}))
    host = sandbox.base_url.split("/")[2]
    path = case.path.format(
        user=mine.user_id,
        account=mine.account_id,
        other_user=other.user_id,
        other_account=other.account_id,
        host=host,
        **objects,
    )
    before = sandbox.store.snapshot()
    response = raw.call(case.method, path, data, token=token, headers=headers)
    after = sandbox.store.snapshot()
    assert response.status_code == case.status, response.text
    said = error_of(response)
    assert case.message in said, said
    if case.also:
        assert any(part in said for part in case.also), said
    assert "Traceback" not in response.text and 'File "' not in response.text
    assert response.headers["Content-Type"] == "application/json"
    assert signing.verify_body(mine.server_key, response.content, response.headers["X-Bunq-Server-Signature"])
    if case.token != "closed-session":
        assert after == before, case.name


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
