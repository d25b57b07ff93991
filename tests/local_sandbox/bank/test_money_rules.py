"""The bank's money rules on a database, a clock and the event log: no app, no request, no HTTP."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bunq_helpers.local_sandbox.bank.core import Bank
from bunq_helpers.local_sandbox.bank.inquiries import InquiryOrder, insert_inquiry
from bunq_helpers.local_sandbox.bank.scheduling import ScheduleSpec, insert_schedule
from bunq_helpers.local_sandbox.bank.settlement import settle_due
from bunq_helpers.local_sandbox.bank.tables import ID_BASES, RESET_ORDER, TABLES
from bunq_helpers.local_sandbox.bank.transfers import PaymentOrder, execute_orders, transfer
from bunq_helpers.local_sandbox.bunq_errors import BunqError
from bunq_helpers.local_sandbox.events import EventLog
from bunq_helpers.local_sandbox.render import SUGAR_DADDY_EMAIL, iban_for
from bunq_helpers.local_sandbox.store import Store

DAY = 86_400.0


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def bank(tmp_path: Path):
    store = Store(tmp_path)
    clock = Clock()
    yield Bank(store, EventLog(store, clock), clock, sugardaddy_delay=lambda: 0.5)
    store.close()


def _user_with_account(bank: Bank, name: str, cents: int) -> tuple[dict, dict]:
    now = bank.now()
    with bank.store.transaction() as db:
        user_id = db.execute(
            "INSERT INTO users (kind, display_name, public_nick_name, email, public_uuid, session_timeout,"
            " created, updated) VALUES ('UserPerson', ?, ?, ?, 'u', 3600, ?, ?)",
            (name, name, f"{name}@example.com", now, now),
        ).lastrowid
        account_id = db.execute(
            "INSERT INTO accounts (user_id, iban, description, currency, balance_cents, status, public_uuid,"
            " created, updated) VALUES (?, ?, 'main', 'EUR', ?, 'ACTIVE', 'a', ?, ?)",
            (user_id, f"tmp-{name}", cents, now, now),
        ).lastrowid
        db.execute("UPDATE accounts SET iban = ? WHERE id = ?", (iban_for(account_id), account_id))
    db = bank.store.read()
    return (
        db.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone(),
        db.execute("SELECT * FROM accounts WHERE id = ?", (account_id,)).fetchone(),
    )


def _balance(bank: Bank, account) -> int:
    return (
        bank.store.read()
        .execute("SELECT balance_cents FROM accounts WHERE id = ?", (account["id"],))
        .fetchone()[0]
    )


def _to(account, cents: int) -> PaymentOrder:
    return PaymentOrder(cents, "EUR", "rent", {"type": "IBAN", "value": account["iban"], "name": "x"})


def test_every_table_is_declared_once_with_its_range_and_reset_place() -> None:
    names = [table.name for table in TABLES]
    assert len(names) == len(set(names)) and set(RESET_ORDER) == set(names)
    assert RESET_ORDER.index("payments") < RESET_ORDER.index("accounts") < RESET_ORDER.index("users")
    bases = sorted(ID_BASES.values())
    assert len(bases) == len(set(bases)) and all(base % 1_000_000 == 0 for base in bases)


def test_a_transfer_moves_money_between_sandbox_accounts_and_tells_both_users(bank: Bank) -> None:
    alice, alice_account = _user_with_account(bank, "alice", 2_500)
    bob, bob_account = _user_with_account(bank, "bob", 0)
    heard = []
    bank.events.listen(heard.append)
    with bank.store.transaction() as db:
        transfer(bank, db, alice_account, alice, _to(bob_account, 1_000))
    assert (_balance(bank, alice_account), _balance(bank, bob_account)) == (1_500, 1_000)
    assert [(e.user_id, e.object_kind) for e in heard] == [(alice["id"], "Payment"), (bob["id"], "Payment")]


def test_a_batch_the_balance_does_not_cover_moves_nothing(bank: Bank) -> None:
    alice, alice_account = _user_with_account(bank, "alice", 1_000)
    _, bob_account = _user_with_account(bank, "bob", 0)
    with (
        pytest.raises(BunqError, match="does not cover this batch of 2 payments"),
        bank.store.transaction() as db,
    ):
        execute_orders(bank, db, alice_account, alice, [_to(bob_account, 600), _to(bob_account, 600)])
    assert (_balance(bank, alice_account), _balance(bank, bob_account)) == (1_000, 0)
    assert bank.store.read().execute("SELECT count(*) FROM payments").fetchone()[0] == 0


def test_settling_is_a_step_of_its_own_and_runs_what_the_clock_made_due(bank: Bank) -> None:
    alice, alice_account = _user_with_account(bank, "alice", 2_500)
    _, bob_account = _user_with_account(bank, "bob", 0)
    with bank.store.transaction() as db:
        insert_schedule(
            bank,
            db,
            alice_account,
            "Payment",
            [_to(bob_account, 1_000)],
            ScheduleSpec(bank.now() + 60, None, "DAILY", 1),
        )
        db.execute(
            "INSERT INTO request_inquiries (account_id, amount_cents, currency, description, counterparty, status,"
            " credit_at, created, updated) VALUES (?, 5000, 'EUR', 'gift', ?, 'PENDING', ?, ?, ?)",
            (
                alice_account["id"],
                json.dumps({"type": "EMAIL", "value": SUGAR_DADDY_EMAIL, "name": "Sugar Daddy"}),
                bank.now() + 0.5,
                bank.now(),
                bank.now(),
            ),
        )
    settle_due(bank, alice["id"])  # nothing is due yet: nothing moves
    assert _balance(bank, alice_account) == 2_500
    bank.clock.now += 2 * DAY + 61  # three daily runs and sugar daddy's answer are due
    assert _balance(bank, alice_account) == 2_500  # reading moves nothing: only the step does
    settle_due(bank, alice["id"])
    assert (_balance(bank, alice_account), _balance(bank, bob_account)) == (2_500 + 5_000 - 3_000, 3_000)
    states = bank.store.read().execute("SELECT state FROM schedule_instances ORDER BY id").fetchall()
    assert [state for (state,) in states] == ["FINISHED_SUCCESSFULLY"] * 3


def test_a_request_for_money_waits_for_the_payee_or_for_sugar_daddys_delay_as_it_is_now(bank: Bank) -> None:
    alice, alice_account = _user_with_account(bank, "alice", 0)
    bob, bob_account = _user_with_account(bank, "bob", 0)
    heard = []
    bank.events.listen(heard.append)
    to_bob = {"type": "IBAN", "value": bob_account["iban"], "name": "bob"}
    sugar_daddy = {"type": "EMAIL", "value": SUGAR_DADDY_EMAIL.upper(), "name": "x"}
    bank.sugardaddy_delay = lambda: 7.0  # as a running sandbox's options changed it
    with bank.store.transaction() as db:
        asked_bob = insert_inquiry(
            bank, db, alice_account, alice, InquiryOrder(500, "EUR", "pizza", to_bob, True, False)
        )
        asked_daddy = insert_inquiry(
            bank, db, alice_account, alice, InquiryOrder(900, "EUR", "gift", sugar_daddy, False, False)
        )
    db = bank.store.read()
    response = db.execute("SELECT * FROM request_responses WHERE inquiry_id = ?", (asked_bob,)).fetchone()
    assert (response["account_id"], response["allow_amount_lower"], response["allow_amount_higher"]) == (
        bob_account["id"],
        1,
        0,
    )
    daddy = db.execute("SELECT * FROM request_inquiries WHERE id = ?", (asked_daddy,)).fetchone()
    assert (daddy["status"], daddy["credit_at"] - daddy["created"]) == ("PENDING", 7.0)
    assert json.loads(daddy["counterparty"])["iban"] == "NL65BUNQ9900000188"  # bunq's own account
    assert (
        db.execute("SELECT count(*) FROM request_responses WHERE inquiry_id = ?", (asked_daddy,)).fetchone()[
            0
        ]
        == 0
    )
    assert [(e.user_id, e.object_kind) for e in heard] == [
        (alice["id"], "RequestInquiry"),
        (bob["id"], "RequestResponse"),
        (alice["id"], "RequestInquiry"),
    ]
    to_herself = {"type": "IBAN", "value": alice_account["iban"], "name": "alice"}
    with (
        pytest.raises(BunqError, match="points at the requesting account itself"),
        bank.store.transaction() as db,
    ):
        insert_inquiry(
            bank, db, alice_account, alice, InquiryOrder(100, "EUR", "me", to_herself, False, False)
        )
