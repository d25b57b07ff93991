"""Callbacks: ``notification-filter-url`` and delivery to a tiny HTTPS receiver of the test's own.

The receiver is deliberately not the client's (``bunq_helpers.client.callbacks``): a server test
that used the client's receiver would agree with its bugs. It records every request and answers as
the test scripts it (a status per try, or hold the answer until released).
"""

from __future__ import annotations

import json
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests
import trustme

from bunq_helpers.crypto import signing
from bunq_helpers.local_sandbox import LocalSandbox, SandboxOptions
from bunq_helpers.local_sandbox.callback_categories import CATEGORIES, notifications_for
from bunq_helpers.local_sandbox.events import Event
from tests.helpers import Handshake, Raw, error_of, standalone_sandbox


@dataclass
class Received:
    """One request the receiver got."""

    path: str
    headers: dict[str, str]
    body: bytes


class Receiver:
    """A tiny HTTPS server: records each POST; answers ``statuses`` in turn, then 200."""

    def __init__(
        self,
        ca: trustme.CA,
        statuses: tuple[int, ...] = (),
        hold: threading.Event | None = None,
        listening: bool = True,
    ) -> None:
        self.requests: list[Received] = []
        self.statuses = list(statuses)
        self.hold = hold
        self.arrived = threading.Condition()
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ca.issue_cert("127.0.0.1", "localhost").configure_cert(tls)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver.arrived:
                    receiver.requests.append(Received(self.path, dict(self.headers.items()), body))
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                    receiver.arrived.notify_all()
                if receiver.hold is not None:
                    receiver.hold.wait(timeout=30)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler, bind_and_activate=False)
        self.server.daemon_threads = True
        self.server.server_bind()  # the port is taken; connections are refused until it listens
        self.server.socket = tls.wrap_socket(
            self.server.socket, server_side=True, do_handshake_on_connect=False
        )
        self.thread: threading.Thread | None = None
        if listening:
            self.listen()

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.server.server_address[1]}/bunq/callback?tag=1"

    def listen(self) -> None:
        self.server.server_activate()
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def wait(self, count: int, timeout: float = 10) -> list[Received]:
        with self.arrived:
            assert self.arrived.wait_for(lambda: len(self.requests) >= count, timeout), self.requests
            return list(self.requests)

    def close(self) -> None:
        if self.hold is not None:
            self.hold.set()
        if self.thread is not None:
            self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fast(tmp_path: Path) -> Iterator[LocalSandbox]:
    """A sandbox that retries callbacks every 50 ms and pays sugar daddy requests at once."""
    options = SandboxOptions(callback_retry_interval=0.05, sugardaddy_delay=0)
    with LocalSandbox(tmp_path / "state", options=options) as running:
        yield running


@pytest.fixture
def raw_fast(fast: LocalSandbox) -> Raw:
    return Raw(fast)


@pytest.fixture
def sandbox_ca(fast: LocalSandbox) -> trustme.CA:
    """The sandbox's own CA, read from its state directory (as a receiver's owner would)."""
    state = fast.state_dir
    return trustme.CA.from_pem((state / "ca.pem").read_bytes(), (state / "ca-key.pem").read_bytes())


@pytest.fixture
def receivers(sandbox_ca: trustme.CA) -> Iterator[list[Receiver]]:
    made: list[Receiver] = []
    yield made
    for receiver in made:
        receiver.close()


@pytest.fixture
def receiver(sandbox_ca: trustme.CA, receivers: list[Receiver]) -> Receiver:
    made = Receiver(sandbox_ca)
    receivers.append(made)
    return made


def user_filters(hs: Handshake) -> str:
    return f"user/{hs.user_id}/notification-filter-url"


def account_filters(hs: Handshake) -> str:
    return f"user/{hs.user_id}/monetary-account/{hs.account_id}/notification-filter-url"


def register(raw: Raw, hs: Handshake, path: str, *pairs: tuple[str, str]) -> requests.Response:
    body = {"notification_filters": [{"category": c, "notification_target": url} for c, url in pairs]}
    return raw.call("POST", path, body, token=hs.session_token)


