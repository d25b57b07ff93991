"""The standalone local sandbox: ``python -m bunq_helpers.local_sandbox [options]``.

Serves until interrupted. Once listening it writes ``DIR/server.json`` (``base_url``, ``ca_file``,
``pin``) and prints the same JSON on one line, so scripts can wait for it and read it.
``trigger``, ``journal``, ``clock``, ``snapshot`` and ``scenario`` talk to a running sandbox (``sandbox_cli``).
``--reset`` wipes the state (users, keys, sessions, money) and exits. ``--operations`` lists bunq's
operations, each emulated or not, with the totals, and exits.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path

from .catalogue import operations_report
from .endpoints import all_routes
from .faults import KINDS
from .options import SandboxOptions
from .server import DEFAULT_HOST, LocalSandbox, reset_state

SANDBOX_COMMANDS = ("trigger", "journal", "clock", "snapshot", "scenario")  # see sandbox_cli
DEFAULT_STATE_DIR = Path(os.environ.get("BUNQ_HELPERS_HOME", Path.home() / ".bunq_helpers")) / "local-sandbox"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line; its defaults are ``SandboxOptions``' and ``LocalSandbox``'s own."""
    defaults = SandboxOptions()
    parser = argparse.ArgumentParser(
        prog="python -m bunq_helpers.local_sandbox",
        description="Run a local stand-in for bunq's sandbox over HTTPS.",
    )
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on; '::' takes IPv4 and IPv6 clients (default {DEFAULT_HOST})",
    )
    parser.add_argument("--port", type=int, default=0, help="port; 0 picks a free one (default 0)")
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=DEFAULT_STATE_DIR,
        help=f"where state, CA and keys live (default {DEFAULT_STATE_DIR})",
    )
    parser.add_argument("--reset", action="store_true", help="wipe the state in --state-dir and exit")
    parser.add_argument(
        "--operations",
        action="store_true",
        help="list bunq's operations, each emulated or not, with the totals, and exit",
    )
    parser.add_argument(
        "--strict-signatures",
        action="store_true",
        help="verify the signature of every call after installation",
    )
    parser.add_argument("--rate-limits", action="store_true", help="enforce bunq's rate limits")
    parser.add_argument(
        "--session-timeout",
        type=int,
        default=defaults.session_timeout,
        metavar="SECONDS",
        help="lifetime of new sessions (default: the user's, one week)",
    )
    parser.add_argument(
        "--sugardaddy-delay",
        type=float,
        default=defaults.sugardaddy_delay,
        metavar="SECONDS",
        help=f"seconds until sugar daddy answers a request (default {defaults.sugardaddy_delay:g}; bunq shows 0.5-3)",
    )
    parser.add_argument(
        "--callback-allow-host",
        action="append",
        default=[],
        metavar="HOST",
        help="also send callbacks to HOST, not only to loopback addresses (repeatable)",
    )
    parser.add_argument(
        "--callback-ca-file",
        default=None,
        metavar="PEM",
        help="CA bundle to verify HTTPS callback receivers against (default: the sandbox's own CA)",
    )
    parser.add_argument(
        "--callback-retry-interval",
        type=float,
        default=defaults.callback_retry_interval,
        metavar="SECONDS",
        help=f"seconds between tries of a failed callback (default {defaults.callback_retry_interval:g}, as bunq)",
    )
    parser.add_argument(
        "--psd2-trusted-root",
        action="append",
        default=[],
        type=Path,
        metavar="PEM",
        help="trust only this root for PSD2 certificate chains (repeatable; default: any self-signed root, "
        "as bunq's sandbox)",
    )
    parser.add_argument(
        "--journal-size",
        type=int,
        default=defaults.journal_size,
        metavar="N",
        help=f"exchanges GET /_sandbox/journal keeps, the oldest dropped first (default {defaults.journal_size})",
    )
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        choices=KINDS,
        help="arm a teaching fault for every request (repeatable)",
    )
    return parser.parse_args(argv)


def _read_root(path: Path) -> str:
    """A PEM root certificate for ``--psd2-trusted-root``; ValueError naming the file if it is not one."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"--psd2-trusted-root {path}: cannot be read ({exc})") from None
    if "-----BEGIN CERTIFICATE-----" not in text:
        raise ValueError(f"--psd2-trusted-root {path}: no PEM certificate in it")
    return text


def print_to_pipe(text: str) -> int:
    """Print ``text``; if the reader closed the pipe early (``| head``), stop quietly, as a Unix tool does.

    Python's documented way: on BrokenPipeError, point stdout at /dev/null so the flush at exit does
    not raise again, and exit with 1 (the output was cut short).
    """
    try:
        print(text, flush=True)
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the sandbox until SIGINT or SIGTERM (or one of the sandbox's own commands: ``sandbox_cli``)."""
    given = sys.argv[1:] if argv is None else argv
    after_state_dir = [i > 0 and given[i - 1] == "--state-dir" for i in range(len(given))]
    if any(word in SANDBOX_COMMANDS and not skip for word, skip in zip(given, after_state_dir, strict=True)):
        from .sandbox_cli import main as sandbox_command

        return sandbox_command(given, DEFAULT_STATE_DIR)
    args = parse_args(argv)
    if args.operations:
        return print_to_pipe(operations_report(all_routes()))
    if args.reset:
        if not (args.state_dir / "sandbox.sqlite3").exists():
            print(f"No local sandbox state in {args.state_dir}; nothing to wipe.")
            return 0
        reset_state(args.state_dir)
        print(f"Local sandbox state in {args.state_dir} wiped.")
        return 0
    if not 0 <= args.port <= 65535:
        print("error: --port must be between 0 and 65535", file=sys.stderr)
        return 2
    try:
        roots = tuple(_read_root(path) for path in args.psd2_trusted_root)
        options = SandboxOptions(
            strict_signatures=args.strict_signatures,
            rate_limits=args.rate_limits,
            session_timeout=args.session_timeout,
            sugardaddy_delay=args.sugardaddy_delay,
            callback_allowed_hosts=tuple(args.callback_allow_host),
            callback_ca_file=args.callback_ca_file,
            callback_retry_interval=args.callback_retry_interval,
            psd2_trusted_roots=roots,
            journal_size=args.journal_size,
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    sandbox = LocalSandbox(args.state_dir, host=args.host, port=args.port, options=options)
    try:
        sandbox.start()
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for kind in args.fault:
        sandbox.faults.add(kind, times=None)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    print(sandbox.info.to_json().replace("\n", "").replace("  ", " "), flush=True)
    print(f"Serving bunq's API at {sandbox.base_url} (Ctrl-C to stop).", file=sys.stderr, flush=True)
    try:
        stop.wait()
    finally:
        sandbox.stop()
    return 0
