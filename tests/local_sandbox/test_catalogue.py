"""The catalogue of bunq's operations: derived faithfully from bunq's spec, and the sandbox's answer
(501, signed, naming the operation) for every operation it does not emulate."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from bunq_helpers.crypto import signing
from bunq_helpers.errors import NotEmulatedError, api_error_for
from bunq_helpers.local_sandbox.bunq_errors import INSUFFICIENT_AUTHORISATION
from bunq_helpers.local_sandbox.catalogue import CATALOGUE_FILE, load_catalogue, shape_of
from bunq_helpers.local_sandbox.cli import main as sandbox_main
from bunq_helpers.local_sandbox.endpoints import ROUTES
from tests.helpers import Raw, error_of, load_script

REPO = Path(__file__).resolve().parents[2]
SPEC = REPO.parent / "shared" / "bunq-api" / "openapi.json"
UUID = "6f1c9a3e-1111-4222-8333-444455556666"


def concrete(path: str, params: dict[str, str]) -> str:
    """bunq's template with each parameter filled the way a client would (ids, or a UUID)."""
    return re.sub(r"\{([^}]+)\}", lambda m: UUID if params.get(m.group(1)) == "uuid" else "1", path).lstrip(
        "/"
    )


@pytest.mark.skipif(
    not SPEC.is_file(), reason=f"bunq's OpenAPI description is not at {SPEC} (../shared absent)"
)
def test_catalogue_is_what_the_script_derives_from_bunqs_spec() -> None:
    derived = load_script("derive_catalogue").derive_text(SPEC)
    assert derived == CATALOGUE_FILE.read_text(encoding="utf-8"), "run: python scripts/derive_catalogue.py"


