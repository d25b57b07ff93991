"""Derive the local sandbox's catalogue of bunq's operations from bunq's OpenAPI description.

    python scripts/derive_catalogue.py [--spec PATH] [--out PATH] [--check]

Reads ``openapi.json`` (default ``../shared/bunq-api/openapi.json`` next to the repository; bunq b.v.,
MIT) and writes ``bunq_helpers/local_sandbox/catalogue.json``: for each of bunq's operations its method,
path template, operation id, path parameters, request body fields (JSON types, required-ness) and
response shape (the keys wrapping each ``Response`` item, and the schema of what they wrap), plus the
schemas those refer to, field names and JSON types only. None of bunq's description texts is kept.

Types are written compactly: ``"string"``, ``"integer"``, ``"number"``, ``"boolean"``, ``"object"``
(free-form), a schema name (``"Amount"``: see ``schemas``), or a one-element list for an array of
that type (``["Pointer"]``).

Wrapper keys: where the response schema's properties are capitalised (``UserListing``,
``InstallationCreate``) they are the wrapper keys. Where they are field names, the spec does not name
the wrapper, so it is derived: ``{"Id": …}`` / ``{"Uuid": …}`` for a schema holding only ``id`` /
``uuid`` (what bunq answers to a create), else the schema's name without its ``Listing``/``Read``/
``Update``/``Create`` suffix (``PaymentListing`` -> ``Payment``). bunq's real key differs from that
guess for some objects (its SDK reads ``CredentialPasswordIp`` from ``UserCredentialPasswordIpListing``);
the spec check keeps those in its allow-list, with the reason.

Output is deterministic: operations sorted by path then method, keys sorted, and the SHA-256 of the
spec it came from. ``--check`` exits 1 when the file on disk differs from a fresh derivation.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SPEC = REPO.parent / "shared" / "bunq-api" / "openapi.json"
DEFAULT_OUT = REPO / "bunq_helpers" / "local_sandbox" / "catalogue.json"

METHODS = ("get", "post", "put", "delete", "patch")
_SUFFIX = re.compile(r"(Listing|Read|Update|Create|Delete)$")
_PARAM = re.compile(r"\{([^}]+)\}")
ABOUT = (
    "Derived by scripts/derive_catalogue.py from bunq's OpenAPI description (openapi.json, "
    "(c) bunq b.v., MIT): paths, methods, operation ids, field names and JSON types only."
)


def _ref_name(node: dict[str, Any]) -> str | None:
    ref = node.get("$ref")
    return ref.rsplit("/", 1)[-1] if ref else None


def _type_of(node: dict[str, Any]) -> Any:
    """The compact type of one property node (see the module docstring)."""
    name = _ref_name(node)
    if name is not None:
        return name
    if node.get("type") == "array":
        return [_type_of(node.get("items", {}))]
    return node.get("type", "object")


def _schema_names(kind: Any) -> list[str]:
    if isinstance(kind, list):
        return _schema_names(kind[0])
    return [kind] if kind and kind[0].isupper() else []


class _Deriver:
    """Walks the spec once, collecting every schema the operations reach."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.schemas: dict[str, Any] = spec.get("components", {}).get("schemas", {})
        self.reached: dict[str, dict[str, Any]] = {}

    def reach(self, name: str) -> None:
        """Add a schema and everything it refers to."""
        pending = [name]
        while pending:
            current = pending.pop()
            if current in self.reached:
                continue
            schema = self.schemas.get(current, {})
            fields = {key: _type_of(node) for key, node in schema.get("properties", {}).items()}
            entry: dict[str, Any] = {"fields": fields}
            required = sorted(set(schema.get("required", [])) & set(fields))
            if required:
                entry["required"] = required
            write_only = sorted(k for k, n in schema.get("properties", {}).items() if n.get("writeOnly"))
            if write_only:
                entry["write_only"] = write_only
            self.reached[current] = entry
            for kind in fields.values():
                pending.extend(_schema_names(kind))

    def request(self, operation: dict[str, Any]) -> dict[str, Any] | None:
        body = operation.get("requestBody")
        if not body:
            return None
        media, content = next(iter(sorted(body.get("content", {}).items())))
        name = _ref_name(content.get("schema", {}))
        schema = self.schemas.get(name or "", {})
        properties = {k: n for k, n in schema.get("properties", {}).items() if not n.get("readOnly")}
        fields = {key: _type_of(node) for key, node in properties.items()}
        for kind in fields.values():
            for referred in _schema_names(kind):
                self.reach(referred)
        result: dict[str, Any] = {
            "fields": fields,
            "required": sorted(set(schema.get("required", [])) & set(fields)),
        }
        if media != "application/json":
            result["media_type"] = media
        return result

    def response(self, method: str, path: str, operation: dict[str, Any]) -> dict[str, Any]:
        content = operation.get("responses", {}).get("200", {}).get("content", {})
        schema_node = content.get("application/json", {}).get("schema", {})
        is_list = schema_node.get("type") == "array"
        name = _ref_name(schema_node.get("items", {}) if is_list else schema_node) or ""
        properties = self.schemas.get(name, {}).get("properties", {})
        if method == "get" and path.endswith("content"):
            return {"kind": "content", "list": is_list, "wrappers": {}}
        kind = _SUFFIX.search(name).group(1).lower() if _SUFFIX.search(name) else "other"
        wrappers: dict[str, str | None]
        if not properties:
            # a DELETE answers an empty Response; a GET the spec left empty has fields unknown
            wrappers = {_SUFFIX.sub("", name): None} if method == "get" else {}
        elif all(key[0].isupper() for key in properties):
            wrappers = {key: _type_of(node) for key, node in properties.items()}
        elif set(properties) in ({"id"}, {"uuid"}):
            wrappers = {next(iter(properties)).capitalize(): name}
        else:
            wrappers = {_SUFFIX.sub("", name): name}
        for referred in wrappers.values():
            if referred:
                self.reach(referred)
        return {"kind": kind, "list": is_list, "wrappers": wrappers}

    def params(self, path: str, operations: dict[str, Any]) -> dict[str, str]:
        """Each path parameter: ``uuid`` when bunq addresses the object by UUID, else ``id``."""
        kinds = {}
        for param in _PARAM.findall(path):
            kinds[param] = "uuid" if param.endswith("UUID") else "id"
        last = path.rsplit("/", 1)[-1]
        if last == "{itemId}" and "get" in operations:
            read = operations["get"]["responses"]["200"]["content"]["application/json"]["schema"]
            fields = self.schemas.get(_ref_name(read) or "", {}).get("properties", {})
            if "uuid" in fields and "id" not in fields:
                kinds["itemId"] = "uuid"
        return kinds

    def operations(self) -> list[dict[str, Any]]:
        found = []
        for path, item in self.spec["paths"].items():
            operations = {m: op for m, op in item.items() if m in METHODS}
            params = self.params(path, operations)
            for method, operation in operations.items():
                found.append(
                    {
                        "method": method.upper(),
                        "path": path,
                        "operation_id": operation.get("operationId", ""),
                        "params": params,
                        "request": self.request(operation),
                        "response": self.response(method, path, operation),
                    }
                )
        order = {m.upper(): i for i, m in enumerate(METHODS)}
        return sorted(found, key=lambda op: (op["path"], order[op["method"]]))


