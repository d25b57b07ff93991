"""What the notebooks share: where to connect, the saved context, one client, and showing values and errors.

    from bunq_helpers import start_notebook
    t = start_notebook()     # settings from .env, the endpoint (local sandbox by default), the context

Every notebook starts this way, so notebook 3 continues with what notebooks 1 and 2 saved, in a fresh
kernel, as bunq's SDK continues from its ``bunq.conf``. ``t.client`` is one client for the whole
notebook; it reads the keys from ``t.context``, so what a cell records there the next call uses.
``t.show`` masks anything whose name says it is secret; ``t.show_error`` runs something that must fail
and shows the error instead of a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import BunqHelpersError
from .callbacks import CallbackReceiver
from .config import Environment, Settings, load_settings
from .connect import connect, local_sandbox
from .context import ApiContext
from .display import error_html, error_text, values_html
from .endpoint import Endpoint
from .handshake import load_or_new_context
from .masking import API_KEY, PRIVATE_KEY, TOKEN, mask_text, mask_value
from .transport import BunqClient

if TYPE_CHECKING:
    from ..local_sandbox import LocalSandbox

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


@dataclass
class ShownError:
    """An error a cell expected, shown (masked) instead of a traceback."""

    error: BaseException
    secrets: dict[str, str] = field(default_factory=dict, repr=False)

    def _repr_html_(self) -> str:
        return error_html(self.error, self.secrets)

    def __repr__(self) -> str:
        return error_text(self.error, self.secrets)


@dataclass
class NotebookRun:
    """The settings, endpoint, saved API context and client one notebook works with."""

    settings: Settings
    endpoint: Endpoint
    context: ApiContext
    client: BunqClient = field(repr=False)

    @property
    def is_local(self) -> bool:
        """Whether this runs against the local sandbox (some demonstrations only work there)."""
        return self.settings.environment is Environment.LOCAL

    @property
    def local_sandbox(self) -> LocalSandbox | None:
        """The in-process local sandbox (None against bunq, or a sandbox running elsewhere)."""
        if not self.is_local or self.settings.base_url:
            return None
        return local_sandbox(self.settings.local_state_dir)

    def show(self, title: str, reveal: bool = False, **rows: Any) -> Values:
        """A table of named values, masking secret-looking names and every secret this context holds."""
        return Values(title, rows, reveal, self.context.secrets)

    def show_json(self, title: str, value: Any) -> Values:
        """A JSON value, indented, with secrets masked."""
        return Values(
            title, {"json": json.dumps(value, indent=2, ensure_ascii=False)}, False, self.context.secrets
        )

    def show_error(self, action: Callable[[], Any]) -> ShownError:
        """Run ``action``, which must fail with a bunq_helpers error, and show that error."""
        try:
            action()
        except BunqHelpersError as error:
            return ShownError(error, self.context.secrets)
        raise AssertionError("This was expected to fail, but it succeeded.")

    def callback_receiver(self, **options: Any) -> CallbackReceiver:
        """A started receiver for bunq's callbacks, checking them with this context's server key.

        Against the in-process local sandbox its certificate comes from the sandbox's CA, so the
        sandbox trusts it. Against bunq, ``BUNQ_CALLBACK_URL`` is the public URL bunq reaches it at.
        ``options`` go to ``CallbackReceiver``.
        """
        if self.local_sandbox is not None:
            options.setdefault("ca_dir", self.settings.local_state_dir)
        else:
            options.setdefault("public_url", self.settings.callback_url)
        return CallbackReceiver(self.context, **options).start()

    def save(self) -> str:
        """Save the context (atomically, owner-only) and say where."""
        path = self.context.save(self.settings.context_file_path)
        return f"Saved the API context to {path}"

    def banner(self) -> Values:
        """Where this notebook's calls go and where its state is kept."""
        verify = self.endpoint.verify
        rows = {
            "environment": self.settings.environment.value,
            "base URL": self.endpoint.base_url,
            "context file": str(self.settings.context_file_path),
            "certificate check": f"CA file {verify}" if isinstance(verify, str) else "system CA store",
            "pinned keys": ", ".join(self.endpoint.pins) or "(none)",
        }
        if self.local_sandbox is not None:
            rows["local sandbox state"] = str(self.settings.local_state_dir)
        return Values("Where this notebook talks to", rows)


def start_notebook(**overrides: Any) -> NotebookRun:
    """Settings from the environment and .env, the endpoint (starting the local sandbox), the saved
    context, and one client reading its keys from that context (closed when the kernel ends)."""
    settings = load_settings(**overrides)
    endpoint = connect(settings)
    context = load_or_new_context(settings)
    context.base_url = endpoint.base_url
    return NotebookRun(settings, endpoint, context, BunqClient(endpoint, context=context))