def fund(raw: Raw, hs: Handshake, value: str = "100.00") -> None:
    """Ask sugar daddy for money and read the account so it is paid (FAST pays at once)."""
    inquiry = {
        "amount_inquired": {"value": value, "currency": "EUR"},
        "counterparty_alias": {"type": "EMAIL", "value": "sugardaddy@bunq.com"},
        "description": "funds",
    }
    path = f"user/{hs.user_id}/monetary-account/{hs.account_id}"
    assert raw.call("POST", path + "/request-inquiry", inquiry, token=hs.session_token).status_code == 200
    assert raw.call("GET", path, token=hs.session_token).status_code == 200


def pay(raw: Raw, hs: Handshake, to: dict[str, str], value: str = "1.50") -> requests.Response:
    body = {"amount": {"value": value, "currency": "EUR"}, "counterparty_alias": to, "description": "cake"}
    path = f"user/{hs.user_id}/monetary-account/{hs.account_id}/payment"
    return raw.call("POST", path, body, token=hs.session_token, sign_with=hs.key)


SUGAR_DADDY = {"type": "EMAIL", "value": "sugardaddy@bunq.com"}


def paid_with_a_callback_to(raw: Raw, hs: Handshake, url: str) -> None:
    """Fund the account, register ``url`` for PAYMENT, and pay: one PAYMENT callback goes to ``url``."""
    fund(raw, hs)
    register(raw, hs, user_filters(hs), ("PAYMENT", url))
    assert pay(raw, hs, SUGAR_DADDY).status_code == 200


# -- the filter lists ----------------------------------------------------------------------------


def test_create_replaces_the_list_and_lists_it(raw_fast: Raw, client_key, receiver: Receiver) -> None:
    hs = raw_fast.handshake(client_key)
    other = receiver.url.replace("tag=1", "tag=2")
    created = register(raw_fast, hs, user_filters(hs), ("PAYMENT", receiver.url), ("MUTATION", other))
    assert created.status_code == 200, created.text
    items = created.json()["Response"]
    assert [set(item) for item in items] == [{"NotificationFilterUrl"}] * 2
    assert set(items[0]["NotificationFilterUrl"]) == {"category", "notification_target"}  # as bunq answers
    assert [
        (i["NotificationFilterUrl"]["category"], i["NotificationFilterUrl"]["notification_target"])
        for i in items
    ] == [
        ("PAYMENT", receiver.url),
        ("MUTATION", other),
    ]
    listed = raw_fast.call("GET", user_filters(hs), token=hs.session_token)
    assert listed.json()["Response"] == items
    assert signing.verify_body(hs.server_key, listed.content, listed.headers["X-Bunq-Server-Signature"])

    replaced = register(raw_fast, hs, user_filters(hs), ("REQUEST", receiver.url))
    assert [i["NotificationFilterUrl"]["category"] for i in replaced.json()["Response"]] == ["REQUEST"]
    assert raw_fast.call("GET", account_filters(hs), token=hs.session_token).json()["Response"] == []

    on_account = register(raw_fast, hs, account_filters(hs), ("MUTATION", receiver.url))
    assert len(on_account.json()["Response"]) == 1
    emptied = register(raw_fast, hs, user_filters(hs))
    assert emptied.json()["Response"] == []
    assert raw_fast.call("GET", user_filters(hs), token=hs.session_token).json()["Response"] == []
    assert len(raw_fast.call("GET", account_filters(hs), token=hs.session_token).json()["Response"]) == 1


def test_unknown_category_is_refused_and_nothing_changes(
    raw_fast: Raw, client_key, receiver: Receiver
) -> None:
    hs = raw_fast.handshake(client_key)
    register(raw_fast, hs, user_filters(hs), ("PAYMENT", receiver.url))
    refused = register(raw_fast, hs, user_filters(hs), ("MUTATION", receiver.url), ("PAYMENTS", receiver.url))
    assert refused.status_code == 400
    message = error_of(refused)
    assert 'Field "category" of notification_filters[1]' in message
    assert '"PAYMENTS"' in message and "BUNQME_TAB" in message
    listed = raw_fast.call("GET", user_filters(hs), token=hs.session_token).json()["Response"]
    assert [i["NotificationFilterUrl"]["category"] for i in listed] == ["PAYMENT"]


