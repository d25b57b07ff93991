"""Text, HTML and curl forms of an exchange, and of errors, with secrets masked unless asked otherwise.

Display shows what was recorded and sends nothing: the transport records the bytes it signed and
their SHA-256 when it signs, and this module only formats them. Request headers are listed bunq's
first, then what ``requests`` adds; bodies longer than a screen start collapsed with a summary.

The curl form is replayable and holds no secret: the base URL, the CA file and every secret come from
shell variables (``$BUNQ_BASE_URL``, ``$BUNQ_CA_FILE``, ``$BUNQ_API_KEY``, ``$BUNQ_INSTALLATION_TOKEN``,
``$BUNQ_SESSION_TOKEN``; ``python -m bunq_helpers show-context --export-shell`` prints them), each
replay gets a new request id (bunq refuses a reused one), and the body is sent byte for byte, so the
recorded signature still matches it.

The HTML follows what survives every place a notebook is read (JupyterLab light and dark themes,
untrusted notebooks, nbconvert, Sphinx): inline styles only, no ``<style>``, no ``<script>``,
no CSS variables; text colour inherited; translucent grey borders; long parts in ``<details>``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..errors import ApiError
from .masking import API_KEY, mask_text

if TYPE_CHECKING:
    from .exchange import Exchange

BORDER = "1px solid rgba(128,128,128,0.35)"
SHADE = "rgba(128,128,128,0.10)"
GOOD = "#2f9e44"
BAD = "#e03131"
MONO = "font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px"
BOX = f"border:{BORDER};border-radius:6px;padding:8px 12px;margin:6px 0;line-height:1.45"
COMPACT_BOX = f"border:{BORDER};border-radius:6px;padding:3px 10px;margin:3px 0;line-height:1.4"
PRE = f"{MONO};background:{SHADE};padding:6px 8px;border-radius:4px;white-space:pre-wrap;word-break:break-all;margin:4px 0"
HEAD_CELL = (
    f"{MONO};padding:1px 10px 1px 0;vertical-align:top;text-align:left;white-space:nowrap;font-weight:600"
)
SUMMARY = "cursor:pointer;font-weight:600;margin-top:4px"
CELL = f"{MONO};padding:1px 10px 1px 0;vertical-align:top;text-align:left;word-break:break-all"
LONG_LINES = 30
MINUTE = 60
"""A body or value with more lines than this starts collapsed, behind a one-line summary."""

HEADER_ORDER = (
    "x-bunq-client-authentication",
    "x-bunq-client-signature",
    "x-bunq-client-request-id",
    "x-bunq-geolocation",
    "x-bunq-language",
    "x-bunq-region",
    "cache-control",
    "user-agent",
    "content-type",
)
"""bunq's request headers (its Headers page), in the order they are listed; anything else comes after."""
REQUESTS_DEFAULTS = {"content-length", "accept-encoding", "connection", "accept"}
"""What ``requests`` adds on its own; left out of the curl form (curl adds its own)."""
INSTALLATION_TOKEN_CALLS = ("/v1/device-server", "/v1/session-server")
"""The calls that take the installation token; every other authenticated call takes the session token."""
TOKEN_COLOURS = {"installation token": "#c2255c", "session token": "#1971c2", "no token": "inherit"}
"""Each token's colour, the same in the exchanges and the sequence diagrams; both read on white and
on JupyterLab's dark grey (contrast above 3:1 on each)."""
DOCS_BUILD_VARIABLE = "DOCS_BUNQ_HELPERS_BUILD"
"""Set by the documentation build: a loopback port (the build's sandbox, gone with it) shows as <port>."""


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


