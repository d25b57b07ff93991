"""bunq's endpoints as the local sandbox answers them, one module per family.

A family is a module here with a ``ROUTES`` list (found by name: a new family is a new module, no
line to add). Families are imported on their first call, not at start: ``route_index()`` says which
family serves which method and path, from a small index kept beside the bytecode
(``__pycache__/route-index.json``) and rebuilt, by importing every family once, whenever a file of
the package or the catalogue changed. ``ROUTES`` (every family's routes) still works, importing all;
so does showing an event of a family not called yet (``events.render_object`` loads them all).
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..events import load_renderers_with

if TYPE_CHECKING:
    from ..routing import Route

HERE = Path(__file__).parent
_INDEX = HERE / "__pycache__" / "route-index.json"


@functools.cache
def families() -> tuple[str, ...]:
    """The modules here that declare ``ROUTES``, by name."""
    return tuple(
        path.stem
        for path in sorted(HERE.glob("*.py"))
        if path.stem != "__init__" and "\nROUTES" in path.read_text(encoding="utf-8")
    )


@functools.cache
def routes_of(family: str) -> tuple[Route, ...]:
    """One family's routes (its module imported now if not yet)."""
    return tuple(importlib.import_module(f"{__name__}.{family}").ROUTES)


def all_routes() -> list[Route]:
    """Every family's routes (imports them all)."""
    return [route for family in families() for route in routes_of(family)]


load_renderers_with(all_routes)  # an event of a family not called yet is still shown


@dataclass(frozen=True)
class IndexEntry:
    """Where a route lives, known without importing it: method, path template and family."""

    method: str
    template: str
    family: str


def _fingerprint() -> str:
    """Changes whenever a file that can change a route does (the package's code, the catalogue)."""
    package = str(HERE.parent)
    files = []
    for folder, subfolders, names in os.walk(package):
        subfolders[:] = [name for name in subfolders if name != "__pycache__"]
        for name in names:
            if name.endswith(".py") or name == "catalogue.json":
                stat = os.stat(os.path.join(folder, name))
                files.append(f"{folder[len(package) :]}/{name}:{stat.st_mtime_ns}:{stat.st_size};")
    return hashlib.sha256("".join(sorted(files)).encode()).hexdigest()


@functools.cache
def route_index() -> tuple[IndexEntry, ...]:
    """Every route as an ``IndexEntry``, in family order: read from the index when it is current,
    else made by importing every family and saved for the next process (if the folder is writable)."""
    fingerprint = _fingerprint()
    try:
        saved: dict[str, Any] = json.loads(_INDEX.read_text(encoding="utf-8"))
        if saved["fingerprint"] == fingerprint:
            return tuple(IndexEntry(*entry) for entry in saved["routes"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    entries = tuple(
        IndexEntry(route.method, route.template, family)
        for family in families()
        for route in routes_of(family)
    )
    _save({"fingerprint": fingerprint, "routes": [[e.method, e.template, e.family] for e in entries]})
    return entries


def _save(index: dict[str, Any]) -> None:
    try:
        _INDEX.parent.mkdir(exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=_INDEX.parent, delete=False, suffix=".tmp") as out:
            json.dump(index, out)
        os.replace(out.name, _INDEX)
    except OSError:  # a read-only install: every process builds the index itself
        pass


def __getattr__(name: str) -> Any:
    if name == "ROUTES":
        return all_routes()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
