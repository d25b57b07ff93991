"""Text, HTML and curl forms of an exchange, and of errors, with secrets masked unless asked otherwise.

Display shows what was recorded and sends nothing: the transport records the bytes it signed and
their SHA-256 when it signs, and this module only formats them.

The HTML follows what survives every place a notebook is read (JupyterLab light and dark themes,
untrusted notebooks, nbconvert, Sphinx): inline styles only, no ``<style>``, no ``<script>``,
no CSS variables; text colour inherited; translucent grey borders; long parts in ``<details>``.
"""

from __future__ import annotations

import html
import json
import shlex
from typing import TYPE_CHECKING, Any

from ..errors import ApiError
from .masking import mask_text

if TYPE_CHECKING:
    from .exchange import Exchange

BORDER = "1px solid rgba(128,128,128,0.35)"
SHADE = "rgba(128,128,128,0.10)"
GOOD = "#2f9e44"
BAD = "#e03131"
MONO = "font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px"
BOX = f"border:{BORDER};border-radius:6px;padding:8px 12px;margin:6px 0;line-height:1.45"
PRE = f"{MONO};background:{SHADE};padding:6px 8px;border-radius:4px;white-space:pre-wrap;word-break:break-all;margin:4px 0"
HEAD_CELL = (
    f"{MONO};padding:1px 10px 1px 0;vertical-align:top;text-align:left;white-space:nowrap;font-weight:600"
)
SUMMARY = "cursor:pointer;font-weight:600;margin-top:4px"
CELL = f"{MONO};padding:1px 10px 1px 0;vertical-align:top;text-align:left;word-break:break-all"


def _mask(exchange: Exchange, text: str, reveal: bool) -> str:
    return text if reveal else mask_text(text, exchange.secrets)


def _body_text(body: bytes, *, pretty: bool) -> str:
    if not body:
        return "(empty body)"
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return f"({len(body)} bytes, not UTF-8)"
    if pretty:
        try:
            return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
        except ValueError:
            pass
    return text


def _status(exchange: Exchange) -> str:
    if exchange.status is None:
        return f"no answer: {exchange.error or 'the request was not completed'}"
    return f"{exchange.status} {exchange.reason}".strip()


def _signature_lines(exchange: Exchange) -> list[str]:
    if exchange.signature is None:
        return ["Not signed (no X-Bunq-Client-Signature)."]
    signed = exchange.signed_bytes or b""
    return [
        f"Bytes signed: the {len(signed)} body bytes exactly as sent"
        + (" (an empty body)" if not signed else ""),
        f"SHA-256 of those bytes: {exchange.signed_digest or '(not recorded)'}",
        f"RSA PKCS#1 v1.5 signature, base64 ({len(exchange.signature)} chars):",
        exchange.signature,
    ]


def _server_signature_line(exchange: Exchange) -> str:
    if exchange.server_signature_valid is None:
        return exchange.server_signature_note or "Server signature: not checked."
    verdict = "verified" if exchange.server_signature_valid else "INVALID"
    return f"Server signature: {verdict}. {exchange.server_signature_note}".strip()


def _extracted(exchange: Exchange) -> list[tuple[str, str]]:
    return [
        (name, value if isinstance(value, str) else json.dumps(value))
        for name, value in exchange.extracted.items()
    ]


def exchange_text(exchange: Exchange, *, reveal: bool = False) -> str:
    """The whole exchange as plain text."""
    lines = [
        f"── {exchange.title} " + "─" * max(3, 60 - len(exchange.title)),
        f"{exchange.method} {exchange.url}",
    ]
    lines += [f"{name}: {value}" for name, value in exchange.request_headers]
    lines += ["", _body_text(exchange.request_body, pretty=False), ""]
    lines += _signature_lines(exchange)
    lines += ["", f"← {_status(exchange)}  ({exchange.elapsed * 1000:.0f} ms)"]
    lines += [f"{name}: {value}" for name, value in exchange.response_headers]
    if exchange.status is not None:
        lines += ["", _body_text(exchange.response_body, pretty=True)]
    lines += ["", _server_signature_line(exchange)]
    if exchange.extracted:
        lines.append("Values picked out:")
        lines += [f"  {name} = {value}" for name, value in _extracted(exchange)]
    lines += ["", "As curl:", curl_command(exchange, reveal=True)]
    return _mask(exchange, "\n".join(lines), reveal)


def curl_command(exchange: Exchange, *, reveal: bool = False) -> str:
    """An equivalent curl command line (add ``--cacert`` for the local sandbox)."""
    skip = {"content-length", "accept-encoding", "connection", "accept"}
    parts = ["curl", "--request", exchange.method, shlex.quote(exchange.url)]
    for name, value in exchange.request_headers:
        if name.lower() not in skip:
            parts += ["\\\n  --header", shlex.quote(f"{name}: {value}")]
    if exchange.request_body:
        parts += ["\\\n  --data-binary", shlex.quote(exchange.request_body.decode("utf-8", "replace"))]
    return _mask(exchange, " ".join(parts), reveal)


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _cell(value: str) -> str:
    """A table cell's content: multi-line values keep their lines."""
    return f"<pre style='{PRE}'>{_esc(value)}</pre>" if "\n" in value else _esc(value)


