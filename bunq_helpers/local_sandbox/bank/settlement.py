"""What falls due with time, settled when an account is next read (no background thread, so two
sandboxes on one state directory agree): sugar daddy's answers and scheduled payments."""

from __future__ import annotations

from .core import Bank
from .scheduling import run_due_schedules
from .sugar_daddy import settle_sugar_daddy


def settle_due(ctx: Bank, user_id: int) -> None:
    """Settle the user's sugar daddy requests, then every schedule run that is due."""
    settle_sugar_daddy(ctx, user_id)
    run_due_schedules(ctx)
