"""Reading an API context file strictly: any malformed file is one ``ContextFileError`` naming the field.

A context file gets edited by hand, copied, cut short by a full disk, or replaced by something else
entirely. Whatever is wrong, loading it raises ``ContextFileError`` with one line that says which
field (``installation_context.token``), what it is and what was expected, and what to do; never a
``KeyError`` from deep inside. No message repeats a secret: a broken token is described by the
position of the bad character, not shown.

A file that people other than its owner can read gets a ``ContextFileWarning`` (once per file and
process) saying how to fix it: the file is a key to the account.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import stat
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ..errors import ContextFileError

MAX_FILE_BYTES = 1 << 20
"""A context file is a few kB; anything past 1 MiB is not one (and is not read into memory)."""
MAX_ID = 2**63 - 1
"""bunq's ids are 64-bit integers."""
MAX_SHOWN = 40
"""How much of a (non-secret) value an error message repeats."""
FIX = "Correct it, or delete the file to start over (the next run makes a new installation)."
_HEADER_SAFE = re.compile(r"[!-~]+")  # visible ASCII: what can go in an HTTP header as it is
_CHARACTER_NAMES = {"\n": "a line break", "\r": "a carriage return", " ": "a space", "\t": "a tab"}


class ContextFileWarning(UserWarning):
    """A context file that people other than its owner can read (it holds the API key and private key)."""


_warned: set[Path] = set()


def warn_if_readable_by_others(path: Path, mode: int, *, stacklevel: int = 3) -> None:
    """Warn (once per file and process) if ``mode`` lets the group or others read or write ``path``."""
    if os.name != "posix" or not mode & (stat.S_IRWXG | stat.S_IRWXO):
        return
    resolved = path.resolve()
    if resolved in _warned:
        return
    _warned.add(resolved)
    warnings.warn(
        f"The API context {path} can be read by others (mode {stat.S_IMODE(mode):04o}); it holds your "
        f"API key, private key and tokens. Make it owner-only: chmod 600 {path}",
        ContextFileWarning,
        stacklevel=stacklevel,
    )


