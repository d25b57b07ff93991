"""``/_sandbox/``: the journal, the clock, snapshots, scenarios and triggers over HTTPS, with plain
``requests``; who may call it; bad input answered in bunq's error shape, never a 500."""

from __future__ import annotations

import json
import threading
import time

import pytest
import requests

from bunq_helpers.local_sandbox import LocalSandbox, SandboxOptions
from bunq_helpers.local_sandbox.request import Request
from tests.helpers import Raw, error_of
from tests.local_sandbox.test_callbacks import Receiver, register, user_filters


def api(sandbox: LocalSandbox, method: str, path: str, body: object = None, **kwargs) -> requests.Response:
    """A call to the sandbox's own API, as an integrator's script makes it."""
    return requests.request(
        method,
        sandbox.sandbox_url + path,
        json=body if body is not None or method != "GET" else None,
        verify=sandbox.ca_file,
        timeout=30,
        **kwargs,
    )


# -- the journal -----------------------------------------------------------------------------------


def test_journal_newest_first_with_filters(sandbox: LocalSandbox, raw: Raw) -> None:
    for index in range(3):
        raw.call("POST", "sandbox-user-person", headers={"X-Bunq-Client-Request-Id": f"req-{index}"})
    raw.call("GET", "user", token="nope", headers={"X-Bunq-Client-Request-Id": "bad"})
    entries = api(sandbox, "GET", "journal").json()["entries"]
    assert [e["request_id"] for e in entries] == ["bad", "req-2", "req-1", "req-0"]
    assert {"request_id", "method", "path", "status", "response_id", "explanation"} <= set(entries[0])
    assert [e["request_id"] for e in api(sandbox, "GET", "journal?status=401").json()["entries"]] == ["bad"]
    assert [e["request_id"] for e in api(sandbox, "GET", "journal?request_id=req-1").json()["entries"]] == [
        "req-1"
    ]
    assert len(api(sandbox, "GET", "journal?path=sandbox-user").json()["entries"]) == 3
    assert api(sandbox, "GET", "journal?limit=1").json()["entries"][0]["request_id"] == "bad"
    # the API keys answered are nowhere in the journal; the /_sandbox/ calls themselves are not journalled
    assert "sandbox_" not in json.dumps(entries)
    assert all(not e["path"].startswith("/_sandbox") for e in sandbox.journal())


def test_a_full_journal_drops_the_oldest(fresh_state) -> None:
    with LocalSandbox(fresh_state("small"), options=SandboxOptions(journal_size=3)) as small:
        raw = Raw(small)
        for index in range(5):
            raw.call("GET", "user", token="t", headers={"X-Bunq-Client-Request-Id": f"r{index}"})
        assert [e["request_id"] for e in small.journal()] == ["r4", "r3", "r2"]


# -- the clock -------------------------------------------------------------------------------------


def test_clock_past_a_sessions_expiry_makes_the_next_call_401_and_says_so(
    sandbox: LocalSandbox, raw: Raw, client_key
) -> None:
    hs = raw.handshake(client_key)
    assert raw.call("GET", f"user/{hs.user_id}", token=hs.session_token).status_code == 200
    before = api(sandbox, "GET", "clock").json()
    moved = api(sandbox, "POST", "clock", {"advance_seconds": 604_800 + 5})
    assert moved.status_code == 200 and moved.json()["offset_seconds"] >= 604_805
    assert moved.json()["epoch"] - before["epoch"] >= 604_805
    expired = raw.call(
        "GET", f"user/{hs.user_id}", token=hs.session_token, headers={"X-Bunq-Client-Request-Id": "late"}
    )
    assert expired.status_code == 401 and error_of(expired) == "Insufficient authorisation."
    [entry] = sandbox.journal(request_id="late")
    assert entry["cause"] == "session-expired" and "expired at" in entry["explanation"]
    assert "POST session-server" in entry["explanation"]
    # the installation token still opens a new session at the new time
    assert raw.open_session(hs).status_code == 200


def test_a_call_in_the_last_seconds_extends_the_session(fresh_state, client_key) -> None:
    with LocalSandbox(fresh_state("ext"), options=SandboxOptions(session_timeout=120)) as running:
        raw = Raw(running)
        hs = raw.handshake(client_key)
        running.advance_clock(100)  # 20 s left: within the last 30 s, so this call extends it
        assert raw.call("GET", f"user/{hs.user_id}", token=hs.session_token).status_code == 200
        running.advance_clock(60)  # past the first expiry, inside the extension
        assert raw.call("GET", f"user/{hs.user_id}", token=hs.session_token).status_code == 200
        running.advance_clock(121)
        assert raw.call("GET", f"user/{hs.user_id}", token=hs.session_token).status_code == 401


