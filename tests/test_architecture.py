"""The layering rules, checked on the package's import graph, built from the source (AST), transitively.

Every ``import`` and ``from … import`` counts, relative ones resolved, inside functions too (a lazy
import is still an edge); only imports under ``if TYPE_CHECKING:`` are left out, as they never run.
The rules (each shown failing on a small fake graph below):

- no import cycle anywhere;
- ``bunq_helpers.errors`` imports nothing of the package (a leaf every module can raise from);
- ``bunq_helpers.crypto`` imports only itself and ``errors``;
- ``bunq_helpers.local_sandbox`` reaches, transitively, only itself, ``crypto`` and ``errors``: nothing
  that reaches display, the transport, the steps or the context (a server that reused the client's
  parsing would agree with its bugs);
- display sends nothing: it reaches neither the transport nor an HTTP library;
- the saved state sits below the steps: ``context`` and ``records`` reach no step and no transport;
- no library module imports the command line (``cli``);
- the local sandbox's bank (``local_sandbox.bank``) reaches nothing of the app or the wire (the app,
  routing, the request record, answers, validation, the kit, endpoints, HTTP): money rules are
  functions of the database, a clock and the event log;
- the sandbox's endpoints reach nothing of the wire (``http_io``, ``http_server``, ``server``);
- client modules import nothing of the local sandbox, except the one that starts it, and that one
  only ``LocalSandbox`` or ``SandboxOptions`` from the package itself.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest

PACKAGE_DIR = Path(__file__).resolve().parents[1] / "bunq_helpers"
ROOT = "bunq_helpers"
ERRORS = "bunq_helpers.errors"
CRYPTO = "bunq_helpers.crypto"
SANDBOX = "bunq_helpers.local_sandbox"
CLIENT = "bunq_helpers.client"
CLI = "bunq_helpers.cli"
ENTRY_POINTS = {"bunq_helpers.__main__"}  # `python -m bunq_helpers` runs the command line
DISPLAY = "bunq_helpers.client.display"
SENDING = {"bunq_helpers.client.transport", "bunq_helpers.client.pinning", "requests", "urllib3", "http"}
SAVED_STATE = {"bunq_helpers.client.context", "bunq_helpers.client.records"}
ABOVE_SAVED_STATE = {
    "bunq_helpers.client.transport",
    "bunq_helpers.client.sandbox_user",
    "bunq_helpers.client.installation",
    "bunq_helpers.client.device_server",
    "bunq_helpers.client.session_server",
    "bunq_helpers.client.handshake",
    "bunq_helpers.client.accounts",
    "requests",
}
STARTS_THE_SANDBOX = {"bunq_helpers.client.connect"}
BANK = "bunq_helpers.local_sandbox.bank"
ENDPOINTS = "bunq_helpers.local_sandbox.endpoints"
WIRE = {f"{SANDBOX}.{name}" for name in ("http_io", "http_server", "server")}
APP = {
    f"{SANDBOX}.{name}"
    for name in (
        "app",
        "routing",
        "request",
        "answers",
        "validation",
        "kit",
        "pagination",
        "auth",
        "endpoints",
    )
}
SANDBOX_FRONT = {"LocalSandbox", "SandboxOptions"}

Graph = dict[str, dict[str, frozenset[str]]]
"""module -> {module it imports -> the names imported from it (empty for ``import x``)}."""


# -- building the graph ------------------------------------------------------------------------


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(source: str, module: str, *, is_package: bool, modules: Iterable[str]) -> dict[str, set[str]]:
    """What ``module`` imports: package modules by full name, anything else by its top-level name."""
    known = set(modules)
    found: dict[str, set[str]] = {}

    def add(target: str, names: Iterable[str] = ()) -> None:
        if not (target == ROOT or target.startswith(ROOT + ".")):
            target = target.split(".")[0]
            if target in sys.stdlib_module_names and target != "http":
                return
        found.setdefault(target, set()).update(names)

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:  # the ``if TYPE_CHECKING:`` body never runs
                visit(child)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                source_module = ".".join(base + ([node.module] if node.module else []))
            else:
                source_module = node.module or ""
            for alias in node.names:
                submodule = f"{source_module}.{alias.name}"
                if submodule in known:
                    add(submodule)
                else:
                    add(source_module, [alias.name])
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(source))
    return found


def build_graph(package_dir: Path = PACKAGE_DIR) -> Graph:
    """The import graph of every module under ``package_dir``."""
    paths = {_module_name(path): path for path in package_dir.rglob("*.py")}
    graph: Graph = {}
    for name, path in paths.items():
        edges = imports_of(path.read_text(), name, is_package=path.name == "__init__.py", modules=paths)
        graph[name] = {target: frozenset(names) for target, names in edges.items()}
    return graph


# -- reading it --------------------------------------------------------------------------------


def _in(name: str, room: str) -> bool:
    return name == room or name.startswith(room + ".")


def _ours(name: str) -> bool:
    return _in(name, ROOT)


def reach(graph: Graph, start: str) -> set[str]:
    """Every module ``start`` imports, directly or through others."""
    seen: set[str] = set()
    todo = list(graph.get(start, {}))
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(graph.get(name, {}))
    return seen


def cycles(graph: Graph) -> list[list[str]]:
    """The import cycles (strongly connected components with more than one module, or a self-import)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, {}):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph.get(node, {}):
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def levels(graph: Graph) -> dict[str, int]:
    """Each package module's level: 0 imports nothing of the package, else one above what it imports."""
    memo: dict[str, int] = {}

    def level(node: str) -> int:
        if node not in memo:
            memo[node] = 0  # a cycle (reported by its own rule) must not recurse forever
            below = [level(n) for n in graph.get(node, {}) if _ours(n) and n in graph]
            memo[node] = 1 + max(below) if below else 0
        return memo[node]

    return {node: level(node) for node in graph if _ours(node)}


