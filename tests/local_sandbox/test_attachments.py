"""Attachments: public ones by UUID, ones on a monetary account by id; the bytes come back exactly,
with the file's Content-Type and a server signature over those very bytes."""

from __future__ import annotations

import re
import struct
import zlib

import pytest

from bunq_helpers.crypto import keys, signing
from bunq_helpers.local_sandbox import LocalSandbox, SandboxOptions
from tests.helpers import Handshake, Raw, error_of

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
STAMP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$")


def tiny_png(extra: bytes = b"") -> bytes:
    """A valid 1x1 PNG, with ``extra`` bytes after it (viewers ignore them; they test the round trip)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"") + extra
    )


EVERY_BYTE = bytes(range(256)) * 4 + b"\r\n\x00{not json"
PDF = b"%PDF-1.4\n" + EVERY_BYTE + b"\n%%EOF\n"


def upload(raw: Raw, who: Handshake, path: str, data: bytes, content_type: str, description: bytes | str):
    return raw.call(
        "POST",
        path,
        data,
        token=who.session_token,
        headers={"Content-Type": content_type, "X-Bunq-Attachment-Description": description},
    )


def _signed_by_server(who: Handshake, response) -> bool:
    return signing.verify_body(who.server_key, response.content, response.headers["X-Bunq-Server-Signature"])


@pytest.fixture
def two(raw: Raw, client_key) -> tuple[Handshake, Handshake]:
    return raw.handshake(client_key), raw.handshake(keys.generate_private_key())


def test_public_attachment_round_trips_byte_for_byte_and_anyone_signed_in_reads_it(raw: Raw, two) -> None:
    mine, other = two
    png = tiny_png(EVERY_BYTE)
    created = upload(raw, mine, "attachment-public", png, "image/png", "receipt")
    assert created.status_code == 200, created.text
    assert _signed_by_server(mine, created)
    [item] = created.json()["Response"]
    assert list(item) == ["Uuid"] and UUID.match(item["Uuid"]["uuid"])
    uuid = item["Uuid"]["uuid"]

    meta = raw.call("GET", f"attachment-public/{uuid}", token=other.session_token)
    assert meta.status_code == 200 and meta.headers["Content-Type"] == "application/json"
    public = meta.json()["Response"][0]["AttachmentPublic"]
    assert public["uuid"] == uuid and STAMP.match(public["created"]) and STAMP.match(public["updated"])
    assert public["attachment"]["description"] == "receipt"
    assert public["attachment"]["content_type"] == "image/png"
    [url] = public["attachment"]["urls"]
    assert (
        url["type"] == "ORIGINAL" and url["url"] == f"{raw.sandbox.base_url}attachment-public/{uuid}/content"
    )

    for who in (mine, other):
        content = raw.call("GET", f"attachment-public/{uuid}/content", token=who.session_token)
        assert content.status_code == 200
        assert content.content == png
        assert content.headers["Content-Type"] == "image/png"
        assert content.headers["Content-Length"] == str(len(png))
        assert _signed_by_server(who, content)
        assert not signing.verify_body(
            who.server_key, content.content[:-1] + b"?", content.headers["X-Bunq-Server-Signature"]
        )


def test_unknown_public_uuid_is_a_404_in_bunqs_shape(raw: Raw, two) -> None:
    mine, _ = two
    for path in ("attachment-public/0b5a0a8c-0000-4000-8000-000000000000", "attachment-public/nope/content"):
        response = raw.call("GET", path, token=mine.session_token)
        assert response.status_code == 404 and "AttachmentPublic with id" in error_of(response)
        assert response.headers["Content-Type"] == "application/json"


def test_utf8_description_and_content_type_parameters(raw: Raw, two) -> None:
    mine, _ = two
    created = upload(
        raw, mine, "attachment-public", b"GIF89a" + EVERY_BYTE, "IMAGE/GIF; name=x.gif", "Bon – café".encode()
    )
    assert created.status_code == 200, created.text
    uuid = created.json()["Response"][0]["Uuid"]["uuid"]
    meta = raw.call("GET", f"attachment-public/{uuid}", token=mine.session_token).json()["Response"][0]
    assert meta["AttachmentPublic"]["attachment"]["description"] == "Bon – café"
    assert meta["AttachmentPublic"]["attachment"]["content_type"] == "image/gif"


def test_account_attachment_is_the_users_attachment_and_only_theirs(sandbox, raw: Raw, two) -> None:
    mine, other = two
    path = f"user/{mine.user_id}/monetary-account/{mine.account_id}/attachment"
    created = upload(raw, mine, path, PDF, "application/pdf", "invoice 42")
    assert created.status_code == 200, created.text
    [item] = created.json()["Response"]
    attachment_id = item["Id"]["id"]
    assert list(item) == ["Id"] and isinstance(attachment_id, int)

    by_account = raw.call("GET", f"{path}/{attachment_id}/content", token=mine.session_token)
    by_user = raw.call(
        "GET", f"user/{mine.user_id}/attachment/{attachment_id}/content", token=mine.session_token
    )
    for content in (by_account, by_user):
        assert content.status_code == 200 and content.content == PDF
        assert content.headers["Content-Type"] == "application/pdf" and _signed_by_server(mine, content)

    meta = raw.call("GET", f"user/{mine.user_id}/attachment/{attachment_id}", token=mine.session_token)
    user_attachment = meta.json()["Response"][0]["AttachmentUser"]
    assert user_attachment["id"] == attachment_id and STAMP.match(user_attachment["created"])
    assert user_attachment["attachment"]["description"] == "invoice 42"
    assert user_attachment["attachment"]["content_type"] == "application/pdf"
    assert user_attachment["attachment"]["urls"][0]["url"].endswith(
        f"/v1/user/{mine.user_id}/attachment/{attachment_id}/content"
    )

    # Another user: not through their own user or account, not through ours.
    for path_seen, status, message in (
        (f"user/{other.user_id}/attachment/{attachment_id}", 404, "AttachmentUser with id"),
        (f"user/{other.user_id}/attachment/{attachment_id}/content", 404, "AttachmentUser with id"),
        (
            f"user/{other.user_id}/monetary-account/{other.account_id}/attachment/{attachment_id}/content",
            404,
            "AttachmentMonetaryAccount with id",
        ),
        (f"user/{mine.user_id}/attachment/{attachment_id}", 404, f"User with id {mine.user_id}"),
        (f"{path}/{attachment_id}/content", 404, f"User with id {mine.user_id}"),
    ):
        response = raw.call("GET", path_seen, token=other.session_token)
        assert response.status_code == status and message in error_of(response), path_seen

    # A public attachment is not a user attachment, and the reverse.
    row = (
        sandbox.store.read().execute("SELECT uuid FROM attachments WHERE id = ?", (attachment_id,)).fetchone()
    )
    assert raw.call("GET", f"attachment-public/{row['uuid']}", token=mine.session_token).status_code == 404


def test_files_are_kept_in_the_database_and_go_with_a_reset(sandbox, raw: Raw, two) -> None:
    mine, _ = two
    upload(raw, mine, "attachment-public", tiny_png(), "image/png", "x")
    stored = sandbox.store.read().execute("SELECT content FROM attachments").fetchall()
    assert [bytes(row["content"]) for row in stored] == [tiny_png()]
    sandbox.store.reset()
    assert sandbox.store.read().execute("SELECT COUNT(*) FROM attachments").fetchone()[0] == 0


def test_uploads_obey_the_body_limit(tmp_path, client_key) -> None:
    with LocalSandbox(tmp_path / "small", options=SandboxOptions(max_body_bytes=4096)) as sandbox:
        raw = Raw(sandbox)
        mine = raw.handshake(client_key)
        before = sandbox.store.snapshot()
        big = upload(raw, mine, "attachment-public", tiny_png(b"\x00" * 5000), "image/png", "big")
        assert big.status_code == 400 and "larger than 4096 bytes" in error_of(big)
        assert sandbox.store.snapshot() == before
        fits = upload(raw, mine, "attachment-public", tiny_png(b"\x00" * 3000), "image/png", "fits")
        assert fits.status_code == 200


def test_strict_mode_checks_the_signature_over_the_raw_file(tmp_path, client_key) -> None:
    with LocalSandbox(tmp_path / "state") as sandbox:
        mine = Raw(sandbox).handshake(client_key)
    with LocalSandbox(tmp_path / "state", options=SandboxOptions(strict_signatures=True)) as sandbox:
        raw = Raw(sandbox)
        png = tiny_png(EVERY_BYTE)
        headers = {"Content-Type": "image/png", "X-Bunq-Attachment-Description": "signed"}
        unsigned = raw.call("POST", "attachment-public", png, token=mine.session_token, headers=headers)
        assert unsigned.status_code == 466
        signed = raw.call(
            "POST", "attachment-public", png, token=mine.session_token, headers=headers, sign_with=client_key
        )
        assert signed.status_code == 200, signed.text
