"""``ApiError`` shows the local sandbox's explanation under bunq's own words, marked as the sandbox's."""

from __future__ import annotations

import pytest

from bunq_helpers.client.transport import BunqClient
from bunq_helpers.crypto import keys
from bunq_helpers.errors import ApiError, SignatureInvalidError
from bunq_helpers.local_sandbox import LocalSandbox
from tests.helpers import Raw, endpoint_of


class Keys:
    def __init__(self, private: keys.PrivateKey, server: keys.PublicKey) -> None:
        self.private_key = private
        self.server_public_key = server
        self.secrets: dict[str, str] = {}


def test_a_refusal_carries_the_sandbox_explanation(
    sandbox: LocalSandbox, raw: Raw, client_key, other_key
) -> None:
    hs = raw.handshake(client_key)
    # the client holds the wrong private key for this installation: its signatures fail
    client = BunqClient(endpoint_of(sandbox), context=Keys(other_key, hs.server_key))
    with pytest.raises(SignatureInvalidError) as caught:
        client.request("POST", "session-server", body={"secret": hs.api_key}, token=hs.installation_token)
    error = caught.value
    assert error.description == "The request signature is invalid."
    assert (
        error.sandbox_explanation
        and "not made with the private key of this installation" in error.sandbox_explanation
    )
    lines = str(error).splitlines()
    assert lines[0].startswith("bunq answered HTTP 400") and lines[0].endswith(
        "The request signature is invalid."
    )
    assert lines[1].startswith("The local sandbox explains (its own note, not bunq's answer): ")


def test_no_explanation_from_a_server_that_is_not_a_local_sandbox() -> None:
    error = ApiError(401, ["Insufficient authorisation."], "id-1")
    assert error.sandbox_explanation is None and "local sandbox" not in str(error)
    client = BunqClient("https://api.bunq.com/v1/")
    assert client.sandbox_explanation("id-1") is None  # never asks anything of a remote server


def test_the_clock_from_the_client_expires_a_session_and_the_error_says_so(
    settings, sandbox: LocalSandbox
) -> None:
    """What notebook 05 shows: a week-long session, the clock moved past its end, a 401 explained, a new session."""
    from bunq_helpers import AuthorisationError, create_api_context, ensure_session
    from bunq_helpers.client import accounts

    run = create_api_context(settings, endpoint=endpoint_of(sandbox))
    client, context = run.client, run.context
    accounts.get_user(client, context)
    before = client.sandbox_clock()
    after = client.sandbox_clock(advance_seconds=context.session.session_timeout + 1)
    assert after["epoch"] - before["epoch"] >= context.session.session_timeout + 1
    with pytest.raises(AuthorisationError) as caught:
        accounts.get_user(client, context)
    assert "expired at" in (caught.value.sandbox_explanation or "")
    assert "The local sandbox explains" in str(caught.value)
    context.forget_session()
    assert ensure_session(context, client) is True
    assert accounts.get_user(client, context).exchange.status == 200
    with pytest.raises(ApiError, match="never goes backwards"):
        client.sandbox_clock(now="2001-01-01T00:00:00Z")


def test_a_remote_server_has_no_clock_to_move() -> None:
    from bunq_helpers.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="not a local sandbox"):
        BunqClient("https://api.bunq.com/v1/").sandbox_clock(advance_seconds=1)


def test_the_notebook_display_shows_it_marked_as_the_sandboxs() -> None:
    from bunq_helpers.client.display import error_html

    error = ApiError(
        400, ["The request signature is invalid."], "id-1", sandbox_explanation="Signed with SHA-1."
    )
    html = error_html(error)
    assert html.index("bunq said:") < html.index("The local sandbox explains") < html.index("What to check")
    assert "not bunq's answer" in html and "Signed with SHA-1." in html
    assert "local sandbox" not in error_html(ApiError(400, ["x"], "id-2"))
