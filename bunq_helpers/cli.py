"""``python -m bunq_helpers``: run the handshake from a terminal.

    python -m bunq_helpers create-context [--env local|sandbox|production] [--context-file PATH]
    python -m bunq_helpers show-context [--env ...] [--context-file PATH]

``create-context`` prints every exchange (secrets masked) and saves the context; run again with
the same file, it makes no installation or device call and reuses a live session (and, with nothing
to do, connects to nothing). The command line only; no library module imports it.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

from .client.config import ProductionWarning, load_settings
from .client.context import ApiContext
from .client.handshake import Outcome, StepResult, create_api_context
from .errors import BunqHelpersError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bunq_helpers", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("create-context", "run the missing handshake steps and save the API context"),
        ("show-context", "print the saved API context (secrets masked)"),
    ):
        command = commands.add_parser(name, help=text, description=text)
        command.add_argument(
            "--env",
            choices=["local", "sandbox", "production"],
            default=None,
            help="environment (default: BUNQ_ENVIRONMENT, else local)",
        )
        command.add_argument(
            "--context-file",
            type=Path,
            default=None,
            help="where the context is saved (default: BUNQ_CONTEXT_FILE, else ~/.bunq_helpers/bunq-<env>.conf)",
        )
    return parser


def _print_step(step: StepResult) -> None:
    """Each step as it happens: a new call's whole exchange (secrets masked), then one line."""
    if step.exchange is not None:
        print(step.exchange.text(), end="\n\n", flush=True)
    print(f"✓ {step.summary}", end="\n\n" if step.outcome is Outcome.MADE else "\n", flush=True)


def _show_warning(message: Warning | str, category: type[Warning], *args: object, **kwargs: object) -> None:
    """A warning as one line, as errors are."""
    print(f"warning: {message}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    args = _parser().parse_args(argv)
    warnings.simplefilter("always", ProductionWarning)
    warnings.showwarning = _show_warning
    try:
        overrides: dict[str, object] = {}
        if args.env:
            overrides["environment"] = args.env
        if args.context_file:
            overrides["context_file"] = args.context_file
        settings = load_settings(**overrides)
        path = settings.context_file_path
        if args.command == "show-context":
            print(repr(ApiContext.load(path)))
            return 0
        run = create_api_context(settings, report=_print_step)
        print(f"\nAPI context saved to {path} (mode 0600).")
        print(f"Calls made this run: {', '.join(run.calls) or 'none'}.")
    except BunqHelpersError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(
            "\ninterrupted: the context file holds every step that finished; run again to resume.",
            file=sys.stderr,
        )
        return 130
    return 0
