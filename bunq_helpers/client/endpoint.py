"""Where requests go: an ``Endpoint`` is a base URL plus how to trust it (a CA file, pins).

A plain value, checked when made (``https://`` only); ``connect`` (in ``connect``) finds the one the
settings point at. It sits below the transport, which takes one: ``BunqClient(endpoint, context=...)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from ..errors import InsecureUrlError


def require_https(url: str) -> str:
    """The URL, if it is https://; otherwise InsecureUrlError."""
    scheme = urlsplit(url).scheme.lower()
    if scheme != "https":
        raise InsecureUrlError(
            f'Refusing {url!r}: bunq only speaks HTTPS ("All requests must use HTTPS. HTTP calls will '
            'fail."), and the API key and tokens must never travel in clear text. Use an https:// URL.'
        )
    return url


@dataclass(frozen=True)
class Endpoint:
    """A base URL (``https://…/v1/``) and how to trust it: ``verify`` (a CA file, or True for the
    system store) and optional SPKI ``pins``. An ``http://`` URL is refused here, before any client."""

    base_url: str
    verify: bool | str = True
    pins: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        url = require_https(self.base_url)
        object.__setattr__(self, "base_url", url if url.endswith("/") else url + "/")
        object.__setattr__(self, "pins", tuple(self.pins))