def test_clock_set_never_backwards_and_bad_input(sandbox: LocalSandbox) -> None:
    assert (
        api(sandbox, "POST", "clock", {"now": "2099-01-01T00:00:00Z"})
        .json()["now"]
        .startswith("2099-01-01T00:00:00")
    )
    for body, words in [
        ({"now": "2098-01-01T00:00:00Z"}, "never goes backwards"),
        ({"advance_seconds": -1}, "never goes backwards"),
        ({"advance_seconds": "soon"}, "number of seconds"),
        ({"now": "yesterday"}, "not an ISO 8601 time"),
        ({}, "exactly one of"),
        ({"advance_seconds": 1, "now": "2100-01-01"}, "exactly one of"),
    ]:
        response = api(sandbox, "POST", "clock", body)
        assert response.status_code == 400 and words in error_of(response), (body, response.text)
    assert api(sandbox, "GET", "clock").json()["now"].startswith("2099-01-01")
    # bunq's answers are dated by the server's clock: the moved one (session timelines read it)
    assert Raw(sandbox).call("GET", "user").headers["Date"].startswith("Thu, 01 Jan 2099 00:0")


def test_sugar_daddy_and_schedules_follow_the_clock(fresh_state, client_key) -> None:
    with LocalSandbox(fresh_state("sd"), options=SandboxOptions(sugardaddy_delay=3600)) as running:
        raw = Raw(running)
        hs = raw.handshake(client_key)
        path = f"user/{hs.user_id}/monetary-account/{hs.account_id}"
        inquiry = {
            "amount_inquired": {"value": "50.00", "currency": "EUR"},
            "description": "funds",
            "counterparty_alias": {"type": "EMAIL", "value": "sugardaddy@bunq.com"},
        }
        assert raw.call("POST", path + "/request-inquiry", inquiry, token=hs.session_token).status_code == 200

        def balance() -> str:
            return raw.call("GET", path, token=hs.session_token).json()["Response"][0]["MonetaryAccountBank"][
                "balance"
            ]["value"]

        assert balance() == "0.00"
        running.advance_clock(3601)
        assert balance() == "50.00"


# -- snapshots ---------------------------------------------------------------------------------------


def test_snapshots_save_list_restore_delete(sandbox: LocalSandbox, raw: Raw) -> None:
    raw.sandbox_user()
    assert api(sandbox, "POST", "snapshots", {"name": "one-user"}).status_code == 200
    raw.sandbox_user()
    assert len(sandbox.store.snapshot()["users"]) == 2
    assert [s["name"] for s in api(sandbox, "GET", "snapshots").json()["snapshots"]] == ["one-user"]
    assert api(sandbox, "POST", "snapshots/one-user/restore", {}).status_code == 200
    assert len(sandbox.store.snapshot()["users"]) == 1
    assert api(sandbox, "DELETE", "snapshots/one-user").json() == {"snapshots": []}
    missing = api(sandbox, "POST", "snapshots/one-user/restore", {})
    assert missing.status_code == 404 and "not found" in error_of(missing)
    for name in ("../x", "", "a" * 65, 5, None):
        bad = api(sandbox, "POST", "snapshots", {"name": name})
        assert bad.status_code == 400 and '"name"' in error_of(bad), name


