"""Writing files atomically (a temporary file in the same folder, fsync, rename), owner-only (0600) unless asked.

An interruption at any moment leaves either the old file or the new one, never half of either, and
two processes writing at once never interleave.

The temporary file is ``.NAME.<pid>.<8 hex>.tmp`` beside the file; it holds the new content, secrets
included, until the rename. A writer killed outright (``kill -9``, a power cut) cannot remove it, so
every write, and ``remove_stale_temp_files`` (which the API context calls when it loads a file),
removes the temporary files of that one file whose writer is no longer running. A temporary file of
a live writer is never touched, nor a file of any other name. ``.gitignore`` matches the pattern.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

TEMP_SUFFIX = ".tmp"


def temp_path_for(path: Path, pid: int | None = None) -> Path:
    """A fresh temporary name beside ``path``: ``.NAME.<pid>.<8 hex>.tmp`` (the hex from ``os.urandom``,
    as ``secrets.token_hex`` would give, without loading ``secrets`` and its ``hmac`` and ``random``)."""
    return path.with_name(
        f".{path.name}.{os.getpid() if pid is None else pid}.{os.urandom(4).hex()}{TEMP_SUFFIX}"
    )


def _temp_pattern(path: Path) -> re.Pattern[str]:
    return re.compile(rf"\.{re.escape(path.name)}\.([0-9]{{1,10}})\.[0-9a-f]{{8}}{re.escape(TEMP_SUFFIX)}")


def is_running(pid: int) -> bool:
    """Whether a process with this id exists (on doubt, yes: a file of a live writer must stay)."""
    if pid == os.getpid():
        return True
    if os.name != "posix" or pid <= 0:
        return True  # os.kill(pid, 0) would end the process on Windows; 0 or less names a group
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # another user's process, or an id too large to ask about
    return True


def remove_stale_temp_files(path: str | os.PathLike[str]) -> list[Path]:
    """Remove ``path``'s temporary files whose writer is gone; return what was removed."""
    path = Path(path)
    pattern = _temp_pattern(path)
    removed = []
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return removed  # no folder yet, or not ours to list: nothing of ours can be in it
    for entry in entries:
        found = pattern.fullmatch(entry.name)
        if found and not is_running(int(found.group(1))) and entry.is_file(follow_symlinks=False):
            try:
                os.unlink(entry.path)
            except FileNotFoundError:
                continue  # another process cleaned it first
            removed.append(Path(entry.path))
    return removed


def write_atomically(path: str | os.PathLike[str], data: str | bytes, *, mode: int = 0o600) -> Path:
    """Write ``data`` to ``path`` atomically with ``mode`` (0600 unless said); the old file survives any interruption."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    remove_stale_temp_files(path)
    tmp = temp_path_for(path)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)  # the umask may have narrowed it
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    try:
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:  # pragma: no cover - some platforms cannot open directories
        return path
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    return path
