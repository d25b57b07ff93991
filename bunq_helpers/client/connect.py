"""From settings to an ``Endpoint``: bunq's servers, or the local sandbox, started here when needed.

For the ``local`` environment ``connect`` starts the local sandbox in this process (once per state
directory) unless ``BUNQ_BASE_URL`` points at one that is already running. Its key is pinned by
default: the local sandbox's pin is known, so there is no reason not to. For bunq's sandbox and
production the system's CA store is used, plus ``BUNQ_PINNED_KEYS``.

This is the one client module that touches the local sandbox, and only to start it: it imports
``LocalSandbox`` when it needs one, so using bunq's servers never loads the sandbox. Stopping the
sandboxes at exit is the sandbox's own job (``local_sandbox.server``); this module only remembers
which one serves which state directory.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from .config import Environment, Settings
from .endpoint import Endpoint

if TYPE_CHECKING:
    from ..local_sandbox import LocalSandbox

_local_sandboxes: dict[Path, LocalSandbox] = {}
_local_sandboxes_lock = threading.Lock()


def local_sandbox(state_dir: Path) -> LocalSandbox:
    """The local sandbox serving ``state_dir`` in this process, started on first use."""
    from ..local_sandbox import LocalSandbox

    state_dir = Path(state_dir).resolve()
    with _local_sandboxes_lock:
        sandbox = _local_sandboxes.get(state_dir)
        if sandbox is None or not sandbox.running:
            sandbox = LocalSandbox(state_dir).start()
            _local_sandboxes[state_dir] = sandbox
        return sandbox


def stop_local_sandbox(state_dir: Path) -> None:
    """Stop the local sandbox serving ``state_dir`` in this process, if one runs (before a reset)."""
    with _local_sandboxes_lock:
        sandbox = _local_sandboxes.pop(Path(state_dir).resolve(), None)
    if sandbox is not None:
        sandbox.stop()


def connect(settings: Settings) -> Endpoint:
    """The endpoint the settings point at (starting the local sandbox if needed)."""
    if settings.environment is Environment.LOCAL:
        if settings.base_url:
            ca_file = settings.ca_file or str(settings.local_state_dir / "ca.pem")
            return Endpoint(settings.base_url, ca_file, settings.pinned_keys)
        sandbox = local_sandbox(settings.local_state_dir)
        return Endpoint(sandbox.base_url, sandbox.ca_file, settings.pinned_keys or (sandbox.pin,))
    base_url = settings.base_url or settings.environment.default_base_url or ""
    return Endpoint(base_url, settings.ca_file or True, settings.pinned_keys)
