"""The dashboard at ``/_sandbox/``: one server-rendered page, no assets from anywhere, no JavaScript needed.

It shows the journal with its explanations, users, accounts and balances, callbacks and their
deliveries, the clock, snapshots, scenarios and triggers; every change is a form (POST with a CSRF
token, answered by a 303 back here). Light or dark follows the browser's ``prefers-color-scheme``.
A few lines of script refresh the live parts every few seconds while no form field has the focus;
without script, reload the page.
"""

from __future__ import annotations

from html import escape
from typing import Any

REFRESH_MS = 4000

STYLE = """
:root { color-scheme: light dark; --bg: #fafafa; --fg: #1b1b1f; --muted: #5d5d66; --line: #d9d9e0;
  --card: #ffffff; --accent: #1f6feb; --bad: #b42318; --good: #067647; --code: #f0f0f4; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #15161a; --fg: #e8e8ee; --muted: #a0a0ab; --line: #33343c; --card: #1d1e24;
    --accent: #6ea8fe; --bad: #ff8a80; --good: #6ee7a8; --code: #26272e; } }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; background: var(--bg);
  color: var(--fg); }
header { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; justify-content: space-between;
  padding: .8rem 1.2rem; border-bottom: 1px solid var(--line); background: var(--card); }
h1 { font-size: 1.15rem; margin: 0; } h2 { font-size: 1rem; margin: 0 0 .6rem; }
main { display: grid; gap: 1rem; padding: 1rem 1.2rem; grid-template-columns: repeat(auto-fit, minmax(30rem, 1fr)); }
section { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: .8rem 1rem;
  overflow-x: auto; }
section.wide { grid-column: 1 / -1; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; }
code { background: var(--code); padding: 0 .25rem; border-radius: 4px; font-size: .85rem; }
.status-ok { color: var(--good); font-weight: 600; } .status-bad { color: var(--bad); font-weight: 600; }
.explanation { color: var(--fg); max-width: 60rem; } .muted { color: var(--muted); }
.notice { margin: 1rem 1.2rem 0; padding: .6rem .9rem; border-radius: 6px; border: 1px solid var(--good); }
.problem { border-color: var(--bad); }
form { display: inline-flex; flex-wrap: wrap; gap: .4rem; align-items: center; margin: .2rem 0; }
input, select, button { font: inherit; padding: .25rem .5rem; border: 1px solid var(--line); border-radius: 5px;
  background: var(--bg); color: var(--fg); }
button { background: var(--accent); color: #fff; border-color: var(--accent); cursor: pointer; }
label { color: var(--muted); font-size: .85rem; }
"""

SCRIPT = """
(() => {
  const busy = () => document.activeElement && ['INPUT', 'SELECT', 'TEXTAREA'].includes(document.activeElement.tagName);
  setInterval(async () => {
    if (busy() || document.hidden) return;
    try {
      const page = await fetch(location.pathname, {credentials: 'same-origin'});
      if (!page.ok) return;
      const fresh = new DOMParser().parseFromString(await page.text(), 'text/html');
      for (const id of ['live-clock', 'live-main']) {
        const now = document.getElementById(id), next = fresh.getElementById(id);
        if (now && next && !busy()) now.replaceWith(next);
      }
    } catch (e) { /* the sandbox stopped: keep what is shown */ }
  }, REFRESH_MS);
})();
""".replace("REFRESH_MS", str(REFRESH_MS))


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
            [
                _e(u["id"]),
                _e(u["kind"]),
                _e(u["display_name"]),
                _e(", ".join(u["api_keys"])),
                _e(u["live_sessions"]),
            ]
            for u in overview["users"]
        ],
        "No users yet: POST /v1/sandbox-user-person, or load a scenario below.",
    )
    accounts = _table(
        ["Id", "User", "IBAN", "Balance", "Payments", "Status"],
        [
            [
                _e(a["id"]),
                _e(a["user_id"]),
                f"<code>{_e(a['iban'])}</code>",
                _e(f"{a['balance']['value']} {a['balance']['currency']}"),
                _e(a["payments"]),
                _e(a["status"]),
            ]
            for a in overview["accounts"]
        ],
        "No accounts yet.",
    )
    callbacks = _table(
        ["#", "Event", "Target", "Outcome", "Tries", "Last error"],
        [
            [
                _e(d["id"]),
                _e(d["event_type"]),
                f"<code>{_e(d['target_url'])}</code>",
                _e(d["outcome"]),
                _e(d["attempts"]),
                _e(d["last_error"] or ""),
            ]
            for d in overview["callbacks"]
        ],
        "No callbacks sent yet. Register a URL with notification-filter-url to receive them.",
    )
    filters = _table(
        ["Id", "User", "Account", "Category", "Target"],
        [
            [
                _e(f["id"]),
                _e(f["user_id"]),
                _e(f["account_id"] or ""),
                _e(f["category"]),
                f"<code>{_e(f['target'])}</code>",
            ]
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
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Local bunq sandbox</title><link rel="icon" href="data:,"><style nonce="{_e(nonce)}">{STYLE}</style></head>
<body>
<header><h1>Local bunq sandbox <span class="muted">· the sandbox's own view, not bunq's</span></h1>
<div id="live-clock"><span class="muted">Sandbox clock</span> <strong id="clock-now">{_e(clock["now"])}</strong>
<span class="muted">(+{_e(clock["offset_seconds"])} s)</span> {clock_form}</div></header>
{messages}
<main id="live-main">
{_journal(journal, csrf)}
<section aria-labelledby="users-title"><h2 id="users-title">Users</h2>{users}</section>
<section aria-labelledby="accounts-title"><h2 id="accounts-title">Accounts and balances</h2>{accounts}</section>
<section aria-labelledby="triggers-title"><h2 id="triggers-title">Trigger an event</h2>{trigger_form}<ul>{trigger_help}</ul></section>
<section aria-labelledby="snapshots-title"><h2 id="snapshots-title">Snapshots</h2>
{_form("snapshot-save", csrf, '<label for="snapshot-name">Name</label><input id="snapshot-name" name="name" required pattern="[A-Za-z0-9][A-Za-z0-9_.-]{0,63}">', "Save the state")}
{snapshots}</section>
<section aria-labelledby="scenarios-title"><h2 id="scenarios-title">Scenarios</h2>
<p class="muted">Loading one wipes the state first.</p><ul>{scenario_forms}</ul></section>
<section class="wide" aria-labelledby="callbacks-title"><h2 id="callbacks-title">Callbacks</h2>{filters}{callbacks}</section>
</main>
<script nonce="{_e(nonce)}">{SCRIPT}</script>
</body></html>
"""