def test_a_snapshot_restored_under_load_loses_nothing(
    sandbox: LocalSandbox, raw: Raw, client_key, other_key
) -> None:
    """Two users pay each other 1 cent back and forth while a snapshot is restored: the restore lands
    whole (money is conserved, every balance equals its payments), and every payment answered after
    the restore returned is there."""
    sandbox.load_scenario("two-friends")
    users = sandbox.store.read().execute("SELECT c.api_key FROM credentials c ORDER BY c.id").fetchall()
    sandy, noor = (
        raw.handshake(key, api_key=row[0]) for key, row in zip((client_key, other_key), users, strict=True)
    )
    sandbox.save_snapshot("start")
    total = sum(r[0] for r in sandbox.store.read().execute("SELECT balance_cents FROM accounts"))
    stop = threading.Event()
    after_restore: list[tuple[int, int]] = []  # (account, payment id) answered after the restore returned
    restored = threading.Event()
    failures: list[str] = []

    def pay(payer, payee) -> None:
        client = Raw(sandbox)
        body = {
            "amount": {"value": "0.01", "currency": "EUR"},
            "description": "ping",
            "counterparty_alias": {"type": "IBAN", "value": payee_iban[payee.user_id], "name": "friend"},
        }
        while not stop.is_set():
            was_restored = restored.is_set()
            answer = client.call(
                "POST",
                f"user/{payer.user_id}/monetary-account/{payer.account_id}/payment",
                body,
                token=payer.session_token,
                sign_with=payer.key,
            )
            if answer.status_code != 200:
                failures.append(answer.text)
            elif was_restored:
                after_restore.append((payer.account_id, answer.json()["Response"][0]["Id"]["id"]))

    db = sandbox.store.read()
    payee_iban = {
        hs.user_id: db.execute("SELECT iban FROM accounts WHERE id = ?", (hs.account_id,)).fetchone()[0]
        for hs in (sandy, noor)
    }
    workers = [threading.Thread(target=pay, args=pair) for pair in ((sandy, noor), (noor, sandy))]
    for worker in workers:
        worker.start()
    deadline = time.monotonic() + 10
    while db.execute("SELECT COUNT(*) FROM payments WHERE description = 'ping'").fetchone()[0] < 20:
        assert time.monotonic() < deadline, "the load did not start"
        time.sleep(0.01)
    sandbox.restore_snapshot("start")
    restored.set()
    while len(after_restore) < 10 and time.monotonic() < deadline:
        time.sleep(0.01)
    stop.set()
    for worker in workers:
        worker.join(30)
    assert not failures, failures[:3]
    assert len(after_restore) >= 10
    rows = db.execute("SELECT id, account_id FROM payments").fetchall()
    have = {(r[1], r[0]) for r in rows}
    assert set(after_restore) <= have  # nothing answered after the restore was lost
    assert sum(r[0] for r in db.execute("SELECT balance_cents FROM accounts")) == total
    for account_id, balance in db.execute("SELECT id, balance_cents FROM accounts").fetchall():
        booked = db.execute(
            "SELECT COALESCE(SUM(amount_cents), 0) FROM payments WHERE account_id = ?", (account_id,)
        ).fetchone()[0]
        assert booked == balance, (account_id, booked, balance)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


# -- scenarios -------------------------------------------------------------------------------------


def test_scenarios_seed_what_they_say(sandbox: LocalSandbox, raw: Raw, client_key) -> None:
    friends = api(sandbox, "POST", "scenarios/two-friends", {}).json()["users"]
    assert len(friends) == 2
    hs = raw.handshake(client_key, api_key=friends[0]["api_key"])
    path = f"user/{hs.user_id}/monetary-account/{hs.account_id}"
    payments = raw.call("GET", path + "/payment", token=hs.session_token).json()["Response"]
    names = {p["Payment"]["counterparty_alias"]["display_name"] for p in payments}
    assert friends[1]["name"] in names
    responses = raw.call("GET", path + "/request-response", token=hs.session_token).json()["Response"]
    assert len(responses) == 1
    busy = api(sandbox, "POST", "scenarios/busy-account", {}).json()["users"][0]
    assert len(sandbox.store.snapshot()["users"]) == 1  # the scenario started from a wiped state
    hs = raw.handshake(client_key, api_key=busy["api_key"])
    page = raw.call(
        "GET", f"user/{hs.user_id}/monetary-account/{hs.account_id}/payment?count=200", token=hs.session_token
    ).json()
    assert len(page["Response"]) == 200 and page["Pagination"]["older_url"]
    company = api(sandbox, "POST", "scenarios/company", {}).json()["users"][0]
    assert (
        sandbox.store.read()
        .execute("SELECT kind FROM users WHERE id = ?", (company["user_id"],))
        .fetchone()[0]
        == "UserCompany"
    )
    unknown = api(sandbox, "POST", "scenarios/nope", {})
    assert unknown.status_code == 400 and "two-friends" in error_of(unknown)


# -- triggers ------------------------------------------------------------------------------------------


@pytest.fixture
def receiver(sandbox: LocalSandbox):
    import trustme

    ca = trustme.CA.from_pem(
        (sandbox.state_dir / "ca.pem").read_bytes(), (sandbox.state_dir / "ca-key.pem").read_bytes()
    )
    made = Receiver(ca)
    yield made
    made.close()


