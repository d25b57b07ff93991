"""``payment-service-provider-credential``: a PSD2 provider's API context starts from a certificate.

The order (sdk_python ``ApiContext.create_for_psd2``): installation; then this call with the
installation token; then device-server and session-server with the answer's ``token_value`` as the
API key; the session's user item is ``UserPaymentServiceProvider``.

The body (bunq's OpenAPI description, ``PaymentServiceProviderCredential``): the provider's certificate
(PEM), its chain (PEM, intermediates and root), and ``client_public_key_signature``: the certificate
key's signature of the installation's public key and token (both strings bunq's SDKs sign are
accepted: ``crypto.psd2``). The certificate checks are ``psd2_certificates``'; a refusal is bunq's 400
with the reason.

The answer is what sdk_python reads: the first item wrapped as ``CredentialPasswordIp``, with
``status`` ``PENDING_FIRST_USE``, ``token_value`` and ``expiry_time`` (bunq's spec lists only ``Id``
for the create; the SDK, a real client, wins). The same certificate again gives the same provider
user and a new credential. ``expiry_time`` is shown an hour ahead and, like an API key's activation
window, not enforced. Reading it back (session of the provider) shows ``ACTIVE`` and the
``permitted_device`` once a device was registered with the token.
"""

from __future__ import annotations

import sqlite3
import uuid
from typing import Any

from cryptography.x509.oid import NameOID

from ...crypto.psd2 import matching_string
from ..bunq_errors import bad_request, not_found
from ..field_rules import text
from ..kit import body_of, op
from ..options import DEFAULT_SESSION_TIMEOUT
from ..psd2_certificates import CertificateRefused, check_chain
from ..render import id_and_stamps, timestamp
from ..request import Request
from ..routing import Auth, Caller, HandlerContext, Reply
from ..store import new_token

PENDING_SECONDS = 3600
MAX_PEM = 65_536
RULES = {
    "client_payment_service_provider_certificate": text(MAX_PEM),
    "client_payment_service_provider_certificate_chain": text(MAX_PEM),
    "client_public_key_signature": text(4096),
}


def credential_object(db: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    """The credential as sdk_python reads it (``UserCredentialPasswordIpApiObject``)."""
    device = db.execute(
        "SELECT description, ip FROM devices WHERE credential_id = ? ORDER BY id LIMIT 1",
        (row["credential_id"],),
    ).fetchone()
    token = db.execute("SELECT api_key FROM credentials WHERE id = ?", (row["credential_id"],)).fetchone()
    return {
        **id_and_stamps(row),
        "status": "ACTIVE" if device else "PENDING_FIRST_USE",
        "expiry_time": None if device else timestamp(row["expiry_time"]),
        "token_value": None if device else token["api_key"],
        "permitted_device": {"description": device["description"], "ip": device["ip"]} if device else None,
    }


def _provider_name(distinguished_name: str, subject) -> str:
    for oid in (NameOID.ORGANIZATION_NAME, NameOID.COMMON_NAME):
        found = subject.get_attributes_for_oid(oid)
        if found:
            return str(found[0].value)[:255]
    return distinguished_name[:255] or "Payment service provider"


def create_credential(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """POST payment-service-provider-credential (installation token): check, then answer the token."""
    body = body_of(request)
    certificate = body["client_payment_service_provider_certificate"]
    chain = body["client_payment_service_provider_certificate_chain"]
    signature = body["client_public_key_signature"]
    now = ctx.now()
    try:
        checked = check_chain(certificate, chain, now, ctx.options.psd2_trusted_roots)
    except CertificateRefused as exc:
        raise bad_request(str(exc)) from None
    installation = caller.installation
    token = (
        ctx.store.read()
        .execute(
            "SELECT token FROM tokens WHERE installation_id = ? AND kind = 'installation'",
            (installation["id"],),
        )
        .fetchone()
    )
    if (
        matching_string(checked.public_key, signature, installation["client_public_key"], token["token"])
        is None
    ):
        raise bad_request(
            'Field "client_public_key_signature" does not verify with the certificate\'s key. Sign your '
            "installation's public key (PEM) followed by a newline and the installation token, with the "
            "certificate's private key (RSA PKCS#1 v1.5, SHA-256), base64."
        )
    with ctx.store.transaction() as db:
        known = db.execute(
            "SELECT user_id FROM psd2_credentials WHERE fingerprint = ? ORDER BY id LIMIT 1",
            (checked.fingerprint,),
        ).fetchone()
        if known is not None:
            user_id = known["user_id"]
        else:
            name = _provider_name(checked.distinguished_name, checked.certificate.subject)
            user_id = db.execute(
                "INSERT INTO users (kind, display_name, public_nick_name, email, public_uuid, session_timeout,"
                " created, updated) VALUES ('UserPaymentServiceProvider', ?, ?, '', ?, ?, ?, ?)",
                (name, name, str(uuid.uuid4()), DEFAULT_SESSION_TIMEOUT, now, now),
            ).lastrowid
        credential_id = db.execute(
            "INSERT INTO credentials (user_id, api_key, status, wildcard, created, updated)"
            " VALUES (?, ?, 'ACTIVE', 0, ?, ?)",
            (user_id, new_token(), now, now),
        ).lastrowid
        row_id = db.execute(
            "INSERT INTO psd2_credentials (installation_id, user_id, credential_id, distinguished_name, fingerprint,"
            " expiry_time, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                installation["id"],
                user_id,
                credential_id,
                checked.distinguished_name,
                checked.fingerprint,
                now + PENDING_SECONDS,
                now,
                now,
            ),
        ).lastrowid
        row = db.execute("SELECT * FROM psd2_credentials WHERE id = ?", (row_id,)).fetchone()
        shown = credential_object(db, row)
    return Reply([{"CredentialPasswordIp": shown}])


def read_credential(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """GET payment-service-provider-credential/{id}: the provider's own credential."""
    db = ctx.store.read()
    row = db.execute(
        "SELECT * FROM psd2_credentials WHERE id = ? AND user_id = ?", (ids["item_id"], caller.user["id"])
    ).fetchone()
    if row is None:
        raise not_found("PaymentServiceProviderCredential", ids["item_id"])
    return Reply([{"CredentialPasswordIp": credential_object(db, row)}])


ROUTES = [
    op("CREATE_PaymentServiceProviderCredential", create_credential, auth=Auth.INSTALLATION, rules=RULES),
    op("READ_PaymentServiceProviderCredential", read_credential),
]
