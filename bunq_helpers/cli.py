"""``python -m bunq_helpers``: run the handshake from a terminal.

    python -m bunq_helpers create-context [--env local|sandbox|production] [--context-file PATH]
    python -m bunq_helpers create-context --start-over | --no-check
    python -m bunq_helpers show-context [--env ...] [--context-file PATH] [--export-shell]
    python -m bunq_helpers reset [--dry-run] [--notebooks DIR] [--env ...] [--context-file PATH]

``create-context`` prints every exchange (secrets masked) and saves the context; run again with
the same file, it makes no installation or device call and reuses a live session after one check
call (``GET /v1/user``) that the server still knows it: after a sandbox reset it says so instead of
reporting a stale context as reused. ``--start-over`` moves the saved file aside (``<file>.old``) and
begins again. ``show-context --export-shell`` prints ``export`` lines for the API key and the tokens,
to ``eval`` in a shell and replay the notebooks' curl commands (it is the one place secrets are
printed, because it is asked to). ``reset`` returns the tutorial to a fresh start (the saved context,
the local sandbox's state, the notebooks' saved outputs); ``--dry-run`` lists what it would remove.
The command line only; no library module imports it.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import warnings
from pathlib import Path

from .client.config import ProductionWarning, load_settings
from .client.context import ApiContext
from .client.handshake import Outcome, StepResult, create_api_context, move_aside
from .errors import BunqHelpersError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bunq_helpers", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("create-context", "run the missing handshake steps and save the API context"),
        ("show-context", "print the saved API context (secrets masked)"),
        ("reset", "return the tutorial to a fresh start: saved context, local sandbox, notebook outputs"),
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
        if name == "create-context":
            command.add_argument(
                "--start-over",
                action="store_true",
                help="move the saved context aside (<file>.old) and make a new one",
            )
            command.add_argument(
                "--no-check",
                action="store_true",
                help="trust a saved context without asking the server (no call at all when nothing is missing)",
            )
        elif name == "reset":
            command.add_argument(
                "--dry-run", action="store_true", help="list what would be removed, remove nothing"
            )
            command.add_argument(
                "--notebooks",
                type=Path,
                default=None,
                help="the notebooks whose saved outputs are cleared (default: ./notebooks if there)",
            )
        else:
            command.add_argument(
                "--export-shell",
                action="store_true",
                help="print export lines for BUNQ_API_KEY, BUNQ_INSTALLATION_TOKEN and BUNQ_SESSION_TOKEN "
                '(secrets in full: eval "$(…)" them, do not paste them)',
            )
    return parser


STEP_NUMBERS = {"sandbox-user": 0, "key-pair": 1, "installation": 1, "device-server": 2, "session-server": 3}
"""The handshake's steps numbered as in the README, notebooks 00-03 and the diagrams."""


def export_lines(context: ApiContext) -> list[str]:
    """Shell ``export`` lines for the secrets the notebooks' curl commands read from variables."""
    values = {
        "BUNQ_API_KEY": context.api_key,
        "BUNQ_INSTALLATION_TOKEN": context.installation_token,
        "BUNQ_SESSION_TOKEN": context.session.token if context.session else None,
    }
    return [f"export {name}={shlex.quote(value)}" for name, value in values.items() if value]


def _print_step(step: StepResult) -> None:
    """Each step as it happens: a new call's whole exchange (secrets masked), then one line."""
    if step.exchange is not None:
        print(step.exchange.text(), end="\n\n", flush=True)
    number = STEP_NUMBERS.get(step.name)
    label = f"Step {number} · " if number is not None else ""
    print(f"✓ {label}{step.summary}", end="\n\n" if step.outcome is Outcome.MADE else "\n", flush=True)


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
        if args.command == "reset":
            from .client.reset import reset

            notebooks = args.notebooks or (Path("notebooks") if Path("notebooks").is_dir() else None)
            plan = reset(settings, notebooks, dry_run=args.dry_run)
            print("\n".join(plan.lines(done=not args.dry_run)))
            return 0
        if args.command == "show-context":
            context = ApiContext.load(path)
            print("\n".join(export_lines(context)) if args.export_shell else repr(context))
            return 0
        if args.start_over and (aside := move_aside(path)):
            print(f"Moved the saved context aside to {aside}; starting over.\n")
        run = create_api_context(settings, report=_print_step, check=not args.no_check)
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
