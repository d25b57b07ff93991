"""Creating an API context: the steps in order, resuming from a saved file. The orchestrator.

``create_api_context`` does what bunq's SDKs call "creating an API context", one visible step at a
time, saving the context file after each step that made something:

0. an API key, if none was given (sandbox environments only: ``POST sandbox-user-person``); an OAuth
   access token is given as ``api_key=`` (``client.oauth``), a PSD2 certificate as ``psd2=``;
1. a key pair and an installation, unless the file has them; with ``psd2=``, then the PSD2
   credential, whose ``token_value`` is the API key (``client.psd2``);
2. the device, unless the file says it is registered;
3. a session, unless the file has one with more than 30 s left.

Run it again and it makes no call it does not need (and connects to nothing if none is needed): an
interrupted run resumes with the saved installation instead of making a second one. With
``check=True`` (the command line's default) a saved context is first confirmed with the server: one
``GET /v1/user`` with the saved session, or, if that is refused or the session has expired, a new
session with the saved installation token. A server that knows neither (a sandbox was reset) gets a
``ContextFileError`` that says so, instead of a report that everything was reused.
``ensure_session`` re-opens an expired session with the installation token, as the SDKs do.

The step modules return records; only this module writes them into the ``ApiContext`` (which the
client reads its keys from). Each step reports a ``StepResult``: made now or reused from the file.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..crypto.keys import generate_private_key
from ..errors import AuthorisationError, ConfigurationError, ContextFileError, HandshakeIncompleteError
from .config import Environment, Settings, load_settings
from .connect import connect
from .context import ApiContext
from .endpoint import Endpoint
from .exchange import Exchange
from .masking import API_KEY, mask_value

if TYPE_CHECKING:  # the steps, the transport (and requests) load when a call is made: a run that
    # reuses everything without checking imports neither; the PSD2 step only with a certificate
    from .psd2 import Psd2Certificate
    from .transport import BunqClient


class Outcome(str, enum.Enum):
    """What a step did this run."""

    MADE = "made"
    REUSED = "reused"


@dataclass(frozen=True)
class StepResult:
    """One handshake step's report: its name, made or reused, a line for people, and the exchange if it called."""

    name: str
    outcome: Outcome
    summary: str
    exchange: Exchange | None = field(default=None, repr=False)


Report = Callable[[StepResult], None]


def _silent(step: StepResult) -> None:
    """The default reporter: says nothing."""


@dataclass
class HandshakeRun:
    """The context, and what this run did: a ``StepResult`` per step; ``client`` connects on first use."""

    context: ApiContext
    open_client: Callable[[], BunqClient] = field(repr=False)
    steps: list[StepResult] = field(default_factory=list)
    _client: BunqClient | None = field(default=None, init=False, repr=False)

    @property
    def client(self) -> BunqClient:
        """The client for this run (one per run; it reads its keys from ``context``)."""
        if self._client is None:
            self._client = self.open_client()
        return self._client

    @property
    def exchanges(self) -> list[Exchange]:
        """The exchanges this run made, in order."""
        return [step.exchange for step in self.steps if step.exchange is not None]

    @property
    def calls(self) -> list[str]:
        """The endpoints called, e.g. ``['installation', 'device-server', 'session-server']``."""
        return [exchange.path.removeprefix("/v1/") for exchange in self.exchanges]


def load_or_new_context(settings: Settings) -> ApiContext:
    """The saved context for these settings, or a new empty one."""
    path = settings.context_file_path
    if not path.exists():
        return ApiContext(environment=settings.environment, api_key=settings.api_key)
    context = ApiContext.load(path)
    if context.environment is not settings.environment:
        raise ConfigurationError(
            f"{path} holds a {context.environment.value} context, but the environment is "
            f"{settings.environment.value}. Use another BUNQ_CONTEXT_FILE, or delete the file to start over."
        )
    if settings.api_key and context.api_key and settings.api_key != context.api_key:
        raise ConfigurationError(
            f"{path} belongs to API key {mask_value(context.api_key, API_KEY)}, not to "
            f"{mask_value(settings.api_key, API_KEY)}. Use another BUNQ_CONTEXT_FILE, or delete the file."
        )
    context.api_key = context.api_key or settings.api_key
    return context