@pytest.mark.parametrize(
    ("body", "names"),
    [
        ({}, '"notification_filters" is required'),
        (
            {"notification_filters": "PAYMENT"},
            'Invalid type for field "notification_filters" (expected ARRAY',
        ),
        (
            {"notification_filters": ["PAYMENT"]},
            'Invalid type for field "notification_filters" (expected ARRAY',
        ),
        ({"notification_filters": [{"category": "PAYMENT"}]}, 'Field "notification_target"'),
        (
            {
                "notification_filters": [
                    {
                        "category": "PAYMENT",
                        "notification_target": "https://127.0.0.1/x",
                        "notification_delivery_method": "PUSH",
                    }
                ]
            },
            "notification-filter-push",
        ),
    ],
)
def test_malformed_lists_get_a_400_naming_the_field(
    raw_fast: Raw, client_key, body: dict, names: str
) -> None:
    hs = raw_fast.handshake(client_key)
    answer = raw_fast.call("POST", user_filters(hs), body, token=hs.session_token)
    assert answer.status_code == 400
    assert names in error_of(answer)


def test_at_most_two_urls_per_category(raw_fast: Raw, client_key, receiver: Receiver) -> None:
    hs = raw_fast.handshake(client_key)
    urls = [receiver.url.replace("tag=1", f"tag={n}") for n in range(3)]
    too_many = register(raw_fast, hs, user_filters(hs), *[("PAYMENT", url) for url in urls])
    assert too_many.status_code == 400
    assert error_of(too_many).startswith(
        "You can register at most 2 callback URLs per notification category; PAYMENT has 3."
    )
    assert raw_fast.call("GET", user_filters(hs), token=hs.session_token).json()["Response"] == []
    two = register(
        raw_fast, hs, user_filters(hs), ("PAYMENT", urls[0]), ("PAYMENT", urls[1]), ("MUTATION", urls[2])
    )
    assert two.status_code == 200
    duplicate = register(
        raw_fast, hs, user_filters(hs), ("PAYMENT", urls[0]), ("PAYMENT", urls[0]), ("PAYMENT", urls[1])
    )
    assert duplicate.status_code == 200
    assert len(duplicate.json()["Response"]) == 2


def test_non_loopback_targets_are_refused_at_registration(
    raw_fast: Raw, client_key, fast: LocalSandbox
) -> None:
    hs = raw_fast.handshake(client_key)
    for url, says in [
        ("https://example.com/cb", "--callback-allow-host example.com"),
        ("https://10.0.0.7:8443/cb", "--callback-allow-host 10.0.0.7"),
        ("https://[::ffff:8.8.8.8]/cb", "--callback-allow-host ::ffff:8.8.8.8"),
        ("http://127.0.0.1:9/cb", "must be an https:// URL"),
        ("https:///cb", "not a URL with a host"),
        ("https://127.0.0.1:99999/cb", "not a URL with a host and a valid port"),
    ]:
        answer = register(raw_fast, hs, user_filters(hs), ("PAYMENT", url))
        assert answer.status_code == 400, url
        assert says in error_of(answer), url
    for url in ("https://localhost:1/cb", "https://127.0.0.2:1/cb", "https://[::1]:1/cb"):
        assert register(raw_fast, hs, user_filters(hs), ("PAYMENT", url)).status_code == 200, url
    register(raw_fast, hs, user_filters(hs))
    fund(raw_fast, hs)
    assert pay(raw_fast, hs, SUGAR_DADDY).status_code == 200
    assert fast.callbacks.deliveries == []


def test_an_allowed_host_can_be_registered_from_the_command_line(tmp_path: Path, client_key) -> None:
    with standalone_sandbox(tmp_path / "state", "--callback-allow-host", "Callbacks.Example.") as info:
        http = requests.Session()
        api_key = http.post(info.base_url + "sandbox-user-person", verify=info.ca_file, timeout=30)
        assert api_key.status_code == 200

        raw = Raw(SimpleNamespace(base_url=info.base_url, ca_file=info.ca_file))  # type: ignore[arg-type]
        hs = raw.handshake(client_key, api_key.json()["Response"][0]["ApiKey"]["api_key"])
        allowed = register(raw, hs, user_filters(hs), ("PAYMENT", "https://callbacks.example/bunq"))
        assert allowed.status_code == 200, allowed.text
        other = register(raw, hs, user_filters(hs), ("PAYMENT", "https://other.example/bunq"))
        assert other.status_code == 400
        assert "--callback-allow-host other.example" in error_of(other)


