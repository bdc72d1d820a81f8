"""The process's resident memory, read after every run for the result and the Compare view.

``psutil.Process().memory_info()`` opens, reads and closes /proc/<pid>/statm each call (~50 us
on a loaded 2-core machine, 5-10% of a batch-1 MiniLM call). On Linux the file is kept open and
re-read with one ``pread`` (~5 us); elsewhere psutil reads it.
"""

from __future__ import annotations

import functools
import os

import psutil

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


@functools.cache
def _process() -> psutil.Process:
    return psutil.Process()


@functools.cache
def _statm(pid: int) -> int | None:
    """An open descriptor of this process's statm, or None where there is none (not Linux).

    Keyed by pid so a forked child opens its own instead of reading its parent's.
    """
    try:
        return os.open(f"/proc/{pid}/statm", os.O_RDONLY)
    except OSError:
        return None


def rss_bytes() -> int:
    """Resident set size of this process, in bytes."""
    fd = _statm(os.getpid())
    if fd is not None:
        return int(os.pread(fd, 128, 0).split()[1]) * _PAGE
    return _process().memory_info().rss
