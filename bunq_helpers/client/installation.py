"""Step 1, "Create an installation": ``POST /v1/installation``.

Send the public half of a fresh RSA-2048 key pair; get back the installation id, the installation
token (it authenticates the next two steps) and bunq's server public key (it verifies every
response from now on, this one included: trust on first use). No token, no signature: there is no
key on file yet. The step returns an ``Installation`` record; keeping it is the caller's choice
(``ApiContext.record_installation``).
"""

from __future__ import annotations

from ..crypto.keys import PrivateKey, PublicKey, load_public_key, public_key_to_pem
from ..errors import UnexpectedResponseError
from .envelope import item
from .exchange import Exchange
from .masking import TOKEN
from .records import Installation
from .transport import BunqClient

ENDPOINT = "installation"
TITLE = "Create an installation"


def installation_body(private_key: PrivateKey) -> dict[str, str]:
    """The request body: the public key as PEM SubjectPublicKeyInfo."""
    return {"client_public_key": public_key_to_pem(private_key)}


def server_public_key_pem(exchange: Exchange) -> str:
    """bunq's server key (PEM) in an installation answer: the ``ServerPublicKey`` item, third."""
    pem = item(exchange, "ServerPublicKey", 2).get("server_public_key")
    if not isinstance(pem, str):
        raise UnexpectedResponseError(
            "The installation answer lacks the server public key.", exchange=exchange
        )
    return pem


def server_public_key(exchange: Exchange) -> PublicKey:
    """bunq's server key in an installation answer, loaded: what checks that very answer's signature."""
    return load_public_key(server_public_key_pem(exchange))


def create_installation(client: BunqClient, private_key: PrivateKey) -> Installation:
    """Register the key pair's public key; return the id, token and server public key."""
    exchange = client.request(
        "POST",
        ENDPOINT,
        body=installation_body(private_key),
        title=TITLE,
        server_key_in_answer=server_public_key,
    )
    installation_id = item(exchange, "Id", 0).get("id")
    token = item(exchange, "Token", 1).get("token")
    server_key_pem = server_public_key_pem(exchange)
    if not isinstance(installation_id, int) or not isinstance(token, str):
        raise UnexpectedResponseError("The installation answer lacks an id or token.", exchange=exchange)
    exchange.add_secret(token, TOKEN)
    exchange.extracted.update(
        installation_id=installation_id,
        installation_token=token,
        public_key_server=server_key_pem.splitlines()[0] + " …",
    )
    return Installation(installation_id, token, server_key_pem, exchange)
