"""Cross-process locks on small files, so two running instances never step on each other.

SQLite serialises index writes, but a download's partial file and the moment a blob becomes an
index row (or stops being one) span the disk too; these locks cover those spans. Each acquisition
opens its own file description, so threads of one process exclude each other as processes do.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _acquire(fd: int, blocking: bool) -> None:
        mode = msvcrt.LK_LOCK if blocking else msvcrt.LK_NBLCK
        msvcrt.locking(fd, mode, 1)

    def _release(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _acquire(fd: int, blocking: bool) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX if blocking else fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _release(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


@contextmanager
def file_lock(path: Path, *, blocking: bool = True) -> Iterator[bool]:
    """Hold an exclusive lock on ``path``; yields False (not waiting) if busy and not blocking."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            _acquire(fd, blocking)
        except OSError:
            if blocking:
                raise
            yield False
            return
        try:
            yield True
        finally:
            _release(fd)
    finally:
        os.close(fd)
