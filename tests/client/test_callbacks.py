"""The callback receiver: real callbacks from the local sandbox, and forged ones it must refuse."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from bunq_helpers.client import accounts
from bunq_helpers.client.callbacks import (
    CallbackReceiver,
    list_notification_filters,
    set_notification_filters,
)
from bunq_helpers.client.handshake import create_api_context
from bunq_helpers.crypto import keys, signing
from bunq_helpers.errors import ConfigurationError, InsecureUrlError
from bunq_helpers.local_sandbox import LocalSandbox, SandboxOptions
from tests.helpers import endpoint_of


@pytest.fixture
def fast_sandbox(tmp_path: Path) -> Iterator[LocalSandbox]:
    options = SandboxOptions(sugardaddy_delay=0.1, callback_retry_interval=0.1)
    with LocalSandbox(tmp_path / "state", options=options) as sandbox:
        yield sandbox


@pytest.fixture
def run(settings, fast_sandbox: LocalSandbox):
    return create_api_context(settings, endpoint=endpoint_of(fast_sandbox))


@pytest.fixture
def receiver(run, fast_sandbox: LocalSandbox) -> Iterator[CallbackReceiver]:
    with CallbackReceiver(run.context, ca_dir=fast_sandbox.state_dir) as started:
        yield started


def _post(receiver: CallbackReceiver, body: bytes, headers: dict[str, str]) -> requests.Response:
    """What anyone on the network can do: POST to the receiver (trusting its CA)."""
    return requests.post(receiver.url, data=body, headers=headers, verify=receiver.ca_file, timeout=10)


def _signed_by_server(fast_sandbox: LocalSandbox, body: bytes) -> str:
    """A signature by the sandbox's own response key, read from its state folder (tests only)."""
    key = keys.load_private_key((fast_sandbox.state_dir / "response-signing-key.pem").read_bytes())
    return signing.sign_body(key, body)


def test_real_callbacks_arrive_verified_and_show_like_every_exchange(
    run, fast_sandbox: LocalSandbox, receiver: CallbackReceiver
) -> None:
    client, context = run.client, run.context
    account = accounts.primary_account(client, context)
    wanted = [("PAYMENT", receiver.url), ("MUTATION", receiver.url), ("REQUEST", receiver.url)]
    registered, exchange = set_notification_filters(client, context, wanted)
    assert registered == wanted and exchange.server_signature_valid is True
    assert list_notification_filters(client, context)[0] == wanted

    accounts.request_sandbox_money(client, context, account.id, "20.00")
    created = receiver.next(timeout=10)
    assert (created.accepted, created.category, created.event_type) == (
        True,
        "REQUEST",
        "REQUEST_INQUIRY_CREATED",
    )
    accounts.wait_for_balance(client, context, account.id, "20.00", timeout=5, interval=0.05)
    accounts.make_payment(client, context, account.id, "1.25", accounts.SUGAR_DADDY, "Thanks")
    arrived = receiver.wait_for(5, timeout=10)
    assert sorted(c.event_type for c in arrived) == [
        "MUTATION_CREATED",
        "MUTATION_RECEIVED",
        "PAYMENT_CREATED",
        "REQUEST_INQUIRY_ACCEPTED",
        "REQUEST_INQUIRY_CREATED",
    ]
    assert all(c.accepted and c.exchange.server_signature_valid is True for c in arrived)
    payment = next(c for c in arrived if c.event_type == "PAYMENT_CREATED")
    assert payment.object["Payment"]["amount"] == {"value": "-1.25", "currency": "EUR"}
    assert signing.verify_body(context.server_public_key, payment.body, payment.signature)
    text = payment.text()
    assert "POST https://127.0.0.1:" in text and "/bunq/callback" in text
    assert "X-Bunq-Server-Signature" in text and "Server signature: verified" in text
    assert "PAYMENT_CREATED" in text and "200 OK" in text
    assert "Server signature: verified" in payment._repr_html_()
    assert payment.exchange.extracted["amount"] == "-1.25 EUR"
    assert [d.outcome for d in fast_sandbox.callbacks.wait_for(5)] == ["delivered"] * 5

    emptied, _ = set_notification_filters(client, context, [])
    assert emptied == [] and list_notification_filters(client, context)[0] == []


