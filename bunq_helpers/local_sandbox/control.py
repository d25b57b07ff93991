"""The sandbox's own operations, one place for all three ways in: ``LocalSandbox``'s methods, the
``/_sandbox/`` API (``sandbox_api``) and the command line (``sandbox_cli``).

Journal, clock, snapshots, scenarios, triggers, and an overview of users, accounts and callbacks
for the dashboard. Nothing here is in bunq's namespace; nothing here is reachable by a client that
is not on this machine (``sandbox_api`` checks that).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from .amounts import cents_to_value
from .app import SandboxApp
from .bank.snapshots import Snapshots
from .callbacks import CallbackDelivery
from .explain import mask

MAX_SHOWN = 200  # rows of each kind the overview shows


class SandboxControl:
    """What ``/_sandbox/`` can do, over one running sandbox."""

    def __init__(
        self, app: SandboxApp, state_dir: Path, callbacks: Callable[[], CallbackDelivery | None]
    ) -> None:
        self.app = app
        self.store = app.context.store
        self.clock = app.clock
        self.snapshots = Snapshots(self.store, state_dir)
        self._callbacks = callbacks

    # -- journal ---------------------------------------------------------------------------------

    def journal(self, **filters: Any) -> list[dict[str, Any]]:
        """Journal entries, newest first (filters: request_id, response_id, status, path, limit)."""
        return [entry.to_json() for entry in self.app.journal.entries(**filters)]

    # -- state -----------------------------------------------------------------------------------

    def reset(self) -> None:
        """Wipe the state (tokens wiped are remembered so a later use is explained as a reset)."""
        tokens = [row[0] for row in self.store.read().execute("SELECT token FROM tokens").fetchall()]
        self.app.journal.forget_tokens(tokens, self.clock())
        self.store.reset()
        self.app.rate_limiter.clear()

    def restore(self, name: str) -> dict[str, Any]:
        """Restore snapshot ``name`` (tokens that vanish with it are explained as a reset)."""
        before = {row[0] for row in self.store.read().execute("SELECT token FROM tokens").fetchall()}
        restored = self.snapshots.restore(name)
        after = {row[0] for row in self.store.read().execute("SELECT token FROM tokens").fetchall()}
        self.app.journal.forget_tokens(before - after, self.clock())
        self.app.rate_limiter.clear()
        return restored

    def load_scenario(self, name: str) -> dict[str, Any]:
        """Wipe the state and seed scenario ``name``."""
        from .scenarios import load_scenario  # scenarios and triggers use endpoint families: loaded on use

        tokens = [row[0] for row in self.store.read().execute("SELECT token FROM tokens").fetchall()]
        loaded = load_scenario(self.app.context, name)
        self.app.journal.forget_tokens(tokens, self.clock())
        return loaded

    def create_user(self, company: bool = False) -> dict[str, Any]:
        """A new sandbox user (person or company) with its account and API key."""
        from .scenarios import new_user

        return new_user(self.app.context, company=company)

    def trigger(self, name: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """Make an event happen (see ``triggers``)."""
        from .triggers import run_trigger

        return {"trigger": name, "made": run_trigger(self.app.context, name, dict(params or {}))}

    @staticmethod
    def catalogue() -> dict[str, Any]:
        """The triggers and scenarios there are."""
        from .scenarios import describe as describe_scenarios
        from .triggers import describe as describe_triggers

        return {"triggers": describe_triggers(), "scenarios": describe_scenarios()}

    def overview(self) -> dict[str, Any]:
        """Users, accounts with balances, sessions and callbacks: what the dashboard shows."""
        db = self.store.read()
        now = self.clock()
        users = [
            {
                "id": row["id"],
                "kind": row["kind"],
                "display_name": row["display_name"],
                "api_keys": [mask(k) for k in (row["keys"] or "").split(",") if k],
                "live_sessions": row["live"],
            }
            for row in db.execute(
                "SELECT u.*, (SELECT group_concat(api_key) FROM credentials c WHERE c.user_id = u.id) AS keys,"
                " (SELECT COUNT(*) FROM sessions s WHERE s.user_id = u.id AND s.closed = 0 AND s.expires_at > ?)"
                " AS live FROM users u ORDER BY u.id LIMIT ?",
                (now, MAX_SHOWN),
            ).fetchall()
        ]
        accounts = [
            {
                "id": row["id"],
                "user_id": row["user_id"],
                "iban": row["iban"],
                "description": row["description"],
                "balance": {"value": cents_to_value(row["balance_cents"]), "currency": row["currency"]},
                "status": row["status"],
                "payments": row["payments"],
            }
            for row in db.execute(
                "SELECT a.*, (SELECT COUNT(*) FROM payments p WHERE p.account_id = a.id) AS payments"
                " FROM accounts a ORDER BY a.id LIMIT ?",
                (MAX_SHOWN,),
            ).fetchall()
        ]
        filters = [
            dict(row)
            for row in db.execute(
                "SELECT id, user_id, account_id, category, target FROM notification_filters ORDER BY id LIMIT ?",
                (MAX_SHOWN,),
            ).fetchall()
        ]
        delivery = self._callbacks()
        deliveries = [
            {
                "id": d.id,
                "event_type": d.event_type,
                "category": d.category,
                "target_url": d.target_url,
                "outcome": d.outcome,
                "attempts": len(d.attempts),
                "last_error": d.attempts[-1].error if d.attempts else None,
            }
            for d in (delivery.deliveries if delivery is not None else [])[-MAX_SHOWN:]
        ][::-1]
        return {
            "clock": self.clock.to_json(),
            "users": users,
            "accounts": accounts,
            "notification_filters": filters,
            "callbacks": deliveries,
            "snapshots": self.snapshots.list(),
        }
