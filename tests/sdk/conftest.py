"""The SDK's own Python, shared by the tests that drive bunq's official SDK."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from bunq_helpers.client.psd2 import make_test_certificate
from bunq_helpers.crypto.keys import private_key_to_pem
from tests.sdk import sdk_venv


@pytest.fixture(scope="session")
def sdk_python() -> Path:
    """The bunq-sdk venv's Python; skipped where it cannot be built (no package registry), failed under CI."""
    try:
        return sdk_venv.sdk_python()
    except sdk_venv.SdkUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(str(exc))
        pytest.skip(str(exc))


@pytest.fixture
def provider_certificate(tmp_path: Path) -> SimpleNamespace:
    """A test PSD2 certificate ("SDK Payments B.V.") and its PEM files for the SDK: ``paths`` are the
    certificate, the private key and the chain, in the order the scripts take them."""
    certificate = make_test_certificate("SDK Payments B.V.")
    files = {
        "cert": certificate.certificate_pem,
        "key": private_key_to_pem(certificate.private_key),
        "chain": certificate.chain_pem,
    }
    for name, text in files.items():
        (tmp_path / f"{name}.pem").write_text(text)
    return SimpleNamespace(certificate=certificate, paths=[str(tmp_path / f"{name}.pem") for name in files])
