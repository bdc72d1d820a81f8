"""The cache's ground floor: its folder, the blob store, the index and the locks that join them.

:class:`CacheCore` holds the on-disk state and the one step that turns a complete, hashed file into
an index entry (:meth:`CacheCore.add`). The helpers (importing, operations, verify) work on a core;
the :class:`~inference_gui.cache.model_cache.ModelCache` facade adds fetching from hubs on top and
is the only module that imports them, so the helpers never reach back up into the facade.
"""

from __future__ import annotations

import hashlib
from contextlib import AbstractContextManager
from pathlib import Path

from inference_gui.cache.access import read_only_reason
from inference_gui.cache.blobs import BlobStore
from inference_gui.cache.locks import file_lock
from inference_gui.cache.store import FileRow, Store
from inference_gui.errors import CacheError
from inference_gui.format import human_bytes

IMPORTED_HUB = "imported"  # hub key of folders the user imported; found from any hub
LOCK_STRIPES = 64


class CacheCore:
    """The cache folder: ``index.sqlite``, ``blobs/``, ``models/`` (revision views), ``tmp/``."""

    def __init__(self, cache_dir: Path, limit_bytes: int) -> None:
        self.root = Path(cache_dir)
        self.limit_bytes = limit_bytes
        self.read_only = read_only_reason(self.root)  # "" when writable; else shown to people
        try:
            self.blobs = BlobStore(self.root, create=not self.read_only)
            self.store = Store(self.root / "index.sqlite", read_only=self.read_only)
        except OSError as exc:  # a file where a folder should be, no permission, no disk
            raise CacheError(
                f"The cache folder {self.root} cannot be created or opened: {exc.strerror or exc}.",
                "Choose another cache folder in Preferences or with --cache-dir.",
            ) from exc

    def close(self) -> None:
        self.store.close()

    # -- locks ---------------------------------------------------------------------------------
    def commit_lock(self) -> AbstractContextManager[bool]:
        """Held while bytes become (or stop being) index entries, across all instances."""
        return file_lock(self.root / "cache.lock")

    def part_path(self, hub: str, model: str, revision: str, path: str) -> Path:
        key = hashlib.sha256("\0".join((hub, model, revision, path)).encode()).hexdigest()[:32]
        return self.blobs.tmp / f"{key}.part"

    def download_lock(self, part: Path, *, blocking: bool = True) -> AbstractContextManager[bool]:
        """Held while a partial file is written; a fixed set of stripes, so lock files stay few."""
        stripe = int(part.stem[:8], 16) % LOCK_STRIPES
        return file_lock(self.blobs.tmp / "locks" / f"{stripe:02d}.lock", blocking=blocking)

    # -- lookups -------------------------------------------------------------------------------
    def shown_path(self, row: FileRow) -> Path:
        return self.blobs.file_path(row.hub, row.model, row.revision, row.path)

    def total_size(self) -> int:
        return self.store.total_size()

    # -- writing -------------------------------------------------------------------------------
    def require_writable(self, what: str) -> None:
        """Refuse a change to a read-only cache before any byte moves, saying why."""
        if self.read_only:
            raise CacheError(
                f"{what} is not possible: the cache is read-only ({self.read_only}).",
                "Browse it as it is, or choose a writable cache folder in Preferences.",
            )

    def check_space(self, needed: int, what: str) -> None:
        """Refuse before writing anything if ``needed`` more bytes would pass the size limit."""
        self.require_writable(what)
        used = self.store.total_size()
        if used + needed > self.limit_bytes:
            raise CacheError(
                f"{what} needs {human_bytes(needed)}, but the cache holds {human_bytes(used)} "
                "of its "
                f"{human_bytes(self.limit_bytes)} limit.",
                "Free space with 'cache rm' or 'cache evict', or raise the cache size limit.",
            )

    def add(
        self,
        hub_key: str,
        model_id: str,
        revision: str,
        path: str,
        complete: Path,
        *,
        sha256: str,
        size: int,
        etag: str = "",
        content_type: str = "",
        used_by: str | None = None,
    ) -> Path:
        """Index a complete, hashed file (moved in from ``complete``); show it in its revision."""
        with self.commit_lock():
            previous = self.store.find(hub_key, model_id, revision, path)
            self.blobs.adopt(complete, sha256)
            shown = self.blobs.materialise(
                sha256, self.blobs.file_path(hub_key, model_id, revision, path)
            )
            with self.store.transaction() as db:
                file_id = Store.upsert(
                    db,
                    hub_key,
                    model_id,
                    revision,
                    path,
                    size=size,
                    sha256=sha256,
                    etag=etag,
                    content_type=content_type,
                )
                Store.link(db, file_id, used_by)
            if (
                previous is not None
                and previous.sha256 != sha256
                and not self.store.referenced(previous.sha256)
            ):
                self.blobs.blob(previous.sha256).unlink(missing_ok=True)
        return shown
