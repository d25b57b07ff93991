"""Settings from the environment and .env; refusing keys that cannot work before any request."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from bunq_helpers.client.config import Environment, ProductionWarning, Settings, load_settings
from bunq_helpers.errors import ConfigurationError

SANDBOX_KEY = "sandbox_" + "1f" * 28
PRODUCTION_KEY = "1f" * 32


def test_local_is_the_default(isolated_environment: Path) -> None:
    settings = load_settings()
    assert settings.environment is Environment.LOCAL
    assert settings.context_file_path == isolated_environment / "bunq-local.conf"


def test_dotenv_is_read_and_process_environment_wins(tmp_path: Path, monkeypatch) -> None:
    env = tmp_path / "work" / ".env"
    env.write_text(f"BUNQ_ENVIRONMENT=sandbox\nBUNQ_API_KEY={SANDBOX_KEY}\nBUNQ_PERMITTED_IPS=1.2.3.4, *\n")
    settings = load_settings()
    assert settings.environment is Environment.SANDBOX
    assert settings.api_key == SANDBOX_KEY and settings.permitted_ips == ("1.2.3.4", "*")
    monkeypatch.setenv("BUNQ_ENVIRONMENT", "local")
    assert load_settings().environment is Environment.LOCAL
    assert SANDBOX_KEY not in repr(load_settings())


def test_sandbox_key_on_production_is_refused() -> None:
    with (
        pytest.raises(ConfigurationError, match=r"sandbox API key .* cannot be used on production"),
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore", ProductionWarning)
        Settings(environment=Environment.PRODUCTION, api_key=SANDBOX_KEY)


@pytest.mark.parametrize("environment", [Environment.SANDBOX, Environment.LOCAL])
def test_production_key_on_sandbox_is_refused(environment: Environment) -> None:
    with pytest.raises(ConfigurationError, match="production key"):
        Settings(environment=environment, api_key=PRODUCTION_KEY)


def test_production_needs_explicit_confirmation_and_warns(monkeypatch) -> None:
    monkeypatch.setenv("BUNQ_ENVIRONMENT", "production")
    with pytest.raises(ConfigurationError, match="BUNQ_ALLOW_PRODUCTION=yes"):
        load_settings()
    monkeypatch.setenv("BUNQ_ALLOW_PRODUCTION", "yes")
    with pytest.warns(ProductionWarning, match="real money"):
        settings = load_settings(api_key=PRODUCTION_KEY)
    assert settings.environment is Environment.PRODUCTION


def test_unknown_environment_and_spaces_in_keys() -> None:
    with pytest.raises(ConfigurationError, match="not one of local, sandbox, production"):
        load_settings(environment="staging")
    with pytest.raises(ConfigurationError, match="spaces"):
        Settings(api_key=SANDBOX_KEY + " ")
