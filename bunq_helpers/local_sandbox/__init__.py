"""A local stand-in for bunq's sandbox: real HTTPS, real RSA signatures, bunq's answers and errors.

    from bunq_helpers.local_sandbox import LocalSandbox

    with LocalSandbox() as sandbox:
        print(sandbox.base_url, sandbox.ca_file, sandbox.pin)

or, standalone: ``python -m bunq_helpers.local_sandbox --state-dir DIR`` (writes ``DIR/server.json``).

Its own API, outside bunq's ``/v1/``, is at ``/_sandbox/`` (loopback clients only): the journal of
exchanges with the reason for each refusal, the clock, snapshots, scenarios, triggers and a dashboard
(``sandbox_api``; the same operations are ``LocalSandbox`` methods and ``python -m
bunq_helpers.local_sandbox trigger|journal|clock|snapshot|scenario``).

This package is the server side. It shares only the pure key and signature functions
(``bunq_helpers.crypto``) with the client; its parsing, routing and HTTP are
its own, so a bug in the client's transport cannot hide behind the same bug here.
Choices made where bunq's behaviour is undocumented are listed in ``endpoints.handshake``, ``auth``, ``app`` and
``bunq_errors``.
"""

from .faults import KINDS as FAULT_KINDS
from .http_server import ConnectionLimits
from .options import SandboxOptions
from .server import LocalSandbox, ServerInfo, reset_state

__all__ = ["FAULT_KINDS", "ConnectionLimits", "LocalSandbox", "SandboxOptions", "ServerInfo", "reset_state"]
