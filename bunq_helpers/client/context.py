"""The API context: everything the handshake produced, saved to and restored from one JSON file.

The file is the one bunq's official Python SDK writes (``ApiContext.save``): ``api_key``,
``environment_type``, ``installation_context`` (token and the three PEM keys) and
``session_context`` (token, ``expiry_time`` as a naive local time, ``user_id`` and the user). So the
SDK restores our files and we restore the SDK's. What the SDK has no field for (the environment
``local``, the base URL, installation/device/session ids, the expiry in UTC) sits under a
``bunq_helpers`` key, which the SDK ignores.

Files are written atomically (a temporary file in the same folder, fsync, rename) and readable by
the owner only (0600): the file is a key to the account. Reading is strict (``context_file``): a
malformed file, whatever is wrong with it, is one ``ContextFileError`` naming the field, and a file
others can read gets a ``ContextFileWarning``. A file is saved after every step, so an
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

from ..crypto.atomic_file import remove_stale_temp_files, write_atomically
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
from .context_file import (
    FIX,
    Fields,
    describe,
    parse_context_json,
    read_context_file,
)
from .masking import API_KEY, PRIVATE_KEY, TOKEN, mask_value
from .records import MAX_SESSION_TIMEOUT, Device, Installation, Session, session_timeout_of

FORMAT_VERSION = 1
EXTRAS_KEY = "bunq_helpers"
SDK_TIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"
SDK_EXPIRY = "a local time like 2025-03-12 16:12:11.918100"
OUR_EXPIRY = "an ISO 8601 time with its UTC offset, like 2025-03-12T16:12:11+00:00"
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
        """Read our own files and the SDK's; anything malformed is a ContextFileError naming the field."""
        if not isinstance(data, dict):
            raise ContextFileError(f"{source} is {describe(data)}; expected an object ({{...}}). {FIX}")
        top = Fields(data, "", source)
        extras = top.object(EXTRAS_KEY)
        file_format = extras.integer("format")
        if file_format is not None and file_format > FORMAT_VERSION:
            raise ContextFileError(
                f"{source} was written by a newer bunq_helpers (format {file_format}, this one reads "
                f"{FORMAT_VERSION}); upgrade bunq_helpers."
            )
        environment = _environment_of(top, extras)
        installation = top.object("installation_context")
        installation_token = installation.secret("token", "the installation token")
        context = cls(
            environment=environment,
            api_key=top.secret("api_key", "the API key"),
            base_url=extras.text("base_url", show=True),
            private_key_pem=installation.text("private_key_client"),
            installation_id=extras.integer("installation_id"),
            installation_token=installation_token,
            server_public_key_pem=installation.text("public_key_server"),
            device_id=extras.integer("device_id"),
            device_description=extras.text("device_description"),
            permitted_ips=extras.texts("permitted_ips"),
        )
        registered = extras.boolean("device_registered")
        # A file the SDK saved exists only after all three steps succeeded.
        context.device_registered = bool(installation_token) if registered is None else registered
        _load_keys(context, installation)
        session = top.object("session_context")
        session_token = session.secret("token", "the session token")
        if session_token is not None:
            context.session = _session_from(session, session_token, extras)
        return context

    @classmethod
    def from_json(cls, text: str, source: str = "the context") -> ApiContext:
        """Parse a context file's text."""
        return cls.from_dict(parse_context_json(text, source), source)

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the context atomically, owner-only (0600); stale temporary files of dead writers go."""
        return write_atomically(Path(path), self.to_json())

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> ApiContext:
        """Read a context file (ours or the SDK's); temporary files a killed save left beside it go.

        A malformed file raises ContextFileError naming the field; a file others can read warns
        (``ContextFileWarning``).
        """
        path = Path(path)
        remove_stale_temp_files(path)
        return cls.from_dict(read_context_file(path), str(path))


def _load_keys(context: ApiContext, installation: Fields) -> None:
    """Parse (and cache) both keys now, so a bad PEM fails here, naming its field."""
    for name, key in (
        ("private_key_client", ApiContext.private_key),
        ("public_key_server", ApiContext.server_public_key),
    ):
        try:
            key.fget(context)
        except InvalidKeyError as exc:
            raise installation.error(name, f"cannot be loaded ({exc})", "an RSA key in PEM") from None


def _sdk_expiry(text: str) -> dt.datetime:
    """The SDK's ``expiry_time``: a naive local time."""
    return dt.datetime.strptime(text, SDK_TIME_FORMAT).astimezone()


def _environment_of(top: Fields, extras: Fields) -> Environment:
    """The environment: ours if we wrote the file, else the SDK's ``environment_type``; the two must agree."""
    sdk = top.one_of("environment_type", ("SANDBOX", "PRODUCTION"))
    ours = extras.one_of("environment", [e.value for e in Environment])
    if ours is None and sdk is None:
        raise top.error("environment_type", "is missing", "'SANDBOX' or 'PRODUCTION'")
    environment = Environment(ours or sdk.lower())
    if sdk is not None and sdk != SDK_ENVIRONMENT[environment]:
        raise top.mismatch(
            "environment_type",
            f"{SDK_ENVIRONMENT[environment]!r} (the file's environment is {environment.value})",
            show=True,
        )
    return environment


def _session_from(session: Fields, token: str, extras: Fields) -> Session:
    kind = extras.one_of("user_kind", SDK_USER_FIELDS) or next(
        (k for k, f in SDK_USER_FIELDS.items() if session.get(f)), "UserPerson"
    )
    user = session.raw_object(SDK_USER_FIELDS[kind]) or {}
    expires_at = extras.time("session_expires_at", dt.datetime.fromisoformat, OUR_EXPIRY) or session.time(
        "expiry_time", _sdk_expiry, SDK_EXPIRY
    )
    if expires_at is None:
        raise session.error("expiry_time", "is missing", SDK_EXPIRY)
    user_id = session.integer("user_id")
    if user_id is None:
        user_id = Fields(user, session.name(SDK_USER_FIELDS[kind]), session.source).integer("id")
    if user_id is None:
        raise session.error("user_id", "is missing", "the id of the session's user")
    timeout = extras.integer("session_timeout", maximum=MAX_SESSION_TIMEOUT)
    return Session(
        id=extras.integer("session_id", minimum=0) or 0,
        token=token,
        user_id=user_id,
        user_kind=kind,
        user=user,
        session_timeout=timeout or session_timeout_of(kind, user),
        expires_at=expires_at,
    )
