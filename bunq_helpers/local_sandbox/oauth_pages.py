"""bunq's OAuth hosts on the sandbox's own origin: the authorization page and the token exchange.

bunq serves these from other hosts (``oauth.sandbox.bunq.com/auth`` and
``api-oauth.sandbox.bunq.com/v1/token``; production ``oauth.bunq.com/auth`` and
``api.oauth.bunq.com/v1/token``: sdk_python ``OauthAuthorizationUri`` / ``OauthAccessToken``, bunq's
Postman collection). Here they share the sandbox's origin, so a client swaps only the host. They are
not operations of bunq's JSON API, so they are answered here, before the API's router:

- ``GET /auth`` (or ``POST``, as bunq's Postman collection sends it, with its parameters in the query
  string) shows the page: the app's name, what it asks for, a QR code, and the stand-in for bunq's app:
  a form with ``<select name="user_id">`` (the sandbox's people and companies, by display name and email)
  and two submit buttons ``name="decision"``, ``approve`` and ``deny``. It works without JavaScript.
  A submitted form (``POST /auth``, form-encoded, ``decision`` set) answers ``302`` to
  ``redirect_uri?code=…&state=…`` (approve) or ``redirect_uri?error=access_denied&state=…`` (deny;
  RFC 6749 §4.1.2.1's parameters, bunq's are not documented). A request that fails the checks
  (``oauth_grants.check_authorization_request``) gets the page with the reason, status 400, and no
  redirect: a URL that is not registered is never redirected to.
- The QR code: bunq's encodes a link its app opens (not published). Offline there is no app, so this one
  encodes the page's own URL: scanning it on the same machine opens the same request. Made with
  ``segno`` (a maintained, pure-Python QR library with no dependencies) as inline SVG: no network assets.
- ``POST /auth/revoke`` (form: ``user_id``, ``user_api_key_id``) is the stand-in for the granting user
  revoking the app in bunq's app ("connected apps").
- ``POST /v1/token`` and ``POST /token`` (the two paths bunq's docs give: beta.doc.bunq.com and the SDKs
  say ``/v1/token``, doc.bunq.com's 2025 page ``/token``) exchange a code (``oauth_grants``). Parameters
  come in the query string (sdk_python, Postman) or a form-encoded body (doc.bunq.com's curl example).
  The answer is JSON, signed like every answer of the sandbox (sdk_python checks the signature).
"""

from __future__ import annotations

import html
from importlib import resources
from string import Template
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ..crypto.keys import PrivateKey
from .answers import build_raw_response, build_response
from .http_io import Response
from .oauth_grants import (
    AUTH_PATH,
    REVOKE_PATH,
    TOKEN_PATHS,
    Approval,
    OAuthError,
    RequestRefused,
    check_authorization_request,
    exchange_code,
    grant_of,
    grantees,
    issue_code,
    revoke,
)
from .request import Request
from .routing import HandlerContext

HTML_TYPE = "text/html; charset=utf-8"
FORM_TYPE = "application/x-www-form-urlencoded"
PAGE_HEADERS = [
    (
        "Content-Security-Policy",
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'",
    ),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Content-Type-Options", "nosniff"),
]
# The page's frame (title, style) and the approval form: string.Templates kept as package data.
PAGE, APPROVAL = (
    Template((resources.files(__package__) / "templates" / f"oauth_{name}.html").read_text(encoding="utf-8"))
    for name in ("page", "approval")
)
ASKS_FOR = (
    "read your monetary accounts, payments and transactions",
    "make payments between your own accounts, and draft payments for you to approve",
    "read your requests for money and your answers to them",
)


def answer(ctx: HandlerContext, request: Request, key: PrivateKey) -> Response | None:
    """The answer for an OAuth path, or None for every other path (bunq's API)."""
    path = request.raw_path
    if path in TOKEN_PATHS:
        return _token(ctx, request, key)
    if path == AUTH_PATH:
        return _auth(ctx, request, key)
    if path == REVOKE_PATH:
        return _revoke(ctx, request, key)
    return None


def _form(request: Request) -> dict[str, str]:
    content_type = (request.header("Content-Type") or "").split(";")[0].strip().lower()
    if content_type != FORM_TYPE or not request.body:
        return {}
    return dict(parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True))


# --- the token exchange ------------------------------------------------------------------------------


def _token(ctx: HandlerContext, request: Request, key: PrivateKey) -> Response:
    if request.method != "POST":
        error = OAuthError("invalid_request", f"The token endpoint takes POST, not {request.method}.")
        response = build_response(405, error.payload(), request, key)
        response.headers.append(("Allow", "POST"))
        return response
    params = {**_form(request), **request.query}
    try:
        with ctx.store.transaction() as db:
            payload = exchange_code(db, params, ctx.now())
    except OAuthError as error:
        return build_response(error.status, error.payload(), request, key)
    return build_response(200, payload, request, key)


# --- the authorization page --------------------------------------------------------------------------


