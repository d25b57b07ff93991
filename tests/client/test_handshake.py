"""Creating an API context: every step once, resuming an interrupted run, reusing what was saved, sessions."""

from __future__ import annotations

import datetime as dt
import socket
import stat

import pytest

from bunq_helpers import (
    ApiContext,
    ConfigurationError,
    ConnectionFailedError,
    ServerError,
    create_api_context,
    create_sandbox_user,
    end_session,
    ensure_session,
)
from bunq_helpers.client.handshake import Outcome


def test_full_handshake_saves_an_owner_only_context(settings, endpoint, client_key) -> None:
    settings.context_file_path.unlink()  # from nothing: this run generates its own key pair
    reported = []
    run = create_api_context(settings, endpoint=endpoint, report=reported.append)
    assert run.calls == ["sandbox-user-person", "installation", "device-server", "session-server"]
    assert reported == run.steps
    assert [(step.name, step.outcome, step.exchange is not None) for step in run.steps] == [
        ("sandbox-user", Outcome.MADE, True),
        ("key-pair", Outcome.MADE, False),
        ("installation", Outcome.MADE, True),
        ("device-server", Outcome.MADE, True),
        ("session-server", Outcome.MADE, True),
    ]
    assert run.steps[2].summary == f"Created installation {run.context.installation_id}."
    assert run.context.private_key.key_size == 2048
    assert run.context.private_key.private_numbers() != client_key.private_numbers()
    path = settings.context_file_path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    context = ApiContext.load(path)
    assert context.installation_id == run.context.installation_id
    assert context.session.token == run.context.session.token
    assert context.is_session_active()


def test_second_run_makes_no_calls(settings, endpoint, sandbox) -> None:
    create_api_context(settings, endpoint=endpoint)
    seen = []
    sandbox.observe(seen.append)
    again = create_api_context(settings, endpoint=endpoint)
    assert again.calls == [] and seen == []
    assert any(step.outcome is Outcome.REUSED for step in again.steps)
    assert [(step.name, step.outcome) for step in again.steps] == [
        ("installation", Outcome.REUSED),
        ("device-server", Outcome.REUSED),
        ("session-server", Outcome.REUSED),
    ]
    assert again.steps[0].summary == f"Installation {again.context.installation_id}: reused."


@pytest.mark.parametrize(
    ("failing", "expected_second_run"),
    [
        ("installation", ["installation", "device-server", "session-server"]),
        ("device-server", ["device-server", "session-server"]),
        ("session-server", ["session-server"]),
    ],
)
def test_resumes_after_a_failure_at_each_step(
    settings, endpoint, sandbox, failing, expected_second_run
) -> None:
    sandbox.faults.add("server-error", path=failing)
    with pytest.raises(ServerError):
        create_api_context(settings, endpoint=endpoint)
    saved = ApiContext.load(settings.context_file_path)
    assert saved.api_key and saved.private_key_pem  # nothing done so far was lost
    run = create_api_context(settings, endpoint=endpoint)
    assert run.calls == expected_second_run
    installations = sandbox.store.read().execute("SELECT COUNT(*) FROM installations").fetchone()[0]
    devices = sandbox.store.read().execute("SELECT COUNT(*) FROM devices").fetchone()[0]
    assert (installations, devices) == (1, 1)
    if failing != "installation":
        assert run.context.installation_id == saved.installation_id


def test_resumes_after_the_server_goes_away(settings, endpoint, sandbox) -> None:
    sandbox.faults.add("disconnect", path="device-server")
    with pytest.raises(ConnectionFailedError, match="got no answer"):
        create_api_context(settings, endpoint=endpoint)
    run = create_api_context(settings, endpoint=endpoint)
    assert run.calls == ["device-server", "session-server"]


def test_expired_session_is_reopened_with_the_installation_token(settings, endpoint) -> None:
    run = create_api_context(settings, endpoint=endpoint)
    context = run.context
    old = context.session
    context.session = type(old)(
        **{**old.__dict__, "expires_at": dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=29)}
    )
    assert not context.is_session_active()  # under 30 s left counts as expired, as in the SDKs
    assert ensure_session(context, run.client, path=settings.context_file_path) is True
    assert context.session.token != old.token and context.is_session_active()
    assert ensure_session(context, run.client) is False


