"""The API context: saving and restoring (our files and the SDK's), the keys it owns, what it lacks."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from bunq_helpers import (
    ApiContext,
    ContextFileError,
    Environment,
    HandshakeIncompleteError,
    create_api_context,
)


def test_round_trip_is_lossless(settings, endpoint) -> None:
    run = create_api_context(settings, endpoint=endpoint)
    restored = ApiContext.from_json(run.context.to_json())
    assert restored.to_dict() == run.context.to_dict()
    assert restored.session.expires_at == run.context.session.expires_at
    data = json.loads(run.context.to_json())
    # The SDK's fields, exactly as ApiContext.save writes them.
    assert data["environment_type"] == "SANDBOX"
    assert set(data["installation_context"]) == {
        "token",
        "private_key_client",
        "public_key_client",
        "public_key_server",
    }
    assert set(data["session_context"]) == {"token", "expiry_time", "user_id", "user_person"}
    dt.datetime.strptime(data["session_context"]["expiry_time"], "%Y-%m-%d %H:%M:%S.%f")


@pytest.mark.parametrize("content", ["", "{", "[]", '{"environment_type": "MARS"}'])
def test_unreadable_files_give_a_clear_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "bad.conf"
    path.write_text(content)
    path.chmod(0o600)
    with pytest.raises(ContextFileError):
        ApiContext.load(path)


def test_missing_file_says_how_to_create_one(tmp_path: Path) -> None:
    with pytest.raises(ContextFileError, match="create_api_context"):
        ApiContext.load(tmp_path / "none.conf")


def test_the_context_owns_the_keys_the_client_reads(settings, endpoint) -> None:
    run = create_api_context(settings, endpoint=endpoint)
    context = run.context
    assert run.client.context is context  # the client keeps no keys of its own
    assert context.server_public_key is context.server_public_key  # parsed once, then cached
    assert context.server_public_key.public_numbers() == (
        ApiContext.from_json(context.to_json()).server_public_key.public_numbers()
    )
    before = run.client.request("GET", "user", token=context.session_token)
    from bunq_helpers.crypto.keys import generate_private_key
    from bunq_helpers.crypto.signing import verify_body

    other = generate_private_key()
    context.record_private_key(other)  # what the context holds is what the next request is signed with
    after = run.client.request("POST", "sandbox-user-person", body={}, token=context.session_token)
    assert verify_body(other.public_key(), after.request_body, after.signature)
    assert before.signature != after.signature


def test_no_session_yet_says_what_to_run() -> None:
    context = ApiContext(Environment.LOCAL)
    for read in (lambda: context.session_token, lambda: context.user_id):
        with pytest.raises(HandshakeIncompleteError, match="no session yet") as caught:
            read()
        assert "ensure_session" in str(caught.value) and "03_add_a_session" in str(caught.value)
    assert not isinstance(caught.value, ContextFileError)  # nothing is wrong with any file
