"""Numbers read from HTTP headers, parsed strictly in one place.

``int()`` accepts ``-5``, `` 7 ``, ``1_000`` and 400-digit numbers, and raises a bare ValueError on
``abc``; a header is data from a server, so every numeric one goes through these functions: digits
only, within a stated bound, and a clear :class:`HubError` (or, for advisory headers, nothing) when
it is not.
"""

from __future__ import annotations

import re
from email.utils import parsedate_to_datetime

from inference_gui.errors import HubError

MAX_LENGTH_DIGITS = 18  # up to ~1 EB: any real file, and safe to turn into an int
MAX_DELAY_S = 3600.0  # Backoff/Retry-After are capped at an hour: a server cannot lock us out
_DIGITS = re.compile(r"[0-9]+")
_CONTENT_RANGE = re.compile(r"bytes ([0-9]{1,18})-([0-9]{1,18})/([0-9]{1,18}|\*)")


def _bad(host: str, name: str, value: str) -> HubError:
    shown = value if len(value) <= 40 else value[:40] + "…"
    return HubError(
        f"{host} sent an invalid {name} header ({shown!r}).",
        "The answer cannot be trusted; try again later, or check the hub URL.",
    )


def parse_length(value: str | None, *, host: str, name: str = "Content-Length") -> int | None:
    """A byte count: None when the header is absent; anything but plain digits is refused."""
    if value is None:
        return None
    text = value.strip()
    if not _DIGITS.fullmatch(text) or len(text) > MAX_LENGTH_DIGITS:
        raise _bad(host, name, value)
    return int(text)


def parse_content_range(value: str | None, *, host: str) -> tuple[int, int, int | None]:
    """(first byte, last byte, whole size or None) from ``bytes first-last/size``."""
    match = _CONTENT_RANGE.fullmatch((value or "").strip())
    if not match:
        raise _bad(host, "Content-Range", value or "")
    first, last = int(match[1]), int(match[2])
    total = None if match[3] == "*" else int(match[3])
    if last < first or (total is not None and last >= total):
        raise _bad(host, "Content-Range", value or "")
    return first, last, total


def parse_delay(value: str | None, *, now: float, limit: float = MAX_DELAY_S) -> float | None:
    """Seconds to wait from a Backoff or Retry-After header, at most ``limit``.

    The header holds seconds or an HTTP date; None when absent or unreadable, since these headers
    only advise.
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    if _DIGITS.fullmatch(text):
        # compare digit counts first: int() of a 400-digit string is refused by Python itself
        return limit if len(text) > 9 else min(float(int(text)), limit)
    try:
        when = parsedate_to_datetime(text).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return min(max(when - now, 0.0), limit)
