"""File bytes on disk: stored once by content, and shown per revision as the repo laid them out.

``blobs/<sha256>`` holds each distinct content once.
``models/<hub>/<org>/<model>/<revision>/<path>``
mirrors the repo with hard links to those blobs (copies where links fail), so the engine opens a
real folder where ``onnx/model.onnx`` has ``onnx/model.onnx_data`` beside it. A blob only appears
under its final name after its bytes are written, flushed and hashed.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import shutil
import stat
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from inference_gui.errors import CacheError
from inference_gui.safepath import safe_join

CHUNK = 1024 * 1024


def fsync_file(handle: BinaryIO) -> None:
    handle.flush()
    os.fsync(handle.fileno())


def start_writeback(fd: int, offset: int, length: int) -> None:
    """Ask the kernel to start writing a range of a file to disk, without waiting for it.

    Pages written by a long download otherwise stay dirty until the final fsync, which then waits
    for all of them at once; starting their writeback as the download goes overlaps the disk with
    the network, so that fsync (still what makes the file count) finds little left to do. Only a
    hint: where ``sync_file_range`` is missing (not Linux) or refuses, nothing happens.
    """
    if _SYNC_FILE_RANGE is not None:
        _SYNC_FILE_RANGE(fd, offset, length, _SYNC_FILE_RANGE_WRITE)


_SYNC_FILE_RANGE_WRITE = 2  # from <fcntl.h>: start writeback of dirty pages, do not wait


def _load_sync_file_range() -> Callable[[int, int, int, int], int] | None:
    """The C library's ``sync_file_range`` (Python's os module does not offer it), or None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).sync_file_range
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


_SYNC_FILE_RANGE = _load_sync_file_range()


def hash_file(path: Path) -> tuple[str, int]:
    """SHA-256 and size of a file, read in chunks."""
    digest = hashlib.sha256()
    size = hash_into(digest, path)
    return digest.hexdigest(), size


def hash_into(digest: hashlib._Hash, path: Path) -> int:
    """Feed a file's bytes to ``digest`` (a resumed download goes on from them); its size."""
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size


def open_regular(path: Path) -> BinaryIO:
    """Open ``path`` for reading only if it is a regular file, never following a final link.

    Opened non-blocking and checked on the open descriptor, so a file swapped for a FIFO, a device
    or a link after it was listed is refused instead of hanging or streaming forever.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise CacheError(f"{path} cannot be read: {exc.strerror or exc}.") from exc
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise CacheError(f"{path} is not a regular file.", "Only regular files are imported.")
    return os.fdopen(fd, "rb")


class BlobStore:
    def __init__(self, root: Path, *, create: bool = True) -> None:
        self.root = root
        self.blobs = root / "blobs"
        self.models = root / "models"
        self.tmp = root / "tmp"
        for folder in (self.blobs, self.models, self.tmp) if create else ():
            folder.mkdir(parents=True, exist_ok=True)

    def blob(self, sha256: str) -> Path:
        return self.blobs / sha256

    def temp_path(self, suffix: str = ".tmp") -> Path:
        return self.tmp / f"{uuid.uuid4().hex}{suffix}"

    def revision_dir(self, hub: str, model: str, revision: str) -> Path:
        return safe_join(self.models, f"{hub}/{model}/{revision}", what="model revision folder")

    def file_path(self, hub: str, model: str, revision: str, path: str) -> Path:
        return safe_join(self.revision_dir(hub, model, revision), path)

    def adopt(self, complete: Path, sha256: str) -> Path:
        """Move a complete, flushed file in as the blob for ``sha256`` (or drop it if known)."""
        target = self.blob(sha256)
        if target.exists():
            complete.unlink(missing_ok=True)
        else:
            os.replace(complete, target)
        return target

    def stage(self, source: Path, *, link: bool = False) -> tuple[Path, str, int]:
        """Copy a file into ``tmp/``, flushed, and return (temp path, sha256, size).

        ``link`` hard-links instead, for sources nobody edits in place (Hugging Face's own blobs);
        a user's folder is copied so later edits there cannot alter the cache.
        """
        temp = self.temp_path()
        if link:
            try:
                os.link(source, temp)
                sha256, size = hash_file(temp)
                return temp, sha256, size
            except OSError:
                temp.unlink(missing_ok=True)
        digest, size = hashlib.sha256(), 0
        with open_regular(source) as src, temp.open("wb") as dst:
            while chunk := src.read(CHUNK):
                digest.update(chunk)
                dst.write(chunk)
                size += len(chunk)
            fsync_file(dst)
        return temp, digest.hexdigest(), size

    def materialise(self, sha256: str, dest: Path) -> Path:
        """Make ``dest`` show the blob's bytes; replaces whatever was there atomically."""
        blob = self.blob(sha256)
        if dest.exists() and _same_file(dest, blob):
            return dest
        dest.parent.mkdir(parents=True, exist_ok=True)
        temp = dest.with_name(f".{dest.name}.{uuid.uuid4().hex[:8]}.tmp")
        try:
            os.link(blob, temp)
        except OSError:
            shutil.copyfile(blob, temp)
        os.replace(temp, dest)
        return dest

    def remove_shown(self, path: Path) -> None:
        """Remove a materialised file, then any folders it leaves empty (up to ``models/``)."""
        path.unlink(missing_ok=True)
        parent = path.parent
        while parent != self.models and self.models in parent.parents:
            try:
                parent.rmdir()
            except OSError:
                break
            parent = parent.parent


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False
