"""What the site's and JupyterLab's browser tests both check on a rendered notebook."""

from __future__ import annotations

from tests.helpers import SCREENSHOTS

PLACEHOLDERS = ("<IPython.core.display", "IPython.core.display.JSON object", "<Exchange ")
DRAWN = {
    "00_start_here": 1,
    "03_add_a_session": 1,
    "05_api_context_over_time": 2,
    "08_acting_for_another_user": 1,
    "09_psd2_providers": 1,
}
"""Notebooks with pictures (inline SVG drawn from the run's exchanges): how many each shows."""


def shoot_diagrams(page, name: str, expected: int, within: str = "") -> None:
    """Check the notebook's inline SVG pictures are drawn (sized, with text) and screenshot each; only
    those inside the ``within`` selector, if given."""
    diagrams = page.locator(f"{within} svg[role='img']".strip())
    assert diagrams.count() == expected, f"{name}: {diagrams.count()} diagrams, expected {expected}"
    for index in range(expected):
        diagram = diagrams.nth(index)
        diagram.scroll_into_view_if_needed()
        box = diagram.bounding_box()
        assert box and box["width"] > 300 and box["height"] > 100, f"{name}: diagram {index} is not drawn"
        assert diagram.locator("text").count() >= 5
        diagram.screenshot(path=str(SCREENSHOTS / f"{name}-diagram-{index}.png"))
