"""Settings: which environment to talk to, with which API key, from the environment and ``.env``.

Environments:

- ``local`` (default): the local sandbox this package starts itself; no account, no network.
- ``sandbox``: bunq's real sandbox, ``https://public-api.sandbox.bunq.com/v1/``.
- ``production``: ``https://api.bunq.com/v1/``; real money. Only when ``BUNQ_ENVIRONMENT=production``
  **and** ``BUNQ_ALLOW_PRODUCTION=yes`` are both set, and a warning is printed.

Variables (all optional; ``.env.example`` documents them): ``BUNQ_ENVIRONMENT``, ``BUNQ_API_KEY``,
``BUNQ_BASE_URL``, ``BUNQ_CA_FILE``, ``BUNQ_PINNED_KEYS``, ``BUNQ_CONTEXT_FILE``,
``BUNQ_DEVICE_DESCRIPTION``, ``BUNQ_PERMITTED_IPS``, ``BUNQ_ALLOW_PRODUCTION``, ``BUNQ_HELPERS_HOME``,
``BUNQ_CALLBACK_URL``.
Variables already set in the process win over ``.env``.
"""

from __future__ import annotations

import enum
import os
import stat
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..errors import ConfigurationError
from .masking import API_KEY, mask_value

SANDBOX_KEY_PREFIX = "sandbox_"
DEFAULT_DESCRIPTION = "bunq_helpers tutorial"


class Environment(str, enum.Enum):
    """Where the API calls go."""

    LOCAL = "local"
    SANDBOX = "sandbox"
    PRODUCTION = "production"

    @property
    def default_base_url(self) -> str | None:
        """bunq's base URL for this environment (None for local: the sandbox picks a port)."""
        return {
            Environment.SANDBOX: "https://public-api.sandbox.bunq.com/v1/",
            Environment.PRODUCTION: "https://api.bunq.com/v1/",
        }.get(self)

    @property
    def default_oauth_urls(self) -> tuple[str, str] | None:
        """bunq's OAuth authorization page and token endpoint here (None for local: the sandbox's own
        origin serves both; ``client.oauth.oauth_hosts``). Sources: sdk_python ``OauthAuthorizationUri``,
        ``OauthAccessToken``; bunq's Postman collection."""
        return {
            Environment.SANDBOX: (
                "https://oauth.sandbox.bunq.com/auth",
                "https://api-oauth.sandbox.bunq.com/v1/token",
            ),
            Environment.PRODUCTION: ("https://oauth.bunq.com/auth", "https://api.oauth.bunq.com/v1/token"),
        }.get(self)

    @property
    def uses_sandbox_keys(self) -> bool:
        """Whether API keys here start with ``sandbox_``."""
        return self is not Environment.PRODUCTION


class ProductionWarning(UserWarning):
    """Shown whenever settings point at bunq's production API."""


def _home(values: Mapping[str, str]) -> Path:
    return Path(values.get("BUNQ_HELPERS_HOME") or Path.home() / ".bunq_helpers").expanduser()


@dataclass(frozen=True)
class Settings:
    """Everything the helpers need to know before the first request."""

    environment: Environment = Environment.LOCAL
    api_key: str | None = field(default=None, repr=False)
    base_url: str | None = None
    ca_file: str | None = None
    pinned_keys: tuple[str, ...] = ()
    context_file: Path | None = None
    device_description: str = DEFAULT_DESCRIPTION
    permitted_ips: tuple[str, ...] = ()
    callback_url: str | None = None  # the public https:// URL bunq reaches a callback receiver at
    home: Path = field(default_factory=lambda: _home(os.environ))

    def __post_init__(self) -> None:
        check_key_matches_environment(self.api_key, self.environment)
        if self.environment is Environment.PRODUCTION:
            warnings.warn(
                "bunq_helpers is set to PRODUCTION (https://api.bunq.com): real accounts and real money.",
                ProductionWarning,
                stacklevel=3,
            )

    def __repr__(self) -> str:
        key = mask_value(self.api_key, API_KEY) if self.api_key else None
        return (
            f"Settings(environment={self.environment.value!r}, api_key={key!r}, base_url={self.base_url!r}, "
            f"context_file={str(self.context_file_path)!r})"
        )

    @property
    def context_file_path(self) -> Path:
        """Where the API context is saved (``~/.bunq_helpers/bunq-<environment>.conf`` by default)."""
        return self.context_file or self.home / f"bunq-{self.environment.value}.conf"

    @property
    def local_state_dir(self) -> Path:
        """Where the local sandbox keeps its state, CA and keys."""
        return self.home / "local-sandbox"

    def with_(self, **changes: object) -> Settings:
        """A copy with some fields changed (checked again)."""
        return replace(self, **changes)

    def beside(self, name: str) -> Settings:
        """Settings for another API context kept beside this one (a second user's, an OAuth app's), in
        ``<this file's stem>.<name><suffix>``: one per environment, and ``reset`` removes it with this one."""
        path = self.context_file_path
        return self.with_(context_file=path.with_name(f"{path.stem}.{name}{path.suffix}"), api_key=None)