TRIGGERS = [
    ("incoming-payment", {}, "MUTATION", "Payment", "EBA_SCT"),
    ("card-payment", {"amount": "3.00"}, "CARD_TRANSACTION_SUCCESSFUL", "MasterCardAction", "ALLOWED"),
    (
        "card-payment",
        {"amount": "99999.00"},
        "CARD_TRANSACTION_FAILED",
        "MasterCardAction",
        "INSUFFICIENT_BALANCE",
    ),
    ("request", {}, "REQUEST", "RequestResponse", "PENDING"),
    ("direct-debit", {}, "PAYMENT", "Payment", "EBA_SDD"),
]


@pytest.mark.parametrize(("name", "params", "category", "kind", "mark"), TRIGGERS)
def test_each_trigger_produces_its_callback(
    sandbox, raw: Raw, client_key, receiver: Receiver, name, params, category, kind, mark
) -> None:
    friends = sandbox.load_scenario("two-friends")["users"]
    hs = raw.handshake(client_key, api_key=friends[0]["api_key"])
    assert register(raw, hs, user_filters(hs), (category, receiver.url)).status_code == 200
    made = api(sandbox, "POST", f"trigger/{name}", {"account_id": hs.account_id, **params})
    assert made.status_code == 200, made.text
    [received] = receiver.wait(1)
    notification = json.loads(received.body)["NotificationUrl"]
    assert notification["category"] == category
    shown = notification["object"][kind]
    assert mark in json.dumps(shown)
    assert shown["id"] == made.json()["made"][kind]["id"]
    # the object is there through bunq's API too
    events = raw.call("GET", f"user/{hs.user_id}/event", token=hs.session_token).json()["Response"]
    assert any(kind in json.dumps(e) for e in events)


def test_trigger_bad_input(sandbox: LocalSandbox) -> None:
    sandbox.load_scenario("two-friends")
    for name, body, words in [
        ("nope", {}, "There is no trigger"),
        ("incoming-payment", {}, '"account_id"'),
        ("incoming-payment", {"account_id": "x"}, "whole number"),
        ("incoming-payment", {"account_id": 1}, "No monetary account"),
        ("card-payment", {"account_id": 2000001, "decision": "MAYBE"}, '"decision"'),
        ("direct-debit", {"account_id": 2000001, "amount": "100000.00"}, "does not cover"),
        ("incoming-payment", {"account_id": 2000001, "amount": "-5"}, "amount"),
    ]:
        response = api(sandbox, "POST", f"trigger/{name}", body)
        assert response.status_code == 400 and words in error_of(response), (name, body, response.text)


# -- who may call, and what it takes ------------------------------------------------------------------------


def test_bad_requests_get_bunq_shaped_errors(sandbox: LocalSandbox) -> None:
    cases = [
        ("GET", "nothing-here", None, {}, 404),
        ("PUT", "clock", {}, {}, 405),
        ("GET", "journal?status=abc", None, {}, 400),
        ("GET", "journal?colour=red", None, {}, 400),
        ("POST", "clock", None, {"data": b"{not json", "headers": {"Content-Type": "application/json"}}, 400),
        (
            "POST",
            "clock",
            None,
            {"data": b'{"advance_seconds": 5}', "headers": {"Content-Type": "text/plain"}},
            400,
        ),
        ("POST", "clock", None, {"data": b"[1, 2]", "headers": {"Content-Type": "application/json"}}, 400),
        (
            "POST",
            "ui/clock",
            None,
            {"data": b"advance_seconds=60", "headers": {"Content-Type": "application/x-www-form-urlencoded"}},
            403,
        ),
        (
            "POST",
            "clock",
            None,
            {
                "data": b'{"advance_seconds": 5}',
                "headers": {"Content-Type": "application/json", "Origin": "https://evil.example"},
            },
            403,
        ),
    ]
    for method, path, body, extra, status in cases:
        response = requests.request(
            method, sandbox.sandbox_url + path, json=body, verify=sandbox.ca_file, timeout=30, **extra
        )
        assert response.status_code == status, (method, path, response.text)
        assert error_of(response)
    assert api(sandbox, "GET", "clock").json()["offset_seconds"] == 0  # none of them moved it


