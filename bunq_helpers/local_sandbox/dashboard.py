"""The dashboard at ``/_sandbox/``: one server-rendered page, no assets from anywhere, no JavaScript needed.

It shows the journal with its explanations, users, accounts and balances, callbacks and their
deliveries, the clock, snapshots, scenarios and triggers; every change is a form (POST with a CSRF
token, answered by a 303 back here). Light or dark follows the browser's ``prefers-color-scheme``.
A few lines of script refresh the live parts every few seconds while no form field has the focus;
without script, reload the page.
"""

from __future__ import annotations

from html import escape
from importlib import resources
from string import Template
from typing import Any

REFRESH_MS = 4000
# The page around the parts below, with its style and script: a string.Template kept as package data.
PAGE = Template((resources.files(__package__) / "templates" / "dashboard.html").read_text(encoding="utf-8"))


def _e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def _form(action: str, csrf: str, inner: str, button: str) -> str:
    return (
        f'<form method="post" action="/_sandbox/ui/{_e(action)}">'
        f'<input type="hidden" name="csrf" value="{_e(csrf)}">{inner}<button type="submit">{_e(button)}</button></form>'
    )


def _table(headers: list[str], rows: list[list[str]], empty: str) -> str:
    if not rows:
        return f'<p class="muted">{_e(empty)}</p>'
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cells(item: dict[str, Any], keys: str, code: str = "") -> list[str]:
    """The escaped values of ``item`` at ``keys`` (space-separated), those named in ``code`` as code."""
    return [f"<code>{_e(item[k])}</code>" if k in code.split() else _e(item[k]) for k in keys.split()]


def _journal(entries: list[dict[str, Any]], csrf: str) -> str:
    rows = []
    for entry in entries:
        ok = entry["status"] < 400
        rows.append(
            [
                f'<span class="muted">{_e(entry["time"][11:19])}</span>',
                f"<code>{_e(entry['method'])}</code>",
                f"<code>{_e(entry['path'])}</code>",
                f'<span class="{"status-ok" if ok else "status-bad"}">{_e(entry["status"])}</span>',
                f"{_e(entry['error'] or '')}"
                + (
                    f'<div class="explanation"><strong>Why:</strong> {_e(entry["explanation"])}</div>'
                    if entry["explanation"]
                    else ""
                ),
                f'<span class="muted">{_e(entry["duration_ms"])} ms</span>',
                f'<code title="X-Bunq-Client-Request-Id">{_e(entry["request_id"] or "")}</code>',
            ]
        )
    table = _table(
        [
            "Time",
            "Method",
            "Path",
            "Status",
            "bunq's answer / the sandbox's explanation",
            "Took",
            "Request id",
        ],
        rows,
        "No calls yet. Point a client at this sandbox and they appear here, newest first.",
    )
    return (
        '<section class="wide" aria-labelledby="journal-title"><h2 id="journal-title">Journal</h2>'
        f"{_form('journal-clear', csrf, '', 'Empty the journal')}{table}</section>"
    )


