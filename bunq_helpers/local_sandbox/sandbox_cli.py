"""The sandbox's own operations on the command line, against a running sandbox (found by its ``server.json``):

    python -m bunq_helpers.local_sandbox trigger incoming-payment --account-id 2000001 --amount 25.00
    python -m bunq_helpers.local_sandbox trigger card-payment --param decision=CARD_BLOCKED
    python -m bunq_helpers.local_sandbox journal --status 400
    python -m bunq_helpers.local_sandbox clock --advance 3600      (or --set 2030-01-01T09:00:00Z)
    python -m bunq_helpers.local_sandbox snapshot save before-test  (list, restore NAME, delete NAME)
    python -m bunq_helpers.local_sandbox scenario two-friends

Each is one HTTPS call to ``/_sandbox/`` on the sandbox serving ``--state-dir`` (verified with its CA).
The answer is printed as JSON; a refusal prints the sandbox's error and exits with 1.
"""

from __future__ import annotations

import argparse
import http.client
import json
import ssl
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

TIMEOUT = 30


def parse_args(argv: list[str], default_state_dir: Path) -> argparse.Namespace:
    """The sub-command and its options."""
    parser = argparse.ArgumentParser(
        prog="python -m bunq_helpers.local_sandbox", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=default_state_dir,
        help=f"the running sandbox's state (default {default_state_dir})",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    trigger = commands.add_parser(
        "trigger", help="make an event happen (incoming-payment, card-payment, request, direct-debit)"
    )
    trigger.add_argument("name")
    trigger.add_argument("--account-id", type=int)
    trigger.add_argument("--amount", help="e.g. 12.50 (EUR)")
    trigger.add_argument(
        "--param", action="append", default=[], metavar="KEY=VALUE", help="any other field (repeatable)"
    )
    journal = commands.add_parser("journal", help="the last exchanges, newest first, with explanations")
    journal.add_argument("--status", type=int)
    journal.add_argument("--path")
    journal.add_argument("--request-id")
    journal.add_argument("--limit", type=int, default=20)
    clock = commands.add_parser("clock", help="read or move the sandbox clock (never backwards)")
    moves = clock.add_mutually_exclusive_group()
    moves.add_argument("--advance", type=float, metavar="SECONDS")
    moves.add_argument("--set", metavar="ISO8601")
    snapshot = commands.add_parser(
        "snapshot", help="save, list, restore or delete snapshots of the whole state"
    )
    snapshot.add_argument("action", choices=("save", "list", "restore", "delete"))
    snapshot.add_argument("name", nargs="?")
    scenario = commands.add_parser(
        "scenario", help="wipe the state and seed a scenario (two-friends, busy-account, company)"
    )
    scenario.add_argument("name")
    return parser.parse_args(argv)


def request_for(args: argparse.Namespace) -> tuple[str, str, dict[str, Any] | None]:
    """(method, path below /_sandbox/, JSON body) for the parsed command."""
    if args.command == "trigger":
        body: dict[str, Any] = {}
        for pair in args.param:
            key, sep, value = pair.partition("=")
            if not sep:
                raise SystemExit(f"error: --param takes KEY=VALUE, got {pair!r}")
            body[key] = int(value) if value.isdigit() else value
        if args.account_id is not None:
            body["account_id"] = args.account_id
        if args.amount is not None:
            body["amount"] = args.amount
        return "POST", f"trigger/{args.name}", body
    if args.command == "journal":
        query = {
            k: v
            for k, v in (
                ("status", args.status),
                ("path", args.path),
                ("request_id", args.request_id),
                ("limit", args.limit),
            )
            if v is not None
        }
        return "GET", "journal?" + urlencode(query), None
    if args.command == "clock":
        if args.advance is not None:
            return "POST", "clock", {"advance_seconds": args.advance}
        if args.set is not None:
            return "POST", "clock", {"now": args.set}
        return "GET", "clock", None
    if args.command == "snapshot":
        if args.action == "list":
            return "GET", "snapshots", None
        if not args.name:
            raise SystemExit(f"error: snapshot {args.action} needs a NAME")
        if args.action == "save":
            return "POST", "snapshots", {"name": args.name}
        if args.action == "restore":
            return "POST", f"snapshots/{args.name}/restore", {}
        return "DELETE", f"snapshots/{args.name}", None
    return "POST", f"scenarios/{args.name}", {}


def call(state_dir: Path, method: str, path: str, body: dict[str, Any] | None) -> tuple[int, Any]:
    """One verified HTTPS call to the sandbox serving ``state_dir``."""
    info_file = state_dir / "server.json"
    try:
        info = json.loads(info_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise SystemExit(
            f"error: no running local sandbox in {state_dir} (no readable server.json). Start one with"
            f" `python -m bunq_helpers.local_sandbox --state-dir {state_dir}`, or pass --state-dir."
        ) from None
    url = urlsplit(info["base_url"])
    tls = ssl.create_default_context(cafile=info["ca_file"])
    connection = http.client.HTTPSConnection(url.hostname, url.port, context=tls, timeout=TIMEOUT)
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json"} if data is not None else {}
    try:
        connection.request(method, f"/_sandbox/{path}", body=data, headers=headers)
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"null")
    except (OSError, http.client.HTTPException, ValueError) as exc:
        raise SystemExit(f"error: could not reach the sandbox at {info['base_url']}: {exc}") from None
    finally:
        connection.close()


def main(argv: list[str], default_state_dir: Path) -> int:
    """Run one sub-command; 0 when the sandbox did it, 1 when it refused."""
    args = parse_args(argv, default_state_dir)
    method, path, body = request_for(args)
    status, answer = call(args.state_dir, method, path, body)
    if status >= 400:
        errors = answer.get("Error", []) if isinstance(answer, dict) else []
        print(
            f"error ({status}): " + " ".join(e.get("error_description", "") for e in errors), file=sys.stderr
        )
        return 1
    if args.command == "journal":
        for entry in answer["entries"]:
            line = f"{entry['time']}  {entry['status']}  {entry['method']} {entry['path']}"
            print(line + (f"\n    why: {entry['explanation']}" if entry["explanation"] else ""))
        return 0
    print(json.dumps(answer, indent=2))
    return 0
