"""bunq's official Python SDK as a PSD2 provider: draft payments and issuer transactions it makes."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from bunq_helpers.client.psd2 import make_test_certificate
from bunq_helpers.crypto.keys import private_key_to_pem
from bunq_helpers.local_sandbox import LocalSandbox
from tests.conftest import Raw

pytestmark = pytest.mark.sdk

SCRIPT = Path(__file__).with_name("sdk_psp_script.py")


def test_sdk_provider_makes_cancels_and_completes_its_objects(
    sdk_python, sandbox: LocalSandbox, client_key, tmp_path: Path
) -> None:
    certificate = make_test_certificate("SDK Payments B.V.")
    files = {"cert": certificate.certificate_pem, "key": private_key_to_pem(certificate.private_key)}
    files["chain"] = certificate.chain_pem
    for name, text in files.items():
        (tmp_path / f"{name}.pem").write_text(text)
    payer = Raw(sandbox).handshake(client_key)
    iban = (
        sandbox.store.read()
        .execute("SELECT iban FROM accounts WHERE id = ?", (payer.account_id,))
        .fetchone()[0]
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BUNQ_", "PYTHON"))}
    paths = [str(tmp_path / f"{name}.pem") for name in ("cert", "key", "chain")]
    result = subprocess.run(
        [str(sdk_python), str(SCRIPT), sandbox.base_url, sandbox.ca_file, *paths, iban],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["draft"] == ["PENDING", iban, "NL35BUNQ9900341392", "1.00"]
    assert seen["drafts_listed"] == ["CANCELLED"]
    assert seen["issuer"] == ["COMPLETED", "2.00", "NL35BUNQ9900341392", "https://example.com/back"]
    assert seen["issuers_listed"] is True
    assert seen["provider"] == "SDK Payments B.V."  # user-payment-service-provider/{id}, read by the SDK
