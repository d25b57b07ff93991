"""``avatar`` (create from a public attachment, read by uuid) and ``device`` (the user's devices).

An avatar is made from an ``attachment-public`` the caller uploaded: ``attachment_public_uuid`` (as
bunq's SDK sends it; the spec's ``uuid`` is taken too) names it, or bunq's 404. Like bunq's, avatars
are public: anyone signed in reads one by its uuid. Its ``image`` gives the attachment's type and the
picture's width and height, read from the PNG, GIF or JPEG header.

``device`` and ``device/{id}`` answer what ``device-server`` does: the devices registered with the
caller's API keys, each wrapped ``DeviceServer`` (bunq's SDK reads ``Device`` as that anchor).
"""

from __future__ import annotations

import struct
import uuid

from ..bunq_errors import bad_request, not_found
from ..kit import body_of, op
from ..request import Request
from ..routing import Caller, HandlerContext, Reply
from .handshake import list_device_servers, read_device_server


def image_size(data: bytes) -> tuple[int | None, int | None]:
    """(width, height) of a PNG, GIF or baseline/progressive JPEG; (None, None) if unreadable."""
    if data.startswith(b"\x89PNG") and len(data) >= 24:
        return struct.unpack(">II", data[16:24])
    if data.startswith(b"GIF") and len(data) >= 10:
        return struct.unpack("<HH", data[6:10])
    at = 2
    while data.startswith(b"\xff\xd8") and at + 9 < len(data) and data[at] == 0xFF:
        marker, length = data[at + 1], struct.unpack(">H", data[at + 2 : at + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            height, width = struct.unpack(">HH", data[at + 5 : at + 9])
            return width, height
        at += 2 + length
    return None, None


def create_avatar(ctx: HandlerContext, request: Request, caller: Caller, ids: dict) -> Reply:
    """POST avatar: a new avatar showing one of the caller's public attachments."""
    body = body_of(request)
    named = body.get("attachment_public_uuid", body.get("uuid"))
    if not isinstance(named, str):
        raise bad_request('Field "attachment_public_uuid" is required: the uuid attachment-public answered.')
    found = ctx.store.read().execute(
        "SELECT id FROM attachments WHERE uuid = ? AND account_id IS NULL AND user_id = ?",
        (named, caller.user["id"]),
    )
    attachment = found.fetchone()
    if attachment is None:
        raise not_found("AttachmentPublic", named)
    made, now = str(uuid.uuid4()), ctx.now()
    with ctx.store.transaction() as db:
        db.execute(
            "INSERT INTO avatars (uuid, attachment_id, created, updated) VALUES (?, ?, ?, ?)",
            (made, attachment["id"], now, now),
        )
    return Reply([{"Uuid": {"uuid": made}}])


def read_avatar(ctx: HandlerContext, request: Request, caller: Caller, ids: dict) -> Reply:
    """GET avatar/{uuid}."""
    row = (
        ctx.store.read()
        .execute(
            "SELECT v.uuid, a.uuid AS attachment_uuid, a.content_type, a.content FROM avatars v"
            " JOIN attachments a ON a.id = v.attachment_id WHERE v.uuid = ?",
            (ids["avatar_uuid"],),
        )
        .fetchone()
    )
    if row is None:
        raise not_found("Avatar", ids["avatar_uuid"])
    width, height = image_size(bytes(row["content"]))
    image = {
        "attachment_public_uuid": row["attachment_uuid"],
        "content_type": row["content_type"],
        "width": width,
        "height": height,
    }
    return Reply([{"Avatar": {"uuid": row["uuid"], "image": [image]}}])


ROUTES = [
    op("CREATE_Avatar", create_avatar),
    op("READ_Avatar", read_avatar, item="avatar_uuid"),
    op("List_all_Device", list_device_servers),
    op("READ_Device", read_device_server, item="device_id"),
]