def move_aside(path: Path) -> Path | None:
    """Move a saved context to ``<file>.old`` (replacing an older one) to start over; where it went, if
    there was one."""
    if not path.exists():
        return None
    aside = path.with_name(path.name + ".old")
    path.replace(aside)
    return aside


def create_api_context(
    settings: Settings | None = None,
    *,
    endpoint: Endpoint | None = None,
    report: Report = _silent,
    check: bool = False,
    api_key: str | None = None,
    psd2: Psd2Certificate | None = None,
    start_over: bool = False,
) -> HandshakeRun:
    """Run whatever handshake steps are missing, saving after each; with ``check``, confirm a saved
    context with the server first; with ``start_over``, move the saved one aside (``move_aside``)
    and make a new one. See the module docstring."""
    settings = settings or load_settings()
    path = settings.context_file_path
    if start_over:
        move_aside(path)
    context = load_or_new_context(settings)
    if api_key and context.api_key and context.api_key != api_key:
        raise ConfigurationError(
            f"{path} belongs to another API key; give this token its own context file "
            "(settings.with_(context_file=...))."
        )
    context.api_key = context.api_key or api_key

    def open_client() -> BunqClient:
        from .transport import BunqClient

        reached = endpoint or connect(settings)
        context.base_url = reached.base_url
        return BunqClient(reached, context=context)

    run = HandshakeRun(context, open_client)

    def done(step: StepResult) -> None:
        run.steps.append(step)
        if step.outcome is Outcome.MADE:
            context.save(path)
        report(step)

    if not context.api_key and psd2 is None:
        if settings.environment is Environment.PRODUCTION:
            raise ConfigurationError("Set BUNQ_API_KEY: production API keys come from the bunq app.")
        from .sandbox_user import create_sandbox_user

        user = create_sandbox_user(run.client)
        context.api_key = user.api_key
        done(
            StepResult("sandbox-user", Outcome.MADE, "Created a sandbox user and its API key.", user.exchange)
        )
    checked: StepResult | None = None
    if check and context.has_installation and context.device_registered and context.api_key:
        checked = _confirm_with_server(context, lambda: run.client, path)
    if not context.private_key_pem:
        context.record_private_key(generate_private_key())
        done(StepResult("key-pair", Outcome.MADE, "Generated an RSA-2048 key pair."))
    if context.has_installation:
        done(_reused("installation", f"Installation {context.installation_id or '(from an SDK file)'}"))
    else:
        from .installation import create_installation

        private_key = context.private_key
        installation = create_installation(run.client, private_key)
        context.record_installation(installation, private_key)
        done(
            StepResult(
                "installation",
                Outcome.MADE,
                f"Created installation {installation.id}.",
                installation.exchange,
            )
        )
    if psd2 is not None and not context.api_key:
        from .psd2 import create_psd2_credential

        credential = create_psd2_credential(run.client, context.installation_token, context.private_key, psd2)
        context.api_key = credential.token_value
        summary = f"Created PSD2 credential {credential.id} ({credential.status})."
        done(StepResult("payment-service-provider-credential", Outcome.MADE, summary, credential.exchange))
    if context.device_registered:
        done(_reused("device-server", f"Device {context.device_id or '(from an SDK file)'}"))
    else:
        from .device_server import register_device

        device = register_device(
            run.client,
            context.installation_token,
            context.api_key,
            settings.device_description,
            tuple(settings.permitted_ips),
        )
        context.record_device(device)
        done(StepResult("device-server", Outcome.MADE, f"Registered device {device.id}.", device.exchange))
    done(checked or _session_step(context, lambda: run.client))
    return run


