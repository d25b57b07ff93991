"""Two sides, two rooms: the local sandbox shares only the pure key and signature code with the client."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "bunq_helpers"
# errors: what keys raises; files: how keys saves a private key. Both pure, neither HTTP nor parsing.
SHARED = {"bunq_helpers.crypto", "bunq_helpers.errors"}
CLIENT_MODULES_THAT_START_THE_SANDBOX = {"bunq_helpers.client.endpoint"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    package = _module_name(path).rsplit(".", 0 if path.name == "__init__.py" else 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.add(module)
            found |= {f"{module}.{alias.name}" for alias in node.names}
    return {name for name in found if name.startswith("bunq_helpers")}


def test_local_sandbox_imports_only_shared_pure_modules_from_the_client() -> None:
    for path in (PACKAGE / "local_sandbox").rglob("*.py"):
        outside = {
            name
            for name in _imports(path)
            if not name.startswith("bunq_helpers.local_sandbox") and name != "bunq_helpers"
        }
        allowed = {name for name in outside if any(name == s or name.startswith(s + ".") for s in SHARED)}
        assert outside == allowed, f"{path.name} imports client code: {sorted(outside - allowed)}"


def test_shared_modules_import_no_http() -> None:
    for name in ("crypto/keys", "crypto/signing", "crypto/atomic_file", "errors"):
        source = (PACKAGE / f"{name}.py").read_text()
        assert "import requests" not in source and "urllib3" not in source and "cheroot" not in source


def test_client_only_starts_the_sandbox_never_reuses_its_parts() -> None:
    for path in (PACKAGE / "client").glob("*.py"):
        users = {n for n in _imports(path) if n.startswith("bunq_helpers.local_sandbox")}
        if users:
            assert _module_name(path) in CLIENT_MODULES_THAT_START_THE_SANDBOX, path.name
            assert users <= {"bunq_helpers.local_sandbox", "bunq_helpers.local_sandbox.LocalSandbox"}, users