def derive(spec: dict[str, Any], spec_sha256: str) -> dict[str, Any]:
    """The catalogue for a parsed spec."""
    deriver = _Deriver(spec)
    operations = deriver.operations()
    return {
        "about": ABOUT,
        "spec_sha256": spec_sha256,
        "operation_count": len(operations),
        "operations": operations,
        "schemas": dict(sorted(deriver.reached.items())),
    }


def render(catalogue: dict[str, Any]) -> str:
    """The catalogue as stable text: one operation or schema per line, keys sorted."""

    def line(value: Any) -> str:
        return json.dumps(value, sort_keys=True, separators=(",", ":"))

    operations = ",\n".join("  " + line(op) for op in catalogue["operations"])
    schemas = ",\n".join(
        f"  {json.dumps(name)}:{line(entry)}" for name, entry in catalogue["schemas"].items()
    )
    head = {k: v for k, v in catalogue.items() if k not in ("operations", "schemas")}
    head_lines = "".join(f" {json.dumps(k)}:{line(v)},\n" for k, v in sorted(head.items()))
    return (
        "{\n"
        + head_lines
        + ' "operations":[\n'
        + operations
        + '\n ],\n "schemas":{\n'
        + schemas
        + "\n }\n}\n"
    )


def derive_text(spec_path: Path) -> str:
    """Read the spec file and render its catalogue."""
    raw = spec_path.read_bytes()
    return render(derive(json.loads(raw), hashlib.sha256(raw).hexdigest()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--spec", type=Path, default=DEFAULT_SPEC, help=f"bunq's openapi.json ({DEFAULT_SPEC})"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"where to write ({DEFAULT_OUT})")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if --out differs from a fresh derivation"
    )
    args = parser.parse_args(argv)
    if not args.spec.is_file():
        print(
            f"error: bunq's OpenAPI description not found at {args.spec}; pass --spec PATH", file=sys.stderr
        )
        return 2
    text = derive_text(args.spec)
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.is_file() else ""
        if current != text:
            print(f"{args.out} is stale: run python scripts/derive_catalogue.py", file=sys.stderr)
            return 1
        print(f"{args.out} matches {args.spec}")
        return 0
    args.out.write_text(text, encoding="utf-8")
    count = text.count('"operation_id"')
    print(f"wrote {args.out}: {count} operations")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