def bunq_headers_first(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """bunq's headers in the order of its Headers page, then the others (``requests``' defaults) as sent."""

    def rank(pair: tuple[str, str]) -> int:
        name = pair[0].lower()
        if name in HEADER_ORDER:
            return HEADER_ORDER.index(name)
        return len(HEADER_ORDER) + (1 if name in REQUESTS_DEFAULTS else 0)

    return sorted(headers, key=rank)


def human_duration(seconds: float) -> str:
    """``604800`` -> ``7 days``; ``90`` -> ``1 min 30 s``; ``3`` -> ``3 s``."""
    seconds = round(seconds)
    sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
    parts = []
    for size, name in ((86400, "day"), (3600, "h"), (60, "min"), (1, "s")):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count} {name}{'s' if name == 'day' and count != 1 else ''}")
        if len(parts) == 2:
            break
    return sign + (" ".join(parts) or "0 s")


def with_duration(name: str, value: Any) -> Any:
    """A value in seconds, named so (``session_timeout``, ``…_seconds``), with its human form added."""
    lowered = name.lower()
    if (
        isinstance(value, int)
        and not isinstance(value, bool)
        and ("timeout" in lowered or lowered.endswith("seconds"))
    ):
        return f"{value} s ({human_duration(value)})" if value >= MINUTE else f"{value} s"
    return value


def shown_url(url: str) -> str:
    """The URL as a reader should see it: in the documentation build a loopback port is ``<port>``."""
    if os.environ.get(DOCS_BUILD_VARIABLE, "") in ("", "0") or not _is_loopback(url):
        return url
    return re.sub(r"^(https://[^/:]+):\d+", r"\1:<port>", url, count=1)


def token_of(exchange: Exchange) -> str:
    """Which token the request carried: ``no token``, ``installation token`` or ``session token``."""
    if exchange.received or not exchange.request_header("X-Bunq-Client-Authentication"):
        return "no token"
    return "installation token" if exchange.path in INSTALLATION_TOKEN_CALLS else "session token"


def _signature_lines(exchange: Exchange) -> list[str]:
    if exchange.received:
        if exchange.signature is None:
            return ["No X-Bunq-Server-Signature header: nobody vouches for these bytes."]
        return [
            f"The {len(exchange.request_body)} body bytes exactly as they arrived; the signature below "
            "is the sender's claim, checked with bunq's server key (the line under the answer says whether "
            "bunq really signed them)",
            f"SHA-256 of those bytes: {body_digest_text(exchange.request_body)}",
            f"X-Bunq-Server-Signature as received, base64 ({len(exchange.signature)} chars):",
            exchange.signature,
        ]
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


def body_digest_text(body: bytes) -> str:
    """SHA-256 of ``body``, hex."""
    return hashlib.sha256(body).hexdigest()


def _server_signature_line(exchange: Exchange) -> str:
    if exchange.server_signature_valid is None:
        return exchange.server_signature_note or "Server signature: not checked."
    verdict = "verified" if exchange.server_signature_valid else "INVALID"
    return f"Server signature: {verdict}. {exchange.server_signature_note}".strip()


def _extracted(exchange: Exchange) -> list[tuple[str, str]]:
    rows = []
    for name, value in exchange.extracted.items():
        value = with_duration(name, value)
        rows.append((name, value if isinstance(value, str) else json.dumps(value)))
    return rows


def exchange_text(exchange: Exchange, *, reveal: bool = False) -> str:
    """The whole exchange as plain text."""
    lines = [
        f"── {exchange.title} " + "─" * max(3, 60 - len(exchange.title)),
        f"{exchange.method} {shown_url(exchange.url)}",
    ]
    lines += [f"{name}: {value}" for name, value in bunq_headers_first(exchange.request_headers)]
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
    lines += ["", "As curl (secrets from shell variables):", replay_command(exchange)]
    return _mask(exchange, "\n".join(lines), reveal)


def curl_command(exchange: Exchange, *, reveal: bool = False) -> str:
    """The request as one curl command with every value inline (masked unless ``reveal``); see
    ``replay_command`` for the form to run."""
    parts = ["curl", "--request", exchange.method, shlex.quote(exchange.url)]
    for name, value in bunq_headers_first(exchange.request_headers):
        if name.lower() not in REQUESTS_DEFAULTS:
            parts += ["\\\n  --header", shlex.quote(f"{name}: {value}")]
    if exchange.request_body:
        parts += ["\\\n  --data-binary", shlex.quote(exchange.request_body.decode("utf-8", "replace"))]
    return _mask(exchange, " ".join(parts), reveal)