def breaches(graph: Graph) -> list[str]:
    """Every broken rule, one line each, starting with the rule's name in brackets."""
    found = [f"[no-cycle] {' <-> '.join(cycle)}" for cycle in cycles(graph)]
    modules = sorted(name for name in graph if _ours(name))
    for module in modules:
        imported = graph[module]
        ours = {name for name in imported if _ours(name)}
        if module == ERRORS and ours:
            found.append(f"[errors-leaf] {module} imports {sorted(ours)}")
        if _in(module, CRYPTO) and (bad := {n for n in ours if not (_in(n, CRYPTO) or n == ERRORS)}):
            found.append(f"[crypto-pure] {module} imports {sorted(bad)}")
        if _in(module, SANDBOX):
            outside = {n for n in reach(graph, module) if _ours(n)} - {ERRORS}
            if bad := {n for n in outside if not (_in(n, SANDBOX) or _in(n, CRYPTO))}:
                found.append(f"[sandbox-alone] {module} reaches {sorted(bad)}")
        if _in(module, BANK) and (
            bad := {n for n in reach(graph, module) if n in WIRE or any(_in(n, room) for room in APP)}
        ):
            found.append(f"[bank-apart] {module} reaches {sorted(bad)}")
        if _in(module, ENDPOINTS) and (bad := reach(graph, module) & WIRE):
            found.append(f"[endpoints-off-the-wire] {module} reaches {sorted(bad)}")
        if module == DISPLAY and (bad := reach(graph, module) & SENDING):
            found.append(f"[display-sends-nothing] {module} reaches {sorted(bad)}")
        if module in SAVED_STATE and (bad := reach(graph, module) & ABOVE_SAVED_STATE):
            found.append(f"[state-below-steps] {module} reaches {sorted(bad)}")
        if CLI in imported and module not in ENTRY_POINTS:
            found.append(f"[no-cli-in-library] {module} imports {CLI}")
        if _in(module, CLIENT):
            for target in sorted(n for n in imported if _in(n, SANDBOX)):
                names = imported[target]
                if module not in STARTS_THE_SANDBOX:
                    found.append(f"[client-only-starts-sandbox] {module} imports {target}")
                elif target != SANDBOX or not names or not names <= SANDBOX_FRONT:
                    found.append(f"[client-only-starts-sandbox] {module} imports {target} {sorted(names)}")
    return found


