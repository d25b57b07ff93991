"""bunqJSClient 1.1.2 (``@bunq-community/bunq-js-client`` from npm), installed once under ``.cache/``.

Like the SDK's venv (tests/sdk/sdk_venv.py): built on first use, reused by later runs. Where node or
npm is missing, or npm cannot reach its registry, ``JsClientUnavailable`` says which.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

PACKAGE = "@bunq-community/bunq-js-client"
VERSION = "1.1.2"
MIN_NODE = 10  # the package's own "engines" field
REPO = Path(__file__).resolve().parents[2]
PREFIX = REPO / ".cache" / f"bunq-js-client-{VERSION}"


class JsClientUnavailable(RuntimeError):
    """node or npm is missing, too old, or the package could not be installed."""


def node() -> str:
    """The path of ``node``, checked against the package's minimum version."""
    found = shutil.which("node")
    if found is None:
        raise JsClientUnavailable("node is not on PATH (bunqJSClient needs node >= 10)")
    version = subprocess.run([found, "--version"], capture_output=True, text=True, timeout=30).stdout
    major = int(version.strip().lstrip("v").split(".")[0] or 0)
    if major < MIN_NODE:
        raise JsClientUnavailable(f"node {version.strip()} is older than bunqJSClient's minimum, v{MIN_NODE}")
    return found


def module_dir() -> Path:
    """The installed package's directory, installing it with npm on first use."""
    package = PREFIX / "node_modules" / PACKAGE
    marker = PREFIX / ".installed"
    if marker.exists() and (package / "package.json").exists():
        return package
    npm = shutil.which("npm")
    if npm is None:
        raise JsClientUnavailable("npm is not on PATH (it installs bunqJSClient from the npm registry)")
    PREFIX.mkdir(parents=True, exist_ok=True)
    (PREFIX / "package.json").write_text(json.dumps({"name": "bunq-js-client-tour", "private": True}) + "\n")
    result = subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--no-package-lock", f"{PACKAGE}@{VERSION}"],
        cwd=PREFIX,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0:
        raise JsClientUnavailable(f"npm could not install {PACKAGE}@{VERSION}: {result.stderr[-500:]}")
    installed = json.loads((package / "package.json").read_text())["version"]
    if installed != VERSION:
        raise JsClientUnavailable(f"npm installed {PACKAGE} {installed}, not {VERSION}")
    marker.write_text(f"{PACKAGE}@{VERSION}\n")
    return package


def node_environment(ca_file: str) -> dict[str, str]:
    """Our environment for node: the sandbox's CA trusted, no BUNQ_* variables, no CI key switch."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BUNQ_", "NODE_", "CI_"))}
    env["NODE_EXTRA_CA_CERTS"] = ca_file
    env["ENV_CI"] = "false"  # bunqJSClient uses fixed keys and skips response checks when ENV_CI=true
    return env
