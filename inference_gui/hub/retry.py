"""Trying a hub request again when it failed in a way that may pass: one policy for every request.

Downloads and HEAD probes alike go through :func:`retrying`, so a single 500 or reset on any request
costs a short wait, not the whole operation; waits between tries end at once on cancel.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from inference_gui.errors import Cancelled
from inference_gui.hub.transport import HubUnavailable, TransientHubError

T = TypeVar("T")


@dataclass(frozen=True)
class Retry:
    attempts: int = 4
    base_delay: float = 0.25
    max_delay: float = 4.0

    def delay(self, attempt: int) -> float:
        return min(self.max_delay, self.base_delay * 2 ** (attempt - 1))


def retrying(
    call: Callable[[], T],
    *,
    retry: Retry,
    what: str,
    cancel: threading.Event | None = None,
    hint: str = "Try again later.",
) -> T:
    """``call()``, tried again after each :class:`TransientHubError` up to ``retry.attempts``."""
    attempt = 0
    while True:
        try:
            return call()
        except TransientHubError as exc:
            attempt += 1
            if attempt >= retry.attempts:
                raise HubUnavailable(
                    f"{what[:1].upper()}{what[1:]} failed {attempt} times: {exc.message}", hint
                ) from exc
            if (cancel or threading.Event()).wait(retry.delay(attempt)):
                raise Cancelled(f"{what[:1].upper()}{what[1:]} was cancelled.") from exc