def check_key_matches_environment(api_key: str | None, environment: Environment) -> None:
    """Refuse, before any request, an API key that cannot work in this environment."""
    if not api_key:
        return
    if api_key != api_key.strip() or any(ch.isspace() for ch in api_key):
        raise ConfigurationError("The API key contains spaces or line breaks; copy it again without them.")
    is_sandbox_key = api_key.startswith(SANDBOX_KEY_PREFIX)
    if environment is Environment.PRODUCTION and is_sandbox_key:
        raise ConfigurationError(
            f"A sandbox API key ({mask_value(api_key, API_KEY)}) cannot be used on production: bunq would answer "
            "'User credentials are incorrect'. Set BUNQ_ENVIRONMENT=sandbox, or use a production key."
        )
    if environment.uses_sandbox_keys and not is_sandbox_key:
        raise ConfigurationError(
            f"This API key does not start with 'sandbox_', so it is a production key; the {environment.value} "
            "environment only accepts sandbox keys. Use a sandbox key (leave BUNQ_API_KEY empty to have "
            "one created), or set BUNQ_ENVIRONMENT=production and BUNQ_ALLOW_PRODUCTION=yes."
        )


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(",") if part.strip())


def _find_env_file(start: str | os.PathLike[str] | None = None) -> str:
    """The first ``.env`` from ``start`` (the current directory) up to the root, or "" (as
    python-dotenv's ``find_dotenv(usecwd=True)``, whose module is only loaded when there is a file)."""
    folder = os.path.abspath(start or os.getcwd())
    while True:
        candidate = os.path.join(folder, ".env")
        try:
            mode = os.stat(candidate).st_mode
        except OSError:
            mode = 0
        if stat.S_ISREG(mode) or stat.S_ISFIFO(mode):
            return candidate
        parent = os.path.dirname(folder)
        if parent == folder:
            return ""
        folder = parent


def load_settings(env_file: str | os.PathLike[str] | None = None, **overrides: object) -> Settings:
    """Settings from the process environment and ``.env`` (found upward from the current directory).

    Keyword arguments override both, e.g. ``load_settings(environment="local")``.
    """
    path = env_file if env_file is not None else _find_env_file()
    values: dict[str, str] = {}
    if path:
        from dotenv import dotenv_values

        values = {k: v for k, v in dotenv_values(path).items() if v is not None}
    values.update({k: v for k, v in os.environ.items() if k.startswith("BUNQ_")})
    raw_env = (
        str(overrides.pop("environment", None) or values.get("BUNQ_ENVIRONMENT") or "local").strip().lower()
    )
    try:
        environment = Environment(raw_env)
    except ValueError:
        raise ConfigurationError(
            f"BUNQ_ENVIRONMENT={raw_env!r} is not one of local, sandbox, production."
        ) from None
    if environment is Environment.PRODUCTION and values.get("BUNQ_ALLOW_PRODUCTION", "").lower() not in (
        "yes",
        "1",
        "true",
    ):
        raise ConfigurationError(
            "BUNQ_ENVIRONMENT=production moves real money. To confirm, also set BUNQ_ALLOW_PRODUCTION=yes."
        )
    context_file = values.get("BUNQ_CONTEXT_FILE")
    settings = dict(
        environment=environment,
        api_key=values.get("BUNQ_API_KEY") or None,
        base_url=values.get("BUNQ_BASE_URL") or None,
        ca_file=values.get("BUNQ_CA_FILE") or None,
        pinned_keys=_split(values.get("BUNQ_PINNED_KEYS")),
        context_file=Path(context_file).expanduser() if context_file else None,
        device_description=values.get("BUNQ_DEVICE_DESCRIPTION") or DEFAULT_DESCRIPTION,
        permitted_ips=_split(values.get("BUNQ_PERMITTED_IPS")),
        callback_url=values.get("BUNQ_CALLBACK_URL") or None,
        home=_home(values),
    )
    settings.update(overrides)
    return Settings(**settings)  # type: ignore[arg-type]
