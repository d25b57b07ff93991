"""What the notebooks share: where to connect, the saved context, and showing values and errors.

    from bunq_helpers import tutorial
    t = tutorial.start()            # settings from .env, the target (local sandbox by default), the context

Every notebook starts this way, so notebook 3 continues with what notebooks 1 and 2 saved, in a fresh
kernel, as bunq's SDK continues from its ``bunq.conf``. ``show_values`` masks anything whose name says
it is secret; ``show_error`` runs something that must fail and shows the error instead of a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..errors import BunqHelpersError
from .config import Environment, Settings, load_settings
from .context import ApiContext
from .display import values_html
from .endpoint import Target, connect, local_sandbox
from .handshake import load_or_new_context
from .masking import API_KEY, PRIVATE_KEY, TOKEN, mask_text, mask_value
from .transport import BunqClient

SECRET_NAMES = {"token": TOKEN, "api_key": API_KEY, "secret": API_KEY, "private_key": PRIVATE_KEY}


def _kind_of(name: str) -> str | None:
    lowered = name.lower()
    return next((kind for part, kind in SECRET_NAMES.items() if part in lowered), None)


@dataclass
class Values:
    """A titled table of values; secret-looking ones are masked unless ``reveal``."""

    title: str
    rows: dict[str, Any]
    reveal: bool = False
    secrets: dict[str, str] = field(default_factory=dict, repr=False)

    def _shown(self) -> dict[str, str]:
        shown = {}
        for name, value in self.rows.items():
            text = value if isinstance(value, str) else json.dumps(value, default=str)
            kind = _kind_of(name)
            if not self.reveal:
                text = (
                    mask_value(text, kind)
                    if kind and isinstance(value, str)
                    else mask_text(text, self.secrets)
                )
            shown[name] = text
        return shown

    def _repr_html_(self) -> str:
        return values_html(self.title, self._shown())

    def __repr__(self) -> str:
        lines = [self.title] + [f"  {name} = {value}" for name, value in self._shown().items()]
        return "\n".join(lines)


def show_values(title: str, reveal: bool = False, **rows: Any) -> Values:
    """A table of named values for a notebook cell (tokens, keys and API keys masked)."""
    return Values(title, rows, reveal)


@dataclass
class ShownError:
    """An error a cell expected, shown instead of a traceback."""

    error: BaseException

    def _repr_html_(self) -> str:
        return self.error._repr_html_()

    def __repr__(self) -> str:
        return f"{type(self.error).__name__}: {mask_text(str(self.error))}"


def show_error(action: Callable[[], Any]) -> ShownError:
    """Run ``action``, which must fail with a bunq_helpers error, and show that error."""
    try:
        action()
    except BunqHelpersError as error:
        return ShownError(error)
    raise AssertionError("This was expected to fail, but it succeeded.")


@dataclass
class Tutorial:
    """The settings, target and saved API context a notebook works with."""

    settings: Settings
    target: Target
    context: ApiContext
    _client: BunqClient | None = field(default=None, repr=False)

    @property
    def is_local(self) -> bool:
        """Whether this runs against the local sandbox (some demonstrations only work there)."""
        return self.settings.environment is Environment.LOCAL

    @property
    def local_sandbox(self) -> Any:
        """The in-process local sandbox (None against bunq)."""
        if not self.is_local or self.settings.base_url:
            return None
        return local_sandbox(self.settings.local_state_dir)

    @property
    def client(self) -> BunqClient:
        """A client with the context's current keys (the private key signs, the server key verifies)."""
        if self._client is None:
            self._client = self.context.client(self.target)
        fresh = self.context.client(self.target)
        self._client.private_key = fresh.private_key
        self._client.server_public_key = fresh.server_public_key
        return self._client

    def show(self, title: str, reveal: bool = False, **rows: Any) -> Values:
        """``show_values``, also masking every secret this context holds wherever it appears."""
        return Values(title, rows, reveal, self.context.secrets)

    def show_json(self, title: str, value: Any) -> Values:
        """A JSON value, indented, with secrets masked."""
        return Values(
            title, {"json": json.dumps(value, indent=2, ensure_ascii=False)}, False, self.context.secrets
        )

    def save(self) -> str:
        """Save the context (atomically, owner-only) and say where."""
        path = self.context.save(self.settings.context_file_path)
        return f"Saved the API context to {path}"

    def banner(self) -> Values:
        """Where this notebook's calls go and where its state is kept."""
        rows = {
            "environment": self.settings.environment.value,
            "base URL": self.target.base_url,
            "context file": str(self.settings.context_file_path),
            "certificate check": "CA file " + self.target.verify
            if isinstance(self.target.verify, str)
            else "system CA store",
            "pinned keys": ", ".join(self.target.pins) or "(none)",
        }
        if self.local_sandbox is not None:
            rows["local sandbox state"] = str(self.settings.local_state_dir)
        return Values("Where this notebook talks to", rows)


def start(**overrides: Any) -> Tutorial:
    """Settings from the environment and .env, the target (starting the local sandbox), the saved context."""
    settings = load_settings(**overrides)
    target = connect(settings)
    context = load_or_new_context(settings)
    context.base_url = target.base_url
    return Tutorial(settings, target, context)
