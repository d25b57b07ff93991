"""Corrupt context files: every malformed file is a ContextFileError naming what is wrong, never another
exception; a file others can read gets a warning; no message holds a secret of the file. (How the
command line shows them: tests/test_cli.py.)"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bunq_helpers.client.config import Environment
from bunq_helpers.client.context import ApiContext
from bunq_helpers.client.context_file import ContextFileWarning
from bunq_helpers.client.masking import PEM_PRIVATE_LABEL
from bunq_helpers.client.records import Session
from bunq_helpers.crypto import keys
from bunq_helpers.errors import ContextFileError

KEYS = Path(__file__).resolve().parents[1] / "keys"
PRIVATE_PEM = (KEYS / "throwaway-client-key.pem").read_text()
API_KEY = "sandbox_" + "a1b2c3d4" * 7
INSTALLATION_TOKEN = "1f" * 32
SESSION_TOKEN = "2e" * 32


def _context() -> ApiContext:
    context = ApiContext(Environment.LOCAL, api_key=API_KEY, base_url="https://127.0.0.1:1/v1/")
    private_key = keys.load_private_key(PRIVATE_PEM)
    context.record_private_key(private_key)
    context.installation_id, context.installation_token = 7, INSTALLATION_TOKEN
    context.server_public_key_pem = keys.public_key_to_pem(private_key)
    context.device_id, context.device_registered, context.permitted_ips = 8, True, ("*",)
    user = {"id": 9, "display_name": "Sandy", "session_timeout": 3600}
    expires = dt.datetime.now(dt.timezone.utc).replace(microsecond=0) + dt.timedelta(hours=1)
    context.record_session(Session(10, SESSION_TOKEN, 9, "UserPerson", user, 3600, expires))
    return context


VALID = _context().to_dict()
SECRETS = (API_KEY, INSTALLATION_TOKEN, SESSION_TOKEN, PRIVATE_PEM.splitlines()[1])


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place in a JSON document: each object member and list item, at every level."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield (*prefix, key)
            yield from _paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield (*prefix, index)
            yield from _paths(inner, (*prefix, index))


PATHS = list(_paths(VALID))


def _replaced(path: tuple[Any, ...], new: Any) -> dict[str, Any]:
    data = copy.deepcopy(VALID)
    parent = data
    for step in path[:-1]:
        parent = parent[step]
    if new is _DELETE:
        del parent[path[-1]]
    else:
        parent[path[-1]] = new
    return data


_DELETE = object()
WRONG_TYPES = [None, True, 0, -1, 2**70, 1.5, "", "text", [], [1], {}, {"a": 1}, [[[[[]]]]]]


@pytest.fixture(autouse=True)
def owner_only_files() -> Iterator[None]:
    """Files written here are 0600 (as saves make them); the warning for others is tested on its own."""
    previous = os.umask(0o077)
    yield
    os.umask(previous)


def _check(text: str | bytes, tmp_path: Path) -> ApiContext | None:
    """Load ``text`` as a file: a ContextFileError whose message is one line and holds no secret,
    or a context that is whole (it shows, saves and loads again)."""
    path = tmp_path / "ctx.json"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
    os.chmod(path, 0o600)
    try:
        context = ApiContext.load(path)
    except ContextFileError as error:
        message = str(error)
        assert "\n" not in message and str(path) in message, message
        assert all(secret not in message and secret not in repr(error) for secret in SECRETS), message
        return None
    assert repr(context).startswith("ApiContext(") and isinstance(context.is_session_active(), bool)
    assert all(isinstance(value, str) for value in context.secrets)
    assert ApiContext.from_json(context.to_json()).to_dict() == context.to_dict()
    return context


def test_the_valid_file_loads(tmp_path: Path) -> None:
    context = _check(json.dumps(VALID), tmp_path)
    assert context is not None and context.to_dict() == VALID


@pytest.mark.parametrize("path", PATHS, ids=lambda path: ".".join(map(str, path)))
def test_wrong_types_and_missing_fields_at_every_level(tmp_path: Path, path: tuple[Any, ...]) -> None:
    for new in [*WRONG_TYPES, _DELETE]:
        _check(json.dumps(_replaced(path, new)), tmp_path)


@pytest.mark.parametrize(
    ("path", "new", "named"),
    [
        (("installation_context", "token"), 42, "installation_context.token is a number; expected text"),
        (("installation_context",), [], "installation_context is a list; expected an object"),
        (("session_context", "user_id"), "9", "session_context.user_id is text; expected a whole number"),
        (
            ("session_context", "user_person"),
            [1],
            "session_context.user_person is a list; expected an object",
        ),
        (("bunq_helpers",), "x", "bunq_helpers is text; expected an object"),
        (("bunq_helpers", "permitted_ips"), [1], "bunq_helpers.permitted_ips[0] is a number; expected text"),
        (
            ("bunq_helpers", "device_registered"),
            "yes",
            "bunq_helpers.device_registered is text; expected true",
        ),
        (
            ("bunq_helpers", "installation_id"),
            2**70,
            "bunq_helpers.installation_id is 1180591620717411303424",
        ),
        (
            ("bunq_helpers", "session_expires_at"),
            "soon",
            "bunq_helpers.session_expires_at is 'soon'; expected",
        ),
        (("bunq_helpers", "session_expires_at"), "2030-01-01T00:00:00", "expected an ISO 8601 time with"),
        (("bunq_helpers", "environment"), "mars", "bunq_helpers.environment is 'mars'; expected 'local' or"),
        (("environment_type",), "PRODUCTION", "environment_type is 'PRODUCTION'; expected 'SANDBOX'"),
        (("bunq_helpers", "format"), 99, "written by a newer bunq_helpers"),
        (
            ("bunq_helpers", "session_timeout"),
            0,
            "bunq_helpers.session_timeout is 0; expected a whole number",
        ),
        (
            ("installation_context", "private_key_client"),
            f"-----BEGIN {PEM_PRIVATE_LABEL}-----\nAAAA\n",  # a truncated block, not a key
            "private_key_client",
        ),
        (
            ("installation_context", "public_key_server"),
            PRIVATE_PEM,
            "installation_context.public_key_server",
        ),
        (
            ("installation_context", "public_key_server"),
            (KEYS / "ec-p256.pub.pem").read_text(),
            "installation_context.public_key_server cannot be loaded",
        ),
        (
            ("installation_context", "private_key_client"),
            (KEYS / "too-small-1024.pem").read_text(),
            "installation_context.private_key_client cannot be loaded",
        ),
        (("session_context", "expiry_time"), "2025-13-45 99:00:00.0", "session_context.expiry_time is"),
    ],
)
def test_the_error_names_the_field_and_what_was_expected(tmp_path, path, new, named) -> None:
    data = _replaced(path, new)
    if path[-1] == "expiry_time":
        del data["bunq_helpers"]["session_expires_at"]  # the SDK's files have only expiry_time
    path_ = tmp_path / "ctx.json"
    path_.write_text(json.dumps(data))
    with pytest.raises(ContextFileError) as caught:
        ApiContext.load(path_)
    assert named in str(caught.value)
    assert "delete the file" in str(caught.value) or "newer" in str(caught.value)


@pytest.mark.parametrize(
    ("content", "named"),
    [
        (b"", "empty"),
        (b"{", "not valid JSON"),
        (json.dumps(VALID).encode()[:700], "not valid JSON"),
        (b"[]", "is a list; expected an object"),
        (b"null", "is null; expected an object"),
        (b'{"environment_type": "SANDBOX", "api_key": "\xff\xfe"}', "not UTF-8"),
        (b"\xef\xbb\xbf" + json.dumps(VALID).encode(), None),  # a BOM, as some editors save
        (b"[" * 200_000 + b"]" * 200_000, "nested"),
        (
            b'{"api_key": ' + b"[" * 100 + b"]" * 100 + b', "environment_type": "SANDBOX"}',
            "api_key is a list",
        ),
        (
            b'{"api_key": ' + b"[" * 5000 + b"]" * 5000 + b', "environment_type": "SANDBOX"}',
            "nested too deeply",
        ),
        (
            b'{"environment_type": "SANDBOX", "bunq_helpers": {"device_id": ' + b"9" * 5000 + b"}}",
            "not valid JSON",
        ),
        (b'{"environment_type": "SANDBOX", "bunq_helpers": {"device_id": 1e400}}', "device_id is a number"),
        (b'{"environment_type": "SANDBOX", "bunq_helpers": {"device_id": NaN}}', "device_id is a number"),
        (b" " * (1 << 21), "larger than"),
    ],
    ids=lambda value: value[:20].decode("latin-1") if isinstance(value, bytes) else str(value),
)
def test_unreadable_content(tmp_path: Path, content: bytes, named: str | None) -> None:
    path = tmp_path / "ctx.json"
    path.write_bytes(content)
    if named is None:
        assert ApiContext.load(path).to_dict() == VALID
        return
    with pytest.raises(ContextFileError, match=named):
        ApiContext.load(path)


def test_a_folder_or_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ContextFileError, match="is a folder"):
        ApiContext.load(tmp_path)
    with pytest.raises(ContextFileError, match="create_api_context"):
        ApiContext.load(tmp_path / "none.json")


@pytest.mark.parametrize(
    ("path", "secret"),
    [
        (("installation_context", "token"), INSTALLATION_TOKEN),
        (("session_context", "token"), SESSION_TOKEN),
        (("api_key",), API_KEY),
    ],
)
@pytest.mark.parametrize("bad", ["\n", "\r\n", " ", "\t", "\x00", "é"])
def test_a_token_with_a_line_break_names_the_field_not_the_token(tmp_path, path, secret, bad) -> None:
    edited = secret[:20] + bad + secret[20:]
    file = tmp_path / "ctx.json"
    file.write_text(json.dumps(_replaced(path, edited)))
    with pytest.raises(ContextFileError) as caught:
        ApiContext.load(file)
    message = str(caught.value)
    assert f"{'.'.join(path)} has " in message and "at character 21" in message
    assert secret[:20] not in message and secret[20:] not in message and edited not in repr(caught.value)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(PATHS), new=JSON)
def test_any_value_anywhere_loads_whole_or_fails_clearly(tmp_path: Path, path, new) -> None:
    _check(json.dumps(_replaced(path, new)), tmp_path)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.dictionaries(st.sampled_from([*VALID, "bunq_helpers"]), JSON, max_size=5))
def test_any_document_loads_whole_or_fails_clearly(tmp_path: Path, data) -> None:
    _check(json.dumps(data), tmp_path)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(min_value=0, max_value=len(json.dumps(VALID))), noise=st.binary(max_size=8))
def test_cut_or_garbled_files_fail_clearly(tmp_path: Path, cut: int, noise: bytes) -> None:
    _check(json.dumps(VALID).encode()[:cut] + noise, tmp_path)


def test_a_file_others_can_read_gets_one_warning_saying_how_to_fix_it(tmp_path: Path) -> None:
    path = tmp_path / "ctx.json"
    _context().save(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ApiContext.load(path)  # 0600: no warning
    os.chmod(path, 0o644)
    with pytest.warns(ContextFileWarning) as caught:
        ApiContext.load(path)
        ApiContext.load(path)
    assert len(caught) == 1
    message = str(caught[0].message)
    assert f"chmod 600 {path}" in message and "0644" in message and str(path) in message
    assert caught[0].filename == __file__  # points at the caller's line, not ours