def _confirm_with_server(context: ApiContext, client: Callable[[], BunqClient], path: Path) -> StepResult:
    """Confirm a saved context with the server; the session step's result. Raises ``ContextFileError`` if
    the server does not know the saved installation (e.g. after a sandbox reset)."""
    refused = ""
    if context.is_session_active():
        try:
            exchange = client().request(
                "GET", "user", token=context.session_token, title="Check the saved session"
            )
        except AuthorisationError as error:
            refused = (
                f"The saved session {context.session.id} was refused ({error.status} {error.description}); "
            )
            context.forget_session()
        else:
            summary = (
                f"Session {context.session.id}: reused ({_time_left(context)} left; the server still knows "
                "it: GET /v1/user answered 200)."
            )
            return StepResult("session-server", Outcome.REUSED, summary, exchange)
    from .session_server import open_session

    try:
        session = open_session(client(), context.installation_token, context.api_key)
    except AuthorisationError as error:
        raise ContextFileError(
            f"The server at {client().base_url} does not know the installation saved in {path} "
            f"(session-server answered {error.status} {error.description}). A sandbox reset wipes "
            "installations, devices, sessions and API keys. Start over with "
            "`python -m bunq_helpers create-context --start-over` (it moves the old file aside), or "
            "delete the file.",
            exchange=error.exchange,
        ) from None
    context.record_session(session)
    summary = f"{refused}Opened session {session.id} for user {session.user_id}."
    return StepResult("session-server", Outcome.MADE, summary[0].upper() + summary[1:], session.exchange)


def ensure_session(
    context: ApiContext, client: BunqClient, *, path: Path | None = None, report: Report = _silent
) -> bool:
    """Open a new session if there is none or it has 30 s or less left; True if one was opened."""
    step = _session_step(context, lambda: client)
    if step.outcome is Outcome.MADE and path is not None:
        context.save(path)
    report(step)
    return step.outcome is Outcome.MADE


def _session_step(context: ApiContext, client: Callable[[], BunqClient]) -> StepResult:
    """Reuse the session if it is active, else open and record one (``client`` is asked for only then)."""
    if context.is_session_active():
        return _reused("session-server", f"Session {context.session.id}", f" ({_time_left(context)} left)")
    if not context.has_installation or not context.api_key:
        raise HandshakeIncompleteError(
            "This API context has no installation yet, so no session can be opened. Run "
            "create_api_context() (it does the missing steps); in the tutorial, run notebooks "
            "01_create_an_installation and 02_add_the_device first."
        )
    if not context.device_registered:
        raise HandshakeIncompleteError(
            f"Installation {context.installation_id} has no device registered yet, so bunq would refuse a "
            "session ('Incorrect API key or IP address'). Run create_api_context() (it does the missing "
            "steps); in the tutorial, run notebook 02_add_the_device first."
        )
    from .session_server import open_session

    session = open_session(client(), context.installation_token, context.api_key)
    context.record_session(session)
    summary = f"Opened session {session.id} for user {session.user_id}."
    return StepResult("session-server", Outcome.MADE, summary, session.exchange)


def end_session(context: ApiContext, client: BunqClient, *, path: Path | None = None) -> Exchange:
    """Log out (``DELETE /v1/session/{id}``) and forget the session."""
    from .session_server import close_session

    exchange = close_session(client, context.session_token, context.session.id)
    context.forget_session()
    if path is not None:
        context.save(path)
    return exchange


def _reused(name: str, what: str, detail: str = "") -> StepResult:
    return StepResult(name, Outcome.REUSED, f"{what}: reused{detail}.")


def _time_left(context: ApiContext) -> str:
    left = context.session_time_left()
    seconds = int(left.total_seconds()) if left else 0
    return (
        f"{seconds // 3600} h {seconds % 3600 // 60} min"
        if seconds >= 3600
        else f"{seconds // 60} min {seconds % 60} s"
    )
