"""avatar from a public attachment (public, with the picture's size) and device, as device-server lists it."""

from __future__ import annotations

from tests.conftest import Raw, error_of
from tests.local_sandbox.test_attachments import tiny_png, upload


def test_an_avatar_shows_the_attachment_and_anyone_signed_in_reads_it(raw: Raw, client_key) -> None:
    mine, other = raw.handshake(client_key), raw.handshake(client_key)
    attachment = upload(raw, mine, "attachment-public", tiny_png(b""), "image/png", "me").json()
    attachment_uuid = attachment["Response"][0]["Uuid"]["uuid"]
    made = raw.call("POST", "avatar", {"attachment_public_uuid": attachment_uuid}, token=mine.session_token)
    assert made.status_code == 200, made.text
    avatar_uuid = made.json()["Response"][0]["Uuid"]["uuid"]
    read = raw.call("GET", f"avatar/{avatar_uuid}", token=other.session_token)
    [image] = read.json()["Response"][0]["Avatar"]["image"]
    assert image == {
        "attachment_public_uuid": attachment_uuid,
        "content_type": "image/png",
        "width": 1,
        "height": 1,
    }
    theirs = raw.call(
        "POST", "avatar", {"attachment_public_uuid": attachment_uuid}, token=other.session_token
    )
    assert theirs.status_code == 404 and "AttachmentPublic" in error_of(theirs)
    missing = raw.call("GET", "avatar/00000000-0000-0000-0000-000000000000", token=mine.session_token)
    assert missing.status_code == 404 and "Avatar" in error_of(missing)


def test_device_lists_the_users_devices_like_device_server(raw: Raw, client_key) -> None:
    mine, other = raw.handshake(client_key), raw.handshake(client_key)
    servers = raw.call("GET", "device-server", token=mine.session_token).json()["Response"]
    devices = raw.call("GET", "device", token=mine.session_token).json()["Response"]
    assert devices == servers and len(devices) == 1
    device_id = devices[0]["DeviceServer"]["id"]
    one = raw.call("GET", f"device/{device_id}", token=mine.session_token).json()["Response"]
    assert one == devices
    assert raw.call("GET", f"device/{device_id}", token=other.session_token).status_code == 404
