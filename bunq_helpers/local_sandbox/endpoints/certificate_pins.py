"""``certificate-pinned``: certificate chains a user pins (create, list, read, delete), a plain family.

Each ``certificate_chain`` entry's ``certificate`` must be a PEM X.509 certificate (parsed with
``cryptography``; 400 naming the entry otherwise). bunq answers the chain as one string, the PEMs
joined in the order sent, as its SDK reads it (``CertificatePinned.certificate_chain``).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from ..bunq_errors import bad_request
from ..kit import Owned, operation_ids, plain_family
from ..routing import HandlerContext

PIN = Owned("certificate_pins", "CertificatePinned")


def _chain(ctx: HandlerContext, row: sqlite3.Row, body: dict, creating: bool) -> dict[str, Any]:
    from cryptography import x509  # here: a warm start never needs it

    pems = []
    for index, entry in enumerate(body["certificate_chain"]):
        pem = entry.get("certificate") if isinstance(entry, dict) else None
        try:
            x509.load_pem_x509_certificate(pem.encode())
        except (AttributeError, ValueError):
            raise bad_request(
                f'Field "certificate_chain[{index}].certificate" must be a PEM certificate'
                ' ("-----BEGIN CERTIFICATE-----" ...).'
            ) from None
        pems.append(pem.strip())
    if not pems:
        raise bad_request('Field "certificate_chain" must hold at least one certificate.')
    return {"certificate_chain": "\n".join(pems)}


ROUTES = plain_family(
    PIN,
    **operation_ids("CertificatePinned", kinds="list read create delete"),
    validate=_chain,
)
