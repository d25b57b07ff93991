"""Files: ``attachment-public`` (anyone signed in may read it, by UUID) and attachments uploaded to a
monetary account (only their owner may read them, per account or per user), with their raw content.

An upload is the file's bytes as the body, not JSON, as bunq and its SDKs send it: the MIME type in
``Content-Type`` and a description in ``X-Bunq-Attachment-Description``. The bytes must start the way
a file of that type does. A content answer is the exact bytes with the file's own Content-Type,
signed like every other answer.
"""

from __future__ import annotations

import re
import sqlite3
import uuid

from ..bunq_errors import bad_request, not_found
from ..kit import Owned, op
from ..render import attachment_object, timestamp
from ..request import API_PREFIX, Request
from ..routing import Caller, HandlerContext, RawReply, Reply
from .lookups import own_account

# The types bunq names for each kind of upload, and how such a file begins.
IMAGES = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
}
PUBLIC_TYPES = IMAGES
ACCOUNT_TYPES = {**IMAGES, "application/pdf": (b"%PDF-",)}
DESCRIPTION_HEADER = "X-Bunq-Attachment-Description"
# what the user uploaded to any of their accounts (a public attachment has no account)
USER_ATTACHMENT = Owned(
    "attachments", "AttachmentUser", "attachment_id", keep=lambda row: row["account_id"] is not None
)
_HOST = re.compile(r"^[A-Za-z0-9.\-]+(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$")


def _content_type(request: Request, allowed: dict[str, tuple[bytes, ...]]) -> str:
    names = ", ".join(allowed)
    raw = request.header("Content-Type")
    if not raw or not raw.strip():
        raise bad_request(f'Header "Content-Type" is required: give the file\'s MIME type ({names}).')
    content_type = raw.split(";")[0].strip().lower()
    if content_type not in allowed:
        raise bad_request(f'Header "Content-Type" is "{raw.strip()[:64]}"; this upload accepts {names}.')
    if not request.body:
        raise bad_request("The request body is empty: send the file's bytes, without any JSON around them.")
    if not request.body.startswith(allowed[content_type]):
        raise bad_request(
            f'The request body does not start like a file of type {content_type}, as header "Content-Type" '
            "says: send the file's bytes unchanged (not base64, not JSON) with the type that matches them."
        )
    return content_type


def _description(request: Request) -> str:
    raw = request.header(DESCRIPTION_HEADER)
    if raw is None or not raw.strip():
        raise bad_request(f'Header "{DESCRIPTION_HEADER}" is required: describe the file in it.')
    try:  # HTTP headers arrive as Latin-1; clients that send UTF-8 get their text back
        return raw.strip().encode("latin-1").decode("utf-8")
    except UnicodeError:
        return raw.strip()


def _store_upload(ctx: HandlerContext, request: Request, user_id: int, account_id: int | None) -> sqlite3.Row:
    allowed = ACCOUNT_TYPES if account_id is not None else PUBLIC_TYPES
    content_type = _content_type(request, allowed)
    description = _description(request)
    now = ctx.now()
    with ctx.store.transaction() as db:
        attachment_id = db.execute(
            "INSERT INTO attachments (uuid, user_id, account_id, description, content_type, content,"
            " created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (str(uuid.uuid4()), user_id, account_id, description, content_type, request.body, now, now),
        ).lastrowid
        return db.execute("SELECT * FROM attachments WHERE id = ?", (attachment_id,)).fetchone()


def _url(request: Request, path: str) -> str:
    host = request.header("Host") or ""
    return f"https://{host if _HOST.match(host) else 'localhost'}{API_PREFIX}{path}"


def _described(wrapper: str, key: dict, row: sqlite3.Row, request: Request, path: str) -> Reply:
    """An attachment's metadata, pointing at its content below ``path``."""
    attachment = attachment_object(row, _url(request, path + "/content"))
    stamps = {"created": timestamp(row["created"]), "updated": timestamp(row["updated"])}
    return Reply([{wrapper: {**key, **stamps, "attachment": attachment}}])