def test_tampered_unsigned_and_foreign_callbacks_are_rejected_and_recorded(
    run, fast_sandbox: LocalSandbox, receiver: CallbackReceiver
) -> None:
    body = json.dumps(
        {
            "NotificationUrl": {
                "category": "PAYMENT",
                "event_type": "PAYMENT_CREATED",
                "target_url": receiver.url,
                "object": {"Payment": {"id": 1}},
            }
        }
    ).encode()
    signature = _signed_by_server(fast_sandbox, body)
    good = _post(receiver, body, {"X-Bunq-Server-Signature": signature})
    assert good.status_code == 200
    tampered = _post(receiver, body.replace(b'"id": 1', b'"id": 2'), {"X-Bunq-Server-Signature": signature})
    assert tampered.status_code == 400 and "does not verify" in tampered.json()["error"]
    unsigned = _post(receiver, body, {})
    assert unsigned.status_code == 400 and "no X-Bunq-Server-Signature" in unsigned.json()["error"]
    stranger = signing.sign_body(keys.generate_private_key(), body)
    assert _post(receiver, body, {"X-Bunq-Server-Signature": stranger}).status_code == 400
    not_bunq = b'{"hello": "world"}'
    answer = _post(receiver, not_bunq, {"X-Bunq-Server-Signature": _signed_by_server(fast_sandbox, not_bunq)})
    assert answer.status_code == 400 and "NotificationUrl" in answer.json()["error"]

    seen = receiver.wait_for(5)
    assert [c.accepted for c in seen] == [True, False, False, False, False]
    assert [c.exchange.server_signature_valid for c in seen] == [True, False, None, False, True]
    rejected = seen[1]
    assert rejected.exchange.title == "Callback rejected" and rejected.exchange.status == 400
    assert "Server signature: INVALID" in rejected.text()
    assert "does not verify" in repr(rejected)

    # Shown as what arrived: the sender's headers and claim, never "bunq's" or "signed" bytes; our own
    # reply is not signed and is not presented as carrying bunq's signature.
    for callback in (rejected, seen[2]):
        html = callback._repr_html_()
        assert "Request headers (as they arrived" in html and "bunq&#x27;s first" not in html
        assert "Bytes signed" not in html and "X-Bunq-Server-Signature is here" not in html
        assert "The receiver&#x27;s answer headers (our reply: not signed)" in html
        assert "As curl" not in html  # nothing to replay: we did not send it
    assert "the sender&#x27;s claim" in rejected._repr_html_()
    assert "nobody vouches for these bytes" in seen[2]._repr_html_()  # the unsigned one


def test_unsigned_callbacks_are_recorded_unverified_when_signatures_are_not_required(
    run, fast_sandbox
) -> None:
    body = b'{"NotificationUrl": {"category": "MUTATION", "event_type": "MUTATION_RECEIVED", "object": {}}}'
    with CallbackReceiver(run.context, ca_dir=fast_sandbox.state_dir, require_signature=False) as lenient:
        assert _post(lenient, body, {}).status_code == 200
        (callback,) = lenient.wait_for(1)
        assert callback.accepted and callback.exchange.server_signature_valid is None
        assert "Not verified" in callback.text()
        tampered = _post(lenient, body, {"X-Bunq-Server-Signature": _signed_by_server(fast_sandbox, b"x")})
        assert tampered.status_code == 400  # a signature that is there must still verify


def test_waiting_is_bounded_and_stopping_closes_the_port(run, fast_sandbox) -> None:
    receiver = CallbackReceiver(run.context, ca_dir=fast_sandbox.state_dir).start()
    started = time.perf_counter()
    with pytest.raises(TimeoutError, match="No callback arrived"):
        receiver.next(timeout=0.3)
    assert 0.25 < time.perf_counter() - started < 2
    port = receiver.port
    started = time.perf_counter()
    receiver.stop()
    assert time.perf_counter() - started < 1
    assert not receiver.running
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port), timeout=2):
        pass


def test_without_the_sandbox_it_makes_a_ca_of_its_own(run, tmp_path: Path) -> None:
    body = b"{}"
    with CallbackReceiver(run.context) as own:
        ca_file = Path(own.ca_file)
        assert ca_file.exists() and "BEGIN CERTIFICATE" in ca_file.read_text()
        assert _post(own, body, {}).status_code == 400  # TLS worked: the receiver judged it
    assert not ca_file.exists()
    with pytest.raises(ConfigurationError, match=r"ca\.pem and ca-key\.pem"):
        CallbackReceiver(run.context, ca_dir=tmp_path / "nothing").start()


def test_behind_a_public_url_that_url_is_what_to_register(run, fast_sandbox) -> None:
    public = "https://callbacks.example.org/bunq"
    with CallbackReceiver(run.context, ca_dir=fast_sandbox.state_dir, public_url=public) as behind:
        assert behind.url == public and behind.local_url.startswith("https://127.0.0.1:")
    with pytest.raises(InsecureUrlError):
        CallbackReceiver(run.context, public_url="http://callbacks.example.org/bunq")
