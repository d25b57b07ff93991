"""Writing files atomically (a temporary file in the same folder, fsync, rename), owner-only (0600) unless asked.

An interruption at any moment leaves either the old file or the new one, never half of either, and
two processes writing at once never interleave.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def write_atomically(path: str | os.PathLike[str], data: str | bytes, *, mode: int = 0o600) -> Path:
    """Write ``data`` to ``path`` atomically with ``mode`` (0600 unless said); the old file survives any interruption."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
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
