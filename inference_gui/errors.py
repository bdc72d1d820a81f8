"""One exception family for everything a person may be shown.

Every error carries a sentence saying what went wrong (naming the thing) and, separately, what to
do about it, so the CLI can print one line and the GUI one message box without ever showing a
traceback.
"""

from __future__ import annotations

from typing import Any

# How much of a value an error message quotes: enough to recognise it, never megabytes of it.
QUOTE_LIMIT = 80


def bounded(value: Any, limit: int = QUOTE_LIMIT) -> str:
    """``repr(value)`` for an error message, cut to about ``limit`` characters when longer.

    Input echoed into a message (a 10 MB text, a huge option list) would otherwise flood the
    terminal or a message box; the cut says how long the whole value was.
    """
    text = repr(value)
    if len(text) <= limit:
        return text
    whole = (
        f"a text of {len(value):,} characters"
        if isinstance(value, str)
        else f"{len(text):,} characters written out"
    )
    return f"{text[: limit - 1]}… ({whole})"


class AppError(Exception):
    """An error meant for people: ``message`` says what is wrong, ``hint`` what to do about it."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} — {self.hint}" if self.hint else self.message


class ConfigError(AppError):
    """A setting (flag, environment variable, stored preference) cannot be used."""


class RecordError(AppError):
    """Settings records cannot be read, synced or resolved."""


class HubError(AppError):
    """A model hub request or a hub-derived name or path is refused or failed."""


class CacheError(AppError):
    """The model cache cannot store, find or remove something."""


class EngineError(AppError):
    """A model cannot be loaded or run."""


class Cancelled(AppError):
    """The user (or a caller) cancelled the work; not a failure worth a warning."""

    def __init__(self, message: str = "Cancelled.", hint: str = "") -> None:
        super().__init__(message, hint)


class TimedOut(AppError):
    """Work ran past its allotted time."""


class CheckError(AppError):
    """A model folder cannot be checked, fixed or converted as asked."""