def _content(row: sqlite3.Row) -> RawReply:
    return RawReply(bytes(row["content"]), row["content_type"])


# Public attachments.


def _public_attachment(ctx: HandlerContext, ids: dict) -> sqlite3.Row:
    row = (
        ctx.store.read()
        .execute("SELECT * FROM attachments WHERE uuid = ? AND account_id IS NULL", (ids["attachment_uuid"],))
        .fetchone()
    )
    if row is None:
        raise not_found("AttachmentPublic", ids["attachment_uuid"])
    return row


def create_public_attachment(ctx: HandlerContext, request: Request, caller: Caller, ids: dict) -> Reply:
    """POST attachment-public: the file's bytes as the body; answers its UUID."""
    row = _store_upload(ctx, request, caller.user["id"], None)
    return Reply([{"Uuid": {"uuid": row["uuid"]}}])


def read_public_attachment(ctx: HandlerContext, request: Request, caller: Caller, ids: dict) -> Reply:
    """GET attachment-public/{uuid}: what the file is, for anyone signed in."""
    row = _public_attachment(ctx, ids)
    return _described(
        "AttachmentPublic", {"uuid": row["uuid"]}, row, request, f"attachment-public/{row['uuid']}"
    )


def public_attachment_content(ctx: HandlerContext, request: Request, caller: Caller, ids: dict) -> RawReply:
    """GET attachment-public/{uuid}/content: the exact bytes."""
    return _content(_public_attachment(ctx, ids))


# Attachments on a monetary account, which are also the user's attachments.


def own_attachment(db: sqlite3.Connection, user_id: int, attachment_id: int) -> sqlite3.Row | None:
    """An attachment uploaded to one of this user's monetary accounts, or None."""
    return db.execute(
        "SELECT * FROM attachments WHERE id = ? AND user_id = ? AND account_id IS NOT NULL",
        (attachment_id, user_id),
    ).fetchone()


def create_account_attachment(ctx: HandlerContext, request: Request, caller: Caller, ids: dict) -> Reply:
    """POST …/monetary-account/{id}/attachment: the file's bytes as the body; answers its id."""
    account = own_account(ctx, caller, ids)
    row = _store_upload(ctx, request, caller.user["id"], account["id"])
    return Reply([{"Id": {"id": row["id"]}}])


def account_attachment_content(ctx: HandlerContext, request: Request, caller: Caller, ids: dict) -> RawReply:
    """GET …/monetary-account/{id}/attachment/{id}/content: the exact bytes."""
    account = own_account(ctx, caller, ids)
    row = own_attachment(ctx.store.read(), caller.user["id"], ids["attachment_id"])
    if row is None or row["account_id"] != account["id"]:
        raise not_found("AttachmentMonetaryAccount", ids["attachment_id"])
    return _content(row)


def read_user_attachment(ctx: HandlerContext, request: Request, caller: Caller, ids: dict) -> Reply:
    """GET user/{id}/attachment/{id}: any attachment the user uploaded to one of their accounts."""
    row = USER_ATTACHMENT.find(ctx, caller, ids)
    return _described(
        "AttachmentUser", {"id": row["id"]}, row, request, f"user/{row['user_id']}/attachment/{row['id']}"
    )


def user_attachment_content(ctx: HandlerContext, request: Request, caller: Caller, ids: dict) -> RawReply:
    """GET user/{id}/attachment/{id}/content: the exact bytes."""
    return _content(USER_ATTACHMENT.find(ctx, caller, ids))


ROUTES = [
    op("CREATE_AttachmentPublic", create_public_attachment),
    op("READ_AttachmentPublic", read_public_attachment, item="attachment_uuid"),
    op("List_all_Content_for_AttachmentPublic", public_attachment_content),
    op("CREATE_Attachment_for_User_MonetaryAccount", create_account_attachment),
    op("List_all_Content_for_User_MonetaryAccount_Attachment", account_attachment_content),
    op("READ_Attachment_for_User", read_user_attachment, item="attachment_id"),
    op("List_all_Content_for_User_Attachment", user_attachment_content),
]
