"""The local sandbox's state in SQLite: users, API keys, installations, devices, sessions, money.

One database file per state directory, in WAL mode, so several sandboxes (threads or processes)
on the same directory see the same installations and sessions. Writes run in ``BEGIN IMMEDIATE``
transactions; a handler that fails part-way leaves nothing behind.

Ids come from separate ranges per kind (users from 1_000_001, accounts from 2_000_001, ...) so a
client that puts a user id where an account id belongs gets a 404 instead of a lucky match.
Money is kept in integer cents.
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
}

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,                 -- UserPerson or UserCompany
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
"""

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
        """Delete all users, keys, installations, sessions and money, like a bunq sandbox reset."""
        with self.transaction() as db:
            for table in (
                "sessions",
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
        for table in (*TABLES, "sessions"):
            rows = db.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()  # noqa: S608
            out[table] = [dict(row) for row in rows]
        return out
