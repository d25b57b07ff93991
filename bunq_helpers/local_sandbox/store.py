"""The local sandbox's state in SQLite: users, API keys, installations, devices, sessions, money.

One database file per state directory, in WAL mode, so several sandboxes (threads or processes)
on the same directory see the same installations and sessions. Writes run in ``BEGIN IMMEDIATE``
transactions; a handler that fails part-way leaves nothing behind.

The tables themselves (columns, id ranges, reset order) are declared once, in ``bank/tables.py``.

Uploaded files are kept as BLOBs in the same database, not as files beside it: a file and its
metadata are written in one transaction (never a row without its bytes, or bytes nobody points
at), every sandbox process on the state directory sees them at once, and ``reset`` removes them
with everything else. Uploads are capped at ``max_body_bytes`` (1 MiB by default), a size SQLite
stores and serves without trouble.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from .bank.tables import ID_BASES, RESET_ORDER, SCHEMA, TABLES

DB_NAME = "sandbox.sqlite3"
SCHEMA_VERSION = zlib.crc32(SCHEMA.encode()) >> 1  # kept in ``PRAGMA user_version`` (a signed 32-bit int)
BUSY_TIMEOUT_MS = 10_000


def new_token() -> str:
    """A fresh 64-character lowercase hex token, like bunq's (``os.urandom``, as ``secrets.token_hex``)."""
    return os.urandom(32).hex()


def new_api_key() -> str:
    """A fresh sandbox API key: ``sandbox_`` and 56 hex characters."""
    return "sandbox_" + os.urandom(28).hex()


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
            if not self._schema_is_current(db):
                db.executescript(SCHEMA)  # executescript commits; the transaction below is then empty
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        with self.transaction() as db:
            seen = {name for (name,) in db.execute("SELECT name FROM sqlite_sequence")}
            for table, base in ID_BASES.items():
                if table not in seen:
                    db.execute("INSERT INTO sqlite_sequence(name, seq) VALUES (?, ?)", (table, base))

    @staticmethod
    def _schema_is_current(db: sqlite3.Connection) -> bool:
        """Whether the database was made with this ``SCHEMA`` (its ``user_version``) and still has every
        table: then the script (``CREATE … IF NOT EXISTS`` throughout) would change nothing, and is skipped."""
        if db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
            return False
        present = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return present.issuperset(table.name for table in TABLES)

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
            for table in RESET_ORDER:
                db.execute(f"DELETE FROM {table}")  # noqa: S608 - declared table names

    def snapshot(self) -> dict[str, list[dict[str, Any]]]:
        """Every row of every table, for tests that prove a request changed nothing."""
        db = self.read()
        out: dict[str, list[dict[str, Any]]] = {}
        for table in (table.name for table in TABLES):
            rows = db.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()  # noqa: S608
            out[table] = [dict(row) for row in rows]
        return out
