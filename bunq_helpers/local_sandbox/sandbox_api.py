"""``/_sandbox/``: the sandbox's own API and dashboard, outside bunq's ``/v1/`` namespace.

Only for clients on this machine: a caller whose address is not loopback gets 403, and so does a
request whose ``Host`` is not a loopback name (a page that rebinds its own DNS name to 127.0.0.1
cannot read it). Nothing changes on GET. A POST takes ``Content-Type: application/json`` (a page from
another origin cannot send that, nor a DELETE, without a preflight the sandbox never approves); the
dashboard's forms carry a CSRF token and are refused when
their ``Origin`` is another site's. Bad input gets bunq's error shape with a status from bunq's
table (400, 403, 404, 405), never a 500. The operations::

    GET    /_sandbox/                     the dashboard (HTML)
    GET    /_sandbox/journal              {"entries": [...]}, newest first; ?request_id= &response_id=
                                          &status= &path= &limit=
    DELETE /_sandbox/journal              empty it
    GET    /_sandbox/clock                {"now", "epoch", "offset_seconds"}
    POST   /_sandbox/clock                {"advance_seconds": N} or {"now": "<ISO 8601>"}, never backwards
    GET    /_sandbox/snapshots            {"snapshots": [...]}
    POST   /_sandbox/snapshots            {"name": "..."}: save the whole state
    POST   /_sandbox/snapshots/NAME/restore
    DELETE /_sandbox/snapshots/NAME
    GET    /_sandbox/scenarios            {"scenarios": [...]}
    POST   /_sandbox/scenarios/NAME       wipe the state and seed it; answers the users and API keys
    GET    /_sandbox/triggers             {"triggers": [...]}
    POST   /_sandbox/trigger/NAME         {"account_id": ..., ...}: make the event (see ``triggers``)
    GET    /_sandbox/state                users, accounts, balances, callbacks (what the dashboard shows)
    POST   /_sandbox/reset                wipe the state
"""

from __future__ import annotations

import hmac
import json
import logging
import re
import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

from ..crypto.keys import PrivateKey
from .answers import build_raw_response, build_response, error_payload
from .bank.clock import ClockError
from .bunq_errors import BunqError, bad_request
from .callbacks import is_loopback
from .control import SandboxControl
from .dashboard import render_dashboard
from .http_io import Response
from .request import Request
from .validation import parse_object

log = logging.getLogger("bunq_helpers.local_sandbox.sandbox_api")

PREFIX = "/_sandbox"
JSON = "application/json"
HTML_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

Operation = Callable[["SandboxApi", Request, dict[str, str]], Any]
_OPERATIONS: list[tuple[str, re.Pattern[str], Operation]] = []


def operation(method: str, path: str) -> Callable[[Operation], Operation]:
    """Register an operation for ``method`` on ``path`` (below ``/_sandbox``; ``{name}`` is a segment)."""
    pattern = re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", path) + "$")

    def register(function: Operation) -> Operation:
        _OPERATIONS.append((method, pattern, function))
        return function

    return register


