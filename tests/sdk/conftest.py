"""The SDK's own virtual environment, shared by the SDK tests (built once under ``.cache/``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.sdk import sdk_venv


@pytest.fixture(scope="session")
def sdk_python() -> Path:
    """The SDK venv's Python; skips where it cannot be built (no package registry), fails under CI."""
    try:
        return sdk_venv.sdk_python()
    except sdk_venv.SdkUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(str(exc))
        pytest.skip(str(exc))
