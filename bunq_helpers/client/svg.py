"""A few SVG elements as text, for the diagrams the notebooks draw (no library, nothing to fetch).

What survives every place a notebook is read: no ``<style>``, no ``<script>``, no CSS variables.
Lines and text use ``currentColor``, so a diagram takes the page's text colour and reads in light
and dark themes alike; accents are the plain green and red the exchanges use. Every text is escaped.
"""

from __future__ import annotations

from html import escape

INK = "currentColor"
FAINT = "0.45"
FONT = "ui-sans-serif,system-ui,-apple-system,'Segoe UI',Roboto,sans-serif"
MONO_FONT = "ui-monospace,SFMono-Regular,Menlo,Consolas,monospace"
GOOD = "#2f9e44"
BAD = "#e03131"


def _attrs(attrs: dict[str, object]) -> str:
    return "".join(
        f' {name.rstrip("_").replace("_", "-")}="{escape(str(value), quote=True)}"'
        for name, value in attrs.items()
        if value is not None
    )


def element(tag: str, content: str = "", **attrs: object) -> str:
    """``<tag attrs>content</tag>`` (``content`` is markup, already escaped)."""
    return f"<{tag}{_attrs(attrs)}>{content}</{tag}>" if content else f"<{tag}{_attrs(attrs)}/>"


def text(x: float, y: float, content: str, *, size: int = 12, mono: bool = False, **attrs: object) -> str:
    """One line of text; ``content`` is escaped. The trailing space keeps words apart where a sanitiser
    drops the SVG and leaves only the text (SVG itself trims it)."""
    attrs.setdefault("fill", INK)
    return element(
        "text",
        escape(content) + " ",
        x=round(x, 1),
        y=round(y, 1),
        font_family=MONO_FONT if mono else FONT,
        font_size=size,
        **attrs,
    )


def line(x1: float, y1: float, x2: float, y2: float, **attrs: object) -> str:
    """A straight line in the text colour unless told otherwise."""
    attrs.setdefault("stroke", INK)
    return element("line", x1=round(x1, 1), y1=round(y1, 1), x2=round(x2, 1), y2=round(y2, 1), **attrs)


def arrow_head(x: float, y: float, pointing_right: bool, colour: str = INK) -> str:
    """A small filled triangle with its tip at (x, y)."""
    back = -8 if pointing_right else 8
    points = f"{x:.1f},{y:.1f} {x + back:.1f},{y - 4:.1f} {x + back:.1f},{y + 4:.1f}"
    return element("polygon", points=points, fill=colour)


def document(width: int, height: int, title: str, description: str, body: str) -> str:
    """A standalone ``<svg>``: sized, titled (for screen readers), described."""
    return element(
        "svg",
        element("title", escape(title)) + element("desc", ". " + escape(description) + " ") + body,
        xmlns="http://www.w3.org/2000/svg",
        width=width,
        height=height,
        viewBox=f"0 0 {width} {height}",
        role="img",
        style=f"max-width:100%;min-width:{min(width, MIN_WIDTH)}px;height:auto;color:inherit",
    )


MIN_WIDTH = 600
"""Narrower than this a diagram stops shrinking (its 11 px text would fall under 9 px) and scrolls
sideways inside ``SCROLLER`` instead."""
SCROLLER = "overflow-x:auto;max-width:100%"
"""The style of the box around a diagram: at phone width it scrolls, the text stays readable."""
