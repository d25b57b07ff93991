"""JSON as bunq encodes it: compact, ``/`` escaped as ``\\/`` (its PHP-style encoder), ASCII only.

Clients that re-serialise a body before checking its signature find out here rather than in production.
"""

from __future__ import annotations

import json
from typing import Any

JSON_CONTENT_TYPE = "application/json"


def encode_json(payload: Any) -> bytes:
    """Compact JSON with ``/`` escaped as ``\\/`` and non-ASCII as ``\\uXXXX``."""
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=True)
    return text.replace("/", "\\/").encode("ascii")
