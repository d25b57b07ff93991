"""The API context: saving, restoring, resuming an interrupted handshake, session expiry."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import socket
import stat
from pathlib import Path

import pytest

from bunq_helpers.context import ApiContext
from bunq_helpers.crypto.atomic_file import write_atomically
from bunq_helpers.errors import ConfigurationError, ConnectionFailedError, ContextFileError, ServerError
from bunq_helpers.handshake import create_api_context, end_session, ensure_session


def test_full_handshake_saves_an_owner_only_context(settings, target, client_key) -> None:
    path = settings.context_file_path
    path.unlink()  # from nothing: this run generates its own key pair
    run = create_api_context(settings, target=target)
    assert run.calls == ["sandbox-user-person", "installation", "device-server", "session-server"]
    assert "Generated an RSA-2048 key pair." in run.steps
    assert run.context.private_key.key_size == 2048
    assert run.context.private_key.private_numbers() != client_key.private_numbers()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    context = ApiContext.load(path)
    assert context.installation_id == run.context.installation_id
    assert context.session.token == run.context.session.token
    assert context.is_session_active()


def test_second_run_makes_no_calls(settings, target, sandbox) -> None:
    create_api_context(settings, target=target)
    seen = []
    sandbox.observe(seen.append)
    again = create_api_context(settings, target=target)
    assert again.calls == [] and seen == []
    assert any("reused" in step for step in again.steps)


def test_round_trip_is_lossless(settings, target) -> None:
    run = create_api_context(settings, target=target)
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


@pytest.mark.parametrize(
    ("failing", "expected_second_run"),
    [
        ("installation", ["installation", "device-server", "session-server"]),
        ("device-server", ["device-server", "session-server"]),
        ("session-server", ["session-server"]),
    ],
)
def test_resumes_after_a_failure_at_each_step(
    settings, target, sandbox, failing, expected_second_run
) -> None:
    sandbox.faults.add("server-error", path=failing)
    with pytest.raises(ServerError):
        create_api_context(settings, target=target)
    saved = ApiContext.load(settings.context_file_path)
    assert saved.api_key and saved.private_key_pem  # nothing done so far was lost
    run = create_api_context(settings, target=target)
    assert run.calls == expected_second_run
    installations = sandbox.store.read().execute("SELECT COUNT(*) FROM installations").fetchone()[0]
    devices = sandbox.store.read().execute("SELECT COUNT(*) FROM devices").fetchone()[0]
    assert (installations, devices) == (1, 1)
    if failing != "installation":
        assert run.context.installation_id == saved.installation_id


def test_resumes_after_the_server_goes_away(settings, target, sandbox) -> None:
    sandbox.faults.add("disconnect", path="device-server")
    with pytest.raises(ConnectionFailedError, match="got no answer"):
        create_api_context(settings, target=target)
    run = create_api_context(settings, target=target)
    assert run.calls == ["device-server", "session-server"]


def test_expired_session_is_reopened_with_the_installation_token(settings, target) -> None:
    run = create_api_context(settings, target=target)
    context = run.context
    old = context.session
    context.session = type(old)(
        **{**old.__dict__, "expires_at": dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=29)}
    )
    assert not context.is_session_active()  # under 30 s left counts as expired, as in the SDKs
    assert ensure_session(context, run.client, path=settings.context_file_path) is True
    assert context.session.token != old.token and context.is_session_active()
    assert ensure_session(context, run.client) is False


def test_end_session_logs_out(settings, target) -> None:
    run = create_api_context(settings, target=target)
    token = run.context.session.token
    end_session(run.context, run.client, path=settings.context_file_path)
    assert ApiContext.load(settings.context_file_path).session is None
    from bunq_helpers.errors import AuthorisationError

    with pytest.raises(AuthorisationError):
        run.client.request("GET", "user", token=token)


def test_context_for_another_environment_or_key_is_refused(settings, target) -> None:
    create_api_context(settings, target=target)
    with pytest.raises(ConfigurationError, match="local context"):
        from bunq_helpers.config import Environment

        create_api_context(settings.with_(environment=Environment.SANDBOX), target=target)
    with pytest.raises(ConfigurationError, match="belongs to API key"):
        create_api_context(settings.with_(api_key="sandbox_" + "0" * 56), target=target)


@pytest.mark.parametrize("content", ["", "{", "[]", '{"environment_type": "MARS"}'])
def test_unreadable_files_give_a_clear_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "bad.conf"
    path.write_text(content)
    with pytest.raises(ContextFileError):
        ApiContext.load(path)


def test_missing_file_says_how_to_create_one(tmp_path: Path) -> None:
    with pytest.raises(ContextFileError, match="create_api_context"):
        ApiContext.load(tmp_path / "none.conf")


def test_interrupted_save_leaves_the_previous_file(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "contexts" / "ctx.json"
    write_atomically(path, "old\n")
    import os

    def broken_replace(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(KeyboardInterrupt):
        write_atomically(path, "new\n")
    assert path.read_text() == "old\n"
    assert [p.name for p in path.parent.iterdir()] == ["ctx.json"]  # no temporary file left


def _save_many(path: str, marker: str) -> None:
    for i in range(200):
        write_atomically(Path(path), json.dumps({"writer": marker, "i": i, "pad": "x" * 5000}))


def test_concurrent_saves_never_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "ctx.json"
    ctx = multiprocessing.get_context("fork")
    writers = [ctx.Process(target=_save_many, args=(str(path), m)) for m in "ab"]
    for writer in writers:
        writer.start()
    seen = 0
    while any(w.is_alive() for w in writers):
        if path.exists():
            json.loads(path.read_text())  # always whole
            seen += 1
    for writer in writers:
        writer.join()
        assert writer.exitcode == 0
    assert json.loads(path.read_text())["i"] == 199
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_resumes_after_the_server_really_stops_mid_handshake(settings, tmp_path) -> None:
    from bunq_helpers.config import Environment
    from bunq_helpers.local_sandbox import LocalSandbox
    from bunq_helpers.target import Target

    state = tmp_path / "stopping"
    with socket.socket() as probe:  # a fixed port, as a restarted standalone sandbox would have
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sandbox = LocalSandbox(state, port=port).start()
    target = Target(Environment.LOCAL, sandbox.base_url, sandbox.ca_file, (sandbox.pin,))

    def stop_after_installation(step, exchange) -> None:
        if step.startswith("Created installation"):
            sandbox.stop()

    with pytest.raises(ConnectionFailedError, match="Is the server running"):
        create_api_context(settings, target=target, report=stop_after_installation)
    with LocalSandbox(state, port=sandbox.port) as restarted:
        run = create_api_context(settings, target=target)
        assert run.calls == ["device-server", "session-server"]
        assert restarted.store.read().execute("SELECT COUNT(*) FROM installations").fetchone()[0] == 1