class SandboxApi:
    """Answers ``/_sandbox/`` requests for one running sandbox."""

    def __init__(self, control: SandboxControl, signing_key: PrivateKey) -> None:
        self.control = control
        self._key = signing_key
        self.csrf_token = secrets.token_urlsafe(32)

    def __call__(self, request: Request) -> Response:
        try:
            self._check_origin(request)
            path = request.raw_path[len(PREFIX) :].rstrip("/") or "/"
            allowed = []
            for method, pattern, function in _OPERATIONS:
                found = pattern.match(path)
                if found is None:
                    continue
                if method != request.method:
                    allowed.append(method)
                    continue
                result = function(self, request, found.groupdict())
                return result if isinstance(result, Response) else self._json(200, result, request)
            if allowed:
                raise BunqError(
                    405,
                    f"Method {request.method} is not allowed for {request.raw_path}; it accepts {', '.join(allowed)}.",
                )
            raise BunqError(404, f"There is no {request.raw_path} in the sandbox's API; see GET {PREFIX}/.")
        except BunqError as error:
            return self._json(error.status, error_payload(error.description, error.description), request)
        except ClockError as error:
            return self._json(400, error_payload(str(error), str(error)), request)
        except Exception:  # never a traceback, never a 500 for input
            log.exception("sandbox API failed for %s %s", request.method, request.raw_path)
            text = "The sandbox's API failed on this request; the server log has the details."
            return self._json(500, error_payload(text, text), request)

    # -- answers ---------------------------------------------------------------------------------

    def _json(self, status: int, payload: Any, request: Request) -> Response:
        return build_response(status, payload, request, self._key)

    def html(self, page: Callable[[str], str], request: Request, status: int = 200) -> Response:
        """An HTML page, made by ``page(nonce)``, with a strict content security policy."""
        nonce = secrets.token_urlsafe(16)
        response = build_raw_response(
            status, page(nonce).encode("utf-8"), "text/html; charset=utf-8", request, self._key
        )
        policy = (
            f"default-src 'none'; style-src 'nonce-{nonce}'; script-src 'nonce-{nonce}'; connect-src 'self';"
            " img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        )
        response.headers[0:0] = [("Content-Security-Policy", policy), *HTML_HEADERS.items()]
        return response

    def redirect(self, request: Request, **message: str) -> Response:
        """303 back to the dashboard, with a message to show."""
        query = "&".join(f"{key}={quote(value)}" for key, value in message.items())
        response = build_raw_response(303, b"", "text/plain", request, self._key)
        response.headers.append(("Location", f"{PREFIX}/" + (f"?{query}" if query else "")))
        return response

    # -- who may call ----------------------------------------------------------------------------

    def _check_origin(self, request: Request) -> None:
        if not is_loopback(request.remote_addr):
            raise BunqError(
                403,
                f"The sandbox's own API answers only clients on this machine (loopback); this call came from"
                f" {request.remote_addr}. Call it on 127.0.0.1 or ::1.",
            )
        host = urlsplit(f"//{request.header('Host') or ''}").hostname or ""
        if not is_loopback(host):
            raise BunqError(
                403, f"The sandbox's own API answers only Host 127.0.0.1, ::1 or localhost, not {host!r}."
            )
        origin = request.header("Origin")
        if origin and origin != "null":
            origin_host = urlsplit(origin).hostname or ""
            if not is_loopback(origin_host) or urlsplit(origin).port != _port_of(request):
                raise BunqError(
                    403, f"Requests from another origin ({origin}) may not use the sandbox's API."
                )
        if request.method == "POST" and not request.raw_path.startswith(f"{PREFIX}/ui/"):
            content_type = (request.header("Content-Type") or "").split(";")[0].strip().lower()
            if content_type != JSON:
                raise BunqError(
                    400,
                    f"{request.method} {request.raw_path} takes Content-Type: application/json (send {{}} when there"
                    " is nothing to say); the dashboard's forms post to /_sandbox/ui/.",
                )

    def form(self, request: Request) -> dict[str, str]:
        """A dashboard form's fields, once its CSRF token checks out."""
        content_type = (request.header("Content-Type") or "").split(";")[0].strip().lower()
        if content_type != "application/x-www-form-urlencoded":
            raise BunqError(400, "The dashboard's forms are sent as application/x-www-form-urlencoded.")
        try:
            fields = dict(parse_qsl(request.body.decode("utf-8"), keep_blank_values=True))
        except UnicodeDecodeError:
            raise bad_request("The form is not UTF-8.") from None
        if not hmac.compare_digest(fields.get("csrf", ""), self.csrf_token):
            raise BunqError(
                403, "The form's CSRF token is missing or stale: reload the dashboard and try again."
            )
        return fields


def _port_of(request: Request) -> int | None:
    return urlsplit(f"//{request.header('Host') or ''}").port


def _body(request: Request) -> dict[str, Any]:
    return parse_object(request.body) if request.body.strip() else {}


def _int_query(request: Request, name: str) -> int | None:
    value = request.query.get(name)
    if value is None or value == "":
        return None
    if not value.isdigit():
        raise bad_request(f'Query parameter "{name}" must be a whole number, got {value[:20]!r}.')
    return int(value)


# -- the operations -----------------------------------------------------------------------------


@operation("GET", "/")
def dashboard(api: SandboxApi, request: Request, _: dict[str, str]) -> Response:
    """The dashboard page."""
    control = api.control
    overview, journal, catalogue = control.overview(), control.journal(limit=100), control.catalogue()
    return api.html(
        lambda nonce: render_dashboard(
            overview=overview,
            journal=journal,
            catalogue=catalogue,
            csrf_token=api.csrf_token,
            nonce=nonce,
            notice=request.query.get("done"),
            problem=request.query.get("error"),
        ),
        request,
    )


@operation("GET", "/journal")
def read_journal(api: SandboxApi, request: Request, _: dict[str, str]) -> dict[str, Any]:
    """The journal, filtered."""
    known = {"request_id", "response_id", "status", "path", "limit"}
    unknown = sorted(set(request.query) - known)
    if unknown:
        raise bad_request(
            f"Unknown query parameter {unknown[0]!r}; the journal filters by {', '.join(sorted(known))}."
        )
    entries = api.control.journal(
        request_id=request.query.get("request_id"),
        response_id=request.query.get("response_id"),
        status=_int_query(request, "status"),
        path=request.query.get("path") or None,
        limit=_int_query(request, "limit"),
    )
    return {"entries": entries}


@operation("DELETE", "/journal")
def clear_journal(api: SandboxApi, request: Request, _: dict[str, str]) -> dict[str, Any]:
    """Empty the journal."""
    api.control.app.journal.clear()
    return {"entries": []}


@operation("GET", "/clock")
def read_clock(api: SandboxApi, request: Request, _: dict[str, str]) -> dict[str, Any]:
    """The sandbox's time."""
    return api.control.clock.to_json()


@operation("POST", "/clock")
def move_clock(api: SandboxApi, request: Request, _: dict[str, str]) -> dict[str, Any]:
    """Move the sandbox's time forward."""
    body = _body(request)
    given = [key for key in ("advance_seconds", "now") if key in body]
    if len(given) != 1 or set(body) - {"advance_seconds", "now"}:
        raise bad_request('Send exactly one of {"advance_seconds": N} or {"now": "<ISO 8601>"}.')
    if given == ["advance_seconds"]:
        api.control.clock.advance(body["advance_seconds"])
    else:
        api.control.clock.set(body["now"])
    return api.control.clock.to_json()


@operation("GET", "/snapshots")
def list_snapshots(api: SandboxApi, request: Request, _: dict[str, str]) -> dict[str, Any]:
    """The snapshots saved."""
    return {"snapshots": api.control.snapshots.list()}


@operation("POST", "/snapshots")
def save_snapshot(api: SandboxApi, request: Request, _: dict[str, str]) -> dict[str, Any]:
    """Save the whole state under a name."""
    body = _body(request)
    if "name" not in body:
        raise bad_request('Field "name" is required: the snapshot\'s name, e.g. {"name": "two-users-ready"}.')
    return {"snapshot": api.control.snapshots.save(body["name"])}


@operation("POST", "/snapshots/{name}/restore")
def restore_snapshot(api: SandboxApi, request: Request, ids: dict[str, str]) -> dict[str, Any]:
    """Make the state what a snapshot holds."""
    return {"snapshot": api.control.restore(ids["name"])}


@operation("DELETE", "/snapshots/{name}")
def delete_snapshot(api: SandboxApi, request: Request, ids: dict[str, str]) -> dict[str, Any]:
    """Remove a snapshot."""
    api.control.snapshots.delete(ids["name"])
    return {"snapshots": api.control.snapshots.list()}


@operation("GET", "/scenarios")
def list_scenarios(api: SandboxApi, request: Request, _: dict[str, str]) -> dict[str, Any]:
    """The scenarios there are."""
    return {"scenarios": api.control.catalogue()["scenarios"]}


@operation("POST", "/scenarios/{name}")
def load_scenario(api: SandboxApi, request: Request, ids: dict[str, str]) -> dict[str, Any]:
    """Wipe the state and seed a scenario."""
    return api.control.load_scenario(ids["name"])


@operation("GET", "/triggers")
def list_triggers(api: SandboxApi, request: Request, _: dict[str, str]) -> dict[str, Any]:
    """The triggers there are."""
    return {"triggers": api.control.catalogue()["triggers"]}


@operation("POST", "/trigger/{name}")
def fire_trigger(api: SandboxApi, request: Request, ids: dict[str, str]) -> dict[str, Any]:
    """Make an event happen."""
    return api.control.trigger(ids["name"], _body(request))


@operation("GET", "/state")
def read_state(api: SandboxApi, request: Request, _: dict[str, str]) -> dict[str, Any]:
    """Users, accounts, balances, callbacks, clock and snapshots."""
    return api.control.overview()


@operation("POST", "/reset")
def reset(api: SandboxApi, request: Request, _: dict[str, str]) -> dict[str, Any]:
    """Wipe the state."""
    api.control.reset()
    return {"reset": True}


# -- the dashboard's forms ------------------------------------------------------------------------

_FORM_ACTIONS: dict[str, Callable[[SandboxControl, dict[str, str]], str]] = {
    "clock": lambda c, f: _advance_from_form(c, f),
    "snapshot-save": lambda c, f: f"Snapshot {c.snapshots.save(f.get('name', ''))['name']} saved.",
    "snapshot-restore": lambda c, f: f"Snapshot {c.restore(f.get('name', ''))['name']} restored.",
    "snapshot-delete": lambda c, f: (
        c.snapshots.delete(f.get("name", "")) or f"Snapshot {f.get('name')} deleted."
    ),
    "scenario": lambda c, f: f"Scenario {c.load_scenario(f.get('name', ''))['scenario']} loaded.",
    "trigger": lambda c, f: _fire_from_form(c, f),
    "journal-clear": lambda c, f: c.app.journal.clear() or "Journal emptied.",
}


def _number(fields: dict[str, str], name: str) -> float:
    try:
        return float(fields.get(name, ""))
    except ValueError:
        raise bad_request(f'Field "{name}" must be a number of seconds.') from None


def _advance_from_form(control: SandboxControl, fields: dict[str, str]) -> str:
    control.clock.advance(_number(fields, "advance_seconds"))
    return f"Clock now {control.clock.to_json()['now']}."


def _fire_from_form(control: SandboxControl, fields: dict[str, str]) -> str:
    params: dict[str, Any] = {}
    if fields.get("account_id", "").strip():
        if not fields["account_id"].strip().isdigit():
            raise bad_request('Field "account_id" must be a whole number.')
        params["account_id"] = int(fields["account_id"])
    if fields.get("amount", "").strip():
        params["amount"] = fields["amount"].strip()
    if fields.get("decision", "").strip():
        params["decision"] = fields["decision"].strip()
    made = control.trigger(fields.get("name", ""), params)["made"]
    return f"Trigger {fields.get('name')} made {json.dumps(made)}."


@operation("POST", "/ui/{action}")
def form_action(api: SandboxApi, request: Request, ids: dict[str, str]) -> Response:
    """A dashboard form: do it, then back to the dashboard with what happened (303, so a reload does not repeat it)."""
    fields = api.form(request)
    action = _FORM_ACTIONS.get(ids["action"])
    if action is None:
        raise BunqError(404, f"The dashboard has no form {ids['action']!r}.")
    try:
        return api.redirect(request, done=action(api.control, fields))
    except (BunqError, ClockError) as error:
        return api.redirect(request, error=getattr(error, "description", str(error)))