def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return host in ("localhost", "::1") or host.startswith("127.")


def _shell_variables(exchange: Exchange) -> dict[str, str]:
    """Secret value -> the shell variable that holds it in the replayable form."""
    token_variable = (
        "BUNQ_INSTALLATION_TOKEN" if exchange.path in INSTALLATION_TOKEN_CALLS else "BUNQ_SESSION_TOKEN"
    )
    names = {
        value: "BUNQ_API_KEY" if kind == API_KEY else token_variable
        for value, kind in exchange.secrets.items()
    }
    auth = exchange.request_header("X-Bunq-Client-Authentication")
    if auth:
        names[auth] = token_variable
    return names


SHELL_ESCAPES = (("\\", "\\\\"), ('"', '\\"'), ("$", "\\$"), ("`", "\\`"))


def _double_quoted(text: str, variables: dict[str, str]) -> str:
    """``text`` as one double-quoted shell word in which each secret is ``${VARIABLE}``; the rest is
    escaped so the shell gives back exactly these bytes (``!`` is closed off for interactive bash)."""
    secrets = sorted((value for value in variables if value), key=len, reverse=True)
    out = []
    for index, piece in enumerate(re.split("(" + "|".join(map(re.escape, secrets)) + ")", text)):
        if index % 2:  # a captured secret
            out.append("${" + variables[piece] + "}")
            continue
        for char, escaped in SHELL_ESCAPES:
            piece = piece.replace(char, escaped)
        out.append(piece.replace("!", "\"'!'\""))
    return '"' + "".join(out) + '"'


def replay_command(exchange: Exchange) -> str:
    """A curl command to run again: base URL and CA file from ``$BUNQ_BASE_URL`` and ``$BUNQ_CA_FILE``,
    secrets from shell variables (never inline), a new request id, the body byte for byte."""
    variables = _shell_variables(exchange)
    base = exchange.url.split("/v1/", 1)
    url = f'"${{BUNQ_BASE_URL}}{base[1]}"' if len(base) == 2 else shlex.quote(exchange.url)
    parts = ["curl", "--request", exchange.method, url]
    if _is_loopback(exchange.url):
        parts += ["--cacert", '"$BUNQ_CA_FILE"']
    for name, value in bunq_headers_first(exchange.request_headers):
        lowered = name.lower()
        if lowered in REQUESTS_DEFAULTS:
            continue
        if lowered == "x-bunq-client-request-id":
            header = '"X-Bunq-Client-Request-Id: curl-$(date +%s)-$RANDOM"'
        elif value in variables:
            header = f'"{name}: ${variables[value]}"'
        else:
            header = shlex.quote(f"{name}: {value}")
        parts += ["\\\n  --header", header]
    if exchange.request_body:
        body = exchange.request_body.decode("utf-8", "replace")
        secret_inside = any(value and value in body for value in variables)
        parts += [
            "\\\n  --data-binary",
            _double_quoted(body, variables) if secret_inside else shlex.quote(body),
        ]
    return mask_text(" ".join(parts), exchange.secrets)


def _esc(text: str) -> str:
    import html  # only for the notebooks' HTML view: a terminal run never loads it

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


