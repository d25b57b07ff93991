"""Session expiry and extension, and bunq's rate limits, on a controllable clock."""

from __future__ import annotations

from bunq_helpers.local_sandbox import LocalSandbox, SandboxOptions
from tests.helpers import Raw, error_of


def test_session_expires_after_its_timeout(tmp_path, clock, client_key) -> None:
    with LocalSandbox(tmp_path / "s", options=SandboxOptions(session_timeout=60, clock=clock)) as sandbox:
        raw = Raw(sandbox)
        done = raw.handshake(client_key)
        user = raw.call("GET", "user", token=done.session_token).json()["Response"][0]["UserPerson"]
        assert user["session_timeout"] == 60
        clock.now += 29  # 31 s left: no extension
        assert raw.call("GET", "user", token=done.session_token).status_code == 200
        clock.now += 31  # exactly at expiry
        response = raw.call("GET", "user", token=done.session_token)
        assert response.status_code == 401 and error_of(response) == "Insufficient authorisation."


def test_a_call_in_the_last_30_seconds_extends_the_session(tmp_path, clock, client_key) -> None:
    with LocalSandbox(tmp_path / "s", options=SandboxOptions(session_timeout=600, clock=clock)) as sandbox:
        raw = Raw(sandbox)
        done = raw.handshake(client_key)
        clock.now += 590  # 10 s left: this call extends to now + min(600, 300)
        assert raw.call("GET", "user", token=done.session_token).status_code == 200
        clock.now += 299
        assert raw.call("GET", "user", token=done.session_token).status_code == 200
        clock.now += 301  # that call (1 s left) extended it by 300 s once more, which have now run out
        assert raw.call("GET", "user", token=done.session_token).status_code == 401


def test_rate_limits_when_switched_on(tmp_path, clock, client_key) -> None:
    with LocalSandbox(tmp_path / "s", options=SandboxOptions(rate_limits=True, clock=clock)) as sandbox:
        raw = Raw(sandbox)
        done = raw.handshake(client_key)
        for _ in range(2):  # the handshake's own GET counted as one
            assert (
                raw.call(
                    "GET", f"user/{done.user_id}/monetary-account-bank", token=done.session_token
                ).status_code
                == 200
            )
        limited = raw.call("GET", f"user/{done.user_id}/monetary-account-bank", token=done.session_token)
        assert limited.status_code == 429
        assert (
            error_of(limited)
            == "Too many requests. You can do a maximum of 3 calls per 3 second to this endpoint."
        )
        assert raw.call("GET", "user", token=done.session_token).status_code == 200  # per endpoint
        clock.now += 3
        assert (
            raw.call(
                "GET", f"user/{done.user_id}/monetary-account-bank", token=done.session_token
            ).status_code
            == 200
        )
        again = raw.open_session(done)
        assert again.status_code == 429 and "1 calls per 30 second" in error_of(again)
        clock.now += 30
        again = raw.open_session(done)
        assert again.status_code == 200


def test_rate_limits_are_off_by_default(raw: Raw, client_key) -> None:
    done = raw.handshake(client_key)
    for _ in range(10):
        assert raw.call("GET", "user", token=done.session_token).status_code == 200
