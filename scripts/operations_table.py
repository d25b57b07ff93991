"""The table of what the local sandbox emulates (docs/standalone-sandbox.md), from the catalogue and the route table.

    python scripts/operations_table.py                  # print the table
    python scripts/operations_table.py --write docs/standalone-sandbox.md  # replace it between the marker comments
    python scripts/operations_table.py --check docs/standalone-sandbox.md  # exit 1 if the table is stale

One row per path of bunq's API where the sandbox emulates at least one method: the methods it
emulates, and the ones bunq has there that it does not. Above it, the coverage figure. Both come from
``bunq_helpers/local_sandbox/catalogue.json`` (bunq's spec) and ``endpoints.ROUTES``, the same
sources as ``python -m bunq_helpers.local_sandbox --operations``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bunq_helpers.local_sandbox.catalogue import load_catalogue, shape_of  # noqa: E402
from bunq_helpers.local_sandbox.endpoints import ROUTES, route_index  # noqa: E402

START = "<!-- operations-table:start (scripts/operations_table.py --write docs/standalone-sandbox.md) -->"
END = "<!-- operations-table:end -->"


def table() -> str:
    """The coverage figure and the Markdown table, one row per path, grouped by endpoint family."""
    coverage = load_catalogue().coverage(ROUTES)
    # the endpoints module that declares a route (``handshake``, ``payments``, ...), not its handler's:
    # a kit-made handler or a functools.partial lives elsewhere
    families = {(entry.method, shape_of(entry.template)): entry.family for entry in route_index()}
    by_path: dict[str, dict[str, list[str]]] = {}
    family_of: dict[str, str] = {}
    for op, emulated in coverage:
        entry = by_path.setdefault(op.path, {"yes": [], "no": []})
        entry["yes" if emulated else "no"].append(op.method)
        if emulated:
            family_of.setdefault(op.path, families[(op.method, op.shape)])
    done = sum(1 for _, emulated in coverage if emulated)
    lines = [
        f"**{done} of bunq's {len(coverage)} operations are emulated** ({done / len(coverage):.0%}, counted "
        "against bunq's OpenAPI description); every other one answers 501 naming the operation and "
        "pointing at bunq's sandbox. `.venv/bin/python -m bunq_helpers.local_sandbox --operations` lists all of them.",
        "",
        "| Family | Path (below `/v1`) | Emulated | bunq also has |",
        "|---|---|---|---|",
    ]
    for path in sorted(family_of, key=lambda p: (family_of[p], p)):
        methods = by_path[path]
        others = ", ".join(methods["no"]) or "–"
        lines.append(f"| {family_of[path]} | `{path}` | {', '.join(methods['yes'])} | {others} |")
    return "\n".join(lines)


def with_table(text: str) -> str:
    """``text`` with the part between the markers replaced by the current table."""
    if START not in text or END not in text:
        raise ValueError(
            f"the markers are missing; put these two lines where the table goes:\n{START}\n{END}"
        )
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{table()}\n{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--write", type=Path, metavar="FILE", help="replace the table between the markers")
    group.add_argument("--check", type=Path, metavar="FILE", help="exit 1 if FILE's table is stale")
    args = parser.parse_args(argv)
    target = args.write or args.check
    if target is None:
        print(table())
        return 0
    text = target.read_text(encoding="utf-8")
    try:
        updated = with_table(text)
    except ValueError as exc:
        print(f"error: {target}: {exc}", file=sys.stderr)
        return 2
    if args.check:
        if updated != text:
            print(
                f"{target}: the operations table is stale; run python scripts/operations_table.py --write {target}"
            )
            return 1
        return 0
    target.write_text(updated, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
