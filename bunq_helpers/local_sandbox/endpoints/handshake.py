"""The handshake endpoints: sandbox users, installation, device-server, session-server, logout.

Choices where bunq's behaviour is not documented:

- One server key pair per state directory signs every response, errors included; every
  installation is given that key as its ``ServerPublicKey``.
- A new API key is bound at its first device-server call to the caller's IP plus the listed
  ``permitted_ips``; ``"*"`` makes it a wildcard key (any IP). A later device-server call must
  come from a permitted IP (else bunq's credentials error) and may add IPs or ``"*"``.
- session-server needs a device registered with this installation for this API key, and the
  caller's IP must be permitted; otherwise bunq's 400 credentials error.
- Sessions expire ``session_timeout`` seconds after they are opened (extension: see ``auth``).
- ``DELETE session/{id}`` closes the calling session whatever the id (the SDKs send 0) and
  answers ``{"Response": []}``.
- The API key's one-hour activation window is not enforced.
- Client keys: RSA with a modulus of at least ``validation.CLIENT_KEY_MIN_BITS`` (2047) bits. bunq asks for
  2048-bit keys, but bunq's Postman collection makes its key with jsrsasign, which multiplies two
  1024-bit primes without checking the product's length: 39% of its "2048-bit" keys have a
  2047-bit modulus, and bunq accepts them (shared/bunq-protocol.md §17). 2047 is the smallest
  modulus a client asking for 2048 bits gets from two 1024-bit primes, so it is the threshold:
  tolerant of every real client we know, and still refusing weaker keys (1024 bits or a
  1536-bit key are refused with bunq's 400) that no source shows bunq taking.
"""

from __future__ import annotations

import uuid
from functools import partial

from ...errors import InvalidKeyError
from ..bunq_errors import bad_request, credentials_incorrect, not_found
from ..field_rules import text
from ..kit import body_of, op
from ..oauth_grants import wrapped_user
from ..options import DEFAULT_SESSION_TIMEOUT
from ..pagination import paginate
from ..render import device_object, iban_for, token_object
from ..request import Request, normal_ip
from ..routing import Auth, Caller, HandlerContext, Reply
from ..store import new_api_key, new_token
from ..validation import client_public_key, optional_ip_list
from .users import profile_of

PERSON_NAMES = [("Sandy", "de Vries"), ("Noor", "Jansen"), ("Daan", "Bakker"), ("Emma", "Visser")]
COMPANY_NAMES = ["Sandbox Trading B.V.", "Tulip Test B.V.", "Canal Commerce B.V."]
SECRET = {"secret": text(255)}  # the API key
DEVICE_RULES = {**SECRET, "description": text(255)}


def _create_sandbox_user(
    ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int], kind: str
) -> Reply:
    """POST sandbox-user-person or sandbox-user-company: a user of ``kind`` with an empty EUR account and
    an API key."""
    body_of(request)  # any body is accepted, but it must be JSON if present
    now = ctx.now()
    with ctx.store.transaction() as db:
        seq = db.execute("SELECT COUNT(*) FROM users").fetchone()[0]
        if kind == "UserPerson":
            first, last = PERSON_NAMES[seq % len(PERSON_NAMES)]
            name, display = None, f"{first} {last}"
            nick = first
        else:
            first = last = None
            name = display = COMPANY_NAMES[seq % len(COMPANY_NAMES)]
            nick = display.split()[0]
        cursor = db.execute(
            "INSERT INTO users (kind, first_name, last_name, name, display_name, public_nick_name,"
            " email, public_uuid, session_timeout, created, updated)"
            " VALUES (?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?)",
            (kind, first, last, name, display, nick, str(uuid.uuid4()), DEFAULT_SESSION_TIMEOUT, now, now),
        )
        user_id = cursor.lastrowid
        email = f"sandbox.user.{user_id}@bunq.example"
        db.execute("UPDATE users SET email = ? WHERE id = ?", (email, user_id))
        account_id = db.execute(
            "INSERT INTO accounts (user_id, iban, description, currency, balance_cents, status,"
            " public_uuid, created, updated) VALUES (?, '', 'Main account', 'EUR', 0, 'ACTIVE', ?, ?, ?)",
            (user_id, str(uuid.uuid4()), now, now),
        ).lastrowid
        db.execute("UPDATE accounts SET iban = ? WHERE id = ?", (iban_for(account_id), account_id))
        api_key = new_api_key()
        db.execute(
            "INSERT INTO credentials (user_id, api_key, status, wildcard, created, updated)"
            " VALUES (?, ?, 'ACTIVE', 0, ?, ?)",
            (user_id, api_key, now, now),
        )
    return Reply([{"ApiKey": {"api_key": api_key}}])


