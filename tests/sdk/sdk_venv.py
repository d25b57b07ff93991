"""bunq's official Python SDK in a virtual environment of its own (it pins urllib3<2, which clashes with ours).

Built once under ``.cache/`` and reused by the tests and the benchmarks.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path
from typing import Any

SDK_REQUIREMENT = "bunq-sdk==1.28.0"
REPO = Path(__file__).resolve().parents[2]
VENV = REPO / ".cache" / "bunq-sdk-1.28.0-venv"


class SdkUnavailable(RuntimeError):
    """The SDK's virtual environment could not be built (no package registry?)."""


def sdk_python() -> Path:
    """The SDK venv's Python, building the venv on first use."""
    python = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    marker = VENV / ".installed"
    if not marker.exists():
        venv.EnvBuilder(with_pip=False, clear=True).create(VENV)  # our pip installs into it (pip_install)
        result = pip_install(SDK_REQUIREMENT)
        if result.returncode != 0:
            raise SdkUnavailable(f"could not install {SDK_REQUIREMENT}: {result.stderr[-500:]}")
        marker.write_text(SDK_REQUIREMENT + "\n")
    return python


def pip_install(*arguments: str) -> subprocess.CompletedProcess[str]:
    """``pip install`` into the SDK's venv with our own pip (``--python``): the venv needs no pip of its own,
    which saves ensurepip's 5 s on a fresh clone."""
    python = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    command = [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet"]
    return subprocess.run(
        [*command, "--disable-pip-version-check", *arguments], capture_output=True, text=True, timeout=600
    )


def sdk_environment() -> dict[str, str]:
    """Our environment without BUNQ_* and PYTHON* variables, for running the SDK's Python."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("BUNQ_", "PYTHON"))}


def run_script(python: Path, script: Path, *args: str) -> Any:
    """Run ``script`` with the SDK's Python (``sdk_environment``); what its last line of output says, as
    JSON. A script that fails fails the test with the end of its stderr."""
    result = subprocess.run(
        [str(python), str(script), *args], capture_output=True, text=True, timeout=120, env=sdk_environment()
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])
