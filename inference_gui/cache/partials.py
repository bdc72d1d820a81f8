"""Incomplete downloads: partial files (and their ETag notes) and interrupted writes in ``tmp/``.

A partial download is kept so a later fetch resumes it; one nobody resumes only takes space.
Verify reports them and repair removes them; ``cache evict --incomplete`` removes only them. A
partial file a download is writing right now (its lock is held) is never touched.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from inference_gui.cache.download import etag_note

if TYPE_CHECKING:
    from inference_gui.cache.core import CacheCore


@dataclass(frozen=True)
class Leftover:
    """One incomplete file: ``kind`` is ``download`` (a .part file) or ``write`` (a .tmp file)."""

    path: Path
    size: int  # with the download's ETag note
    kind: str

    @property
    def detail(self) -> str:
        if self.kind == "download":
            return f"an interrupted download ({self.size} bytes)"
        return "a file left by an interrupted write"


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def sweep(cache: CacheCore, *, remove: bool) -> list[Leftover]:
    """Every incomplete file no download is writing now; removed when ``remove`` is set."""
    found = []
    for path in sorted(cache.blobs.tmp.iterdir()):
        if not path.is_file():
            continue
        if path.suffix == ".part":
            with cache.download_lock(path, blocking=False) as free:
                if not free:
                    continue  # a download is writing it (or a neighbour in its lock stripe)
                note = etag_note(path)
                found.append(Leftover(path, _size(path) + _size(note), "download"))
                if remove:
                    path.unlink(missing_ok=True)
                    note.unlink(missing_ok=True)
        elif path.suffix == ".tmp":
            found.append(Leftover(path, _size(path), "write"))
            if remove:
                path.unlink(missing_ok=True)
    return found
