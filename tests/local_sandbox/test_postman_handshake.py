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

import secrets
import string
import uuid

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from bunq_helpers.crypto import keys, signing
from bunq_helpers.local_sandbox import LocalSandbox

NANOID_ALPHABET = "_-" + string.digits + string.ascii_lowercase + string.ascii_uppercase
GEOLOCATION = "0 0 0 0 000"


class Postman:
    """Sends requests with exactly the headers a Postman run of bunq's collection sends."""

    def __init__(self, sandbox: LocalSandbox) -> None:
        self.sandbox = sandbox
        self.http = requests.Session()
        self.http.trust_env = False
        self.http.headers.clear()  # no python-requests defaults: only what Postman sends
        self.environment = {"signature": "", "request_id": ""}

    def send(self, method: str, path: str, body: str, headers: dict[str, str]) -> requests.Response:
        sent = {
            "Content-Type": "application/json",
            **headers,
            "Accept": "*/*",
            "Postman-Token": str(uuid.uuid4()),
            "Accept-Encoding": "gzip, deflate, br",
            "Connection": "keep-alive",
        }
        return self.http.request(
            method,
            self.sandbox.base_url + path,
            data=body.encode("utf-8"),
            headers=sent,
            verify=self.sandbox.ca_file,
            timeout=30,
        )

    def bunq_headers(self, *, cache_control: bool = True, token: str | None = None) -> dict[str, str]:
        """The headers of the collection's requests after "Create a sandbox user"."""
        headers = {"Cache-Control": "no-cache"} if cache_control else {}
        headers.update(
            {
                "User-Agent": "postman",
                "X-Bunq-Language": "en_US",
                "X-Bunq-Region": "nl_NL",
                "X-Bunq-Client-Request-Id": self.environment["request_id"],
                "X-Bunq-Geolocation": GEOLOCATION,
            }
        )
        if token is not None:
            headers["X-Bunq-Client-Authentication"] = token
        headers["X-Bunq-Client-Signature"] = self.environment["signature"]
        return headers


def _nanoid(size: int = 20) -> str:
    return "".join(secrets.choice(NANOID_ALPHABET) for _ in range(size))


def _jsrsasign_style_key(bits: int) -> keys.PrivateKey:
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    assert key.public_key().public_numbers().n.bit_length() == bits
    return key


def _items(response: requests.Response) -> dict[str, list[dict]]:
    """The collection's parse_all_response: every item one key, grouped by that key."""
    grouped: dict[str, list[dict]] = {}
    for item in response.json()["Response"]:
        assert len(item) == 1, item
        [(kind, value)] = item.items()
        grouped.setdefault(kind, []).append(value)
    return grouped


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
    api_key = _items(created)["ApiKey"][0]["api_key"]
    assert "X-Bunq-Client-Request-Id" not in created.headers  # none was sent, none is made up

    # API context / Create an installation: new key pair and request id; empty signature; no Cache-Control.
    key = _jsrsasign_style_key(bits)
    postman.environment["request_id"] = _nanoid()
    pem_fmt = (keys.public_key_to_pem(key) + "\n").replace("\n", "\\n")
    body = '{"client_public_key":"' + pem_fmt + '"}'
    installation = postman.send("POST", "installation", body, postman.bunq_headers(cache_control=False))
    assert installation.headers["X-Bunq-Client-Request-Id"] == postman.environment["request_id"]
    found = _items(verified(installation))
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
    assert isinstance(_items(device)["Id"][0]["id"], int)

    # API context / Add a session: signs its own body exactly as sent (SHA256withRSA, base64).
    body = '{\n\t"secret": "' + api_key + '"\n}'
    postman.environment["signature"] = signing.sign_body(key, body.encode("utf-8"))
    session = verified(
        postman.send("POST", "session-server", body, postman.bunq_headers(token=installation_token))
    )
    found = _items(session)
    assert [len(found[kind]) for kind in ("Id", "Token", "UserPerson")] == [1, 1, 1]
    user_id, session_token = found["UserPerson"][0]["id"], found["Token"][0]["token"]
    assert isinstance(user_id, int) and isinstance(session_token, str)

    # Get user info (GET /v1/user/ with its trailing slash) and List monetary accounts: the
    # session-server signature, stale for these requests, rides along; bunq does not check it.
    users = verified(postman.send("GET", "user/", "", postman.bunq_headers(token=session_token)))
    assert _items(users)["UserPerson"][0]["id"] == user_id
    accounts = verified(
        postman.send("GET", f"user/{user_id}/monetary-account", "", postman.bunq_headers(token=session_token))
    )
    assert isinstance(_items(accounts)["MonetaryAccountBank"][0]["id"], int)
    assert accounts.headers["X-Bunq-Client-Request-Id"] == postman.environment["request_id"]
