"""Step 2, "Add the device": ``POST /v1/device-server``.

Tell bunq which API key this installation uses (``secret``), a ``description`` for your own
reference, and ``permitted_ips``: leave it empty to bind the key to the IP you call from, list IPs,
or include ``"*"`` to allow any IP. Authenticated with the installation token; signed. The step
returns a ``Device`` record (``ApiContext.record_device`` keeps it).
"""

from __future__ import annotations

from .envelope import object_id
from .masking import API_KEY
from .records import Device
from .transport import BunqClient

ENDPOINT = "device-server"
TITLE = "Add the device"


def device_body(api_key: str, description: str, permitted_ips: list[str] | tuple[str, ...] = ()) -> dict:
    """The request body; ``permitted_ips`` is left out when empty, as bunq's Python SDK does."""
    body: dict = {"description": description, "secret": api_key}
    if permitted_ips:
        body["permitted_ips"] = list(permitted_ips)
    return body


def register_device(
    client: BunqClient,
    installation_token: str,
    api_key: str,
    description: str,
    permitted_ips: list[str] | tuple[str, ...] = (),
) -> Device:
    """Register this installation as a device for ``api_key``; return the device id."""
    exchange = client.request(
        "POST",
        ENDPOINT,
        body=device_body(api_key, description, permitted_ips),
        token=installation_token,
        title=TITLE,
        secrets={api_key: API_KEY},
    )
    device_id = object_id(exchange)
    exchange.extracted["device_id"] = device_id
    return Device(device_id, description, tuple(permitted_ips), exchange)
