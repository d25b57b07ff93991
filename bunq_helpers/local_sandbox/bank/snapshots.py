"""Named snapshots of the whole state: save, list, restore, delete.

A snapshot is a copy of the state database made with SQLite's online backup (one read transaction,
so it is consistent while calls run) and written atomically (a temporary file renamed into place)
to ``STATE_DIR/snapshots/NAME.sqlite3``. A restore copies every table back inside one write
transaction (``BEGIN IMMEDIATE``): calls running meanwhile see the state before or after, never
half of it, and a restore that fails part-way rolls back and leaves the state as it was.

The sandbox clock is not part of a snapshot: it never goes backwards, so a restored session that
has expired by the clock's time stays expired.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

from ..bunq_errors import BunqError, bad_request
from ..store import Store

SNAPSHOT_DIR = "snapshots"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def check_name(name: Any) -> str:
    """A snapshot name: letters, digits, ``_ . -``, up to 64 characters."""
    if not isinstance(name, str) or not _NAME.match(name) or name.endswith(".tmp"):
        raise bad_request(
            'Field "name" must be 1 to 64 letters, digits, "_", "." or "-" (starting with a letter or digit),'
            f" got {str(name)[:70]!r}."
        )
    return name


class Snapshots:
    """The snapshots of one state directory."""

    def __init__(self, store: Store, state_dir: Path) -> None:
        self.store = store
        self.folder = Path(state_dir) / SNAPSHOT_DIR

    def _path(self, name: str) -> Path:
        return self.folder / f"{check_name(name)}.sqlite3"

    def save(self, name: str) -> dict[str, Any]:
        """Copy the whole state to snapshot ``name`` (replacing one of that name)."""
        path = self._path(name)
        self.folder.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        try:
            with closing(sqlite3.connect(temporary)) as target:
                self.store.read().backup(target)
            os.replace(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)
        return self.describe(path)

    def list(self) -> list[dict[str, Any]]:
        """Every snapshot, oldest first."""
        if not self.folder.is_dir():
            return []
        paths = [p for p in self.folder.glob("*.sqlite3") if _NAME.match(p.stem)]
        return [self.describe(p) for p in sorted(paths, key=lambda p: p.stat().st_mtime)]

    def describe(self, path: Path) -> dict[str, Any]:
        """Name, size and when it was saved (wall-clock time)."""
        stat = path.stat()
        saved = dt.datetime.fromtimestamp(stat.st_mtime, dt.timezone.utc).isoformat(timespec="seconds")
        return {"name": path.stem, "bytes": stat.st_size, "saved": saved}

    def delete(self, name: str) -> None:
        """Remove snapshot ``name``."""
        path = self._existing(name)
        path.unlink()

    def _existing(self, name: str) -> Path:
        path = self._path(name)
        if not path.is_file():
            known = ", ".join(s["name"] for s in self.list()) or "none yet"
            raise BunqError(404, f"Snapshot {name!r} not found (snapshots: {known}).")
        return path

    def restore(self, name: str) -> dict[str, Any]:
        """Make the state exactly what snapshot ``name`` holds, in one transaction."""
        path = self._existing(name)
        db = self.store.read()
        if db.in_transaction:
            raise RuntimeError("restore() inside a transaction")
        try:
            db.execute("ATTACH DATABASE ? AS snap", (str(path),))
        except sqlite3.DatabaseError as exc:
            raise BunqError(
                400, f"Snapshot {name!r} could not be opened ({exc}); the state is unchanged."
            ) from None
        try:
            with self.store.transaction() as write:
                write.execute("PRAGMA defer_foreign_keys = ON")
                tables = _tables(write, "main")
                saved = set(_tables(write, "snap"))
                for table in tables:
                    write.execute(f'DELETE FROM main."{table}"')  # noqa: S608 - names from sqlite_master
                    if table in saved:
                        columns = _shared_columns(write, table)
                        write.execute(
                            f'INSERT INTO main."{table}" ({columns}) SELECT {columns} FROM snap."{table}"'  # noqa: S608
                        )
                write.execute("DELETE FROM main.sqlite_sequence")
                write.execute("INSERT INTO main.sqlite_sequence SELECT * FROM snap.sqlite_sequence")
        except sqlite3.DatabaseError as exc:
            raise BunqError(
                400, f"Snapshot {name!r} could not be restored ({exc}); the state is unchanged."
            ) from None
        finally:
            db.execute("DETACH DATABASE snap")
        return self.describe(path)


def _tables(db: sqlite3.Connection, schema: str) -> list[str]:
    rows = db.execute(
        f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"  # noqa: S608
    ).fetchall()
    return [row[0] for row in rows]


def _shared_columns(db: sqlite3.Connection, table: str) -> str:
    """Columns both the live table and the snapshot's have (a snapshot from an older schema still loads)."""
    live = [row[1] for row in db.execute(f'PRAGMA main.table_info("{table}")')]
    saved = {row[1] for row in db.execute(f'PRAGMA snap.table_info("{table}")')}
    return ", ".join(f'"{name}"' for name in live if name in saved)
