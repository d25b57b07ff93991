"""The SDK's own Python, shared by the tests that drive bunq's official SDK."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.sdk import sdk_venv


@pytest.fixture(scope="session")
def sdk_python() -> Path:
    """The bunq-sdk venv's Python; skipped where it cannot be built (no package registry), failed under CI."""
    try:
        return sdk_venv.sdk_python()
    except sdk_venv.SdkUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(str(exc))
        pytest.skip(str(exc))