def test_only_loopback_clients_and_hosts(sandbox: LocalSandbox) -> None:
    def ask(remote: str, host: str) -> int:
        request = Request("GET", "/_sandbox/journal", {}, {"host": host}, b"", remote)
        return sandbox.app.handle(request).status

    assert ask("127.0.0.1", f"127.0.0.1:{sandbox.port}") == 200
    assert ask("::1", f"[::1]:{sandbox.port}") == 200
    assert ask("192.0.2.10", f"127.0.0.1:{sandbox.port}") == 403
    assert ask("127.0.0.1", "attacker.example") == 403  # DNS rebinding


def test_the_python_api_matches(sandbox: LocalSandbox) -> None:
    start = sandbox.clock()
    sandbox.advance_clock(30)
    assert sandbox.clock() - start >= 30
    with pytest.raises(ValueError, match="never goes backwards"):
        sandbox.set_clock("2000-01-01T00:00:00Z")
    users = sandbox.load_scenario("company")["users"]
    made = sandbox.trigger("incoming-payment", account_id=users[0]["account_id"], amount="5.00")
    assert "Payment" in made["made"]
    sandbox.save_snapshot("s")
    assert [s["name"] for s in sandbox.snapshots()] == ["s"]
    sandbox.delete_snapshot("s")
    assert sandbox.snapshots() == []


def test_callback_retries_follow_the_clock(sandbox: LocalSandbox, raw: Raw, client_key) -> None:
    """bunq retries a failed callback after a minute: moving the clock a minute on sends the retry now."""
    import trustme

    ca = trustme.CA.from_pem(
        (sandbox.state_dir / "ca.pem").read_bytes(), (sandbox.state_dir / "ca-key.pem").read_bytes()
    )
    failing = Receiver(ca, statuses=(500,))
    try:
        friends = sandbox.load_scenario("two-friends")["users"]
        hs = raw.handshake(client_key, api_key=friends[0]["api_key"])
        register(raw, hs, user_filters(hs), ("MUTATION", failing.url))
        sandbox.trigger("incoming-payment", account_id=hs.account_id)
        failing.wait(1)
        sandbox.callbacks.wait_for(
            1, finished=False, where=lambda d: len(d.attempts) == 1
        )  # the retry is queued
        assert sandbox.options.callback_retry_interval == 60
        sandbox.advance_clock(61)
        failing.wait(2, timeout=5)  # well before a real minute
        [delivery] = sandbox.callbacks.wait_for(1)
        assert delivery.outcome == "delivered" and len(delivery.attempts) == 2
    finally:
        failing.close()


def test_a_restore_that_fails_leaves_the_state_as_it_was(sandbox: LocalSandbox, raw: Raw) -> None:
    raw.sandbox_user()
    sandbox.save_snapshot("good")
    raw.sandbox_user()
    before = sandbox.store.snapshot()
    folder = sandbox.state_dir / "snapshots"
    (folder / "garbage.sqlite3").write_bytes(b"not a database at all" * 100)
    import sqlite3

    with sqlite3.connect(folder / "old-schema.sqlite3") as old:  # a snapshot whose users table lacks columns
        old.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, kind TEXT)")
        old.execute("INSERT INTO users VALUES (1, 'UserPerson')")
    for name in ("garbage", "old-schema"):
        refused = api(sandbox, "POST", f"snapshots/{name}/restore", {})
        assert refused.status_code == 400 and "the state is unchanged" in error_of(refused), refused.text
        assert sandbox.store.snapshot() == before
    assert api(sandbox, "POST", "snapshots/good/restore", {}).status_code == 200


def test_scheduled_payments_run_when_the_clock_moves(tmp_path, client_key) -> None:
    from bunq_helpers.local_sandbox.render import timestamp
    from tests.local_sandbox.money import euros, money_world

    with money_world(tmp_path, client_key) as world:
        alice, bob, sandbox = world.alice, world.bob, world.sandbox
        alice.fund("25.00")
        body = {
            "payment": {
                "amount": euros("10.00"),
                "counterparty_alias": {"type": "EMAIL", "value": bob.email},
                "description": "rent",
            },
            "schedule": {
                "time_start": timestamp(sandbox.clock() + 3600),
                "recurrence_unit": "DAILY",
                "recurrence_size": 1,
            },
        }
        alice.create("schedule-payment", body, signed=True)
        assert alice.balance() == "25.00"
        sandbox.advance_clock(3600 + 24 * 3600)  # the first run and the next day's
        assert (alice.balance(), bob.balance()) == ("5.00", "20.00")
