"""A session's life on one line, drawn from the API context and the last exchange: created, the last
call, the windows in which a call extends the session (bunq's two texts), and the expiry.

A week-long session and a 30-second window do not fit one linear scale, so the scale is cut: most of
the width covers the session up to its last hour, then the last hour, then the last minute, each cut
marked. Times come from the context (the expiry, ``session_timeout``) and from the ``Date`` header of
the last answer, which is the server's clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from html import escape
from itertools import pairwise
from typing import TYPE_CHECKING

from . import svg
from .display import BOX, human_duration

if TYPE_CHECKING:
    from .exchange import Exchange
    from .records import Session

API_REFERENCE_WINDOW = dt.timedelta(seconds=30)
"""bunq's API reference: a call in a session's last 30 seconds extends it (by at most 5 minutes)."""
MAX_EXTENSION = dt.timedelta(minutes=5)
"""The API reference: an extension moves the expiry to the call + the timeout, but never more than 5 minutes."""
API_KEYS_PAGE_WINDOW = dt.timedelta(minutes=30)
"""bunq's Authentication / API Keys page: a call made 30 minutes before expiry extends the session."""

WIDTH, HEIGHT = 760, 200
LEFT, RIGHT = 40, 720
BAR_Y = 92
LABEL_ROOM = 380  # a window starting further left has its label inside it
CUTS = (dt.timedelta(hours=1), dt.timedelta(minutes=1))
SHARES = {3: (0.55, 0.27, 0.18), 2: (0.7, 0.3), 1: (1.0,)}


def server_time(exchange: Exchange | None, *, precise: bool = False) -> dt.datetime | None:
    """When the server answered, from its ``Date`` header (None without one). ``precise``: the header
    counts whole seconds, too coarse for a session of seconds; then the moment the answer arrived here."""
    if exchange is not None and precise and exchange.answered_at is not None:
        return exchange.answered_at
    value = exchange.response_header("Date") if exchange is not None else None
    try:
        return parsedate_to_datetime(value).astimezone(dt.timezone.utc) if value else None
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class Scale:
    """A piecewise-linear time scale: cut before the last hour and the last minute of long sessions."""

    start: dt.datetime
    end: dt.datetime

    @property
    def breaks(self) -> list[dt.datetime]:
        """The segment boundaries, from start to end."""
        inner = [self.end - cut for cut in CUTS if self.end - cut > self.start + cut]
        return [self.start, *inner, self.end]

    def x(self, when: dt.datetime) -> float:
        """The x position of a moment (clamped to the bar)."""
        breaks = self.breaks
        shares = SHARES[len(breaks) - 1]
        when = min(max(when, self.start), self.end)
        x = float(LEFT)
        for (a, b), share in zip(pairwise(breaks), shares, strict=True):
            width = share * (RIGHT - LEFT)
            if when <= b:
                span = (b - a).total_seconds() or 1.0
                return x + width * (when - a).total_seconds() / span
            x += width
        return float(RIGHT)


