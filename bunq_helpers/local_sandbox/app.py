"""The application: every request goes through the same steps, in bunq's order.

1. the HTTP layer (``http_server``) reads the request whole: a body over ``max_body_bytes`` (known
   from Content-Length before reading, counted when chunked), headers over its hard limit, bad
   framing or a request too slow to arrive get a signed 400 from ``refuse`` and the connection is
   closed; headers over 16 KiB in all get the same 400 here;
2. find the route: not under ``/v1/``, a path bunq's API does not have, or path tricks (``..``,
   encoded ``/``) are 404 ``Route not found.``; an operation bunq has that no route emulates is
   501 naming it (see ``catalogue``); a path with a method neither we nor bunq have is 405;
3. teaching faults, if any are armed; rate limits, if switched on;
4. the token: none, the installation token, or a live session token (else 401);
5. the signature: required on session-server and payments (missing: 466, wrong: 400), on every
   call after installation in strict mode, ignored otherwise (the Postman collection sends stale
   and empty ones);
6. the handler, then the answer, encoded and signed (a file's raw bytes are signed as they are).

Nothing a client sends can produce a traceback in an answer: an unexpected failure is logged and
answered with bunq's 500 ``Encountered unhandled exception.``

Every answer, errors included, is shown to the callbacks in ``SandboxApp.answers_seen`` (a plain
list shared by every app in the process) as an ``Answer``, just before it is sent; the tests use it
to check each answer against bunq's spec.
"""

from __future__ import annotations

import functools
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import ClassVar

from ..crypto.keys import public_key_to_pem
from ..crypto.signing import verify_body
from .answers import build_raw_response, build_response, error_payload
from .auth import authenticate
from .bank.clock import SandboxClock
from .bank.settlement import settle_due
from .bunq_errors import (
    METHOD_NOT_ALLOWED,
    SIGNATURE_INVALID,
    SIGNATURE_REQUIRED,
    UNHANDLED_EXCEPTION,
    BunqError,
    bad_request,
    not_found,
)
from .catalogue import load_catalogue, not_emulated, shape_of
from .certificates import ServerCredentials
from .endpoints import route_index, routes_of
from .events import EventLog
from .explain import explain_signature_missing
from .faults import Faults
from .http_io import Disconnect, Response
from .journal import Journal
from .kit import check_request
from .oauth_grants import OAUTH_PATHS, check_allowed
from .options import SandboxOptions
from .rate_limits import RateLimiter
from .refusals import Refusals
from .request import API_PREFIX, Request
from .routing import Auth, Caller, HandlerContext, RawReply, Route, Router
from .store import Store
from .validation import client_public_key

log = logging.getLogger("bunq_helpers.local_sandbox")

MAX_HEADER_BYTES = 16_384
SANDBOX_PREFIX = "/_sandbox"
_PATH_TRICKS = re.compile(r"(%2f|%5c|%2e|\\|/\.\.?(/|$)|//)", re.IGNORECASE)


@dataclass(frozen=True)
class Answer:
    """One answer as it leaves the app: the request (None when the HTTP layer could not read one),
    the route that served it (None when routing failed), and the response (status, headers, signed body)."""

    request: Request | None
    route: Route | None
    response: Response


AnswerObserver = Callable[[Answer], None]