# -- delivery --------------------------------------------------------------------------------


def _notification(received: Received) -> dict:
    body = json.loads(received.body)
    assert set(body) == {"NotificationUrl"}
    assert set(body["NotificationUrl"]) == {"target_url", "category", "event_type", "object"}
    return body["NotificationUrl"]


def test_a_payment_calls_back_payment_and_mutation_signed(
    raw_fast: Raw, client_key, fast: LocalSandbox, receiver: Receiver
) -> None:
    hs = raw_fast.handshake(client_key)
    fund(raw_fast, hs)
    register(raw_fast, hs, user_filters(hs), ("PAYMENT", receiver.url), ("MUTATION", receiver.url))
    paid = pay(raw_fast, hs, SUGAR_DADDY, "1.50")
    assert paid.status_code == 200
    payment_id = paid.json()["Response"][0]["Id"]["id"]
    got = receiver.wait(2)
    assert [(n["category"], n["event_type"]) for n in map(_notification, got)] == [
        ("PAYMENT", "PAYMENT_CREATED"),
        ("MUTATION", "MUTATION_CREATED"),
    ]
    shown = raw_fast.call(
        "GET",
        f"user/{hs.user_id}/monetary-account/{hs.account_id}/payment/{payment_id}",
        token=hs.session_token,
    ).json()["Response"][0]
    for received in got:
        notification = _notification(received)
        assert notification["target_url"] == receiver.url
        assert notification["object"] == shown
        assert notification["object"]["Payment"]["amount"] == {"value": "-1.50", "currency": "EUR"}
        assert received.path == "/bunq/callback?tag=1"
        assert received.headers["Content-Type"] == "application/json"
        assert b"https:\\/\\/127.0.0.1" in received.body  # bunq's encoder escapes "/"
        signature = received.headers["X-Bunq-Server-Signature"]
        assert signing.verify_body(hs.server_key, received.body, signature)
        assert not signing.verify_body(hs.server_key, received.body.replace(b"-1.50", b"-9.50"), signature)
    log = fast.callbacks.wait_for(2)
    assert [(d.outcome, len(d.attempts), d.attempts[0].status) for d in log] == [("delivered", 1, 200)] * 2
    assert [d.body for d in log] == [r.body for r in got]


def test_a_payment_between_two_users_calls_back_both_sides(
    raw_fast: Raw, client_key, fast: LocalSandbox, receiver: Receiver
) -> None:
    payer, payee = raw_fast.handshake(client_key), raw_fast.handshake(client_key)
    fund(raw_fast, payer)
    register(raw_fast, payee, account_filters(payee), ("PAYMENT", receiver.url))
    iban = raw_fast.call(
        "GET", f"user/{payee.user_id}/monetary-account/{payee.account_id}", token=payee.session_token
    ).json()["Response"][0]["MonetaryAccountBank"]["alias"][0]["value"]
    assert pay(raw_fast, payer, {"type": "IBAN", "value": iban, "name": "Payee"}, "2.00").status_code == 200
    (received,) = receiver.wait(1)
    notification = _notification(received)
    assert notification["event_type"] == "PAYMENT_RECEIVED"
    assert notification["object"]["Payment"]["amount"]["value"] == "2.00"
    assert notification["object"]["Payment"]["monetary_account_id"] == payee.account_id
    assert [d.user_id for d in fast.callbacks.wait_for(1)] == [payee.user_id]


