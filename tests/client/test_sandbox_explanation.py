"""``ApiError`` shows the local sandbox's explanation under bunq's own words, marked as the sandbox's."""

from __future__ import annotations

import pytest

from bunq_helpers.client.transport import BunqClient
from bunq_helpers.crypto import keys
from bunq_helpers.errors import ApiError, SignatureInvalidError
from bunq_helpers.local_sandbox import LocalSandbox
from tests.conftest import Raw, endpoint_of


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