def plural(count: int, noun: str) -> str:
    """``1 item``, ``2 items``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def long_summary(text: str) -> str | None:
    """For text longer than a screen, a one-line summary of it (lines, and the JSON's outline); else None."""
    lines = text.count("\n") + 1
    if lines <= LONG_LINES:
        return None
    outline = ""
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if isinstance(value, dict) and isinstance(value.get("Response"), list):
        names = [next(iter(item), "?") for item in value["Response"] if isinstance(item, dict) and item]
        outline = f": {plural(len(names), 'item')} ({', '.join(sorted(set(names)))})"
        if isinstance(value.get("Pagination"), dict):
            outline += " and Pagination"
    elif isinstance(value, dict):
        outline = f": {len(value)} keys ({', '.join(list(value)[:6])}{', …' if len(value) > 6 else ''})"
    return f"{plural(lines, 'line')}{outline}; click to open"


def _body_details(title: str, text: str) -> str:
    summary = long_summary(text)
    if summary is None:
        return _details(title, _pre(text))
    return _details(f"{title}: {summary}", _pre(text), open_=False)


def _pre(text: str) -> str:
    return f"<pre style='{PRE}'>{_esc(text)}</pre>"


def _labels(exchange: Exchange) -> tuple[str, str, str]:
    """The titles of the request headers, the signature and the response headers: a call we made, or a
    request that came to us (a callback, whose sender is only bunq if its signature verifies)."""
    if exchange.received:
        return (
            "Request headers (as they arrived, in the sender's order)",
            "X-Bunq-Server-Signature (the sender's claim)",
            "The receiver's answer headers (our reply: not signed)",
        )
    return (
        "Request headers (bunq's first)",
        "Signature",
        "Response headers (X-Bunq-Server-Signature is here)",
    )


def token_badge(token: str) -> str:
    """The token's name in its colour, framed: the same badge in every exchange and picture."""
    colour = TOKEN_COLOURS.get(token, "inherit")
    return (
        f"<span style='color:{colour};border:1px solid {colour};border-radius:9px;padding:0 6px;"
        f"font-weight:600'>{_esc(token)}</span>"
    )


def _ticks(exchange: Exchange) -> str:
    """``signed ✓`` / ``not signed``, ``verified ✓`` / ``INVALID ✗`` / ``not checked``."""
    if exchange.received:
        signed = "signature claimed" if exchange.signature else "no signature"
    else:
        signed = "signed ✓" if exchange.signature else "not signed"
    verdict = {True: ("verified ✓", GOOD), False: ("INVALID ✗", BAD), None: ("not checked", "inherit")}
    text, colour = verdict[exchange.server_signature_valid]
    return f"{_esc(signed)} &middot; <span style='color:{colour}'>{_esc(text)}</span>"


def exchange_line(exchange: Exchange) -> str:
    """The compact line: method, path, status, which token, signed, verified, time."""
    colour = GOOD if exchange.status is not None and exchange.status < 300 else BAD
    return (
        f"<span style='{MONO}'><b>{_esc(exchange.method)}</b> {_esc(exchange.path)}</span> &rarr; "
        f"<span style='color:{colour};font-weight:700'>{_esc(_status(exchange))}</span> &middot; "
        f"{token_badge(token_of(exchange))} &middot; {_ticks(exchange)} &middot; "
        f"{exchange.elapsed * 1000:.0f} ms &middot; <i>{_esc(exchange.title)}</i>"
    )


def exchange_html(exchange: Exchange, *, reveal: bool = False, compact: bool | None = None) -> str:
    """The exchange as self-contained HTML with inline styles: in full, or (``compact``, by default the
    exchange's own setting) as one line whose details open with a click."""

    def m(text: str) -> str:
        return _mask(exchange, text, reveal)

    compact = exchange.compact if compact is None else compact
    ok = exchange.status is not None and exchange.status < 300
    colour = GOOD if ok else BAD
    response_id = exchange.response_id or "(none)"
    requests_label, signature_label, responses_label = _labels(exchange)
    head = (
        f"<div style='font-weight:700;font-size:14px'>{_esc(exchange.title)}</div>"
        f"<div style='{MONO}'>{_esc(exchange.method)} {_esc(m(shown_url(exchange.url)))} "
        f"&rarr; <span style='color:{colour};font-weight:700'>{_esc(_status(exchange))}</span>"
        f" &middot; {token_badge(token_of(exchange))}"
        f" &middot; {exchange.elapsed * 1000:.0f} ms &middot; X-Bunq-Client-Response-Id {_esc(response_id)}</div>"
    )
    parts = [head]
    headers = exchange.request_headers if exchange.received else bunq_headers_first(exchange.request_headers)
    parts.append(_details(requests_label, _table([(k, m(v)) for k, v in headers]), open_=not compact))
    parts.append(_body_details("Request body", m(_body_text(exchange.request_body, pretty=False))))
    parts.append(
        _details(
            signature_label,
            _pre(m("\n".join(_signature_lines(exchange)))),
            open_=exchange.signature is not None and not compact,
        )
    )
    parts.append(
        _details(
            responses_label, _table([(k, m(v)) for k, v in exchange.response_headers]), open_=not compact
        )
    )
    if exchange.status is not None:
        parts.append(_body_details("Response body", m(_body_text(exchange.response_body, pretty=True))))
    sig_colour = {True: GOOD, False: BAD, None: "inherit"}[exchange.server_signature_valid]
    parts.append(
        f"<div style='margin-top:4px;color:{sig_colour}'>{_esc(m(_server_signature_line(exchange)))}</div>"
    )
    if exchange.extracted and not compact:
        parts.append(_details("Values picked out", _table([(k, m(v)) for k, v in _extracted(exchange)])))
    if not exchange.received:
        replay = replay_command(exchange) if not reveal else curl_command(exchange, reveal=True)
        parts.append(
            _details("As curl (secrets from shell variables; see the README)", _pre(replay), open_=False)
        )
    if compact:
        picked = ""
        if exchange.extracted:
            pairs = " &middot; ".join(
                f"<b>{_esc(k)}</b> {_esc(_fold(m(v)))}" for k, v in _extracted(exchange)
            )
            picked = f"<div style='{MONO};margin:2px 0 0 14px'>Picked out: {pairs}</div>"
        return (
            f"<div style='{COMPACT_BOX}'><details><summary style='cursor:pointer'>{exchange_line(exchange)}"
            f"</summary>{''.join(parts)}</details>{picked}</div>"
        )
    return f"<div style='{BOX}'>{''.join(parts)}</div>"


FOLD_AT = 72
"""In a compact exchange, a value longer than this shows its start and end, the whole one click away."""


def _fold(value: str) -> str:
    if len(value) <= FOLD_AT and "\n" not in value:
        return value
    first = value.splitlines()[0] if value.strip() else value
    return f"{first[: FOLD_AT - 20]}…{value[-12:]}" if len(first) > FOLD_AT - 20 else f"{first}…"


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
        ]
        if error.sandbox_explanation:
            note = mask_text(error.sandbox_explanation, secrets or {})
            lines.append(
                f"<div><b>The local sandbox explains</b> <i>(its own note, not bunq's answer)</i>: {_esc(note)}</div>"
            )
        lines += [
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


def _value_cell(value: str) -> str:
    summary = long_summary(value)
    if summary is None:
        return _cell(value)
    return _details(summary, _pre(value), open_=False)


def values_html(title: str, rows: dict[str, Any]) -> str:
    """A small titled table of values (already masked by the caller); long ones start collapsed."""
    cells = "".join(
        f"<tr><th style='{HEAD_CELL}'>{_esc(k)}</th>"
        f"<td style='{CELL}'>{_value_cell(v if isinstance(v, str) else json.dumps(v))}</td></tr>"
        for k, v in rows.items()
    )
    body = f"<table style='border-collapse:collapse;margin:2px 0'>{cells}</table>"
    return f"<div style='{BOX}'><div style='font-weight:700'>{_esc(title)}</div>{body}</div>"


def note_html(title: str, lines: list[str], *, colour: str = "inherit") -> str:
    """A short titled note (a skipped cell, a decision, a saved file): paragraphs; a line starting with a dollar sign and a space is a command."""
    body = "".join(
        _pre(line[2:]) if line.startswith("$ ") else f"<div style='margin-top:3px'>{_esc(line)}</div>"
        for line in lines
    )
    heading = f"<div style='font-weight:700;color:{colour}'>{_esc(title)}</div>" if title else ""
    return f"<div style='{BOX}'>{heading}{body}</div>"
