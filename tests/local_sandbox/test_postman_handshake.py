"""The three handshake calls as bunq's Postman collection makes them (bunq/postman,
collections/bunq_public_API_collection.json, folder "API context"), written from what its requests
and pre-request scripts do, then the first two calls that reuse the last signature:

- one ``X-Bunq-Client-Request-Id`` (a 20-character nanoid) made by "Create an installation" and
  reused by every later request; "Create a sandbox user" has the header disabled;
- the key pair from jsrsasign (its "2048-bit" keys have 2047 bits 39% of the time), the PEM put
  into a raw JSON body with its line breaks written as ``\\n``, trailing one included;
- ``X-Bunq-Client-Signature: {{signature}}`` on every request: empty until "Add a session" signs
  its own body, then that stale signature on the calls after it;
- tab-indented bodies; no Cache-Control on installation; ``User-Agent: postman``, language,
  region and ``X-Bunq-Geolocation: 0 0 0 0 000``; Postman's own Accept and Postman-Token.
"""

from __future__ import annotations

import pytest
import requests

from bunq_helpers.crypto import keys, signing
from bunq_helpers.local_sandbox import LocalSandbox
from tests.local_sandbox.postman import Postman, items_by_kind, jsrsasign_style_key, nanoid


@pytest.mark.parametrize("bits", [2048, 2047], ids=["2048-bit", "jsrsasign-2047-bit"])
def test_postman_collection_handshake_and_first_calls(sandbox: LocalSandbox, bits: int) -> None:
    postman = Postman(sandbox)
    server_key: keys.PublicKey | None = None

    def verified(response: requests.Response) -> requests.Response:
        assert response.status_code == 200, response.text
        if server_key is not None:
            signature = response.headers["X-Bunq-Server-Signature"]
            assert signing.verify_body(server_key, response.content, signature)
        return response

    # Test users / Create a sandbox user (person): request id, language, region, geolocation disabled.
    created = verified(postman.send("POST", "sandbox-user-person", "", {"User-Agent": "postman"}))
    api_key = items_by_kind(created)["ApiKey"][0]["api_key"]
    assert "X-Bunq-Client-Request-Id" not in created.headers  # none was sent, none is made up

    # API context / Create an installation: new key pair and request id; empty signature; no Cache-Control.
    key = jsrsasign_style_key(bits)
    postman.environment["request_id"] = nanoid()
    pem_fmt = (keys.public_key_to_pem(key) + "\n").replace("\n", "\\n")
    body = '{"client_public_key":"' + pem_fmt + '"}'
    installation = postman.send("POST", "installation", body, postman.bunq_headers(cache_control=False))
    assert installation.headers["X-Bunq-Client-Request-Id"] == postman.environment["request_id"]
    found = items_by_kind(verified(installation))
    assert [len(found[kind]) for kind in ("Id", "Token", "ServerPublicKey")] == [1, 1, 1]
    assert isinstance(found["Id"][0]["id"], int)
    installation_token = found["Token"][0]["token"]
    server_key = keys.load_public_key(found["ServerPublicKey"][0]["server_public_key"])
    verified(installation)

    # API context / Add the device: empty pre-request script, so the same request id and the
    # still-empty signature.
    body = '{\n\t"description": "Postman",\n\t"secret": "' + api_key + '",\n\t"permitted_ips": ["*"]\n}'
    device = verified(
        postman.send("POST", "device-server", body, postman.bunq_headers(token=installation_token))
    )
    assert device.headers["X-Bunq-Client-Request-Id"] == postman.environment["request_id"]
    assert isinstance(items_by_kind(device)["Id"][0]["id"], int)

    # API context / Add a session: signs its own body exactly as sent (SHA256withRSA, base64).
    body = '{\n\t"secret": "' + api_key + '"\n}'
    postman.environment["signature"] = signing.sign_body(key, body.encode("utf-8"))
    session = verified(
        postman.send("POST", "session-server", body, postman.bunq_headers(token=installation_token))
    )
    found = items_by_kind(session)
    assert [len(found[kind]) for kind in ("Id", "Token", "UserPerson")] == [1, 1, 1]
    user_id, session_token = found["UserPerson"][0]["id"], found["Token"][0]["token"]
    assert isinstance(user_id, int) and isinstance(session_token, str)

    # Get user info (GET /v1/user/ with its trailing slash) and List monetary accounts: the
    # session-server signature, stale for these requests, rides along; bunq does not check it.
    users = verified(postman.send("GET", "user/", "", postman.bunq_headers(token=session_token)))
    assert items_by_kind(users)["UserPerson"][0]["id"] == user_id
    accounts = verified(
        postman.send("GET", f"user/{user_id}/monetary-account", "", postman.bunq_headers(token=session_token))
    )
    assert isinstance(items_by_kind(accounts)["MonetaryAccountBank"][0]["id"], int)
    assert accounts.headers["X-Bunq-Client-Request-Id"] == postman.environment["request_id"]