class SandboxApp:
    """The local sandbox's answers: a whole request in, a signed response out (any HTTP server)."""

    answers_seen: ClassVar[list[AnswerObserver]] = []

    def __init__(
        self,
        store: Store,
        credentials: ServerCredentials,
        options: SandboxOptions,
        faults: Faults,
        requests_seen: Callable[[Request], None] | None = None,
    ) -> None:
        if not isinstance(options.clock, SandboxClock):
            options = replace(options, clock=SandboxClock(options.clock))
        self.credentials = credentials
        self.options = options
        self.clock: SandboxClock = options.clock
        self.journal = Journal(options.journal_size)
        self.refusals = Refusals(store, self.journal, self.clock)
        self.sandbox_api: Callable[[Request], Response] | None = None  # /_sandbox/, set by LocalSandbox
        self.faults = faults
        self.router = Router(route_index(), routes_of)
        self.rate_limiter = RateLimiter(options.clock)
        self.events = EventLog(store, options.clock)
        self.context = HandlerContext(
            store,
            self.events,
            options.clock,
            lambda: options.sugardaddy_delay,
            options=options,
            server_public_key_pem=public_key_to_pem(credentials.signing_key),
        )
        self._requests_seen = requests_seen

    def handle(self, request: Request) -> Response:
        """Steps 2-6 for a request whose head and body arrived whole; raises ``Disconnect`` for that fault."""
        if self.sandbox_api is not None and request.raw_path.startswith(SANDBOX_PREFIX):
            return self.sandbox_api(request)  # our own API: not bunq's, not journalled
        started = time.perf_counter()
        self._seen(request)
        try:
            response = self._respond(request)
        except Disconnect:
            raise
        except Exception:  # the client never sees a traceback
            log.exception("unhandled error for %s %s", request.method, request.raw_path)
            response = self._error(request, BunqError(500, UNHANDLED_EXCEPTION))
        self._journal(request, response, started)
        self._show(Answer(request, request.context.get("route"), response))
        return response

    def refuse(self, request: Request | None, error: BunqError) -> Response:
        """Step 1's answer: a request the HTTP layer would not take whole, in bunq's shape, signed."""
        started = time.perf_counter()
        if request is not None:
            self._seen(request)
        response = self._error(request, error)
        if request is not None:
            request.context["refusal"] = error
            self._journal(request, response, started)
        self._show(Answer(request, None, response))
        return response

    def _journal(self, request: Request, response: Response, started: float) -> None:
        """Record the exchange, with the explanation of a refusal (never changes the answer)."""
        error: BunqError | None = request.context.get("refusal")
        explanation = None
        if error is not None:
            try:
                explanation = self.refusals.explain(request, error)
            except Exception:  # an explanation's bug must not cost the client its answer
                log.exception("explaining %s %s failed", request.method, request.raw_path)
        headers = dict(response.headers)
        self.journal.record(
            now=self.clock(),
            request_id=request.request_id,
            method=request.method,
            path=request.raw_path,
            status=response.status,
            response_id=headers.get("X-Bunq-Client-Response-Id"),
            error=error.description if error is not None else None,
            explanation=explanation,
            duration=time.perf_counter() - started,
            remote_addr=request.remote_addr,
            token=request.header("X-Bunq-Client-Authentication"),
        )

    def _show(self, answer: Answer) -> None:
        for observer in list(SandboxApp.answers_seen):
            try:
                observer(answer)
            except Exception:  # an observer's bug must not change what the client gets
                log.exception("answer observer %r failed", observer)

    def _seen(self, request: Request) -> None:
        if self._requests_seen is not None:
            self._requests_seen(request)

    def _respond(self, request: Request) -> Response:
        try:
            header_bytes = sum(len(k) + len(v) + 4 for k, v in request.headers.items())
            if header_bytes > MAX_HEADER_BYTES:
                raise bad_request(f"The request headers are larger than {MAX_HEADER_BYTES} bytes in all.")
            if request.raw_path in OAUTH_PATHS:  # bunq's OAuth hosts, on this origin
                from . import oauth_pages

                page = oauth_pages.answer(self.context, request, self.credentials.signing_key)
                if page is not None:
                    return page
            route, ids = self._route(request)
            faults = self.faults.take(request.route_path)
            if "disconnect" in faults:
                raise Disconnect()
            if "server-error" in faults:
                raise BunqError(500, UNHANDLED_EXCEPTION)
            if self.options.rate_limits:
                self.rate_limiter.check(request.remote_addr, request.method, route.template)
            caller = self._authenticate(request, route)
            if caller.acting_for is not None:  # an OAuth session does what the grant allows
                check_allowed(
                    self.context.store.read(), request.method, route.template, request.body, caller.acting_for
                )
            self._check_signature(request, route, caller)
            if route.operation is not None:
                check_request(route.operation, request)
            if caller.user is not None:
                # what fell due, before any answer (an OAuth session: the granting user's)
                settle_due(self.context.bank, (caller.acting_for or caller.user)["id"])
            reply = route.handler(self.context, request, caller, ids)
            key = self.credentials.signing_key
            if isinstance(reply, RawReply):
                response = build_raw_response(200, reply.body, reply.content_type, request, key)
            else:
                payload = reply.payload()
                if self.options.strict_answers:
                    self._check_answer(request, route, payload)
                response = build_response(200, payload, request, key)
        except BunqError as error:
            request.context["refusal"] = error
            response = self._error(request, error)
            if error.status == 405:  # RFC 9110 §15.5.6: a 405 lists the methods the path has
                response.headers.append(("Allow", ", ".join(request.context.get("allow", ()))))
            faults = {}
        if "slow" in faults:
            response.hold_seconds = faults["slow"].seconds  # the server holds it back, no thread waits
        return self._apply_signature_faults(response, faults)

    def _route(self, request: Request) -> tuple[Route, dict[str, int]]:
        raw = request.raw_path
        if not raw.startswith(API_PREFIX) or _PATH_TRICKS.search(raw[len(API_PREFIX) - 1 :]):
            raise not_found()
        request.route_path = raw[len(API_PREFIX) :].rstrip("/")
        route, ids, allowed = self.router.resolve(request.method, request.route_path)
        if route is not None:
            request.context["route"] = route
            return route, ids
        bunq_has = {op.method: op for op in load_catalogue().at(request.route_path)}
        operation = bunq_has.get(request.method)
        if operation is not None:
            # emulated, but the ids in this path do not fit our route: as unknown as any other path
            if (operation.method, operation.shape) in self._emulated:
                raise not_found()
            self._authenticate_any(request)  # bunq's 401 comes before anything about the operation
            raise not_emulated(operation)
        methods = sorted(set(allowed) | set(bunq_has))
        if methods:
            request.context["allow"] = methods
            raise BunqError(405, METHOD_NOT_ALLOWED.format(method=request.method, allowed=", ".join(methods)))
        raise not_found()

    @functools.cached_property
    def _emulated(self) -> set[tuple[str, str]]:
        """(method, shape) of every route: worked out on the first path no route fits, not at start."""
        return {(entry.method, shape_of(entry.template)) for entry in route_index()}

    def _authenticate(self, request: Request, route: Route) -> Caller:
        if route.auth is Auth.NONE:
            return Caller()
        return authenticate(self.context, request, route.auth.value)

    def _authenticate_any(self, request: Request) -> Caller:
        """A live session token, or an installation token; else bunq's 401."""
        try:
            return authenticate(self.context, request, Auth.SESSION.value)
        except BunqError as error:
            if error.status != 401:
                raise
            return authenticate(self.context, request, Auth.INSTALLATION.value)

    def _check_answer(self, request: Request, route: Route, payload: object) -> None:
        """``strict_answers``: an answer outside bunq's spec becomes a 500 naming what does not fit."""
        from .answer_check import check_answer  # the tests' switch: a sandbox without it never loads it

        problems = check_answer(route.method, route.template, payload)
        request.context["answer_checked"] = True
        if problems:
            request.context["answer_problems"] = problems
            log.error(
                "answer outside bunq's spec for %s %s: %s", request.method, request.route_path, problems
            )
            raise BunqError(
                500, "The local sandbox's answer does not fit bunq's spec: " + "; ".join(problems)
            )

    def _check_signature(self, request: Request, route: Route, caller: Caller) -> None:
        if not (route.signature_required or (self.options.strict_signatures and route.auth is not Auth.NONE)):
            return
        signature = (request.header("X-Bunq-Client-Signature") or "").strip()
        if not signature:
            raise BunqError(466, SIGNATURE_REQUIRED, explain_signature_missing())
        client_key = client_public_key(caller.installation["client_public_key"])
        if not verify_body(client_key, request.body, signature):
            installation = caller.installation
            raise BunqError(
                400, SIGNATURE_INVALID, lambda refusals: refusals.signature(request, installation)
            )

    def _error(self, request: Request | None, error: BunqError) -> Response:
        language = request.language if request is not None else None
        payload = error_payload(error.description, error.translated(language))
        return build_response(error.status, payload, request, self.credentials.signing_key)

    @staticmethod
    def _apply_signature_faults(response: Response, faults: dict) -> Response:
        if "tamper-signature" in faults:
            response.headers = [
                (name, _tamper(value) if name == "X-Bunq-Server-Signature" else value)
                for name, value in response.headers
            ]
        if "drop-signature" in faults:
            response.headers = [(n, v) for n, v in response.headers if n != "X-Bunq-Server-Signature"]
        return response


def _tamper(signature: str) -> str:
    """The same signature with its first character changed: still base64, no longer valid."""
    first = "A" if signature[0] != "A" else "B"
    return first + signature[1:]