# -- the real package --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def graph() -> Graph:
    return build_graph()


def test_the_package_keeps_every_rule(graph: Graph) -> None:
    assert breaches(graph) == []


def test_the_graph_sees_what_the_rules_need(graph: Graph) -> None:
    """The checker's view matches the source, so an empty list of breaches means something."""
    assert len(graph) > 40 and graph[ERRORS] == {}  # its TYPE_CHECKING import is left out
    assert "requests" in graph["bunq_helpers.client.transport"]
    # The sandbox is imported inside a function: still an edge, with the name it takes.
    assert graph["bunq_helpers.client.connect"][SANDBOX] == {"LocalSandbox"}
    assert "bunq_helpers.client.records" in graph["bunq_helpers.client.context"]
    assert set(graph["bunq_helpers.local_sandbox.answers"]) >= {"bunq_helpers.crypto.signing"}
    # Families are imported by name on their first call (endpoints.routes_of): each is checked on its own.
    assert "bunq_helpers.local_sandbox.bank.ledger" in reach(
        graph, "bunq_helpers.local_sandbox.endpoints.payments"
    )
    assert "bunq_helpers.errors" in reach(graph, "bunq_helpers.local_sandbox.server")
    assert (
        levels(graph)[ERRORS] == 0
        and levels(graph)["bunq_helpers.client.handshake"]
        > levels(graph)["bunq_helpers.client.context"]
        > levels(graph)["bunq_helpers.client.records"]
    )


def test_imports_are_resolved_from_the_source() -> None:
    source = """
from __future__ import annotations
import json
import requests.adapters
from typing import TYPE_CHECKING
from . import sibling
from .. import errors
from ..crypto.keys import PrivateKey
if TYPE_CHECKING:
    from .never import Runs
else:
    from .fallback import Thing
def later():
    from ..local_sandbox import LocalSandbox
"""
    modules = {"bunq_helpers.client.sibling", "bunq_helpers.errors", "bunq_helpers.crypto.keys"}
    found = imports_of(source, "bunq_helpers.client.here", is_package=False, modules=modules)
    assert found == {
        "requests": set(),
        "bunq_helpers.client.sibling": set(),
        "bunq_helpers.errors": set(),
        "bunq_helpers.crypto.keys": {"PrivateKey"},
        "bunq_helpers.client.fallback": {"Thing"},
        "bunq_helpers.local_sandbox": {"LocalSandbox"},
    }
    in_package = imports_of("from .app import x", "bunq_helpers.local_sandbox", is_package=True, modules=())
    assert in_package == {"bunq_helpers.local_sandbox.app": {"x"}}


# -- each rule can fail ------------------------------------------------------------------------


def _fake() -> Graph:
    """A small graph that keeps every rule: the shape of the house in a dozen modules."""
    edges = {
        "bunq_helpers.errors": {},
        "bunq_helpers.crypto.keys": {"bunq_helpers.errors": {"InvalidKeyError"}, "cryptography": set()},
        "bunq_helpers.local_sandbox": {"bunq_helpers.local_sandbox.app": set()},
        "bunq_helpers.local_sandbox.app": {
            "bunq_helpers.crypto.keys": set(),
            "bunq_helpers.errors": set(),
            "bunq_helpers.local_sandbox.endpoints.payments": set(),
            "bunq_helpers.local_sandbox.http_io": set(),
        },
        "bunq_helpers.local_sandbox.endpoints.payments": {"bunq_helpers.local_sandbox.bank.ledger": set()},
        "bunq_helpers.local_sandbox.bank.ledger": {"bunq_helpers.local_sandbox.store": set()},
        "bunq_helpers.local_sandbox.store": {},
        "bunq_helpers.local_sandbox.http_io": {},
        "bunq_helpers.client.masking": {},
        "bunq_helpers.client.display": {"bunq_helpers.client.masking": set(), "bunq_helpers.errors": set()},
        "bunq_helpers.client.records": {"bunq_helpers.client.masking": set()},
        "bunq_helpers.client.context": {
            "bunq_helpers.client.records": set(),
            "bunq_helpers.crypto.keys": set(),
        },
        "bunq_helpers.client.endpoint": {"bunq_helpers.errors": set()},
        "bunq_helpers.client.connect": {
            "bunq_helpers.local_sandbox": {"LocalSandbox"},
            "bunq_helpers.client.endpoint": set(),
        },
        "bunq_helpers.client.transport": {
            "requests": set(),
            "bunq_helpers.client.endpoint": set(),
            "bunq_helpers.client.display": set(),
        },
        "bunq_helpers.client.installation": {
            "bunq_helpers.client.transport": set(),
            "bunq_helpers.client.records": set(),
        },
        "bunq_helpers.cli": {"bunq_helpers.client.installation": set()},
        "bunq_helpers.__main__": {"bunq_helpers.cli": set()},
        "requests": {},
        "cryptography": {},
    }
    return {module: {t: frozenset(n) for t, n in targets.items()} for module, targets in edges.items()}