@dataclass
class SessionTimeline:
    """A session from creation to expiry, with its last call and the extension windows."""

    session_id: int
    created: dt.datetime
    expires_at: dt.datetime
    timeout: int
    last_call: dt.datetime | None = None

    @property
    def extended_to(self) -> dt.datetime | None:
        """Where the last call moved the expiry, by the API reference's rule (the local sandbox's): a call
        in the last 30 s extends the session to the call + min(timeout, 5 minutes). None if it did not."""
        call = self.last_call
        if call is None or not (self.expires_at - API_REFERENCE_WINDOW <= call <= self.expires_at):
            return None
        moved = call + min(dt.timedelta(seconds=self.timeout), MAX_EXTENSION)
        return moved if moved > self.expires_at else None

    @property
    def title(self) -> str:
        """One line: which session, and how long it lives."""
        length = human_duration(self.timeout)
        if length != f"{self.timeout} s":
            length += f" ({self.timeout} s)"
        title = f"Session {self.session_id}: {length} from creation to expiry"
        extended = self.extended_to
        if extended is not None:
            seconds = (extended - self.expires_at).total_seconds()
            by = f"{seconds:.1f} s" if seconds < 60 else human_duration(seconds)
            title += f"; the last call extended it by {by}"
        return title

    def _moment(self, when: dt.datetime) -> str:
        shown = when.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
        return (shown[:-5] if self.timeout < 120 else shown[:-7]) + " UTC"  # tenths for a short session

    def svg(self) -> str:
        """The timeline as an SVG document."""
        extended = self.extended_to
        scale = Scale(self.created, extended or self.expires_at)
        parts = [svg.line(LEFT, BAR_Y, RIGHT, BAR_Y, stroke_width=3, class_="session")]
        for cut in scale.breaks[1:-1]:
            x = scale.x(cut)
            for dx in (-3, 3):  # a cut in the scale: two slanted strokes across the bar
                parts.append(
                    svg.line(x + dx - 3, BAR_Y + 8, x + dx + 3, BAR_Y - 8, stroke_width=2, class_="cut")
                )
            left = self.expires_at - cut
            parts.append(
                svg.text(
                    x,
                    BAR_Y + 40,
                    f"−{human_duration(left.total_seconds())}",
                    size=10,
                    text_anchor="middle",
                    fill_opacity="0.7",
                )
            )
        rows = (
            (
                API_KEYS_PAGE_WINDOW,
                22,
                "#e8590c",
                "bunq's API Keys page: a call in the last 30 min extends it",
            ),
            (
                API_REFERENCE_WINDOW,
                46,
                "#1c7ed6",
                "API reference (and the local sandbox): last 30 s, by ≤ 5 min",
            ),
        )
        for window, y, colour, label in rows:
            start = max(self.expires_at - window, self.created)
            x0, x1 = scale.x(start), scale.x(extended or self.expires_at)
            parts.append(
                svg.element(
                    "g",
                    svg.element(
                        "rect",
                        x=round(x0, 1),
                        y=y,
                        width=round(max(x1 - x0, 2), 1),
                        height=16,
                        fill=colour,
                        fill_opacity="0.35",
                        stroke=colour,
                    )
                    + (
                        svg.text(x0 - 6, y + 12, label, size=11, text_anchor="end")
                        if x0 > LABEL_ROOM
                        else svg.text(x0 + 6, y + 12, label, size=11)
                    ),
                    class_="window",
                )
            )
        marks = [(self.created, "created", 0), (self.expires_at, "expiry", 0)]
        if extended is not None:
            marks = [(self.created, "created", 0), (self.expires_at, "expiry as opened", 0)]
            marks.append((extended, "extended to", 1))
        if self.last_call is not None:
            marks.append((self.last_call, "last call", 1))
        for when, label, row in marks:
            x = scale.x(when)
            anchor = "start" if x < LEFT + 60 else "end" if x > RIGHT - 60 else "middle"
            parts.append(
                svg.element(
                    "g",
                    svg.element("circle", cx=round(x, 1), cy=BAR_Y, r=5, fill=svg.INK)
                    + svg.text(
                        x, BAR_Y + 58 + 30 * row, label, size=12, text_anchor=anchor, font_weight="600"
                    )
                    + svg.text(
                        x,
                        BAR_Y + 72 + 30 * row,
                        self._moment(when),
                        size=10,
                        mono=True,
                        text_anchor=anchor,
                        fill_opacity="0.8",
                    ),
                    class_="mark",
                )
            )
        description = (
            f"Created {self._moment(self.created)}, expires {self._moment(self.expires_at)}"
            + (f", last call {self._moment(self.last_call)}" if self.last_call else "")
            + (f", which extended it to {self._moment(extended)}" if extended else "")
            + ". The two shaded windows are where a call extends the session, by bunq's two texts."
        )
        return svg.document(WIDTH, HEIGHT, self.title, description, "".join(parts))

    def _repr_html_(self) -> str:
        return (
            f"<div style='{BOX};{svg.SCROLLER}'><div style='font-weight:700;margin-bottom:4px'>"
            f"{escape(self.title)}</div>{self.svg()}</div>"
        )

    def __repr__(self) -> str:
        lines = [
            self.title,
            f"  created    {self._moment(self.created)}",
            f"  last call  {self._moment(self.last_call) if self.last_call else '(none yet)'}",
            f"  extension  API Keys page: from {self._moment(self.expires_at - API_KEYS_PAGE_WINDOW)}; "
            f"API reference and the local sandbox: from {self._moment(self.expires_at - API_REFERENCE_WINDOW)}",
            f"  expiry     {self._moment(self.expires_at)}",
        ]
        if self.extended_to is not None:
            lines.append(f"  extended   to {self._moment(self.extended_to)} by the last call")
        return "\n".join(lines)


def session_timeline(session: Session, last_exchange: Exchange | None = None) -> SessionTimeline:
    """The timeline of ``session`` (from the context), with the server's time of ``last_exchange``."""
    created = session.expires_at - dt.timedelta(seconds=session.session_timeout)
    precise = session.session_timeout < 120  # a short session: seconds matter
    return SessionTimeline(
        session.id,
        created,
        session.expires_at,
        session.session_timeout,
        server_time(last_exchange, precise=precise),
    )
