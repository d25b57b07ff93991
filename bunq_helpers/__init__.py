"""bunq_helpers: the bunq API handshake, one showable step at a time.

What a learner or an integrator uses is one import away::

    from bunq_helpers import create_api_context, load_settings

    run = create_api_context(load_settings())      # resumes from the saved context file
    me = run.client.request("GET", "user", token=run.context.session_token)

The other two ways to make an API context: ``create_api_context(settings, api_key=access_token)`` for
an OAuth app (``register_app``, ``authorization_url``, ``exchange_code`` and the page's steps:
``client.oauth``) and ``create_api_context(settings, psd2=certificate)`` for a PSD2 provider
(``make_test_certificate``, ``create_psd2_credential``: ``client.psd2``).

The package has two rooms that share only ``crypto`` (keys, signatures, the atomic file writer) and
the ``errors`` leaf: ``client/`` (settings, transport, one module per handshake step, the API
context, display) and ``local_sandbox/`` (a stand-in for bunq's sandbox). ``cli`` is the command line.

The names in ``__all__`` load on first use (PEP 562), so ``import bunq_helpers.local_sandbox`` and
``python -m bunq_helpers.local_sandbox`` never load the client or requests. Only the error tree, a
leaf with no imports, is loaded with the package.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import (
    ApiError,
    AuthorisationError,
    BadRequestError,
    BunqHelpersError,
    ConfigurationError,
    ConnectionFailedError,
    ContextFileError,
    CredentialsError,
    DeadlineExceededError,
    HandshakeIncompleteError,
    InsecureUrlError,
    InvalidKeyError,
    MethodNotAllowedError,
    NotFoundError,
    PinMismatchError,
    RateLimitError,
    ResponseSignatureError,
    ResponseTooLargeError,
    ServerError,
    SignatureInvalidError,
    SignatureRequiredError,
    TlsVerificationError,
    TransportError,
    UnexpectedResponseError,
    WaitTimeoutError,
)

if TYPE_CHECKING:  # what __getattr__ loads, spelled out for type checkers and IDEs
    from .client.accounts import SUGAR_DADDY
    from .client.api_session import ApiSession
    from .client.callbacks import CallbackReceiver
    from .client.check_yourself import check_answer, check_signature, check_token
    from .client.config import Environment, Settings, load_settings
    from .client.connect import connect
    from .client.context import ApiContext
    from .client.context_file import ContextFileWarning
    from .client.device_server import device_body, register_device
    from .client.endpoint import Endpoint
    from .client.exchange import Exchange
    from .client.handshake import create_api_context, end_session, ensure_session
    from .client.installation import create_installation, installation_body
    from .client.notebook import start_notebook
    from .client.oauth import (
        answer_authorization_page,
        authorization_url,
        exchange_code,
        new_state,
        oauth_hosts,
        open_authorization_page,
        page_qr_code,
        page_users,
        register_app,
        revoke_on_page,
    )
    from .client.psd2 import Psd2Certificate, create_psd2_credential, make_test_certificate
    from .client.sandbox_user import create_sandbox_user
    from .client.sequence_diagram import sequence_diagram
    from .client.session_server import open_session
    from .client.transport import BunqClient, encode_body
    from .local_sandbox import LocalSandbox, SandboxOptions

__version__ = "0.1.0"

_LAZY: dict[str, tuple[str, ...]] = {
    ".client.accounts": ("SUGAR_DADDY",),
    ".client.api_session": ("ApiSession",),
    ".client.device_server": ("device_body", "register_device"),
    ".client.installation": ("create_installation", "installation_body"),
    ".client.sandbox_user": ("create_sandbox_user",),
    ".client.session_server": ("open_session",),
    ".client.callbacks": ("CallbackReceiver",),
    ".client.check_yourself": ("check_answer", "check_signature", "check_token"),
    ".client.config": ("Environment", "Settings", "load_settings"),
    ".client.context": ("ApiContext",),
    ".client.context_file": ("ContextFileWarning",),
    ".client.connect": ("connect",),
    ".client.endpoint": ("Endpoint",),
    ".client.exchange": ("Exchange",),
    ".client.handshake": ("create_api_context", "end_session", "ensure_session"),
    ".client.notebook": ("start_notebook",),
    ".client.oauth": (
        "answer_authorization_page",
        "authorization_url",
        "exchange_code",
        "new_state",
        "oauth_hosts",
        "open_authorization_page",
        "page_qr_code",
        "page_users",
        "register_app",
        "revoke_on_page",
    ),
    ".client.psd2": ("Psd2Certificate", "create_psd2_credential", "make_test_certificate"),
    ".client.sequence_diagram": ("sequence_diagram",),
    ".client.transport": ("BunqClient", "encode_body"),
    ".local_sandbox": ("LocalSandbox", "SandboxOptions"),
}
_HOME = {name: module for module, names in _LAZY.items() for name in names}

__all__ = [
    "SUGAR_DADDY",
    "ApiContext",
    "ApiError",
    "ApiSession",
    "AuthorisationError",
    "BadRequestError",
    "BunqClient",
    "BunqHelpersError",
    "CallbackReceiver",
    "ConfigurationError",
    "ConnectionFailedError",
    "ContextFileError",
    "ContextFileWarning",
    "CredentialsError",
    "DeadlineExceededError",
    "Endpoint",
    "Environment",
    "Exchange",
    "HandshakeIncompleteError",
    "InsecureUrlError",
    "InvalidKeyError",
    "LocalSandbox",
    "MethodNotAllowedError",
    "NotFoundError",
    "PinMismatchError",
    "Psd2Certificate",
    "RateLimitError",
    "ResponseSignatureError",
    "ResponseTooLargeError",
    "SandboxOptions",
    "ServerError",
    "Settings",
    "SignatureInvalidError",
    "SignatureRequiredError",
    "TlsVerificationError",
    "TransportError",
    "UnexpectedResponseError",
    "WaitTimeoutError",
    "__version__",
    "answer_authorization_page",
    "authorization_url",
    "check_answer",
    "check_signature",
    "check_token",
    "connect",
    "create_api_context",
    "create_installation",
    "create_psd2_credential",
    "create_sandbox_user",
    "device_body",
    "encode_body",
    "end_session",
    "ensure_session",
    "exchange_code",
    "installation_body",
    "load_settings",
    "make_test_certificate",
    "new_state",
    "oauth_hosts",
    "open_authorization_page",
    "open_session",
    "page_qr_code",
    "page_users",
    "register_app",
    "register_device",
    "revoke_on_page",
    "sequence_diagram",
    "start_notebook",
]


def __getattr__(name: str) -> Any:
    """Load a front-door name from its module on first use, then keep it here."""
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