BREACHES = [
    ("bunq_helpers.client.transport", "bunq_helpers.client.installation", set(), "[no-cycle]"),
    ("bunq_helpers.errors", "bunq_helpers.client.display", set(), "[errors-leaf]"),
    ("bunq_helpers.crypto.keys", "bunq_helpers.client.masking", set(), "[crypto-pure]"),
    ("bunq_helpers.local_sandbox.app", "bunq_helpers.client.records", set(), "[sandbox-alone]"),
    ("bunq_helpers.client.display", "bunq_helpers.client.transport", set(), "[display-sends-nothing]"),
    ("bunq_helpers.client.masking", "requests", set(), "[display-sends-nothing]"),  # display reaches it
    ("bunq_helpers.client.context", "bunq_helpers.client.installation", set(), "[state-below-steps]"),
    ("bunq_helpers.client.display", "bunq_helpers.cli", set(), "[no-cli-in-library]"),
    ("bunq_helpers.local_sandbox.bank.ledger", "bunq_helpers.local_sandbox.routing", set(), "[bank-apart]"),
    (
        "bunq_helpers.local_sandbox.store",
        "bunq_helpers.local_sandbox.request",
        set(),
        "[bank-apart]",
    ),  # reached
    (
        "bunq_helpers.local_sandbox.endpoints.payments",
        "bunq_helpers.local_sandbox.http_io",
        set(),
        "[endpoints-off-the-wire]",
    ),
    (
        "bunq_helpers.client.installation",
        "bunq_helpers.local_sandbox",
        {"LocalSandbox"},
        "[client-only-starts",
    ),
    (
        "bunq_helpers.client.endpoint",
        "bunq_helpers.local_sandbox.server",
        {"LocalSandbox"},
        "[client-only-starts",
    ),
    ("bunq_helpers.client.endpoint", "bunq_helpers.local_sandbox", {"reset_state"}, "[client-only-starts"),
]


def test_the_fake_house_keeps_every_rule() -> None:
    assert breaches(_fake()) == []


@pytest.mark.parametrize(("module", "imports", "names", "rule"), BREACHES, ids=[b[3] for b in BREACHES])
def test_each_rule_reports_a_deliberate_breach(module: str, imports: str, names: set[str], rule: str) -> None:
    graph = _fake()
    graph[module] = {**graph[module], imports: frozenset(names)}
    graph.setdefault(imports, {})
    assert any(line.startswith(rule) for line in breaches(graph)), breaches(graph)


def test_the_sandbox_rule_is_transitive() -> None:
    """The sandbox imports only pure records, but records now reach the transport: reported, by name."""
    graph = _fake()
    graph["bunq_helpers.crypto.keys"] = {
        **graph["bunq_helpers.crypto.keys"],
        "bunq_helpers.crypto.x": frozenset(),
    }
    graph["bunq_helpers.crypto.x"] = {"bunq_helpers.client.transport": frozenset()}
    reported = [line for line in breaches(graph) if line.startswith("[sandbox-alone]")]
    assert reported and all("bunq_helpers.client.transport" in line for line in reported)
