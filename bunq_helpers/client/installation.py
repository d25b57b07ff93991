"""Step 1, "Create an installation": ``POST /v1/installation``.

Send the public half of a fresh RSA-2048 key pair; get back the installation id, the installation
token (it authenticates the next two steps) and bunq's server public key (it verifies every
response from now on). No token, no signature: there is no key on file yet.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..crypto.keys import PrivateKey, load_public_key, public_key_to_pem
from ..crypto.signing import SERVER_SIGNATURE_HEADER, verify_body
from ..errors import UnexpectedResponseError
from .envelope import item
from .exchange import Exchange
from .masking import TOKEN, mask_value
from .transport import BunqClient

ENDPOINT = "installation"
TITLE = "Create an installation"


@dataclass(frozen=True)
class Installation:
    """What the installation step created."""

    id: int
    token: str = field(repr=False)
    server_public_key: str = field(repr=False)
    exchange: Exchange = field(repr=False)

    def __repr__(self) -> str:
        return f"Installation(id={self.id}, token={mask_value(self.token)!r}, server_public_key=<PEM>)"


def installation_body(private_key: PrivateKey) -> dict[str, str]:
    """The request body: the public key as PEM SubjectPublicKeyInfo."""
    return {"client_public_key": public_key_to_pem(private_key)}


def create_installation(client: BunqClient, private_key: PrivateKey) -> Installation:
    """Register the key pair's public key; return the id, token and server public key."""
    exchange = client.request("POST", ENDPOINT, body=installation_body(private_key), title=TITLE)
    installation_id = item(exchange, "Id", 0).get("id")
    token = item(exchange, "Token", 1).get("token")
    server_key_pem = item(exchange, "ServerPublicKey", 2).get("server_public_key")
    if (
        not isinstance(installation_id, int)
        or not isinstance(token, str)
        or not isinstance(server_key_pem, str)
    ):
        raise UnexpectedResponseError(
            "The installation answer lacks an id, token or server key.", exchange=exchange
        )
    server_key = load_public_key(server_key_pem)
    exchange.add_secret(token, TOKEN)
    # No key was known before this answer; check it against the key it carries (trust on first use).
    signature = exchange.response_header(SERVER_SIGNATURE_HEADER)
    if signature:
        exchange.server_signature_valid = verify_body(server_key, exchange.response_body, signature)
        exchange.server_signature_note = (
            "Checked with the server public key inside this very answer: consistent, but only TLS "
            "(and a pin) vouch that it came from bunq."
        )
    exchange.extracted.update(
        installation_id=installation_id,
        installation_token=token,
        public_key_server=server_key_pem.splitlines()[0] + " …",
    )
    client.server_public_key = server_key
    return Installation(installation_id, token, server_key_pem, exchange)