def render_dashboard(
    *,
    overview: dict[str, Any],
    journal: list[dict[str, Any]],
    catalogue: dict[str, Any],
    csrf_token: str,
    nonce: str,
    notice: str | None = None,
    problem: str | None = None,
) -> str:
    """The whole page; its style and script carry ``nonce``, the response's CSP nonce."""
    csrf = csrf_token
    clock = overview["clock"]
    users = _table(
        ["Id", "Kind", "Name", "API keys", "Live sessions"],
        [
            _cells({**u, "api_keys": ", ".join(u["api_keys"])}, "id kind display_name api_keys live_sessions")
            for u in overview["users"]
        ],
        "No users yet: POST /v1/sandbox-user-person, or load a scenario below.",
    )
    accounts = _table(
        ["Id", "User", "IBAN", "Balance", "Payments", "Status"],
        [
            _cells(
                {**a, "balance": f"{a['balance']['value']} {a['balance']['currency']}"},
                "id user_id iban balance payments status",
                code="iban",
            )
            for a in overview["accounts"]
        ],
        "No accounts yet.",
    )
    callbacks = _table(
        ["#", "Event", "Target", "Outcome", "Tries", "Last error"],
        [
            _cells(d, "id event_type target_url outcome attempts last_error", code="target_url")
            for d in overview["callbacks"]
        ],
        "No callbacks sent yet. Register a URL with notification-filter-url to receive them.",
    )
    filters = _table(
        ["Id", "User", "Account", "Category", "Target"],
        [
            _cells(f, "id user_id account_id category target", code="target")
            for f in overview["notification_filters"]
        ],
        "No notification filters registered.",
    )
    snapshots = _table(
        ["Name", "Saved", "Size", ""],
        [
            [
                _e(s["name"]),
                _e(s["saved"]),
                _e(f"{s['bytes'] // 1024} KiB"),
                _form(
                    "snapshot-restore",
                    csrf,
                    f'<input type="hidden" name="name" value="{_e(s["name"])}">',
                    "Restore",
                )
                + _form(
                    "snapshot-delete",
                    csrf,
                    f'<input type="hidden" name="name" value="{_e(s["name"])}">',
                    "Delete",
                ),
            ]
            for s in overview["snapshots"]
        ],
        "No snapshots yet.",
    )
    scenario_forms = "".join(
        "<li>"
        + _form(
            "scenario",
            csrf,
            f'<input type="hidden" name="name" value="{_e(s["name"])}">',
            f"Load {s['name']}",
        )
        + f' <span class="muted">{_e(s["makes"])}</span></li>'
        for s in catalogue["scenarios"]
    )
    trigger_options = "".join(
        f'<option value="{_e(t["name"])}">{_e(t["name"])}</option>' for t in catalogue["triggers"]
    )
    trigger_help = "".join(
        f"<li><code>{_e(t['name'])}</code>: {_e(t['does'])}</li>" for t in catalogue["triggers"]
    )
    account_choices = "".join(
        f'<option value="{_e(a["id"])}">{_e(a["id"])} ({_e(a["iban"])})</option>'
        for a in overview["accounts"]
    )
    trigger_form = _form(
        "trigger",
        csrf,
        f'<label for="trigger-name">Event</label><select id="trigger-name" name="name">{trigger_options}</select>'
        f'<label for="trigger-account">Account</label><select id="trigger-account" name="account_id">{account_choices}</select>'
        '<label for="trigger-amount">Amount (EUR)</label><input id="trigger-amount" name="amount" size="7" placeholder="default">'
        '<label for="trigger-decision">Card decision</label><select id="trigger-decision" name="decision">'
        '<option value="">ALLOWED</option><option>INSUFFICIENT_BALANCE</option><option>CARD_BLOCKED</option></select>',
        "Trigger",
    )
    messages = ""
    if notice:
        messages += f'<p class="notice" role="status">{_e(notice)}</p>'
    if problem:
        messages += f'<p class="notice problem" role="alert">{_e(problem)}</p>'
    clock_form = _form(
        "clock",
        csrf,
        '<label for="advance">Advance by</label><select id="advance" name="advance_seconds">'
        '<option value="60">1 minute</option><option value="3600">1 hour</option>'
        '<option value="86400">1 day</option><option value="604800">1 week</option></select>',
        "Advance the clock",
    )
    snapshot_save = _form(
        "snapshot-save",
        csrf,
        '<label for="snapshot-name">Name</label>'
        '<input id="snapshot-name" name="name" required pattern="[A-Za-z0-9][A-Za-z0-9_.-]{0,63}">',
        "Save the state",
    )
    return PAGE.substitute(
        nonce=_e(nonce),
        refresh_ms=REFRESH_MS,
        clock_now=_e(clock["now"]),
        clock_offset=_e(clock["offset_seconds"]),
        clock_form=clock_form,
        messages=messages,
        journal=_journal(journal, csrf),
        users=users,
        accounts=accounts,
        trigger_form=trigger_form,
        trigger_help=trigger_help,
        snapshot_save=snapshot_save,
        snapshots=snapshots,
        scenario_forms=scenario_forms,
        filters=filters,
        callbacks=callbacks,
    )
