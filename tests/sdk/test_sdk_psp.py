"""bunq's official Python SDK as a PSD2 provider: draft payments and issuer transactions it makes."""

from __future__ import annotations

from pathlib import Path

import pytest

from bunq_helpers.local_sandbox import LocalSandbox
from tests.helpers import Raw
from tests.sdk.sdk_venv import run_script

pytestmark = pytest.mark.sdk

SCRIPT = Path(__file__).with_name("sdk_psp_script.py")


def test_sdk_provider_makes_cancels_and_completes_its_objects(
    sdk_python, sandbox: LocalSandbox, client_key, provider_certificate
) -> None:
    payer = Raw(sandbox).handshake(client_key)
    iban = (
        sandbox.store.read()
        .execute("SELECT iban FROM accounts WHERE id = ?", (payer.account_id,))
        .fetchone()[0]
    )
    seen = run_script(
        sdk_python, SCRIPT, sandbox.base_url, sandbox.ca_file, *provider_certificate.paths, iban
    )
    assert seen["draft"] == ["PENDING", iban, "NL35BUNQ9900341392", "1.00"]
    assert seen["drafts_listed"] == ["CANCELLED"]
    assert seen["issuer"] == ["COMPLETED", "2.00", "NL35BUNQ9900341392", "https://example.com/back"]
    assert seen["issuers_listed"] is True
    assert seen["provider"] == "SDK Payments B.V."  # user-payment-service-provider/{id}, read by the SDK
