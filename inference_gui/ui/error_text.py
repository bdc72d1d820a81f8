"""The one way the GUI words an error, in a status line, a label or a message box.

An :class:`~inference_gui.errors.AppError` already is what a person should read (what is wrong,
then what to do). Anything else is a bug: its traceback goes to the log and the text says where
to find it, so no pane shows a traceback or a bare ``repr``.
"""

from __future__ import annotations

import logging

from inference_gui.errors import AppError

log = logging.getLogger(__name__)

LOG_POINTER = "Details are in the Log pane."


def error_parts(exc: BaseException) -> tuple[str, str]:
    """(what went wrong, what to do) for a message box's text and informative text."""
    if isinstance(exc, AppError):
        return exc.message, exc.hint
    log.error("Unexpected error", exc_info=exc)
    return f"Unexpected error: {exc}", LOG_POINTER


def error_text(exc: BaseException) -> str:
    """The error as one line, for labels and status text."""
    if isinstance(exc, AppError):
        return str(exc)
    text, pointer = error_parts(exc)
    return f"{text}. {pointer}"
