"""``company``: companies a person registers with bunq (create, list, read, update), a plain family.

Each is answered as a ``UserCompany``, as bunq's reference and SDK (``CompanyApiObject`` reads
``UserCompany``) show it. Stand-in: bunq reviews a new company before it can be used; the sandbox
records it as ``ACTIVE`` at once, with its name as display name and nick name. Addresses are kept as
sent (``street``, ``house_number``, ``postal_code``, ``city`` and ``country`` are required in each).
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from typing import Any

from ..bunq_errors import bad_request
from ..kit import Owned, derived_renderer, operation_ids, plain_family
from ..routing import HandlerContext

COMPANY = Owned("companies", "Company")
ADDRESS_FIELDS = ("street", "house_number", "postal_code", "city", "country")
_derived = derived_renderer("READ_Company_for_User")


def _address(body: dict[str, Any], field: str) -> str:
    address = body[field]
    missing = [name for name in ADDRESS_FIELDS if not isinstance(address.get(name), str) or not address[name]]
    if missing:
        raise bad_request(
            f'Field "{field}" lacks {", ".join(missing)}: an address needs {", ".join(ADDRESS_FIELDS)}.'
        )
    return json.dumps(address)


def _columns(ctx: HandlerContext, row: sqlite3.Row, body: dict, creating: bool) -> dict[str, Any]:
    values = {
        field: body[field]
        for field in ("name", "country", "legal_form", "chamber_of_commerce_number", "subscription_type")
        if body.get(field) is not None
    }
    values.update({field: _address(body, field) for field in ("address_main", "address_postal")})
    return {**values, "public_uuid": str(uuid.uuid4())} if creating else values


def render_company(db: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    """A UserCompany."""
    return {
        **_derived(db, row),
        "address_main": json.loads(row["address_main"]),
        "address_postal": json.loads(row["address_postal"]),
        "display_name": row["name"],
        "public_nick_name": row["name"],
        "status": "ACTIVE",
        "sub_status": "NONE",
        "alias": [],
    }


ROUTES = plain_family(
    COMPANY,
    **operation_ids("Company", kinds="list read create update"),
    validate=_columns,
    render=render_company,
)