create_sandbox_user_person = partial(_create_sandbox_user, kind="UserPerson")
create_sandbox_user_company = partial(_create_sandbox_user, kind="UserCompany")


def create_installation(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """POST installation: register the client's public key; answer Id, Token, ServerPublicKey."""
    body = body_of(request)
    pem = body["client_public_key"]
    try:
        client_public_key(pem)  # parsed once: the signature checks of this installation reuse it
    except InvalidKeyError as exc:
        raise bad_request(f'Field "client_public_key" is not usable: {exc}') from None
    now = ctx.now()
    with ctx.store.transaction() as db:
        installation_id = db.execute(
            "INSERT INTO installations (client_public_key, created, updated) VALUES (?, ?, ?)",
            (pem, now, now),
        ).lastrowid
        token = {"token": new_token(), "created": now, "updated": now}
        token["id"] = db.execute(
            "INSERT INTO tokens (token, kind, installation_id, created, updated)"
            " VALUES (?, 'installation', ?, ?, ?)",
            (token["token"], installation_id, now, now),
        ).lastrowid
    return Reply(
        [
            {"Id": {"id": installation_id}},
            {"Token": token_object(token)},
            {"ServerPublicKey": {"server_public_key": ctx.server_public_key_pem}},
        ]
    )


def list_installation(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """GET installation: the id of the installation this session belongs to."""
    return Reply([{"Id": {"id": caller.session["installation_id"]}}])


def read_installation(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """GET installation/{id}: the same id, if it is this session's installation."""
    if ids["installation_id"] != caller.session["installation_id"]:
        raise not_found("Installation", ids["installation_id"])
    return Reply([{"Id": {"id": ids["installation_id"]}}])


def read_server_public_key(
    ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]
) -> Reply:
    """GET installation/{id}/server-public-key."""
    if ids["installation_id"] != caller.session["installation_id"]:
        raise not_found("Installation", ids["installation_id"])
    return Reply([{"ServerPublicKey": {"server_public_key": ctx.server_public_key_pem}}])


def _ip_permitted(db, credential, ip: str) -> bool:
    if credential["wildcard"]:
        return True
    row = db.execute(
        "SELECT 1 FROM permitted_ips WHERE credential_id = ? AND ip = ? AND status = 'ACTIVE'",
        (credential["id"], normal_ip(ip)),
    ).fetchone()
    return row is not None


def _credential_for(db, api_key: str):
    return db.execute(
        "SELECT * FROM credentials WHERE api_key = ? AND status = 'ACTIVE'", (api_key,)
    ).fetchone()


def create_device_server(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """POST device-server: register this installation for an API key and bind the key's IPs."""
    body = body_of(request)
    listed = optional_ip_list(body, "permitted_ips")
    caller_ip = normal_ip(request.remote_addr)
    now = ctx.now()
    with ctx.store.transaction() as db:
        credential = _credential_for(db, body["secret"])
        if credential is None:
            raise credentials_incorrect()
        bound = (
            credential["wildcard"]
            or db.execute(
                "SELECT 1 FROM permitted_ips WHERE credential_id = ?", (credential["id"],)
            ).fetchone()
        )
        if bound and not _ip_permitted(db, credential, caller_ip):
            raise credentials_incorrect()
        new_ips = [ip for ip in listed if ip != "*"]
        if not bound and (not listed or "*" in listed):
            new_ips.insert(0, caller_ip)
        for ip in dict.fromkeys(new_ips):
            exists = db.execute(
                "SELECT 1 FROM permitted_ips WHERE credential_id = ? AND ip = ?", (credential["id"], ip)
            ).fetchone()
            if not exists:
                db.execute(
                    "INSERT INTO permitted_ips (credential_id, ip, status, created, updated)"
                    " VALUES (?, ?, 'ACTIVE', ?, ?)",
                    (credential["id"], ip, now, now),
                )
        if "*" in listed and not credential["wildcard"]:
            db.execute(
                "UPDATE credentials SET wildcard = 1, updated = ? WHERE id = ?", (now, credential["id"])
            )
        device_id = db.execute(
            "INSERT INTO devices (installation_id, credential_id, description, ip, status, created, updated)"
            " VALUES (?, ?, ?, ?, 'ACTIVE', ?, ?)",
            (caller.installation["id"], credential["id"], body["description"], caller_ip, now, now),
        ).lastrowid
    return Reply([{"Id": {"id": device_id}}])


def _devices_of(ctx: HandlerContext, caller: Caller):
    return (
        ctx.store.read()
        .execute(
            "SELECT d.* FROM devices d JOIN credentials c ON c.id = d.credential_id"
            " WHERE c.user_id = ? ORDER BY d.id DESC",
            (caller.user["id"],),
        )
        .fetchall()
    )


def list_device_servers(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """GET device-server: the devices registered with the caller's API keys."""
    return paginate(request, [device_object(d) for d in _devices_of(ctx, caller)], "DeviceServer")


def read_device_server(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """GET device-server/{id}."""
    for device in _devices_of(ctx, caller):
        if device["id"] == ids["device_id"]:
            return Reply([{"DeviceServer": device_object(device)}])
    raise not_found("DeviceServer", ids["device_id"])


def create_session_server(
    ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]
) -> Reply:
    """POST session-server (signed): open a session; answer Id, Token and the user."""
    now = ctx.now()
    with ctx.store.transaction() as db:
        credential = _credential_for(db, body_of(request)["secret"])
        if credential is None:
            raise credentials_incorrect()
        # the key's user, with the newest device this installation registered for the key (one statement)
        user = db.execute(
            "SELECT u.*, d.id AS device_id FROM devices d JOIN users u ON u.id = ?"
            " WHERE d.installation_id = ? AND d.credential_id = ? AND d.status = 'ACTIVE'"
            " ORDER BY d.id DESC LIMIT 1",
            (credential["user_id"], caller.installation["id"], credential["id"]),
        ).fetchone()
        if user is None or not _ip_permitted(db, credential, request.remote_addr):
            raise credentials_incorrect()
        timeout = ctx.options.session_timeout or user["session_timeout"]
        token = {"token": new_token(), "created": now, "updated": now}
        token_id = token["id"] = db.execute(
            "INSERT INTO tokens (token, kind, installation_id, created, updated)"
            " VALUES (?, 'session', ?, ?, ?)",
            (token["token"], caller.installation["id"], now, now),
        ).lastrowid
        db.execute(
            "INSERT INTO sessions (id, installation_id, device_id, user_id, timeout, expires_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (token_id, caller.installation["id"], user["device_id"], user["id"], timeout, now + timeout),
        )
        profile = profile_of(db, user["id"])  # in the transaction: no read transaction of its own after it
        shown_user = wrapped_user(
            db, user, timeout, profile
        )  # UserApiKey (OAuth), UserPaymentServiceProvider
    return Reply(
        [
            {"Id": {"id": token_id}},
            {"Token": token_object(token)},
            shown_user,
        ]
    )


def delete_session(ctx: HandlerContext, request: Request, caller: Caller, ids: dict[str, int]) -> Reply:
    """DELETE session/{id}: close the calling session (the id is not checked; the SDKs send 0)."""
    with ctx.store.transaction() as db:
        db.execute("UPDATE sessions SET closed = 1 WHERE id = ?", (caller.session["id"],))
    return Reply([])


ROUTES = [
    op("CREATE_SandboxUserPerson", create_sandbox_user_person, auth=Auth.NONE),
    op("CREATE_SandboxUserCompany", create_sandbox_user_company, auth=Auth.NONE),
    op("CREATE_Installation", create_installation, auth=Auth.NONE, rules={"client_public_key": text(16_384)}),
    op("List_all_Installation", list_installation),
    op("READ_Installation", read_installation, item="installation_id"),
    op("List_all_ServerPublicKey_for_Installation", read_server_public_key),
    op("CREATE_DeviceServer", create_device_server, auth=Auth.INSTALLATION, rules=DEVICE_RULES),
    op("List_all_DeviceServer", list_device_servers),
    op("READ_DeviceServer", read_device_server, item="device_id"),
    op("CREATE_SessionServer", create_session_server, auth=Auth.INSTALLATION, signed=True, rules=SECRET),
    op("DELETE_Session", delete_session, item="session_id"),
]
