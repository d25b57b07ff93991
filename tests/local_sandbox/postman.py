"""What bunq's Postman collection sends (bunq/postman, collections/bunq_public_API_collection.json),
written from its requests and pre-request scripts: the headers of every request, its request id,
its key pair and the way it reads answers. Shared by the tests that replay the collection."""

from __future__ import annotations

import secrets
import string
import uuid

import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from bunq_helpers.crypto import keys
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


def nanoid(size: int = 20) -> str:
    return "".join(secrets.choice(NANOID_ALPHABET) for _ in range(size))


def jsrsasign_style_key(bits: int) -> keys.PrivateKey:
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    assert key.public_key().public_numbers().n.bit_length() == bits
    return key


def items_by_kind(response: requests.Response) -> dict[str, list[dict]]:
    """The collection's parse_all_response: every item one key, grouped by that key."""
    grouped: dict[str, list[dict]] = {}
    for item in response.json()["Response"]:
        assert len(item) == 1, item
        [(kind, value)] = item.items()
        grouped.setdefault(kind, []).append(value)
    return grouped
