"""Is a Firefox using this profile right now? Reading is safe either way; people should know.

Firefox marks a profile in use with ``lock`` (a symlink to ``<ip>:+<pid>``, Linux/macOS) and a
locked ``.parentlock`` / ``parent.lock`` file. The symlink outlives a crash or a forced quit, so its
pid is checked; ``parent.lock`` on Windows cannot be tested without locking it, so its presence is
reported as "may be running".
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import psutil


@dataclass(frozen=True)
class ProfileLock:
    """``running`` is True (pid alive), False (no live lock) or None (cannot tell)."""

    running: bool | None
    detail: str


def profile_lock(profile: Path) -> ProfileLock:
    link = profile / "lock"
    if link.is_symlink():
        target = os.readlink(link)
        pid_text = target.rpartition("+")[2]
        if pid_text.isdigit():
            pid = int(pid_text)
            if psutil.pid_exists(pid) and _is_firefox(pid):
                return ProfileLock(True, f"Firefox is running on this profile (pid {pid}).")
            return ProfileLock(False, f"Firefox is not running (stale lock from pid {pid}).")
    if (profile / "parent.lock").exists():
        return ProfileLock(None, "Firefox may be running on this profile (parent.lock present).")
    return ProfileLock(False, "Firefox is not running on this profile.")


def _is_firefox(pid: int) -> bool:
    try:
        return "firefox" in psutil.Process(pid).name().lower()
    except psutil.Error:
        return False
