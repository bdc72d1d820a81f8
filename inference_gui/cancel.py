"""The cancel event of the job running on this thread, for waits deep below the job's code.

A job's cancel event is passed down explicitly where a function takes one, but a network wait can
sit below code that has no reason to know about jobs (a HEAD probe behind ``ModelFiles.exists``, a
config fetched by a helper). The job runner installs the job's event here for the job's duration,
and the hub's request watch falls back to it, so every network wait in a job ends within the
watch's tick of a cancel, whichever path led to it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_current: ContextVar[threading.Event | None] = ContextVar("inference_gui_cancel", default=None)


def current_cancel() -> threading.Event | None:
    """The cancel event of the job running in this context, if any."""
    return _current.get()


@contextmanager
def cancel_scope(event: threading.Event) -> Iterator[None]:
    """Make ``event`` the current cancel event while the block runs."""
    token = _current.set(event)
    try:
        yield
    finally:
        _current.reset(token)
