"""Where requests go: a ``Target`` is a base URL plus how to trust it (CA file, pins).

For the ``local`` environment this starts the local sandbox in this process (once per state
directory, stopped when the process exits) unless ``BUNQ_BASE_URL`` points at one that is already
running. Its key is pinned by default: the local sandbox's pin is known, so there is no reason not
to. For bunq's sandbox and production the system's CA store is used, plus ``BUNQ_PINNED_KEYS``.
"""

from __future__ import annotations

import atexit
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..crypto.keys import PrivateKey, PublicKey
from .config import Environment, Settings
from .transport import BunqClient, require_https

_started: dict[Path, Any] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class Target:
    """A base URL and how to trust it."""

    environment: Environment
    base_url: str
    verify: bool | str = True
    pins: tuple[str, ...] = ()

    def client(
        self,
        private_key: PrivateKey | None = None,
        server_public_key: PublicKey | None = None,
        **kwargs: Any,
    ) -> BunqClient:
        """A client for this target."""
        return BunqClient(
            self.base_url,
            verify=self.verify,
            pins=self.pins,
            private_key=private_key,
            server_public_key=server_public_key,
            **kwargs,
        )


def local_sandbox(state_dir: Path, **kwargs: Any) -> Any:
    """The local sandbox serving ``state_dir`` in this process, started on first use."""
    from ..local_sandbox import LocalSandbox

    state_dir = Path(state_dir).resolve()
    with _lock:
        sandbox = _started.get(state_dir)
        if sandbox is None or not sandbox.running:
            sandbox = LocalSandbox(state_dir, **kwargs).start()
            _started[state_dir] = sandbox
        return sandbox


def stop_local_sandboxes() -> None:
    """Stop every local sandbox this process started."""
    with _lock:
        for sandbox in _started.values():
            sandbox.stop()
        _started.clear()


atexit.register(stop_local_sandboxes)


def connect(settings: Settings) -> Target:
    """The target the settings point at (starting the local sandbox if needed)."""
    if settings.environment is Environment.LOCAL:
        if settings.base_url:
            ca_file = settings.ca_file or str(settings.local_state_dir / "ca.pem")
            return Target(Environment.LOCAL, require_https(settings.base_url), ca_file, settings.pinned_keys)
        sandbox = local_sandbox(settings.local_state_dir)
        pins = settings.pinned_keys or (sandbox.pin,)
        return Target(Environment.LOCAL, sandbox.base_url, sandbox.ca_file, pins)
    base_url = require_https(settings.base_url or settings.environment.default_base_url or "")
    return Target(settings.environment, base_url, settings.ca_file or True, settings.pinned_keys)
