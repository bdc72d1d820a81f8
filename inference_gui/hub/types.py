"""What a hub tells about files, as plain values: shared by the hub, its listing and the cache.

Kept apart from :mod:`inference_gui.hub.hub` so the listing (which the hub calls) can build these
without importing the hub module back.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RemoteFile:
    """A file a hub offers for a model revision; ``size`` in bytes (-1 when the hub won't say)."""

    path: str
    size: int


@dataclass(frozen=True)
class Head:
    """What a HEAD request (or a stat) tells about one file."""

    size: int | None
    etag: str
