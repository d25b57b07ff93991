"""The handshake as a sequence diagram, drawn from real exchanges: your code on the left, bunq on the right.

Each exchange becomes an ``Arrow``: the call (method and path), which token it carried and whether it
was signed, then the answer coming back (status, and what the ``Response`` array held, or bunq's error).
Arrows hold names and statuses only, never a token or key, so they can be kept between notebooks
(``HandshakeLog``) and drawn in a later one. ``SequenceDiagram`` renders as inline SVG in a notebook
and as text elsewhere.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..crypto.atomic_file import write_atomically
from . import svg
from .display import BORDER, BOX, INSTALLATION_TOKEN_CALLS, TOKEN_COLOURS
from .masking import mask_text

if TYPE_CHECKING:
    from .exchange import Exchange

AUTH_HEADER = "X-Bunq-Client-Authentication"
LABEL_CHARS = 78

WIDTH = 760
LEFT, RIGHT = 110, 650
TOP = 64
STEP = 92


@dataclass(frozen=True)
class Arrow:
    """One call and its answer, as the diagram shows them (no secrets)."""

    method: str
    path: str
    token: str
    signed: bool
    status: int | None
    answer: str
    elapsed_ms: int = 0

    @classmethod
    def from_exchange(cls, exchange: Exchange, tokens: Mapping[str, str] | None = None) -> Arrow:
        """The arrow for an exchange; ``tokens`` names known token values (value -> "session token")."""
        return cls(
            method=exchange.method,
            path=mask_text(exchange.path, exchange.secrets),  # a query can carry secrets (OAuth's code)
            token=token_name(exchange, tokens),
            signed=exchange.signature is not None,
            status=exchange.status,
            answer=answer_summary(exchange),
            elapsed_ms=round(exchange.elapsed * 1000),
        )

    @property
    def ok(self) -> bool:
        """Whether bunq answered 200 (or, for OAuth's page, redirected as asked: 302)."""
        return self.status in (200, 302)

    @property
    def call(self) -> str:
        """``POST /v1/installation``."""
        return f"{self.method} {self.path}"

    @property
    def carried(self) -> str:
        """``installation token · signed``."""
        return f"{self.token} · {'signed' if self.signed else 'not signed'}"

    @property
    def came_back(self) -> str:
        """``200 · Id, Token, ServerPublicKey``."""
        status = "no answer" if self.status is None else str(self.status)
        return _clip(f"{status} · {self.answer}" if self.answer else status)


STEP_NUMBERS = {
    "/v1/sandbox-user-person": 0,
    "/v1/sandbox-user-company": 0,
    "/v1/installation": 1,
    "/v1/device-server": 2,
    "/v1/session-server": 3,
}
"""The handshake's steps, numbered as everywhere (README, notebooks 00-03, the command line): step 0 the
API key, 1 the installation, 2 the device, 3 the session."""


def step_numbers(arrows: Iterable[Arrow]) -> list[int]:
    """Each arrow's number: a handshake call's step number, any other call the next number after."""
    numbers, last = [], -1
    for arrow in arrows:
        number = STEP_NUMBERS.get(arrow.path) if arrow.method == "POST" else None
        last = number if number is not None else last + 1
        numbers.append(last)
    return numbers


def token_name(exchange: Exchange, tokens: Mapping[str, str] | None = None) -> str:
    """Which token the request carried, by name: known values first, else bunq's rule for the path."""
    value = exchange.request_header(AUTH_HEADER)
    if not value:
        return "no token"
    if tokens is not None:
        return tokens.get(value, "an unknown token")
    return "installation token" if exchange.path in INSTALLATION_TOKEN_CALLS else "session token"


def answer_summary(exchange: Exchange) -> str:
    """What came back: the items of bunq's ``Response`` array, bunq's error, or why there was no answer."""
    if exchange.status is None:
        return exchange.error or "the request was not completed"
    body = exchange.response_json()
    if isinstance(body, dict) and isinstance(body.get("Error"), list):
        texts = [str(e.get("error_description", "")) for e in body["Error"] if isinstance(e, dict)]
        return " ".join(texts) or exchange.reason
    if isinstance(body, dict) and isinstance(body.get("Response"), list):
        names = [next(iter(item), "?") for item in body["Response"] if isinstance(item, dict) and item]
        if not names:
            return "an empty Response"
        counted = {name: names.count(name) for name in names}
        return ", ".join(name if n == 1 else f"{n}× {name}" for name, n in counted.items())
    return exchange.reason


def _clip(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def sequence_svg(arrows: list[Arrow], title: str, *, server: str = "bunq") -> str:
    """The diagram as an SVG document: one request arrow and one answer arrow per exchange."""
    height = TOP + STEP * len(arrows) + 24
    parts = []
    for x, name in ((LEFT, "your code"), (RIGHT, server)):
        label, _, detail = name.partition(" (")
        parts.append(
            svg.element(
                "rect",
                x=x - 100,
                y=4,
                width=200,
                height=40,
                rx=6,
                fill="none",
                stroke=svg.INK,
                stroke_opacity=svg.FAINT,
            )
        )
        parts.append(
            svg.text(x, 22 if detail else 29, label, size=13, text_anchor="middle", font_weight="600")
        )
        if detail:
            parts.append(
                svg.text(x, 37, detail.rstrip(")"), size=10, text_anchor="middle", fill_opacity="0.75")
            )
        parts.append(
            svg.line(
                x, 44, x, height - 8, stroke_opacity=svg.FAINT, stroke_dasharray="4 4", class_="lifeline"
            )
        )
    for index, (number, arrow) in enumerate(zip(step_numbers(arrows), arrows, strict=True)):
        y = TOP + STEP * index
        middle = (LEFT + RIGHT) / 2
        parts.append(
            svg.element(
                "g",
                svg.text(middle, y + 4, f"{number}. {_clip(arrow.call)}", mono=True, text_anchor="middle")
                + svg.line(LEFT, y + 12, RIGHT - 2, y + 12, stroke_width=1.5)
                + svg.arrow_head(RIGHT, y + 12, pointing_right=True)
                + svg.text(
                    middle,
                    y + 28,
                    arrow.carried,
                    size=11,
                    text_anchor="middle",
                    fill=TOKEN_COLOURS.get(arrow.token, svg.INK).replace("inherit", svg.INK),
                    font_weight="600" if TOKEN_COLOURS.get(arrow.token, "inherit") != "inherit" else None,
                ),
                class_="request",
            )
        )
        colour = svg.GOOD if arrow.ok else svg.BAD
        answer = f"{arrow.came_back} ({arrow.elapsed_ms} ms)."
        parts.append(
            svg.element(
                "g",
                svg.line(
                    RIGHT, y + 46, LEFT + 2, y + 46, stroke=colour, stroke_width=1.5, stroke_dasharray="6 3"
                )
                + svg.arrow_head(LEFT, y + 46, pointing_right=False, colour=colour)
                + svg.text(middle, y + 62, answer, size=11, text_anchor="middle", mono=True),
                class_="answer",
            )
        )
    description = (
        f"A sequence diagram: each numbered call goes from your code to {server}, then its "
        "answer comes back. (Shown as text where the notebook is not trusted: run the cell to draw it.)"
    )
    return svg.document(WIDTH, height, title, description, "".join(parts))


@dataclass
class SequenceDiagram:
    """A sequence diagram of some exchanges: SVG in a notebook, text elsewhere."""

    title: str
    arrows: list[Arrow]
    server: str = "bunq"
    caption: str = ""

    def svg(self) -> str:
        """The SVG document."""
        return sequence_svg(self.arrows, self.title, server=self.server)

    def _repr_html_(self) -> str:
        caption = (
            f"<div style='font-size:12px;opacity:0.8'>{escape(self.caption)}</div>" if self.caption else ""
        )
        heading = f"<div style='font-weight:700;margin-bottom:4px'>{escape(self.title)}</div>"
        return f"<div style='{BOX};border:{BORDER};{svg.SCROLLER}'>{heading}{self.svg()}{caption}</div>"

    def __repr__(self) -> str:
        lines = [self.title]
        for number, arrow in zip(step_numbers(self.arrows), self.arrows, strict=True):
            lines.append(f"  {number}. {arrow.call}  [{arrow.carried}]")
            lines.append(f"     ← {arrow.came_back} ({arrow.elapsed_ms} ms)")
        return "\n".join(lines)


def sequence_diagram(
    exchanges: Iterable[Exchange],
    title: str,
    *,
    tokens: Mapping[str, str] | None = None,
    server: str = "bunq",
    caption: str = "",
) -> SequenceDiagram:
    """Draw these exchanges, in order."""
    return SequenceDiagram(title, [Arrow.from_exchange(e, tokens) for e in exchanges], server, caption)


HANDSHAKE_STEPS = ("sandbox-user", "installation", "device-server", "session-server")


@dataclass
class HandshakeLog:
    """The arrow of the call that made each handshake step the context holds, kept in a small JSON file
    next to the context (no secrets in it), so a later notebook can draw the whole handshake."""

    path: Path
    arrows: dict[str, Arrow] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> HandshakeLog:
        """The log at ``path``, or an empty one (a missing or unreadable log only loses the drawing)."""
        try:
            data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            arrows = {step: Arrow(**data[step]) for step in HANDSHAKE_STEPS if step in data}
        except (OSError, ValueError, TypeError):
            arrows = {}
        return cls(path, arrows)

    def record(self, step: str, arrow: Arrow) -> None:
        """Keep the arrow that made ``step``; a new installation makes the device and session of the old one
        history, so they are dropped."""
        self.arrows[step] = arrow
        if step == "installation":
            self.arrows.pop("device-server", None)
            self.arrows.pop("session-server", None)

    def save(self) -> None:
        """Write the log (atomically, owner-only)."""
        data = {step: asdict(arrow) for step, arrow in self.arrows.items()}
        write_atomically(self.path, json.dumps(data, indent=2) + "\n")

    def in_order(self) -> list[Arrow]:
        """The arrows in handshake order."""
        return [self.arrows[step] for step in HANDSHAKE_STEPS if step in self.arrows]
