"""Creating an API context: the three steps in order, resuming from a saved file.

``create_api_context`` does what bunq's SDKs call "creating an API context", one visible step at a
time, saving the context file after each step:

0. an API key, if none was given (sandbox environments only: ``POST sandbox-user-person``);
1. a key pair and an installation, unless the file has them;
2. the device, unless the file says it is registered;
3. a session, unless the file has one with more than 30 s left.

Run it again and it makes no call it does not need: an interrupted run resumes with the saved
installation instead of making a second one. ``ensure_session`` re-opens an expired session
with the installation token, as the SDKs do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..crypto.keys import generate_private_key, private_key_to_pem
from ..errors import ConfigurationError, ContextFileError
from .config import Environment, Settings, load_settings
from .context import ApiContext
from .device_server import register_device
from .endpoint import Target, connect
from .exchange import Exchange
from .installation import create_installation
from .masking import API_KEY, mask_value
from .sandbox_user import create_sandbox_user
from .session_server import close_session, open_session
from .transport import BunqClient

Report = Callable[[str, Exchange | None], None]


@dataclass
class HandshakeRun:
    """The context, and what this run did: a line per step and the exchanges it made."""

    context: ApiContext
    client: BunqClient
    steps: list[str] = field(default_factory=list)
    exchanges: list[Exchange] = field(default_factory=list)

    @property
    def calls(self) -> list[str]:
        """The endpoints called, e.g. ``['installation', 'device-server', 'session-server']``."""
        return [exchange.path.removeprefix("/v1/") for exchange in self.exchanges]


def _silent(step: str, exchange: Exchange | None) -> None:
    """The default reporter: says nothing."""


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


def create_api_context(
    settings: Settings | None = None,
    *,
    target: Target | None = None,
    report: Report = _silent,
) -> HandshakeRun:
    """Run whatever handshake steps are missing, saving after each; see the module docstring."""
    settings = settings or load_settings()
    path = settings.context_file_path
    context = load_or_new_context(settings)
    target = target or connect(settings)
    context.base_url = target.base_url
    run = HandshakeRun(context, context.client(target))

    def done(step: str, exchange: Exchange | None = None) -> None:
        run.steps.append(step)
        if exchange is not None:
            run.exchanges.append(exchange)
        context.save(path)
        report(step, exchange)

    if not context.api_key:
        if settings.environment is Environment.PRODUCTION:
            raise ConfigurationError("Set BUNQ_API_KEY: production API keys come from the bunq app.")
        user = create_sandbox_user(run.client)
        context.api_key = user.api_key
        done("Created a sandbox user and its API key.", user.exchange)
    if not context.private_key_pem:
        context.private_key_pem = private_key_to_pem(generate_private_key())
        run.client.private_key = context.private_key
        done("Generated an RSA-2048 key pair.")
    if context.has_installation:
        run.steps.append(f"Installation {context.installation_id or '(from an SDK file)'}: reused.")
    else:
        private_key = context.private_key
        installation = create_installation(run.client, private_key)
        context.record_installation(installation, private_key)
        done(f"Created installation {installation.id}.", installation.exchange)
    if context.device_registered:
        run.steps.append(f"Device {context.device_id or '(from an SDK file)'}: reused.")
    else:
        permitted = tuple(settings.permitted_ips)
        device = register_device(
            run.client, context.installation_token, context.api_key, settings.device_description, permitted
        )
        context.record_device(device)
        done(f"Registered device {device.id}.", device.exchange)
    ensure_session(context, run.client, path=path, run=run, report=report)
    return run


def ensure_session(
    context: ApiContext,
    client: BunqClient,
    *,
    path: Path | None = None,
    run: HandshakeRun | None = None,
    report: Report = _silent,
) -> bool:
    """Open a new session if there is none or it has 30 s or less left; True if one was opened."""
    if context.is_session_active():
        if run is not None:
            run.steps.append(f"Session {context.session.id}: reused ({_minutes(context)} left).")
        return False
    if not context.has_installation or not context.api_key:
        raise ContextFileError("This API context has no installation yet; run create_api_context() first.")
    session = open_session(client, context.installation_token, context.api_key)
    context.record_session(session)
    step = f"Opened session {session.id} for user {session.user_id}."
    if run is not None:
        run.steps.append(step)
        run.exchanges.append(session.exchange)
    if path is not None:
        context.save(path)
    report(step, session.exchange)
    return True


def end_session(context: ApiContext, client: BunqClient, *, path: Path | None = None) -> Exchange:
    """Log out (``DELETE /v1/session/{id}``) and forget the session."""
    exchange = close_session(client, context.session_token, context.session.id)
    context.session = None
    if path is not None:
        context.save(path)
    return exchange


def _minutes(context: ApiContext) -> str:
    left = context.session_time_left()
    seconds = int(left.total_seconds()) if left else 0
    return (
        f"{seconds // 3600} h {seconds % 3600 // 60} min"
        if seconds >= 3600
        else f"{seconds // 60} min {seconds % 60} s"
    )