def _table(rows: list[tuple[str, str]]) -> str:
    cells = "".join(
        f"<tr><th style='{HEAD_CELL}'>{_esc(k)}</th><td style='{CELL}'>{_cell(v)}</td></tr>" for k, v in rows
    )
    return f"<table style='border-collapse:collapse;margin:2px 0'>{cells}</table>"


def _details(summary: str, inner: str, *, open_: bool = True) -> str:
    return f"<details{' open' if open_ else ''}><summary style='{SUMMARY}'>{_esc(summary)}</summary>{inner}</details>"


def _pre(text: str) -> str:
    return f"<pre style='{PRE}'>{_esc(text)}</pre>"


def exchange_html(exchange: Exchange, *, reveal: bool = False) -> str:
    """The exchange as self-contained HTML with inline styles."""

    def m(text: str) -> str:
        return _mask(exchange, text, reveal)

    ok = exchange.status == 200
    colour = GOOD if ok else BAD
    response_id = exchange.response_id or "(none)"
    head = (
        f"<div style='font-weight:700;font-size:14px'>{_esc(exchange.title)}</div>"
        f"<div style='{MONO}'>{_esc(exchange.method)} {_esc(m(exchange.url))} "
        f"&rarr; <span style='color:{colour};font-weight:700'>{_esc(_status(exchange))}</span>"
        f" &middot; {exchange.elapsed * 1000:.0f} ms &middot; X-Bunq-Client-Response-Id {_esc(response_id)}</div>"
    )
    parts = [head]
    parts.append(_details("Request headers", _table([(k, m(v)) for k, v in exchange.request_headers])))
    parts.append(_details("Request body", _pre(m(_body_text(exchange.request_body, pretty=False)))))
    parts.append(
        _details(
            "Signature", _pre(m("\n".join(_signature_lines(exchange)))), open_=exchange.signature is not None
        )
    )
    parts.append(
        _details("Response headers", _table([(k, m(v)) for k, v in exchange.response_headers]), open_=False)
    )
    if exchange.status is not None:
        parts.append(_details("Response body", _pre(m(_body_text(exchange.response_body, pretty=True)))))
    sig_colour = {True: GOOD, False: BAD, None: "inherit"}[exchange.server_signature_valid]
    parts.append(
        f"<div style='margin-top:4px;color:{sig_colour}'>{_esc(m(_server_signature_line(exchange)))}</div>"
    )
    if exchange.extracted:
        parts.append(_details("Values picked out", _table([(k, m(v)) for k, v in _extracted(exchange)])))
    parts.append(_details("As curl", _pre(curl_command(exchange, reveal=reveal)), open_=False))
    return f"<div style='{BOX}'>{''.join(parts)}</div>"


def error_text(error: BaseException, secrets: dict[str, str] | None = None) -> str:
    """One line: the error's type and its message, masked."""
    return f"{type(error).__name__}: {mask_text(str(error), secrets or {})}"


def error_html(error: BaseException, secrets: dict[str, str] | None = None) -> str:
    """An error as HTML: for bunq's answers the status, what bunq said and what to check; the exchange.

    Everything shown is masked with ``secrets`` and the patterns, the exchange with its own secrets too.
    """
    if isinstance(error, ApiError):
        said = mask_text(error.description or "(no description)", secrets or {})
        lines = [
            f"<div style='color:{BAD};font-weight:700'>{_esc(type(error).__name__)}: HTTP {error.status}</div>",
            f"<div><b>bunq said:</b> {_esc(said)}</div>",
            f"<div><b>What to check:</b> {_esc(error.hint)}</div>",
            f"<div style='{MONO}'>X-Bunq-Client-Response-Id: {_esc(error.response_id or '(none)')}</div>",
        ]
    else:
        lines = [
            f"<div style='color:{BAD};font-weight:700'>{_esc(type(error).__name__)}</div>",
            f"<pre style='{PRE}'>{_esc(mask_text(str(error), secrets or {}))}</pre>",
        ]
    exchange = getattr(error, "exchange", None)
    if exchange is not None:
        shown = mask_text(exchange.html(), secrets or {})
        lines.append(_details("The exchange", shown, open_=False))
    return f"<div style='{BOX}'>{''.join(lines)}</div>"


def values_html(title: str, rows: dict[str, Any]) -> str:
    """A small titled table of values (already masked by the caller)."""
    body = _table([(k, v if isinstance(v, str) else json.dumps(v)) for k, v in rows.items()])
    return f"<div style='{BOX}'><div style='font-weight:700'>{_esc(title)}</div>{body}</div>"
