"""The event log: what happened to a user's objects, as bunq's ``GET user/{id}/event`` lists it.

Handlers call ``EventLog.record`` inside their write transaction, so an event exists exactly when its
change was committed. Listeners (such as callback delivery) hear of each event after the commit,
never of a change that was rolled back. The module that owns a kind of object registers how to show
it (``renders``), so an event carries the object the way bunq wraps it: ``{"Payment": {...}}``.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .store import Store

Renderer = Callable[[sqlite3.Connection, int], dict[str, Any] | None]
_RENDERERS: dict[str, Renderer] = {}


def renders(kind: str) -> Callable[[Renderer], Renderer]:
    """Register the function that shows an object of ``kind`` (by id) inside an event."""

    def register(function: Renderer) -> Renderer:
        _RENDERERS[kind] = function
        return function

    return register


def renders_rows(
    kind: str, table: str, render: Callable[[sqlite3.Connection, sqlite3.Row], dict[str, Any]]
) -> None:
    """Show an event's object as ``{kind: render(db, row)}``, its row found by id in ``table``."""

    def show(db: sqlite3.Connection, object_id: int) -> dict[str, Any] | None:
        row = db.execute(f"SELECT * FROM {table} WHERE id = ?", (object_id,)).fetchone()  # noqa: S608 - declared
        return {kind: render(db, row)} if row is not None else None

    _RENDERERS[kind] = show


_LOADERS: list[Callable[[], object]] = []  # what registers the rest (endpoint families load lazily)


def load_renderers_with(loader: Callable[[], object]) -> None:
    """Call ``loader`` the first time an event of a kind nobody registered yet is shown."""
    _LOADERS.append(loader)


def render_object(db: sqlite3.Connection, kind: str, object_id: int) -> dict[str, Any] | None:
    """The object an event points at, as bunq shows it, or None if it is gone."""
    if kind not in _RENDERERS:
        for loader in _LOADERS:
            loader()
    renderer = _RENDERERS.get(kind)
    return renderer(db, object_id) if renderer is not None else None


@dataclass(frozen=True)
class Event:
    """One committed event."""

    id: int
    user_id: int
    account_id: int | None
    action: str
    object_kind: str
    object_id: int
    created: float


Listener = Callable[[Event], None]


class EventLog:
    """Records events in the store and tells listeners once they are committed."""

    def __init__(self, store: Store, clock: Callable[[], float]) -> None:
        self.store = store
        self.clock = clock
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()

    def listen(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` with every committed event; returns a function that stops it."""
        with self._lock:
            self._listeners.append(listener)
        return lambda: self._remove(listener)

    def _remove(self, listener: Listener) -> None:
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def record(
        self,
        db: sqlite3.Connection,
        kind: str,
        object_id: int,
        *,
        user_id: int,
        account_id: int | None,
        action: str = "CREATE",
    ) -> Event:
        """Write an event in the caller's transaction; listeners hear of it after the commit."""
        created = self.clock()
        event_id = db.execute(
            "INSERT INTO events (user_id, account_id, action, object_kind, object_id, created, updated)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (user_id, account_id, action, kind, object_id, created, created),
        ).lastrowid
        event = Event(int(event_id), user_id, account_id, action, kind, object_id, created)
        self.store.after_commit(lambda: self._tell(event))
        return event

    def updated(
        self, db: sqlite3.Connection, kind: str, object_id: int, user_id: int, account_id: int
    ) -> Event:
        """``record`` of an UPDATE (the most common call, on one line)."""
        return self.record(db, kind, object_id, user_id=user_id, account_id=account_id, action="UPDATE")

    def _tell(self, event: Event) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            listener(event)