def _page_response(
    status: int, body: str, request: Request, key: PrivateKey, location: str | None = None
) -> Response:
    response = build_raw_response(status, body.encode("utf-8"), HTML_TYPE, request, key)
    response.headers = [(n, "no-store" if n == "Cache-Control" else v) for n, v in response.headers]
    if location is not None:
        response.headers.append(("Location", location))
    response.headers.extend(PAGE_HEADERS)
    return response


def _redirect(location: str, request: Request, key: PrivateKey) -> Response:
    return _page_response(302, "", request, key, location)


def with_parameters(url: str, parameters: dict[str, str | None]) -> str:
    """``url`` with ``parameters`` appended to its query (None values left out)."""
    parts = urlsplit(url)
    extra = urlencode({k: v for k, v in parameters.items() if v is not None})
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def _auth(ctx: HandlerContext, request: Request, key: PrivateKey) -> Response:
    if request.method not in ("GET", "POST", "HEAD"):
        return _page_response(405, _document("Method not allowed", "<p>Use GET or POST.</p>"), request, key)
    form = _form(request)
    params = {**request.query, **form}
    db = ctx.store.read()
    try:
        approval = check_authorization_request(db, params)
    except RequestRefused as refused:
        body = f'<p class="refused" role="alert">{html.escape(str(refused))}</p>'
        return _page_response(400, _document("This authorization request cannot be used", body), request, key)
    decision = form.get("decision")
    if decision is None:
        return _page_response(200, _approval_page(ctx, request, approval), request, key)
    if decision == "deny":
        location = with_parameters(
            approval.redirect_uri,
            {
                "error": "access_denied",
                "error_description": "The user denied the request.",
                "state": approval.state,
            },
        )
        return _redirect(location, request, key)
    user_id = form.get("user_id", "")
    users = {str(user["id"]): user for user in grantees(db)}
    if decision != "approve" or user_id not in users:
        problem = (
            "Choose a user in the list, then Approve or Deny."
            if decision == "approve"
            else f"decision must be approve or deny, not {decision!r}."
        )
        note = f'<p class="refused" role="alert">{html.escape(problem)}</p>'
        return _page_response(400, _approval_page(ctx, request, approval, note), request, key)
    with ctx.store.transaction() as write:
        code = issue_code(write, approval, int(user_id), ctx.now())
    return _redirect(
        with_parameters(approval.redirect_uri, {"code": code, "state": approval.state}), request, key
    )


def _page_url(request: Request, approval: Approval) -> str:
    host = request.header("Host") or "localhost"
    query = {
        "response_type": "code",
        "client_id": approval.client["client_id"],
        "redirect_uri": approval.redirect_uri,
    }
    if approval.state is not None:
        query["state"] = approval.state
    return f"https://{host}{AUTH_PATH}?{urlencode(query)}"


def _approval_page(ctx: HandlerContext, request: Request, approval: Approval, note: str = "") -> str:
    app = html.escape(approval.client["display_name"])
    owner = html.escape(approval.owner["display_name"]) if approval.owner is not None else "a bunq user"
    import segno  # only when a page shows a QR code: not on every sandbox start (the warm CLI)

    qr = segno.make(_page_url(request, approval), error="m").svg_inline(scale=4, dark="#000", light="#fff")
    hidden = "".join(
        f'<input type="hidden" name="{name}" value="{html.escape(value)}">'
        for name, value in (
            ("response_type", "code"),
            ("client_id", approval.client["client_id"]),
            ("redirect_uri", approval.redirect_uri),
            ("state", approval.state),
        )
        if value is not None
    )
    options = "".join(
        f'<option value="{user["id"]}">{html.escape(user["display_name"])} ({html.escape(user["email"])})</option>'
        for user in grantees(ctx.store.read())
    )
    asks = "".join(f"<li>{html.escape(item)}</li>" for item in ASKS_FOR)
    body = APPROVAL.substitute(
        app=app,
        owner=owner,
        asks=asks,
        redirect_uri=html.escape(approval.redirect_uri),
        qr=qr,
        note=note,
        auth_path=AUTH_PATH,
        hidden=hidden,
        options=options,
    )
    return _document(f"Connect {approval.client['display_name']} to bunq", body)


def _document(title: str, body: str) -> str:
    return PAGE.substitute(title=html.escape(title), body=body)


# --- the granting user revokes -----------------------------------------------------------------------


def _revoke(ctx: HandlerContext, request: Request, key: PrivateKey) -> Response:
    if request.method != "POST":
        return _page_response(405, _document("Method not allowed", "<p>Use POST.</p>"), request, key)
    form = _form(request)
    user_id, api_key_id = form.get("user_id", ""), form.get("user_api_key_id", "")
    with ctx.store.transaction() as db:
        grant = grant_of(db, int(api_key_id)) if api_key_id.isdigit() and len(api_key_id) < 19 else None
        if grant is None or str(grant["granted_by_user_id"]) != user_id:
            body = (
                "<p class='refused' role='alert'>No app connection with that id was granted by that user.</p>"
            )
            return _page_response(404, _document("Nothing to revoke", body), request, key)
        revoke(ctx, db, grant)
    return _page_response(
        200, _document("Access revoked", "<p>The app can no longer act for you.</p>"), request, key
    )