def test_a_request_to_sugar_daddy_calls_back_request_and_mutation_but_not_payment(
    raw_fast: Raw, client_key, fast: LocalSandbox, receiver: Receiver
) -> None:
    hs = raw_fast.handshake(client_key)
    register(
        raw_fast,
        hs,
        account_filters(hs),
        ("REQUEST", receiver.url),
        ("MUTATION", receiver.url),
        ("PAYMENT", receiver.url),
    )
    fund(raw_fast, hs, "25.00")
    got = receiver.wait(3)
    assert sorted((n["category"], n["event_type"]) for n in map(_notification, got)) == [
        ("MUTATION", "MUTATION_RECEIVED"),
        ("REQUEST", "REQUEST_INQUIRY_ACCEPTED"),
        ("REQUEST", "REQUEST_INQUIRY_CREATED"),
    ]
    created = next(n for n in map(_notification, got) if n["event_type"] == "REQUEST_INQUIRY_CREATED")
    assert created["object"]["RequestInquiry"]["status"] == "PENDING"  # as it was when it happened
    accepted = next(n for n in map(_notification, got) if n["event_type"] == "REQUEST_INQUIRY_ACCEPTED")
    assert accepted["object"]["RequestInquiry"]["status"] == "ACCEPTED"
    mutation = next(n for n in map(_notification, got) if n["category"] == "MUTATION")
    assert mutation["object"]["Payment"]["sub_type"] == "REQUEST"
    assert len(fast.callbacks.wait_for(3)) == 3


