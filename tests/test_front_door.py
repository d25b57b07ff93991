"""``from bunq_helpers import …``: everything in ``__all__`` is there, loaded on first use, and the local
sandbox alone (imported or run with ``-m``) never loads the client or requests."""

from __future__ import annotations

import subprocess
import sys

import pytest

import bunq_helpers

CLIENT_SIDE = ("requests", "urllib3", "bunq_helpers.client")


def test_every_name_in_all_resolves() -> None:
    for name in bunq_helpers.__all__:
        assert getattr(bunq_helpers, name) is not None, name
    namespace: dict[str, object] = {}
    exec("from bunq_helpers import *", namespace)  # noqa: S102 - the star import a reader would type
    assert set(bunq_helpers.__all__) <= set(namespace)
    assert set(bunq_helpers.__all__) <= set(dir(bunq_helpers))


def test_names_come_from_their_modules() -> None:
    from bunq_helpers.client.handshake import create_api_context
    from bunq_helpers.client.transport import BunqClient
    from bunq_helpers.errors import ApiError
    from bunq_helpers.local_sandbox import LocalSandbox

    assert bunq_helpers.create_api_context is create_api_context
    assert bunq_helpers.BunqClient is BunqClient and bunq_helpers.LocalSandbox is LocalSandbox
    assert bunq_helpers.ApiError is ApiError
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        bunq_helpers.nothing_here  # noqa: B018


def _modules_loaded_by(*args: str) -> set[str]:
    """Modules a fresh interpreter imports for ``python -X importtime ARGS`` (read from its report)."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", *args], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return {
        line.rsplit("|", 1)[1].strip()
        for line in result.stderr.splitlines()
        if line.startswith("import time:")
    }


@pytest.mark.parametrize(
    "args",
    [
        ("-c", "import bunq_helpers.local_sandbox"),
        ("-c", "from bunq_helpers.local_sandbox import LocalSandbox, SandboxOptions"),
        ("-m", "bunq_helpers.local_sandbox", "--help"),
    ],
    ids=["import", "from-import", "python -m"],
)
def test_the_local_sandbox_alone_loads_no_client_and_no_requests(args: tuple[str, ...]) -> None:
    loaded = _modules_loaded_by(*args)
    assert "bunq_helpers.local_sandbox" in loaded  # the report is read right
    assert not {name for name in loaded if name.startswith(CLIENT_SIDE)}


def test_the_front_door_itself_loads_only_the_error_leaf() -> None:
    loaded = _modules_loaded_by("-c", "import bunq_helpers")
    assert {name for name in loaded if name.startswith("bunq_helpers")} == {
        "bunq_helpers",
        "bunq_helpers.errors",
    }
