"""The API context: everything the handshake produced, saved to and restored from one JSON file.

The file is the one bunq's official Python SDK writes (``ApiContext.save``): ``api_key``,
``environment_type``, ``installation_context`` (token and the three PEM keys) and
``session_context`` (token, ``expiry_time`` as a naive local time, ``user_id`` and the user). So the
SDK restores our files and we restore the SDK's. What the SDK has no field for (the environment
``local``, the base URL, installation/device/session ids, the expiry in UTC) sits under a
``bunq_helpers`` key, which the SDK ignores.

Files are written atomically (a temporary file in the same folder, fsync, rename) and readable by
the owner only (0600): the file is a key to the account. A file is saved after every step, so an
interrupted handshake resumes where it stopped.

The context is the one owner of the key material and tokens. The client reads ``private_key`` and
``server_public_key`` from it whenever it signs or verifies; the handshake's orchestrator
(``handshake``) records what each step made with the ``record_*`` methods. This module sits below
both: it knows the records (``records``), not the steps that make them nor the transport.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..crypto.atomic_file import write_atomically
from ..crypto.keys import (
    PrivateKey,
    PublicKey,
    load_private_key,
    load_public_key,
    private_key_to_pem,
    public_key_to_pem,
)
from ..errors import ContextFileError, HandshakeIncompleteError, InvalidKeyError
from .config import Environment
from .masking import API_KEY, PRIVATE_KEY, TOKEN, mask_value
from .records import Device, Installation, Session, session_timeout_of

FORMAT_VERSION = 1
EXTRAS_KEY = "bunq_helpers"
SDK_TIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"
SESSION_EXPIRY_MARGIN = dt.timedelta(seconds=30)  # bunq's SDKs treat less than 30 s left as expired
SDK_ENVIRONMENT = {
    Environment.LOCAL: "SANDBOX",
    Environment.SANDBOX: "SANDBOX",
    Environment.PRODUCTION: "PRODUCTION",
}
SDK_USER_FIELDS = {
    "UserPerson": "user_person",
    "UserCompany": "user_company",
    "UserApiKey": "user_api_key",
    "UserPaymentServiceProvider": "user_payment_service_provider",
}


def utc_now() -> dt.datetime:
    """The current time in UTC."""
    return dt.datetime.now(dt.timezone.utc)


@dataclass
class ApiContext:
    """Keys, tokens, ids and the session of one API key on one environment."""

    environment: Environment
    api_key: str | None = field(default=None, repr=False)
    base_url: str | None = None
    private_key_pem: str | None = field(default=None, repr=False)
    installation_id: int | None = None
    installation_token: str | None = field(default=None, repr=False)
    server_public_key_pem: str | None = field(default=None, repr=False)
    device_id: int | None = None
    device_registered: bool = False
    device_description: str | None = None
    permitted_ips: tuple[str, ...] = ()
    session: Session | None = None
    _parsed: dict[str, tuple[str, Any]] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __repr__(self) -> str:
        parts = [
            f"environment={self.environment.value!r}",
            f"api_key={mask_value(self.api_key, API_KEY) if self.api_key else None!r}",
            f"installation_id={self.installation_id}",
            f"installation_token={mask_value(self.installation_token) if self.installation_token else None!r}",
            f"device_id={self.device_id}",
            f"session={self.session!r}",
        ]
        return f"ApiContext({', '.join(parts)})"

    # -- recording what each step created -----------------------------------------------------

    def record_private_key(self, private_key: PrivateKey) -> None:
        """Keep a new key pair (before its installation, so an interrupted run resumes with it)."""
        self.private_key_pem = private_key_to_pem(private_key)
        self._parsed["private"] = (self.private_key_pem, private_key)

    def record_installation(self, installation: Installation, private_key: PrivateKey) -> None:
        """Keep a new installation; a device or session of an earlier one no longer applies."""
        self.record_private_key(private_key)
        self.installation_id = installation.id
        self.installation_token = installation.token
        self.server_public_key_pem = installation.server_public_key
        self.device_id = None
        self.device_registered = False
        self.session = None

    def record_device(self, device: Device) -> None:
        """Keep the registered device."""
        self.device_id = device.id
        self.device_registered = True
        self.device_description = device.description
        self.permitted_ips = device.permitted_ips

    def record_session(self, session: Session) -> None:
        """Keep the open session."""
        self.session = session

    def forget_session(self) -> None:
        """Drop the session (after logging out, or to open a new one)."""
        self.session = None

    @property
    def secrets(self) -> dict[str, str]:
        """Every secret this context holds, for masking: value -> kind."""
        found = {self.api_key: API_KEY, self.installation_token: TOKEN, self.private_key_pem: PRIVATE_KEY}
        if self.session is not None:
            found[self.session.token] = TOKEN
        return {value: kind for value, kind in found.items() if value}

    # -- state ---------------------------------------------------------------------------------

    def _parse(self, name: str, pem: str | None, load: Callable[[str], Any]) -> Any:
        """``load(pem)``, parsed once per PEM and then cached (the client reads the keys on every call)."""
        if not pem:
            return None
        cached = self._parsed.get(name)
        if cached is None or cached[0] != pem:
            cached = self._parsed[name] = (pem, load(pem))
        return cached[1]

    @property
    def private_key(self) -> PrivateKey | None:
        """The installation's private key, if one was made: it signs requests."""
        return self._parse("private", self.private_key_pem, lambda pem: load_private_key(pem, trusted=True))

    @property
    def server_public_key(self) -> PublicKey | None:
        """bunq's server public key from the installation, if there is one: it verifies responses."""
        return self._parse("server", self.server_public_key_pem, load_public_key)

    @property
    def has_installation(self) -> bool:
        """Whether step 1 is done."""
        return bool(self.installation_token and self.server_public_key_pem and self.private_key_pem)

    def session_time_left(self, now: dt.datetime | None = None) -> dt.timedelta | None:
        """Time until the session expires (None without a session)."""
        if self.session is None:
            return None
        return self.session.expires_at - (now or utc_now())

    def is_session_active(self, now: dt.datetime | None = None) -> bool:
        """True if there is a session with more than 30 s left (the SDKs' rule)."""
        left = self.session_time_left(now)
        return left is not None and left > SESSION_EXPIRY_MARGIN

    @property
    def session_token(self) -> str:
        """The session token, or a clear error if there is no session yet."""
        return self._require_session().token

    @property
    def user_id(self) -> int:
        """The session user's id."""
        return self._require_session().user_id

    def _require_session(self) -> Session:
        if self.session is None:
            raise HandshakeIncompleteError(
                "This API context has no session yet. Open one with ensure_session(context, client) "
                "(or create_api_context(), which also does the missing installation and device); in "
                "the tutorial, run notebook 03_add_a_session first."
            )
        return self.session

    # -- the file --------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The SDK-compatible JSON structure, with our extras under ``bunq_helpers``."""
        data: dict[str, Any] = {"environment_type": SDK_ENVIRONMENT[self.environment]}
        if self.api_key:
            data["api_key"] = self.api_key
        private_key = self.private_key
        if private_key is not None:
            installation: dict[str, Any] = {
                "private_key_client": private_key_to_pem(private_key),
                "public_key_client": public_key_to_pem(private_key),
            }
            if self.installation_token:
                installation["token"] = self.installation_token
            if self.server_public_key_pem:
                installation["public_key_server"] = self.server_public_key_pem
            data["installation_context"] = installation
        extras: dict[str, Any] = {
            "format": FORMAT_VERSION,
            "environment": self.environment.value,
            "base_url": self.base_url,
            "installation_id": self.installation_id,
            "device_id": self.device_id,
            "device_registered": self.device_registered,
            "device_description": self.device_description,
            "permitted_ips": list(self.permitted_ips),
        }
        if self.session is not None:
            session = self.session
            data["session_context"] = {
                "token": session.token,
                "expiry_time": session.expires_at.astimezone().replace(tzinfo=None).strftime(SDK_TIME_FORMAT),
                "user_id": session.user_id,
                SDK_USER_FIELDS.get(session.user_kind, "user_person"): session.user,
            }
            extras.update(
                session_id=session.id,
                session_expires_at=session.expires_at.isoformat(),
                session_timeout=session.session_timeout,
                user_kind=session.user_kind,
            )
        data[EXTRAS_KEY] = extras
        return data

    def to_json(self) -> str:
        """The file's text (indented by 4 and sorted, as the SDK writes it)."""
        return json.dumps(self.to_dict(), indent=4, sort_keys=True) + "\n"

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "the context") -> ApiContext:
        """Read our own files and the SDK's."""
        if not isinstance(data, dict):
            raise ContextFileError(f"{source} is not a JSON object.")
        extras = data.get(EXTRAS_KEY) if isinstance(data.get(EXTRAS_KEY), dict) else {}
        try:
            environment = Environment(
                extras.get("environment")
                or {"SANDBOX": "sandbox", "PRODUCTION": "production"}[data["environment_type"]]
            )
        except (KeyError, ValueError):
            raise ContextFileError(
                f"{source} has no usable environment_type (expected SANDBOX or PRODUCTION)."
            ) from None
        installation = data.get("installation_context") or {}
        private_key_pem = installation.get("private_key_client")
        context = cls(
            environment=environment,
            api_key=data.get("api_key"),
            base_url=extras.get("base_url"),
            private_key_pem=private_key_pem,
            installation_id=extras.get("installation_id"),
            installation_token=installation.get("token"),
            server_public_key_pem=installation.get("public_key_server"),
            device_id=extras.get("device_id"),
            # A file the SDK saved exists only after all three steps succeeded.
            device_registered=bool(extras.get("device_registered", bool(installation.get("token")))),
            device_description=extras.get("device_description"),
            permitted_ips=tuple(extras.get("permitted_ips") or ()),
        )
        try:
            context.private_key  # noqa: B018 - parse (and cache) the keys now, so a bad file fails here
            context.server_public_key  # noqa: B018
        except InvalidKeyError as exc:
            raise ContextFileError(f"{source} holds a key that cannot be loaded: {exc}") from None
        session = data.get("session_context")
        if isinstance(session, dict) and session.get("token"):
            context.session = _session_from(session, extras, source)
        return context

    @classmethod
    def from_json(cls, text: str, source: str = "the context") -> ApiContext:
        """Parse a context file's text."""
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ContextFileError(f"{source} is not valid JSON ({exc}). Delete it to start over.") from None
        return cls.from_dict(data, source)

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the context atomically, owner-only (0600)."""
        return write_atomically(Path(path), self.to_json())

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> ApiContext:
        """Read a context file (ours or the SDK's)."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ContextFileError(
                f"No API context at {path}; create one with create_api_context()."
            ) from None
        except OSError as exc:
            raise ContextFileError(f"Cannot read the API context at {path}: {exc.strerror}.") from None
        return cls.from_json(text, source=str(path))


def _session_from(session: dict[str, Any], extras: dict[str, Any], source: str) -> Session:
    kind = extras.get("user_kind") or next(
        (k for k, f in SDK_USER_FIELDS.items() if session.get(f)), "UserPerson"
    )
    user = session.get(SDK_USER_FIELDS[kind]) or {}
    if extras.get("session_expires_at"):
        expires_at = dt.datetime.fromisoformat(extras["session_expires_at"])
    else:
        try:  # the SDK writes naive local time
            expires_at = dt.datetime.strptime(session["expiry_time"], SDK_TIME_FORMAT).astimezone()
        except (KeyError, TypeError, ValueError):
            raise ContextFileError(f"{source} has a session without a readable expiry_time.") from None
    user_id = session.get("user_id", user.get("id"))
    if not isinstance(user_id, int):
        raise ContextFileError(f"{source} has a session without a user_id.")
    return Session(
        id=int(extras.get("session_id") or 0),
        token=session["token"],
        user_id=user_id,
        user_kind=kind,
        user=user,
        session_timeout=int(extras.get("session_timeout") or session_timeout_of(kind, user)),
        expires_at=expires_at.astimezone(dt.timezone.utc),
    )
