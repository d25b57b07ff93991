"""What the notebooks share: where to connect, the saved context, one client, and showing values and errors.

    from bunq_helpers import start_notebook
    t = start_notebook(after="02_add_the_device")   # settings, the endpoint, the saved context

Every notebook starts this way, so notebook 3 continues with what notebooks 1 and 2 saved, in a fresh
kernel, as bunq's SDK continues from its ``bunq.conf``. ``after`` names the notebook this one continues
from: if the saved context lacks what that notebook makes, the cell stops with one line naming the
notebook to run first (``NotebookOrderError``), not a traceback. ``t.client`` is one client for the
whole notebook; it reads the keys from ``t.context``, so what a cell records there the next call uses.
``t.show`` masks anything whose name says it is secret; ``t.show_error`` runs something that must fail
and shows the error instead of a traceback.

Where the calls go decides what a cell can do: only an *in-process* local sandbox (the default) can be
told to shorten sessions, count rate limits or spoil a signature; a standalone one (``BUNQ_BASE_URL``
pointing at ``python -m bunq_helpers.local_sandbox``) and bunq's servers cannot, and those cells say so
(``t.skipped``). Re-running notebook 1 keeps a working installation unless told to replace it
(``t.save_installation``). ``t.save`` also keeps, next to the context, the arrow of each handshake call
that made what the context holds, so notebook 3 can draw the whole handshake (``t.handshake_diagram``).

With ``DOCS_BUNQ_HELPERS_BUILD=1`` (the documentation build sets it) paths and the sandbox's port show
as placeholders, since the build machine's are of no use to a reader.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..crypto.keys import PrivateKey
from ..errors import BunqHelpersError, HandshakeIncompleteError
from .api_session import ApiSession
from .callbacks import CallbackReceiver
from .config import Environment, Settings, load_settings
from .connect import connect, local_sandbox
from .context import ApiContext
from .display import error_html, error_text, note_html, values_html, with_duration
from .endpoint import Endpoint
from .exchange import Exchange
from .handshake import create_api_context, load_or_new_context
from .masking import API_KEY, PRIVATE_KEY, TOKEN, mask_text, mask_value
from .records import Installation
from .reset import Removal, ResetPlan, reset
from .sequence_diagram import Arrow, HandshakeLog, SequenceDiagram, sequence_diagram
from .session_timeline import SessionTimeline, session_timeline
from .transport import BunqClient

if TYPE_CHECKING:
    from ..local_sandbox import LocalSandbox

SECRET_NAMES = {"token": TOKEN, "api_key": API_KEY, "secret": API_KEY, "private_key": PRIVATE_KEY}
DOCS_BUILD_VARIABLE = "DOCS_BUNQ_HELPERS_BUILD"
HOME_PLACEHOLDER = "<BUNQ_HELPERS_HOME>"

ORDER: tuple[tuple[str, str, Callable[[ApiContext], bool]], ...] = (
    ("00_start_here", "an API key", lambda c: bool(c.api_key)),
    ("01_create_an_installation", "an installation", lambda c: c.has_installation),
    ("02_add_the_device", "a registered device", lambda c: c.device_registered),
    ("03_add_a_session", "a session", lambda c: c.session is not None),
)
"""The notebooks that make the handshake, each with what it leaves in the saved context."""

HANDSHAKE_CALLS = {
    "/v1/sandbox-user-person": "sandbox-user",
    "/v1/sandbox-user-company": "sandbox-user",
    "/v1/installation": "installation",
    "/v1/device-server": "device-server",
    "/v1/session-server": "session-server",
}


class NotebookOrderError(HandshakeIncompleteError):
    """A notebook was run before the one that makes what it continues from.

    In a notebook it shows as its message alone (IPython's ``_render_traceback_``), not a traceback,
    and Run All stops there."""

    def _render_traceback_(self) -> list[str]:
        return [
            f"{type(self).__name__}: {line}" if i == 0 else line
            for i, line in enumerate(str(self).splitlines())
        ]


def _docs_build() -> bool:
    return os.environ.get(DOCS_BUILD_VARIABLE, "") not in ("", "0")


@dataclass
class Note:
    """A short titled note: a skipped cell, a decision taken, a file saved. A line starting with a dollar sign
    and a space is a command."""

    title: str
    lines: list[str]
    colour: str = "inherit"

    def _repr_html_(self) -> str:
        return note_html(self.title, self.lines, colour=self.colour)

    def __repr__(self) -> str:
        return "\n".join([self.title] + [f"  {line}" for line in self.lines])


def _kind_of(name: str) -> str | None:
    lowered = name.lower()
    return next((kind for part, kind in SECRET_NAMES.items() if part in lowered), None)


@dataclass
class Values:
    """A titled table of values; secret-looking ones are masked unless ``reveal``."""

    title: str
    rows: dict[str, Any]
    reveal: bool = False
    secrets: dict[str, str] = field(default_factory=dict, repr=False)

    def _shown(self) -> dict[str, str]:
        shown = {}
        for name, value in self.rows.items():
            value = with_duration(name, value)
            text = value if isinstance(value, str) else json.dumps(value, default=str)
            kind = _kind_of(name)
            if not self.reveal:
                text = (
                    mask_value(text, kind)
                    if kind and isinstance(value, str)
                    else mask_text(text, self.secrets)
                )
            shown[name] = text
        return shown

    def _repr_html_(self) -> str:
        return values_html(self.title, self._shown())

    def __repr__(self) -> str:
        lines = [self.title] + [f"  {name} = {value}" for name, value in self._shown().items()]
        return "\n".join(lines)


@dataclass
class ShownError:
    """An error a cell expected, shown (masked) instead of a traceback."""

    error: BaseException
    secrets: dict[str, str] = field(default_factory=dict, repr=False)

    def _repr_html_(self) -> str:
        return error_html(self.error, self.secrets)

    def __repr__(self) -> str:
        return error_text(self.error, self.secrets)


@dataclass
class NotebookRun:
    """The settings, endpoint, saved API context and client one notebook works with."""

    settings: Settings
    endpoint: Endpoint
    context: ApiContext
    client: BunqClient = field(repr=False)
    _api: ApiSession | None = field(default=None, init=False, repr=False)

    @property
    def api(self) -> ApiSession:
        """The session object for the calls after the handshake: it picks each path's token, opens a new
        session when the saved one expires (once, and says so), and returns records with ``.exchange``."""
        if self._api is None or self._api.context is not self.context:
            self._api = ApiSession(self.client, self.context, path=self.settings.context_file_path)
        return self._api

    # -- where the calls go --------------------------------------------------------------------------

    @property
    def is_local(self) -> bool:
        """Whether this runs against a local sandbox, in this process or standalone."""
        return self.settings.environment is Environment.LOCAL

    @property
    def has_in_process_sandbox(self) -> bool:
        """Whether the local sandbox runs inside this kernel, so a cell can change its switches."""
        return self.is_local and not self.settings.base_url

    @property
    def local_sandbox(self) -> LocalSandbox | None:
        """The in-process local sandbox (None against bunq, or a sandbox running elsewhere)."""
        if not self.has_in_process_sandbox:
            return None
        return local_sandbox(self.settings.local_state_dir)

    @property
    def server(self) -> str:
        """Who answers, in a few words."""
        if self.has_in_process_sandbox:
            return "the local sandbox in this kernel"
        if self.is_local:
            return "a standalone local sandbox"
        return "bunq's sandbox" if self.settings.environment is Environment.SANDBOX else "bunq (production)"

    def skipped(self, what: str, standalone: str = "") -> Note:
        """Say why a cell that drives the in-process local sandbox does nothing here, and how to see it."""
        if self.is_local:
            lines = [
                f"This cell {what}: it changes a switch of the local sandbox running inside this kernel. "
                f"This notebook talks to a standalone sandbox at {self._url(self.endpoint.base_url)} "
                "(BUNQ_BASE_URL), which runs in its own process, so the cell is skipped."
            ]
            if standalone:
                lines.append(f"To see it there, {standalone}")
            lines.append("Or leave BUNQ_BASE_URL empty to run against the in-process sandbox.")
        else:
            lines = [
                f"This cell {what}: only the local sandbox has that switch. On {self.server} it is skipped; "
                "the text around it says what bunq does."
            ]
        return Note("Skipped: needs the in-process local sandbox", lines)

    # -- the order of the notebooks ------------------------------------------------------------------

    def require(self, after: str) -> None:
        """Stop with ``NotebookOrderError`` unless the context holds what ``after`` and the notebooks before
        it make."""
        names = [name for name, _, _ in ORDER]
        if after not in names:
            raise ValueError(f"after={after!r}: expected one of {', '.join(names)}")
        for name, what, done in ORDER[: names.index(after) + 1]:
            if not done(self.context):
                rest = names[names.index(name) + 1 : names.index(after) + 1]
                then = f", then {', '.join(rest)}" if rest else ""
                raise NotebookOrderError(
                    f"This notebook continues from {after}, and the saved API context "
                    f"({self.shown_path(self.settings.context_file_path)}) has no {what.split(' ', 1)[1]} yet.\n"
                    f"Run {name} first{then}; then run this notebook again."
                )

    # -- saving ----------------------------------------------------------------------------------------

    @property
    def handshake_log(self) -> HandshakeLog:
        """The arrows of the calls that made what the saved context holds (kept next to it)."""
        path = self.settings.context_file_path
        return HandshakeLog.load(path.with_name(path.name + ".handshake.json"))

    def _made_by(self, exchange: Exchange) -> str | None:
        """Which handshake step this exchange made, if the context holds what it made."""
        step = HANDSHAKE_CALLS.get(exchange.path)
        body = exchange.response_json() if exchange.status == 200 and exchange.method == "POST" else None
        first = body.get("Response", [{}])[0] if isinstance(body, dict) and body.get("Response") else {}
        if step == "sandbox-user":
            return step if (first.get("ApiKey") or {}).get("api_key") == self.context.api_key else None
        made = (first.get("Id") or {}).get("id")
        held = {
            "installation": self.context.installation_id,
            "device-server": self.context.device_id,
            "session-server": self.context.session.id if self.context.session else None,
        }
        return step if step in held and made is not None and made == held[step] else None

    def save(self) -> Note:
        """Save the context (atomically, owner-only) and the handshake log; say where and what."""
        path = self.context.save(self.settings.context_file_path)
        log = self.handshake_log
        for exchange in self.client.history:
            step = self._made_by(exchange)
            if step is not None:
                log.record(step, Arrow.from_exchange(exchange, self.token_names))
        log.save()
        context = self.context
        held = [
            name
            for name, present in (
                ("API key", context.api_key),
                ("key pair", context.private_key_pem),
                (f"installation {context.installation_id}", context.has_installation),
                (f"device {context.device_id}", context.device_registered),
                (f"session {context.session.id if context.session else ''}", context.session),
            )
            if present
        ]
        return Note(
            "Saved the API context",
            [
                f"{self.shown_path(path)}, readable only by you (0600).",
                f"It holds: {', '.join(held) or 'nothing yet'}.",
            ],
        )

    def save_installation(
        self, installation: Installation, private_key: PrivateKey, *, replace: bool = False
    ) -> Note:
        """Record and save a new installation, unless the context already has a working one (a registered
        device): that one is kept unless ``replace=True``, since the new one has no device yet."""
        context = self.context
        if context.device_registered and not replace:
            return Note(
                f"Kept the working installation {context.installation_id}; installation {installation.id} is not saved",
                [
                    f"The saved context already has installation {context.installation_id} with device "
                    f"{context.device_id}{' and a session' if context.session else ''}, which notebooks 04 to 06 use. "
                    f"Installation {installation.id}, made just now, has no device yet, so switching to it would "
                    "make every later call fail until notebooks 02 and 03 run again.",
                    "To switch anyway: t.save_installation(installation, private_key, replace=True), "
                    "then run 02_add_the_device and 03_add_a_session.",
                ],
            )
        replaced = context.installation_id if context.has_installation else None
        context.record_installation(installation, private_key)
        saved = self.save()
        if replaced is not None and replaced != installation.id:
            saved.lines.insert(0, f"Installation {installation.id} replaces {replaced}: run 02 and 03 next.")
        return saved

    # -- pictures --------------------------------------------------------------------------------------

    @property
    def token_names(self) -> dict[str, str]:
        """The context's tokens by name, for diagrams: value -> "installation token"."""
        names = {}
        if self.context.installation_token:
            names[self.context.installation_token] = "installation token"
        if self.context.session is not None:
            names[self.context.session.token] = "session token"
        return names

    @property
    def server_name(self) -> str:
        """The right-hand side of a sequence diagram."""
        return "bunq (local sandbox)" if self.is_local else "bunq"

    def handshake_diagram(
        self, title: str = "What you just did: the handshake, call by call"
    ) -> SequenceDiagram:
        """The whole handshake the saved context holds, drawn from the calls that made it (this kernel's
        and the earlier notebooks')."""
        arrows = self.handshake_log.in_order()
        return SequenceDiagram(
            title,
            arrows,
            self.server_name,
            f"Drawn from the {len(arrows)} exchanges that made the saved context, recorded as each notebook saved it.",
        )

    def rehearse_handshake(self) -> SequenceDiagram:
        """The whole handshake done once against a throwaway local sandbox (in a scratch folder, deleted
        after), drawn from its exchanges: the map of notebooks 01 to 04. Nothing is saved, nothing sent to bunq."""
        scratch = Path(tempfile.mkdtemp(prefix="bunq-rehearsal-"))
        settings = Settings(environment=Environment.LOCAL, home=scratch)
        try:
            run = create_api_context(settings)
            first_call = run.client.request(
                "GET", "user", token=run.context.session_token, title="Every call after: the session token"
            )
            tokens = {
                run.context.installation_token: "installation token",
                run.context.session_token: "session token",
            }
            diagram = sequence_diagram(
                [*run.exchanges, first_call],
                "The map: the handshake, then a first call",
                tokens=tokens,
                server="bunq (a throwaway local sandbox)",
                caption="Drawn from a real run just now against a throwaway local sandbox; notebooks 01 to 04 "
                "make each of these calls by hand.",
            )
            run.client.close()
        finally:
            local_sandbox(settings.local_state_dir).stop()
            shutil.rmtree(scratch, ignore_errors=True)
        return diagram

    def session_timeline(self) -> SessionTimeline:
        """The current session's life: created, the last call, the extension windows, the expiry."""
        if self.context.session is None:
            raise HandshakeIncompleteError("There is no session to draw: run 03_add_a_session first.")
        answered = [e for e in self.client.history if e.status is not None]
        return session_timeline(self.context.session, answered[-1] if answered else None)

    # -- showing ---------------------------------------------------------------------------------------

    def show(self, title: str, reveal: bool = False, **rows: Any) -> Values:
        """A table of named values, masking secret-looking names and every secret this context holds."""
        return Values(title, rows, reveal, self.context.secrets)

    def show_json(self, title: str, value: Any) -> Values:
        """A JSON value, indented, with secrets masked (long ones start collapsed)."""
        return Values(
            title, {"json": json.dumps(value, indent=2, ensure_ascii=False)}, False, self.context.secrets
        )

    def show_error(self, action: Callable[[], Any]) -> ShownError:
        """Run ``action``, which must fail with a bunq_helpers error, and show that error."""
        try:
            action()
        except BunqHelpersError as error:
            return ShownError(error, self.context.secrets)
        raise AssertionError("This was expected to fail, but it succeeded.")

    def callback_receiver(self, **options: Any) -> CallbackReceiver:
        """A started receiver for bunq's callbacks, checking them with this context's server key.

        Against a local sandbox, in this kernel or standalone, its certificate comes from the sandbox's
        CA (the standalone one's is next to ``BUNQ_CA_FILE``), so the sandbox trusts it and calls it on
        loopback. Against bunq, ``BUNQ_CALLBACK_URL`` is the public URL bunq reaches it at.
        ``options`` go to ``CallbackReceiver``.
        """
        sandbox_ca = self._sandbox_ca_dir()
        if sandbox_ca is not None:
            options.setdefault("ca_dir", sandbox_ca)
        else:
            options.setdefault("public_url", self.settings.callback_url)
        receiver = CallbackReceiver(self.context, **options)
        receiver.compact = self.client.compact
        return receiver.start()

    def _sandbox_ca_dir(self) -> Path | None:
        """The folder with the local sandbox's CA certificate and key, if this notebook can read it."""
        if self.has_in_process_sandbox:
            return self.settings.local_state_dir
        verify = self.endpoint.verify
        if self.is_local and isinstance(verify, str):
            folder = Path(verify).parent
            if (folder / "ca-key.pem").is_file():
                return folder
        return None

    def callbacks_can_arrive(self, receiver: CallbackReceiver) -> bool:
        """Whether the server can reach ``receiver``: a local sandbox on this machine whose CA issued its
        certificate, or bunq at the public URL set in ``BUNQ_CALLBACK_URL``."""
        return self._sandbox_ca_dir() is not None or receiver.public_url is not None

    def shown_path(self, path: Path | str) -> str:
        """A path as a reader should see it: under the tutorial's home as a placeholder in the docs build,
        else with the user's home folder as ``~``."""
        path = Path(path)
        home = self.settings.home
        if _docs_build():
            try:
                return str(Path(HOME_PLACEHOLDER) / path.resolve().relative_to(home.resolve()))
            except ValueError:
                return f"<{path.name}>"
        try:
            return str(Path("~") / path.relative_to(Path.home()))
        except ValueError:
            return str(path)

    def shown_url(self, url: str) -> str:
        """A URL as a reader should see it (the in-process sandbox's port as ``<port>`` in the docs build)."""
        return self._url(url)

    def _url(self, url: str) -> str:
        """The in-process sandbox's URL shows its port as ``<port>`` in the docs build (it dies with the kernel)."""
        if _docs_build() and self.has_in_process_sandbox:
            return re.sub(r":\d+/", ":<port>/", url, count=1)
        return url

    def banner(self) -> Values | Note:
        """Where this notebook's calls go and where its state is kept."""
        verify = self.endpoint.verify
        rows = {
            "environment": self.settings.environment.value,
            "server": self.server,
            "base URL": self._url(self.endpoint.base_url),
            "context file": self.shown_path(self.settings.context_file_path),
            "certificate check": f"CA file {self.shown_path(verify)}"
            if isinstance(verify, str)
            else "system CA store",
            "pinned keys": ", ".join(self.endpoint.pins) or "(none)",
        }
        if self.has_in_process_sandbox:
            rows["local sandbox state"] = self.shown_path(self.settings.local_state_dir)
        if self.client.compact:
            return Note(
                "",
                [
                    f"Where this notebook talks to: {rows['server']} at {rows['base URL']}; "
                    f"the context in {rows['context file']}."
                ],
            )
        return Values("Where this notebook talks to", rows)

    def state(self) -> Values:
        """Where the tutorial keeps its state, and what is saved already."""
        context = self.context
        saved = [
            name
            for name, present in {
                "API key": context.api_key,
                "installation": context.installation_token,
                "device": context.device_registered,
                "session": context.session,
            }.items()
            if present
        ]
        if self.has_in_process_sandbox:
            sandbox = self.shown_path(self.settings.local_state_dir)
        elif self.is_local:
            sandbox = "kept by the standalone sandbox, in the --state-dir it was started with"
        else:
            sandbox = "(not used: bunq keeps it)"
        return self.show(
            "Where this tutorial keeps its state",
            context_file=self.shown_path(self.settings.context_file_path),
            local_sandbox_state=sandbox,
            saved_already=", ".join(saved) or "nothing yet",
        )

    def reset(self, *, dry_run: bool = True) -> Note:
        """Return the tutorial to a fresh start (``python -m bunq_helpers reset``): the saved context, the
        in-process sandbox's state, the outputs saved in the notebooks of this folder. A dry run by
        default: it lists what would go."""
        plan = reset(self.settings, Path.cwd(), dry_run=dry_run)
        shown = [Removal(Path(self.shown_path(r.path)), r.what) for r in plan.removals]
        lines = ResetPlan(shown, plan.notes).lines(done=not dry_run)
        if dry_run:
            lines.append("To remove them: t.reset(dry_run=False) here, or in a terminal:")
            lines.append("$ .venv/bin/python -m bunq_helpers reset")
        else:
            lines.append("Restart this kernel (and close open notebooks without saving), then run 00 again.")
            self.context = ApiContext(self.settings.environment)
        return Note("Starting over: a dry run" if dry_run else "Started over", lines)

    def replay_setup(self) -> Note:
        """How to run an exchange's curl command yourself: where to, and the secrets from the context."""
        ca = self.endpoint.verify
        where = f"export BUNQ_BASE_URL={self._url(self.endpoint.base_url)}"
        if isinstance(ca, str):
            where += f" BUNQ_CA_FILE={self.shown_path(ca)}"
        lines = [
            "1. In a terminal, in the project folder, say where the calls go (nothing secret):",
            f"$ {where}",
            "2. Load the API key and the tokens from the saved context into the shell, without printing them:",
            '$ eval "$(.venv/bin/python -m bunq_helpers show-context --export-shell)"',
            "3. Paste an exchange's curl command (under 'As curl'). Each run sends a new request id: bunq "
            "answers an error to a reused one.",
        ]
        if self.has_in_process_sandbox:
            lines.append(
                "The local sandbox of this notebook runs inside its kernel: its port answers only while the "
                "kernel runs, and changes with the next one. To keep one sandbox alive across notebooks and "
                "terminals, start the standalone one (README: 'One sandbox for every notebook and terminal') and set "
                "BUNQ_BASE_URL (and BUNQ_CA_FILE) in .env."
            )
        return Note("Replaying a call with curl", lines)


def start_notebook(after: str | None = None, *, compact: bool = False, **overrides: Any) -> NotebookRun:
    """Settings from the environment and .env, the endpoint (starting the local sandbox), the saved
    context, and one client reading its keys from that context (closed when the kernel ends).

    ``after`` names the notebook this one continues from; if the saved context lacks what it (or one
    before it) makes, ``NotebookOrderError`` names the notebook to run first. ``compact`` shows each
    exchange as one line with its details a click away (the notebooks after the handshake)."""
    settings = load_settings(**overrides)
    context = load_or_new_context(settings)
    endpoint = connect(settings)
    context.base_url = endpoint.base_url
    run = NotebookRun(settings, endpoint, context, BunqClient(endpoint, context=context))
    run.client.compact = compact
    if after is not None:
        run.require(after)
    return run
