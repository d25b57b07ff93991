"""The local sandbox's state in SQLite: users, API keys, installations, devices, sessions, money.

One database file per state directory, in WAL mode, so several sandboxes (threads or processes)
on the same directory see the same installations and sessions. Writes run in ``BEGIN IMMEDIATE``
transactions; a handler that fails part-way leaves nothing behind.

Ids come from separate ranges per kind (users from 1_000_001, accounts from 2_000_001, ...) so a
client that puts a user id where an account id belongs gets a 404 instead of a lucky match.
Money is kept in integer cents.

Uploaded files are kept as BLOBs in the same database, not as files beside it: a file and its
metadata are written in one transaction (never a row without its bytes, or bytes nobody points
at), every sandbox process on the state directory sees them at once, and ``reset`` removes them
with everything else. Uploads are capped at ``max_body_bytes`` (1 MiB by default), a size SQLite
stores and serves without trouble.
"""

from __future__ import annotations

import secrets
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

DB_NAME = "sandbox.sqlite3"
BUSY_TIMEOUT_MS = 10_000

# First id of each kind; see the module docstring.
ID_BASES = {
    "users": 1_000_000,
    "accounts": 2_000_000,
    "installations": 3_000_000,
    "devices": 4_000_000,
    "tokens": 5_000_000,
    "payments": 6_000_000,
    "request_inquiries": 7_000_000,
    "credentials": 8_000_000,
    "permitted_ips": 9_000_000,
    "events": 10_000_000,
    # The accounts family's cards and statements.
    "cards": 21_000_000,
    "customer_statements": 22_000_000,
    "card_cvc2": 23_000_000,
    "notification_filters": 40_000_000,
    # Files and the notes on any parent.
    "attachments": 31_000_000,
    "notes": 32_000_000,
    # The money-moving family (requests answered, drafts, schedules, batches, bunq.me).
    "request_responses": 41_000_000,
    "request_inquiry_batches": 42_000_000,
    "draft_payments": 43_000_000,
    "draft_payment_entries": 44_000_000,
    "payment_batches": 45_000_000,
    "schedules": 46_000_000,
    "schedule_instances": 47_000_000,
    "bunqme_tabs": 48_000_000,
    # OAuth apps and PSD2 providers (endpoints.oauth_clients, endpoints.psd2, oauth_grants).
    "oauth_clients": 51_000_000,
    "oauth_callback_urls": 52_000_000,
    "oauth_codes": 53_000_000,
    "oauth_grants": 54_000_000,
    "psd2_credentials": 55_000_000,
}

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,                 -- UserPerson, UserCompany, UserApiKey or UserPaymentServiceProvider
    first_name TEXT, last_name TEXT, name TEXT,
    display_name TEXT NOT NULL, public_nick_name TEXT NOT NULL, email TEXT NOT NULL,
    public_uuid TEXT NOT NULL,
    session_timeout INTEGER NOT NULL,
    created REAL NOT NULL, updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS credentials (     -- an API key and the IPs it may be used from
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id),
    api_key TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    wildcard INTEGER NOT NULL DEFAULT 0,
    created REAL NOT NULL, updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS permitted_ips (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    credential_id INTEGER NOT NULL REFERENCES credentials(id),
    ip TEXT NOT NULL, status TEXT NOT NULL,
    created REAL NOT NULL, updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS installations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    client_public_key TEXT NOT NULL,
    created REAL NOT NULL, updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (          -- installation and session tokens in one registry
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    token TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,                 -- installation or session
    installation_id INTEGER NOT NULL REFERENCES installations(id),
    created REAL NOT NULL, updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS devices (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    installation_id INTEGER NOT NULL REFERENCES installations(id),
    credential_id INTEGER NOT NULL REFERENCES credentials(id),
    description TEXT NOT NULL, ip TEXT NOT NULL, status TEXT NOT NULL,
    created REAL NOT NULL, updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (        -- id is the session token's id, as in bunq's answers
    id INTEGER PRIMARY KEY REFERENCES tokens(id),
    installation_id INTEGER NOT NULL,
    device_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    timeout INTEGER NOT NULL,
    expires_at REAL NOT NULL,
    closed INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS accounts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id),
    iban TEXT NOT NULL UNIQUE, description TEXT NOT NULL, currency TEXT NOT NULL,
    balance_cents INTEGER NOT NULL, status TEXT NOT NULL, public_uuid TEXT NOT NULL,
    created REAL NOT NULL, updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS payments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    amount_cents INTEGER NOT NULL, currency TEXT NOT NULL, description TEXT NOT NULL,
    counterparty TEXT NOT NULL,         -- JSON of the counterparty label
    type TEXT NOT NULL, sub_type TEXT NOT NULL,
    balance_after_cents INTEGER NOT NULL,
    created REAL NOT NULL, updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS events (         -- what happened, pointing at the object it happened to
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id),
    account_id INTEGER,
    action TEXT NOT NULL,               -- CREATE, UPDATE, ...
    object_kind TEXT NOT NULL,          -- Payment, RequestInquiry, ...
    object_id INTEGER NOT NULL,
    created REAL NOT NULL, updated REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS devices_by_installation ON devices(installation_id, credential_id);
CREATE INDEX IF NOT EXISTS permitted_ips_by_credential ON permitted_ips(credential_id, ip);
CREATE TABLE IF NOT EXISTS request_inquiries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    amount_cents INTEGER NOT NULL, currency TEXT NOT NULL, description TEXT NOT NULL,
    counterparty TEXT NOT NULL, status TEXT NOT NULL,
    credit_at REAL NOT NULL,
    created REAL NOT NULL, updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS attachments (    -- uploaded files; the bytes live here too (see Store)
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users(id),   -- who uploaded it
    account_id INTEGER REFERENCES accounts(id),      -- NULL for a public attachment
    description TEXT NOT NULL, content_type TEXT NOT NULL,
    content BLOB NOT NULL,
    created REAL NOT NULL, updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS notes (          -- note-text and note-attachment on any parent object
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,                 -- note-text or note-attachment
    parent_kind TEXT NOT NULL,          -- the parent's path segment: payment, request-inquiry, ...
    parent_id INTEGER NOT NULL,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    user_id INTEGER NOT NULL REFERENCES users(id),   -- who wrote it
    content TEXT NOT NULL,              -- the text, or the attachment note's description
    attachment_id INTEGER REFERENCES attachments(id),
    created REAL NOT NULL, updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS account_details (  -- what an account has beyond its row in accounts; none: a
    account_id INTEGER PRIMARY KEY REFERENCES accounts(id),  -- MonetaryAccountBank with the defaults
    kind TEXT NOT NULL,                 -- MonetaryAccountBank, MonetaryAccountSavings, MonetaryAccountJoint
    daily_limit_cents INTEGER NOT NULL,
    savings_goal_cents INTEGER,
    sub_status TEXT NOT NULL,
    reason TEXT, reason_description TEXT,
    display_name TEXT,
    setting TEXT NOT NULL,              -- JSON of MonetaryAccountSetting
    co_owners TEXT NOT NULL             -- JSON list of {"user_id", "alias", "status"}
);
CREATE TABLE IF NOT EXISTS user_profiles (   -- the fields of UserPerson/UserCompany that users has no column for
    user_id INTEGER PRIMARY KEY REFERENCES users(id),
    data TEXT NOT NULL                  -- JSON object, field name -> value as bunq shows it
);
CREATE TABLE IF NOT EXISTS cards (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,                 -- CardDebit
    type TEXT NOT NULL, product_type TEXT NOT NULL,
    first_line TEXT NOT NULL, second_line TEXT NOT NULL,
    name_on_card TEXT NOT NULL, preferred_name_on_card TEXT,
    status TEXT NOT NULL, order_status TEXT NOT NULL,
    card_limit_cents INTEGER NOT NULL, card_limit_atm_cents INTEGER NOT NULL,
    account_id INTEGER NOT NULL REFERENCES accounts(id),   -- the account it was ordered on
    pin_code_assignment TEXT NOT NULL,  -- JSON list of {"type", "routing_type", "monetary_account_id"}
    fallback_account_id INTEGER,
    country_permission TEXT NOT NULL,   -- JSON list of {"country", "expiry_time"}
    last_four TEXT NOT NULL, expiry_date TEXT NOT NULL, public_uuid TEXT NOT NULL,
    created REAL NOT NULL, updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS customer_statements (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    statement_format TEXT NOT NULL,     -- CSV, MT940 or PDF
    date_start TEXT NOT NULL, date_end TEXT NOT NULL,   -- YYYY-MM-DD, both included
    regional_format TEXT NOT NULL,
    statement_number INTEGER NOT NULL,  -- per account, counting from 1
    status TEXT NOT NULL,
    content BLOB NOT NULL,              -- the file, made when the export was created
    created REAL NOT NULL, updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS card_cvc2 (       -- CVC2 codes generated for a card
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    card_id INTEGER NOT NULL REFERENCES cards(id),
    type TEXT NOT NULL, cvc2 TEXT NOT NULL, status TEXT NOT NULL, expiry_time REAL NOT NULL,
    created REAL NOT NULL, updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS notification_filters (  -- callback URLs: on the user, or on one account
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id),
    account_id INTEGER REFERENCES accounts(id),  -- NULL for the user's own list
    category TEXT NOT NULL, target TEXT NOT NULL,
    created REAL NOT NULL, updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS request_responses (  -- the payer's side of a request between sandbox accounts
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id),    -- the account asked to pay
    inquiry_id INTEGER NOT NULL UNIQUE REFERENCES request_inquiries(id),  -- status lives there
    allow_amount_lower INTEGER NOT NULL, allow_amount_higher INTEGER NOT NULL,
    amount_responded_cents INTEGER, time_responded REAL,
    created REAL NOT NULL, updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS request_inquiry_batches (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    total_cents INTEGER NOT NULL, currency TEXT NOT NULL,
    inquiry_ids TEXT NOT NULL,          -- JSON list of request_inquiries ids
    created REAL NOT NULL, updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS draft_payments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    status TEXT NOT NULL,               -- PENDING, ACCEPTED, REJECTED, CANCELLED
    schedule TEXT,                      -- JSON of the schedule asked for, if any
    result_kind TEXT, result_id INTEGER,  -- Payment, PaymentBatch or a schedule, once accepted
    created REAL NOT NULL, updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS draft_payment_entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    draft_id INTEGER NOT NULL REFERENCES draft_payments(id),
    amount_cents INTEGER NOT NULL, currency TEXT NOT NULL, description TEXT NOT NULL,
    counterparty TEXT NOT NULL          -- JSON of the pointer the client sent
);
CREATE TABLE IF NOT EXISTS payment_batches (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    payment_ids TEXT NOT NULL,          -- JSON list of the payer's payments ids
    created REAL NOT NULL, updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS schedules (      -- schedule-payment and schedule-payment-batch share ids
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    kind TEXT NOT NULL,                 -- Payment or PaymentBatch
    entries TEXT NOT NULL,              -- JSON list of payment orders
    purpose TEXT,
    time_start REAL NOT NULL, time_end REAL,
    recurrence_unit TEXT NOT NULL, recurrence_size INTEGER NOT NULL,
    status TEXT NOT NULL,               -- ACTIVE, FINISHED, CANCELLED
    runs INTEGER NOT NULL DEFAULT 0,    -- occurrences handled so far
    next_run REAL,                      -- when the next occurrence is due; NULL once none is left
    created REAL NOT NULL, updated REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS schedules_due ON schedules(status, next_run);
CREATE TABLE IF NOT EXISTS schedule_instances (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    schedule_id INTEGER NOT NULL REFERENCES schedules(id),
    state TEXT NOT NULL,                -- FINISHED_SUCCESSFULLY or FAILED_USER_ERROR
    time_start REAL NOT NULL, time_end REAL NOT NULL,
    error TEXT,                         -- why it failed
    result_kind TEXT, result_id INTEGER,  -- the Payment or PaymentBatch it made
    created REAL NOT NULL, updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS oauth_clients (   -- an app a user registered; its secret is shown to its owner
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id),
    client_id TEXT NOT NULL UNIQUE, secret TEXT NOT NULL,
    display_name TEXT NOT NULL, status TEXT NOT NULL,   -- ACTIVE or CANCELLED
    created REAL NOT NULL, updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS oauth_callback_urls (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    client_row_id INTEGER NOT NULL REFERENCES oauth_clients(id),
    url TEXT NOT NULL,
    created REAL NOT NULL, updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS oauth_codes (     -- authorization codes: single use, short-lived
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL UNIQUE,
    client_row_id INTEGER NOT NULL REFERENCES oauth_clients(id),
    granted_by_user_id INTEGER NOT NULL REFERENCES users(id),
    redirect_uri TEXT NOT NULL, state TEXT,
    expires_at REAL NOT NULL, used INTEGER NOT NULL DEFAULT 0,
    created REAL NOT NULL, updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS oauth_grants (    -- an approved code exchanged: the UserApiKey and its token
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    client_row_id INTEGER NOT NULL REFERENCES oauth_clients(id),
    user_api_key_id INTEGER NOT NULL UNIQUE REFERENCES users(id),  -- the UserApiKey's own user row
    granted_by_user_id INTEGER NOT NULL REFERENCES users(id),
    credential_id INTEGER NOT NULL REFERENCES credentials(id),     -- the access token, as an API key
    status TEXT NOT NULL,               -- ACTIVE or REVOKED
    created REAL NOT NULL, updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS psd2_credentials (  -- payment-service-provider-credential
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    installation_id INTEGER NOT NULL REFERENCES installations(id),
    user_id INTEGER NOT NULL REFERENCES users(id),             -- the UserPaymentServiceProvider
    credential_id INTEGER NOT NULL REFERENCES credentials(id), -- token_value, as an API key
    distinguished_name TEXT NOT NULL, fingerprint TEXT NOT NULL,
    expiry_time REAL NOT NULL,
    created REAL NOT NULL, updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS bunqme_tabs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    uuid TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,               -- WAITING_FOR_PAYMENT or CANCELLED (EXPIRED is shown from time_expiry)
    amount_cents INTEGER, currency TEXT NOT NULL, description TEXT NOT NULL, redirect_url TEXT,
    time_expiry REAL NOT NULL,
    created REAL NOT NULL, updated REAL NOT NULL
);
"""

# Tables keyed by another table's id, so not in ID_BASES; included in snapshots and resets.
DEPENDENT_TABLES = ("account_details", "user_profiles")

TABLES = tuple(ID_BASES)


def new_token() -> str:
    """A fresh 64-character lowercase hex token, like bunq's."""
    return secrets.token_hex(32)


def new_api_key() -> str:
    """A fresh sandbox API key: ``sandbox_`` and 56 hex characters."""
    return "sandbox_" + secrets.token_hex(28)


class Store:
    """Thread-safe access to one state directory's database (a connection per thread)."""

    def __init__(self, state_dir: Path) -> None:
        self.path = Path(state_dir) / DB_NAME
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        # Writers in this process queue here and are woken at once; SQLite's own busy handler, which
        # waits by sleeping in growing steps, is then only needed against other processes.
        self._write_lock = threading.Lock()
        with self.transaction() as db:
            db.executescript(SCHEMA)  # executescript commits; the transaction below is then empty
        with self.transaction() as db:
            for table, base in ID_BASES.items():
                seen = db.execute("SELECT 1 FROM sqlite_sequence WHERE name = ?", (table,)).fetchone()
                if seen is None:
                    db.execute("INSERT INTO sqlite_sequence(name, seq) VALUES (?, ?)", (table, base))

    def _connection(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(
                self.path,
                timeout=BUSY_TIMEOUT_MS / 1000,
                isolation_level=None,
                check_same_thread=False,
            )
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            db.execute("PRAGMA foreign_keys=ON")
            self._local.db = db
            with self._lock:
                self._connections.append(db)
        return db

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction (``BEGIN IMMEDIATE``): all of it happens, or none of it."""
        db = self._connection()
        if db.in_transaction:  # nested use joins the outer transaction
            yield db
            return
        self._local.after_commit = []
        with self._write_lock:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                self._local.after_commit = []
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
            if db.in_transaction:
                db.execute("COMMIT")
        callbacks, self._local.after_commit = self._local.after_commit, []
        for callback in callbacks:
            callback()

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once the current write transaction has committed (never if it rolls back)."""
        self._local.after_commit.append(callback)

    def read(self) -> sqlite3.Connection:
        """A connection for reads outside a transaction."""
        return self._connection()

    def close(self) -> None:
        """Close every connection this store opened."""
        with self._lock:
            connections, self._connections = self._connections, []
        for db in connections:
            with suppress(sqlite3.ProgrammingError):
                db.close()
        self._local = threading.local()

    def reset(self) -> None:
        """Delete all users, keys, installations, sessions, money and files, like a bunq sandbox reset."""
        with self.transaction() as db:
            for table in (
                "psd2_credentials",
                "oauth_grants",
                "oauth_codes",
                "oauth_callback_urls",
                "oauth_clients",
                "notes",
                "attachments",
                "customer_statements",
                "card_cvc2",
                "cards",
                "account_details",
                "user_profiles",
                "bunqme_tabs",
                "schedule_instances",
                "schedules",
                "payment_batches",
                "draft_payment_entries",
                "draft_payments",
                "request_inquiry_batches",
                "request_responses",
                "sessions",
                "notification_filters",
                "devices",
                "tokens",
                "installations",
                "payments",
                "request_inquiries",
                "events",
                "accounts",
                "permitted_ips",
                "credentials",
                "users",
            ):
                db.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names

    def snapshot(self) -> dict[str, list[dict[str, Any]]]:
        """Every row of every table, for tests that prove a request changed nothing."""
        db = self.read()
        out: dict[str, list[dict[str, Any]]] = {}
        for table in (*TABLES, "sessions", *DEPENDENT_TABLES):
            rows = db.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()  # noqa: S608
            out[table] = [dict(row) for row in rows]
        return out