@pytest.mark.skipif(
    not SPEC.is_file(), reason=f"bunq's OpenAPI description is not at {SPEC} (../shared absent)"
)
def test_catalogue_keeps_no_description_text_from_bunqs_spec() -> None:
    spec = json.loads(SPEC.read_text(encoding="utf-8"))
    texts = set()

    def collect(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("description", "summary") and isinstance(value, str) and len(value) > 25:
                    texts.add(value)
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(spec)
    catalogue = CATALOGUE_FILE.read_text(encoding="utf-8")
    assert len(texts) > 1000
    assert [text for text in texts if json.dumps(text)[1:-1] in catalogue] == []


def test_catalogue_has_bunqs_480_operations_with_their_shapes() -> None:
    catalogue = load_catalogue()
    assert len(catalogue.operations) == 480
    assert len({(op.method, op.path) for op in catalogue.operations}) == 480
    payment = catalogue.get("POST", "user/{user_id}/monetary-account/{account_id}/payment")
    assert payment.operation_id == "CREATE_Payment_for_User_MonetaryAccount"
    assert payment.request["fields"]["amount"] == "Amount"
    assert {"amount", "counterparty_alias", "description"} <= set(payment.request["fields"])
    installation = catalogue.get("POST", "installation")
    assert installation.request == {
        "fields": {"client_public_key": "string"},
        "required": ["client_public_key"],
    }
    assert payment.response == {"kind": "create", "list": False, "wrappers": {"Id": "PaymentCreate"}}
    listing = catalogue.get("GET", "user/{u}/monetary-account/{a}/payment")
    assert listing.response["list"] is True and listing.response["wrappers"] == {"Payment": "PaymentListing"}
    fields = catalogue.schemas["PaymentListing"]["fields"]
    assert (
        fields["amount"] == "Amount"
        and fields["id"] == "integer"
        and fields["attachment"] == ["AttachmentMonetaryAccountPayment"]
    )
    assert catalogue.schemas["Amount"]["fields"] == {"currency": "string", "value": "string"}
    session = catalogue.get("POST", "session-server")
    assert {"Id", "Token", "UserPerson", "UserCompany", "UserApiKey"} <= set(session.response["wrappers"])
    assert catalogue.get("DELETE", "session/{id}").response["wrappers"] == {}
    assert catalogue.get("GET", "attachment-public/{x}").params == {"itemId": "uuid"}


def test_concrete_paths_map_to_bunqs_templates_by_segment() -> None:
    catalogue = load_catalogue()
    assert [op.path for op in catalogue.at("user/5/monetary-account/3/payment/9")] == [
        "/user/{userID}/monetary-account/{monetary-accountID}/payment/{itemId}"
    ]
    assert [op.method for op in catalogue.at("installation")] == ["GET", "POST"]
    assert [op.path for op in catalogue.at(f"attachment-public/{UUID}")] == ["/attachment-public/{itemId}"]
    assert catalogue.at("attachment-public/12") == []  # bunq addresses public attachments by UUID
    assert catalogue.at("user/abc/monetary-account") == []
    assert catalogue.at("user/1/payment") == []  # payments live under a monetary account


def test_every_route_is_one_of_bunqs_operations() -> None:
    catalogue = load_catalogue()
    assert [f"{r.method} {r.template}" for r in catalogue.unknown_routes(ROUTES)] == []
    emulated = [op for op, done in catalogue.coverage(ROUTES) if done]
    assert len(emulated) == len({(r.method, shape_of(r.template)) for r in ROUTES})


def test_operations_flag_lists_every_operation_and_the_total(capsys) -> None:
    out = io.StringIO()
    with redirect_stdout(out):
        assert sandbox_main(["--operations"]) == 0
    lines = out.getvalue().splitlines()
    rows = [line for line in lines if line.startswith(("emulated ", "not emulated "))]
    assert len(rows) == 480
    emulated = [row for row in rows if row.startswith("emulated ")]
    assert "emulated      POST   /installation  (CREATE_Installation)" in rows
    assert f"{len(emulated)} of 480 operations emulated" in lines[-1]
    assert len(emulated) == sum(done for _, done in load_catalogue().coverage(ROUTES))


def test_operations_listing_into_a_pipe_closed_early_stops_without_a_traceback() -> None:
    """``--operations | head``: the reader is gone before the list is written; no BrokenPipeError shown."""
    child = subprocess.Popen(
        [sys.executable, "-m", "bunq_helpers.local_sandbox", "--operations"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    child.stdout.close()  # before the child has written a byte: every write meets a closed pipe
    _, stderr = child.communicate(timeout=60)
    assert b"Traceback" not in stderr and b"BrokenPipeError" not in stderr, stderr.decode()
    assert stderr == b""
    assert child.returncode == 1  # cut short, as Python's docs advise for a broken pipe


def _not_emulated_samples() -> list:
    """One operation per method that no route emulates (whatever families exist by then)."""
    samples = {}
    for op, done in load_catalogue().coverage(ROUTES):
        if not done and not op.path.endswith("content"):
            samples.setdefault(op.method, op)
    return list(samples.values())


@pytest.mark.parametrize("operation", _not_emulated_samples(), ids=lambda op: op.method)
def test_an_operation_bunq_has_but_we_do_not_emulate_answers_501_naming_it(
    raw: Raw, client_key, operation
) -> None:
    _, token, server_key = raw.install(client_key)
    response = raw.call(operation.method, concrete(operation.path, operation.params), b"{}", token=token)
    assert response.status_code == 501
    assert signing.verify_body(server_key, response.content, response.headers["X-Bunq-Server-Signature"])
    text = error_of(response)
    assert f"{operation.method} {operation.path}" in text and operation.operation_id in text
    assert "not emulated by the local sandbox" in text
    assert "BUNQ_ENVIRONMENT=sandbox" in text and "https://public-api.sandbox.bunq.com/v1/" in text
    error = api_error_for(501, [text], response_id=response.headers["X-Bunq-Client-Response-Id"])
    assert isinstance(error, NotEmulatedError) and "BUNQ_ENVIRONMENT=sandbox" in str(error)


@pytest.mark.parametrize("token", [None, "", "0" * 64], ids=["none", "empty", "bogus"])
def test_a_not_emulated_operation_authenticates_first(raw: Raw, token: str | None) -> None:
    """Without a token bunq answers 401 to every path it has: the 501 is only for a caller it knows."""
    operation = _not_emulated_samples()[0]
    response = raw.call(operation.method, concrete(operation.path, operation.params), b"{}", token=token)
    assert response.status_code == 401
    assert error_of(response) == INSUFFICIENT_AUTHORISATION


def test_a_path_bunq_does_not_have_stays_route_not_found(raw: Raw) -> None:
    for path in ("user/1/no-such-thing", "user/1/payment", "monetary-account", "user/abc"):
        response = raw.call("GET", path)
        assert (response.status_code, error_of(response)) == (404, "Route not found."), path


def test_a_method_bunq_lacks_on_a_path_it_has_is_405_listing_bunqs_methods(raw: Raw) -> None:
    response = raw.call("DELETE", "user/1/monetary-account-bank")
    assert response.status_code == 405
    assert error_of(response) == "Method DELETE is not allowed for this route; it accepts GET, POST."
    assert response.headers["Allow"] == "GET, POST"  # RFC 9110 §15.5.6: a 405 must say which
    response = raw.call("PATCH", "installation")
    assert (response.status_code, error_of(response)) == (
        405,
        "Method PATCH is not allowed for this route; it accepts GET, POST.",
    )