def test_an_extension_kind_calls_back_through_the_table(
    raw_fast: Raw, client_key, fast: LocalSandbox, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A kind another module adds (here a card action) is delivered once it renders and is in the table."""
    from bunq_helpers.local_sandbox import events

    hs = raw_fast.handshake(client_key)
    monkeypatch.setitem(
        events._RENDERERS,
        "MasterCardAction",
        lambda db, i: {"MasterCardAction": {"id": i, "decision": "BLOCKED"}},
    )
    register(raw_fast, hs, user_filters(hs), ("CARD_TRANSACTION_FAILED", receiver.url))
    with fast.store.transaction() as db:
        fast.app.events.record(db, "MasterCardAction", 77, user_id=hs.user_id, account_id=hs.account_id)
    (received,) = receiver.wait(1)
    assert _notification(received) == {
        "target_url": receiver.url,
        "category": "CARD_TRANSACTION_FAILED",
        "event_type": "CARD_TRANSACTION_NOT_ALLOWED",
        "object": {"MasterCardAction": {"id": 77, "decision": "BLOCKED"}},
    }


def _event(kind: str, action: str = "CREATE") -> Event:
    return Event(1, 2, 3, action, kind, 4, 0.0)


@pytest.mark.parametrize(
    ("kind", "action", "fields", "expected"),
    [
        (
            "Payment",
            "CREATE",
            {"amount": {"value": "-1.00"}, "sub_type": "PAYMENT"},
            [("PAYMENT", "PAYMENT_CREATED"), ("MUTATION", "MUTATION_CREATED")],
        ),
        (
            "Payment",
            "CREATE",
            {"amount": {"value": "5.00"}, "sub_type": "REQUEST"},
            [("MUTATION", "MUTATION_RECEIVED")],
        ),
        ("RequestInquiry", "UPDATE", {"status": "REJECTED"}, [("REQUEST", "REQUEST_INQUIRY_REJECTED")]),
        ("RequestResponse", "CREATE", {"status": "PENDING"}, [("REQUEST", "REQUEST_RESPONSE_CREATED")]),
        ("RequestResponse", "UPDATE", {"status": "ACCEPTED"}, [("REQUEST", "REQUEST_RESPONSE_ACCEPTED")]),
        ("BunqMeTab", "CREATE", {"status": "WAITING_FOR_PAYMENT"}, [("BUNQME_TAB", "BUNQME_TAB_CREATED")]),
        ("DraftPayment", "UPDATE", {"status": "ACCEPTED"}, [("DRAFT_PAYMENT", "DRAFT_PAYMENT_ACCEPTED")]),
        ("ScheduleInstance", "CREATE", {}, [("SCHEDULE_RESULT", "SCHEDULE_INSTANCE_CREATED")]),
        ("SchedulePayment", "UPDATE", {}, [("SCHEDULE_RESULT", "SCHEDULE_PAYMENT_UPDATED")]),
        (
            "MasterCardAction",
            "CREATE",
            {"decision": "ALLOWED"},
            [("CARD_TRANSACTION_SUCCESSFUL", "CARD_PAYMENT_ALLOWED")],
        ),
        ("UserPerson", "UPDATE", {}, []),
    ],
)
def test_the_table_from_event_kind_to_category(kind: str, action: str, fields: dict, expected: list) -> None:
    assert notifications_for(_event(kind, action), {kind: fields}) == expected
    assert {category for category, _ in expected} <= set(CATEGORIES)


# -- failures and retries ----------------------------------------------------------------------


def test_a_receiver_answering_500_twice_gets_it_on_the_third_try(
    raw_fast: Raw, client_key, fast: LocalSandbox, sandbox_ca: trustme.CA, receivers: list[Receiver]
) -> None:
    flaky = Receiver(sandbox_ca, statuses=(500, 503))
    receivers.append(flaky)
    hs = raw_fast.handshake(client_key)
    paid_with_a_callback_to(raw_fast, hs, flaky.url)
    tries = flaky.wait(3)
    (delivery,) = fast.callbacks.wait_for()
    assert delivery.outcome == "delivered"
    assert [(a.number, a.status, a.ok) for a in delivery.attempts] == [
        (1, 500, False),
        (2, 503, False),
        (3, 200, True),
    ]
    assert delivery.attempts[0].error == "the receiver answered 500 Internal Server Error"
    assert len({r.body for r in tries}) == 1  # every try carries the same bytes
    assert len({r.headers["X-Bunq-Server-Signature"] for r in tries}) == 1


def test_a_receiver_down_for_its_first_two_tries_gets_it_on_the_third(
    raw_fast: Raw, client_key, fast: LocalSandbox, sandbox_ca: trustme.CA, receivers: list[Receiver]
) -> None:
    down = Receiver(sandbox_ca, listening=False)
    receivers.append(down)
    hs = raw_fast.handshake(client_key)
    fast.options.callback_retry_interval = 0.5  # time enough to start listening before the third try
    paid_with_a_callback_to(raw_fast, hs, down.url)
    fast.callbacks.wait_for(where=lambda d: len(d.attempts) >= 2, finished=False)
    down.listen()
    (delivery,) = fast.callbacks.wait_for()
    assert delivery.outcome == "delivered"
    assert [a.status for a in delivery.attempts] == [None, None, 200]
    assert all("could not reach it" in a.error for a in delivery.attempts[:2])
    assert len(down.wait(1)) == 1


def test_a_callback_is_dropped_after_six_tries(
    raw_fast: Raw, client_key, fast: LocalSandbox, sandbox_ca: trustme.CA, receivers: list[Receiver]
) -> None:
    broken = Receiver(sandbox_ca, statuses=(500,) * 10)
    receivers.append(broken)
    hs = raw_fast.handshake(client_key)
    paid_with_a_callback_to(raw_fast, hs, broken.url)
    (delivery,) = fast.callbacks.wait_for()
    assert delivery.outcome == "failed"
    assert [a.number for a in delivery.attempts] == [1, 2, 3, 4, 5, 6]
    assert len(broken.requests) == 6


def test_https_targets_are_verified_against_the_ca_file(
    raw_fast: Raw, client_key, fast: LocalSandbox, receivers: list[Receiver], tmp_path: Path
) -> None:
    stranger_ca = trustme.CA()
    stranger = Receiver(stranger_ca)
    receivers.append(stranger)
    hs = raw_fast.handshake(client_key)
    paid_with_a_callback_to(raw_fast, hs, stranger.url)
    (delivery,) = fast.callbacks.wait_for()
    assert delivery.outcome == "failed"
    assert "certificate is not trusted" in delivery.attempts[0].error
    assert stranger.requests == []

    ca_file = tmp_path / "stranger-ca.pem"
    stranger_ca.cert_pem.write_to_path(str(ca_file))
    options = SandboxOptions(callback_ca_file=str(ca_file), sugardaddy_delay=0)
    with LocalSandbox(tmp_path / "other-state", options=options) as trusting:
        raw = Raw(trusting)
        hs = raw.handshake(client_key)
        paid_with_a_callback_to(raw, hs, stranger.url)
        (delivery,) = trusting.callbacks.wait_for()
        assert delivery.outcome == "delivered"
        assert len(stranger.requests) == 1


def test_a_slow_receiver_does_not_slow_the_api_and_stop_is_prompt(
    raw_fast: Raw, client_key, fast: LocalSandbox, sandbox_ca: trustme.CA, receivers: list[Receiver]
) -> None:
    release = threading.Event()
    slow = Receiver(sandbox_ca, hold=release)
    receivers.append(slow)
    hs = raw_fast.handshake(client_key)
    started = time.perf_counter()
    paid_with_a_callback_to(raw_fast, hs, slow.url)  # no callback held yet: the time a payment takes
    unhindered = time.perf_counter() - started  # fund, register, pay: three calls
    slow.wait(1)  # the first callback is being answered... slowly
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        assert pay(raw_fast, hs, SUGAR_DADDY, "0.10").status_code == 200
        timings.append(time.perf_counter() - started)
    assert max(timings) < 5 * unhindered, (timings, unhindered)  # held, it would wait for the release
    assert [d.outcome for d in fast.callbacks.deliveries] == ["pending"] * 4
    started = time.perf_counter()
    fast.stop()
    assert time.perf_counter() - started < 2.0
    assert {d.outcome for d in fast.callbacks.deliveries} == {"abandoned"}


def test_an_unreachable_target_does_not_break_the_api(raw_fast: Raw, client_key, fast: LocalSandbox) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    hs = raw_fast.handshake(client_key)
    paid_with_a_callback_to(raw_fast, hs, f"https://127.0.0.1:{port}/cb")
    (delivery,) = fast.callbacks.wait_for()
    assert delivery.outcome == "failed"


def test_stop_is_prompt_even_while_a_receiver_hangs_in_the_tls_handshake(
    raw_fast: Raw, client_key, fast: LocalSandbox
) -> None:
    with socket.socket() as silent:  # accepts connections, never says a word of TLS
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        silent.settimeout(10)
        hs = raw_fast.handshake(client_key)
        paid_with_a_callback_to(raw_fast, hs, f"https://127.0.0.1:{silent.getsockname()[1]}/cb")
        connection, _ = silent.accept()  # the try has begun; its handshake now waits for us
        with connection:
            started = time.perf_counter()
            fast.stop()
            assert time.perf_counter() - started < 2.0
    (delivery,) = fast.callbacks.deliveries
    assert delivery.outcome == "abandoned"
    assert [a.error for a in delivery.attempts] == ["the sandbox stopped during this try"]


# -- one receiver slows only its own callbacks; callbacks go where they were checked to go ---------


class DripReceiver:
    """A receiver that reads the callback and then answers one byte at a time, slowly, forever."""

    def __init__(self, ca: trustme.CA, every: float = 0.3) -> None:
        self.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ca.issue_cert("127.0.0.1").configure_cert(self.tls)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.every = every
        self.stop = threading.Event()
        self.connections = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.listener.getsockname()[1]}/drip"

    def _serve(self) -> None:
        self.listener.settimeout(0.1)
        while not self.stop.is_set():
            try:
                raw, _ = self.listener.accept()
            except OSError:
                continue
            self.connections += 1
            threading.Thread(target=self._drip, args=(raw,), daemon=True).start()

    def _drip(self, raw: socket.socket) -> None:
        try:
            raw.settimeout(10)
            with self.tls.wrap_socket(raw, server_side=True) as sock:
                sock.recv(65536)
                for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n":
                    if self.stop.wait(self.every):
                        return
                    sock.sendall(bytes([byte]))
        except OSError:
            pass

    def close(self) -> None:
        self.stop.set()
        self.listener.close()
        self.thread.join(timeout=5)


def test_a_drip_feeding_receiver_delays_no_other_users_callback_beyond_its_attempts_deadline(
    raw_fast: Raw, client_key, fast: LocalSandbox, sandbox_ca: trustme.CA, receiver: Receiver
) -> None:
    deadline = 1.0
    fast.options.callback_timeout = deadline
    fast.options.callback_retry_interval = 60  # one try of the drip is what is measured
    drip = DripReceiver(sandbox_ca)
    try:
        slow_user, other_user = raw_fast.handshake(client_key), raw_fast.handshake(client_key)
        paid_with_a_callback_to(raw_fast, slow_user, drip.url)
        fast.callbacks.wait_for(where=lambda d: d.target_url == drip.url, finished=False)
        started = time.monotonic()
        paid_with_a_callback_to(raw_fast, other_user, receiver.url)
        receiver.wait(1, timeout=deadline + 5)
        assert time.monotonic() - started < deadline  # not behind the drip's attempt at all
        (slow,) = fast.callbacks.wait_for(
            where=lambda d: d.target_url == drip.url and len(d.attempts) >= 1, finished=False, timeout=10
        )
        attempt = slow.attempts[0]
        assert attempt.error == f"no answer within {deadline:g} s" and attempt.seconds < deadline + 0.5
    finally:
        drip.close()


def test_a_receivers_own_callbacks_wait_for_each_other_in_order(
    raw_fast: Raw, client_key, fast: LocalSandbox, sandbox_ca: trustme.CA, receivers: list[Receiver]
) -> None:
    release = threading.Event()
    held = Receiver(sandbox_ca, hold=release)
    receivers.append(held)
    hs = raw_fast.handshake(client_key)
    paid_with_a_callback_to(raw_fast, hs, held.url)
    held.wait(1)
    for _ in range(2):
        assert pay(raw_fast, hs, SUGAR_DADDY, "0.10").status_code == 200
    assert len(held.requests) == 1  # one connection at a time to one receiver
    release.set()
    got = held.wait(3)
    amounts = [_notification(r)["object"]["Payment"]["amount"]["value"] for r in got]
    assert amounts == ["-1.50", "-0.10", "-0.10"]


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1%25eth0/cb",
        "https://127.0.0.1%25anything.example.com/cb",
        "https://127.0.0.1%0a.evil/cb",
        "https://[::1%25lo]/cb",
        "https://127.0.0.1%00/cb",
        "https://local host/cb",
        "https://127.1/cb",
        "https://2130706433/cb",
        "https://0x7f.0.0.1/cb",
        "https://localhost../cb",
    ],
)
def test_hosts_that_are_no_clean_name_or_address_are_refused(raw_fast: Raw, client_key, url: str) -> None:
    hs = raw_fast.handshake(client_key)
    answer = register(raw_fast, hs, user_filters(hs), ("PAYMENT", url))
    assert answer.status_code == 400, url
    assert "notification_target" in error_of(answer) or "loopback" in error_of(answer)


@pytest.mark.parametrize("host", ["127.0.0.1.", "localhost.", "LOCALHOST"])
def test_a_trailing_dot_or_upper_case_is_the_same_host_to_the_check_and_the_sender(
    raw_fast: Raw,
    client_key,
    fast: LocalSandbox,
    sandbox_ca: trustme.CA,
    receivers: list[Receiver],
    host: str,
) -> None:
    named = Receiver(sandbox_ca)
    receivers.append(named)
    port = named.server.server_address[1]
    hs = raw_fast.handshake(client_key)
    paid_with_a_callback_to(raw_fast, hs, f"https://{host}:{port}/cb")
    (delivery,) = fast.callbacks.wait_for()
    assert delivery.outcome == "delivered", delivery.attempts
    assert len(named.wait(1)) == 1


def test_the_sender_resolves_once_checks_the_address_and_connects_to_it(
    raw_fast: Raw, client_key, fast: LocalSandbox, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A name that passed the check but resolves elsewhere at send time is refused, not connected to."""
    from bunq_helpers.local_sandbox import callbacks

    port = receiver.server.server_address[1]
    answers = {"localhost": "10.1.2.3"}  # the resolver now says localhost is elsewhere
    asked: list[str] = []
    real = socket.getaddrinfo

    def resolver(host, *args, **kwargs):
        if host in answers:
            asked.append(host)
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers[host], port))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(callbacks.socket, "getaddrinfo", resolver)
    hs = raw_fast.handshake(client_key)
    paid_with_a_callback_to(raw_fast, hs, f"https://localhost:{port}/cb")
    (delivery,) = fast.callbacks.wait_for()
    assert delivery.outcome == "refused"
    assert asked == ["localhost"]  # resolved once, by the sender itself
    assert receiver.requests == []

    answers["localhost"] = "127.0.0.1"  # resolved to loopback: delivered to exactly that address
    asked.clear()
    assert pay(raw_fast, hs, SUGAR_DADDY, "0.20").status_code == 200
    delivered = fast.callbacks.wait_for(2)[-1]
    assert delivered.outcome == "delivered" and asked == ["localhost"]
    assert len(receiver.wait(1)) == 1