def read_context_file(path: Path) -> dict[str, Any]:
    """The JSON object in ``path``, or a ContextFileError saying why there is none (and what to do)."""
    try:
        with open(path, "rb") as handle:
            mode = os.fstat(handle.fileno()).st_mode
            data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise ContextFileError(f"No API context at {path}; create one with create_api_context().") from None
    except IsADirectoryError:
        raise ContextFileError(f"{path} is a folder, not an API context file; name a file.") from None
    except OSError as exc:
        raise ContextFileError(f"Cannot read the API context at {path}: {exc.strerror}.") from None
    warn_if_readable_by_others(path, mode, stacklevel=4)
    if len(data) > MAX_FILE_BYTES:
        raise ContextFileError(
            f"{path} is larger than {MAX_FILE_BYTES // 1024} KiB, so it is not an API context (a few kB). "
            "Check the path."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ContextFileError(
            f"{path} is not UTF-8 text (byte 0x{data[exc.start]:02x} at position {exc.start}), so it is "
            f"not an API context. {FIX}"
        ) from None
    return parse_context_json(text, str(path))


def parse_context_json(text: str, source: str) -> dict[str, Any]:
    """The JSON object in ``text``."""
    if not text.strip():
        raise ContextFileError(f"{source} is empty. {FIX}")
    try:
        data = json.loads(text)
    except RecursionError:
        raise ContextFileError(f"{source} is nested too deeply to be an API context. {FIX}") from None
    except ValueError as exc:
        reason = str(exc).split(":")[0] if "digits" in str(exc) else str(exc)
        raise ContextFileError(f"{source} is not valid JSON ({reason}). {FIX}") from None
    if not isinstance(data, dict):
        raise ContextFileError(f"{source} is {describe(data)}; expected an object ({{...}}). {FIX}")
    return data


def header_problem(value: str) -> str | None:
    """Where ``value`` stops being something an HTTP header carries as it is, e.g. ``a line break at
    character 21``; None if it is all visible ASCII. The value itself is never repeated."""
    if not value or _HEADER_SAFE.fullmatch(value):
        return None
    index = next(i for i, c in enumerate(value) if not _HEADER_SAFE.fullmatch(c))
    bad = value[index]
    named = _CHARACTER_NAMES.get(bad) or (
        f"a control character (U+{ord(bad):04X})" if ord(bad) < 32 else f"the character U+{ord(bad):04X}"
    )
    return f"{named} at character {index + 1}"


def describe(value: Any) -> str:
    """What a JSON value is, in words, without showing it (it may be a secret)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _shown(value: Any) -> str:
    """A non-secret value, short enough for one line."""
    if isinstance(value, str):
        return repr(value if len(value) <= MAX_SHOWN else value[:MAX_SHOWN] + "…")
    return str(value) if len(str(value)) <= MAX_SHOWN else describe(value)


class Fields:
    """One JSON object of a context file; each reader checks one member and names it on a mismatch.

    An absent member and ``null`` are the same (bunq's SDKs leave out or null what they do not have).
    """

    def __init__(self, data: Mapping[str, Any], where: str, source: str) -> None:
        self.data = data
        self.where = where
        self.source = source

    def name(self, key: str) -> str:
        """The member's full name, e.g. ``installation_context.token``."""
        return f"{self.where}.{key}" if self.where else key

    def error(self, key: str, problem: str, expected: str) -> ContextFileError:
        """The one-line error for a member: what it is and what was expected."""
        return ContextFileError(f"{self.source}: {self.name(key)} {problem}; expected {expected}. {FIX}")

    def mismatch(self, key: str, expected: str, *, show: bool = False) -> ContextFileError:
        """The error for a member of the wrong type or value (shown only if ``show``: never a secret)."""
        value = self.data.get(key)
        return self.error(key, f"is {_shown(value) if show else describe(value)}", expected)

    def get(self, key: str) -> Any:
        """The raw member (None if absent)."""
        return self.data.get(key)

    def object(self, key: str) -> Fields:
        """A member that must be an object (absent: an empty one)."""
        value = self.data.get(key)
        if value is None:
            return Fields({}, self.name(key), self.source)
        if not isinstance(value, dict):
            raise self.mismatch(key, "an object ({...})")
        return Fields(value, self.name(key), self.source)

    def raw_object(self, key: str) -> dict[str, Any] | None:
        """A member that must be an object, as it is (a bunq user object)."""
        value = self.data.get(key)
        if value is not None and not isinstance(value, dict):
            raise self.mismatch(key, "an object ({...})")
        return value

    def text(self, key: str, *, show: bool = False) -> str | None:
        """A member that must be text."""
        value = self.data.get(key)
        if value is not None and not isinstance(value, str):
            raise self.mismatch(key, "text", show=show)
        return value

    def one_of(self, key: str, allowed: Iterable[str]) -> str | None:
        """A text member with one of ``allowed`` values."""
        allowed = list(allowed)
        value = self.text(key, show=True)
        if value is not None and value not in allowed:
            raise self.mismatch(key, " or ".join(repr(a) for a in allowed), show=True)
        return value

    def secret(self, key: str, what: str) -> str | None:
        """A token or key that goes into an HTTP header or body as it is: visible ASCII, no spaces.

        The error says where the first bad character is, never the value.
        """
        value = self.text(key)
        problem = header_problem(value) if value else None
        if problem:
            raise self.error(key, f"has {problem}", f"{what} exactly as bunq sent it")
        return value or None  # empty is absent

    def integer(self, key: str, *, minimum: int = 1, maximum: int = MAX_ID) -> int | None:
        """A member that must be a whole number in [minimum, maximum]."""
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
            raise self.mismatch(
                key, f"a whole number from {minimum} to {maximum}", show=isinstance(value, int)
            )
        return value

    def boolean(self, key: str) -> bool | None:
        """A member that must be true or false."""
        value = self.data.get(key)
        if value is not None and not isinstance(value, bool):
            raise self.mismatch(key, "true or false")
        return value

    def texts(self, key: str) -> tuple[str, ...]:
        """A member that must be a list of text."""
        value = self.data.get(key)
        if value is None:
            return ()
        if not isinstance(value, list):
            raise self.mismatch(key, "a list of text")
        for index, item in enumerate(value):
            if not isinstance(item, str):
                raise self.error(f"{key}[{index}]", f"is {describe(item)}", "text")
        return tuple(value)

    def time(self, key: str, parse: Any, expected: str) -> dt.datetime | None:
        """A text member ``parse`` turns into an aware datetime (in UTC); None if absent."""
        value = self.text(key, show=True)
        if value is None:
            return None
        try:
            parsed = parse(value)
            if parsed.tzinfo is None:
                raise ValueError("no UTC offset")
            return parsed.astimezone(dt.timezone.utc)
        except (ValueError, OverflowError):
            raise self.mismatch(key, expected, show=True) from None