def test_end_session_logs_out(settings, endpoint) -> None:
    run = create_api_context(settings, endpoint=endpoint)
    token = run.context.session.token
    end_session(run.context, run.client, path=settings.context_file_path)
    assert ApiContext.load(settings.context_file_path).session is None
    from bunq_helpers import AuthorisationError

    with pytest.raises(AuthorisationError):
        run.client.request("GET", "user", token=token)


def test_context_for_another_environment_or_key_is_refused(settings, endpoint) -> None:
    create_api_context(settings, endpoint=endpoint)
    with pytest.raises(ConfigurationError, match="local context"):
        from bunq_helpers import Environment

        create_api_context(settings.with_(environment=Environment.SANDBOX), endpoint=endpoint)
    with pytest.raises(ConfigurationError, match="belongs to API key"):
        create_api_context(settings.with_(api_key="sandbox_" + "0" * 56), endpoint=endpoint)


def test_a_context_beside_another_for_a_new_key_starts_over_only_when_asked(settings, endpoint) -> None:
    """Notebooks 8 and 9 make a new user (and token) on every run: ``start_over`` moves the last run's
    context for that file aside instead of refusing it; without it, another key's file is refused."""
    main = create_api_context(settings, endpoint=endpoint)
    other = settings.beside("other-user")
    path = other.context_file_path
    assert path.parent == settings.context_file_path.parent and path.name == "ctx.other-user.json"
    first = create_api_context(other, endpoint=endpoint, api_key=main.context.api_key)
    new_key = create_sandbox_user(first.client).api_key
    with pytest.raises(ConfigurationError, match="belongs to another API key"):
        create_api_context(other, endpoint=endpoint, api_key=new_key)
    second = create_api_context(other, endpoint=endpoint, api_key=new_key, start_over=True)
    assert second.calls == ["installation", "device-server", "session-server"]
    assert ApiContext.load(path).api_key == new_key
    assert ApiContext.load(path.with_name(path.name + ".old")).api_key == main.context.api_key
    assert ApiContext.load(settings.context_file_path).api_key == main.context.api_key  # untouched


def test_resumes_after_the_server_really_stops_mid_handshake(settings, tmp_path) -> None:
    from bunq_helpers import LocalSandbox
    from tests.helpers import endpoint_of

    state = tmp_path / "stopping"
    with socket.socket() as probe:  # a fixed port, as a restarted standalone sandbox would have
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sandbox = LocalSandbox(state, port=port).start()
    endpoint = endpoint_of(sandbox)

    def stop_after_installation(step) -> None:
        if step.name == "installation" and step.outcome is Outcome.MADE:
            sandbox.stop()

    with pytest.raises(ConnectionFailedError, match="Is the server running"):
        create_api_context(settings, endpoint=endpoint, report=stop_after_installation)
    with LocalSandbox(state, port=sandbox.port) as restarted:
        run = create_api_context(settings, endpoint=endpoint)
        assert run.calls == ["device-server", "session-server"]
        assert restarted.store.read().execute("SELECT COUNT(*) FROM installations").fetchone()[0] == 1


def test_nothing_to_do_connects_to_nothing(settings, endpoint) -> None:
    create_api_context(settings, endpoint=endpoint)
    again = create_api_context(settings)  # no endpoint given: the local sandbox would start on connect
    assert all(step.outcome is Outcome.REUSED for step in again.steps)
    assert again._client is None and not settings.local_state_dir.exists()


def test_a_session_needs_an_installation_first(settings, endpoint) -> None:
    from bunq_helpers import BunqClient, HandshakeIncompleteError

    context = ApiContext(settings.environment, api_key="sandbox_" + "ab" * 28)
    with pytest.raises(HandshakeIncompleteError, match="no installation yet") as caught:
        ensure_session(context, BunqClient(endpoint, context=context))
    assert "01_create_an_installation" in str(caught.value)
