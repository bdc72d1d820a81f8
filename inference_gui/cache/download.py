"""One file from a hub into a partial file: streamed, hashed as it arrives, resumed, retried.

The partial file sits in the cache's ``tmp/`` beside a small note of the ETag it was started with,
so an interrupted download (a dropped connection, a cancel, a killed process) resumes with an HTTP
``Range`` request for only the missing bytes, and restarts cleanly when the server ignores the range
or the file changed. Transient failures (5xx, resets, timeouts) are retried with backoff.

Bytes are read on the calling thread while a helper thread hashes and writes the previous buffer
(SHA-256 and file writes release the GIL on large buffers), and the kernel is asked to start
writing each stretch to disk as it lands, so the network, the hash and the disk overlap instead of
taking turns; the fsync at the end still decides when the file counts as complete.
"""

from __future__ import annotations

import errno
import hashlib
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from inference_gui.cache.blobs import CHUNK, fsync_file, hash_into, start_writeback
from inference_gui.errors import CacheError, Cancelled
from inference_gui.hub import Hub, TransientHubError
from inference_gui.hub.retry import Retry, retrying
from inference_gui.hub.transport import Body

__all__ = ["Downloaded", "Retry", "download", "etag_note"]

# Called with (bytes done, total or None) as bytes arrive.
ByteProgress = Callable[[int, int | None], None]
# Called before any byte is written with the size the file will have (None: unknown), and again
# whenever the file grows past the last answer: raises when the cache has no room for that many
# bytes, else returns how large the file may grow.
SpaceCheck = Callable[[int | None], int]

# A resume first re-reads this much of what it already holds: bytes that differ mean the file
# changed on the hub (whatever its ETag says), and the download starts over instead of splicing.
OVERLAP = 4096


@dataclass(frozen=True)
class Downloaded:
    part: Path
    sha256: str
    size: int
    etag: str
    content_type: str


def etag_note(part: Path) -> Path:
    return part.with_name(part.name + ".etag")


def download(
    hub: Hub,
    model_id: str,
    revision: str,
    path: str,
    part: Path,
    *,
    report: ByteProgress,
    check_space: SpaceCheck,
    cancel: threading.Event | None = None,
    retry: Retry | None = None,
    expected: int | None = None,
) -> Downloaded:
    """Download into ``part``; ``expected`` is the size a listing or HEAD gave, if any.

    The result's size agrees with every size known (``expected``, the answer's Content-Length
    or Content-Range, and a HEAD when neither said), or the attempt fails and is retried.
    """
    return retrying(
        lambda: _attempt(
            hub, model_id, revision, path, part, report, check_space, cancel, expected
        ),
        retry=retry or Retry(),
        what=f"downloading {path} of {model_id} at {revision}",
        cancel=cancel,
        hint="The partial download is kept; try again later to resume it.",
    )


def _attempt(
    hub: Hub,
    model_id: str,
    revision: str,
    path: str,
    part: Path,
    report: ByteProgress,
    check_space: SpaceCheck,
    cancel: threading.Event | None,
    expected: int | None,
) -> Downloaded:
    note = etag_note(part)
    held = part.stat().st_size if part.exists() and note.exists() else 0
    if expected is not None and held > expected:
        held = 0  # longer than the whole file: not a prefix of it
    body = _resume(hub, model_id, revision, path, part, held, cancel)
    if body.start != held:
        held = 0
    try:
        size = body.size
        if size is not None and expected is not None and size != expected:
            _discard(part)
            raise TransientHubError(
                f"The hub now announces {size} bytes for {path}, but listed {expected}."
            )
        limit = check_space(size if size is not None else expected)
        digest = hashlib.sha256()
        if held:
            hash_into(digest, part)
        note.write_text(body.etag)
        with part.open("ab" if held else "wb") as out:
            done = _copy(body, out, digest, held, report, cancel, limit, check_space, path)
            fsync_file(out)
    except CacheError:
        _discard(part)  # over the size limit: these bytes may never be kept
        raise
    except OSError as exc:  # reads fail as TransientHubError: this is the disk refusing a write
        raise _write_failed(exc, part, f"{path} of {model_id}") from exc
    finally:
        body.close()
    if size is None and expected is None:  # nothing said how big the file is: ask
        head = hub.head(model_id, revision, path, cancel=cancel)
        size = head.size if head is not None else None
    whole = size if size is not None else expected
    if whole is not None and done != whole:
        if done > whole:
            _discard(part)
        raise TransientHubError(f"{path} came with {done} bytes, but the hub says it has {whole}.")
    note.unlink(missing_ok=True)
    return Downloaded(part, digest.hexdigest(), done, body.etag, body.content_type)


def _resume(
    hub: Hub,
    model_id: str,
    revision: str,
    path: str,
    part: Path,
    held: int,
    cancel: threading.Event | None,
) -> Body:
    """Open the file to continue from ``held`` bytes, or else from the start.

    The last bytes held are checked against the hub's first, so a file changed under the same
    ETag is noticed.
    """
    etag = etag_note(part).read_text() if held else ""
    overlap = min(held, OVERLAP)
    body = hub.open(model_id, revision, path, start=held - overlap, if_range=etag, cancel=cancel)
    assert body is not None  # no If-None-Match was sent
    if not held:
        return body
    same = (
        body.start == held - overlap
        and not (etag and body.etag and body.etag != etag)
        and _read_exactly(body, overlap) == _tail(part, held, overlap)
    )
    if same:
        body.start = held
        return body
    body.close()  # range ignored or file changed upstream: the partial bytes are worthless
    body = hub.open(model_id, revision, path, cancel=cancel)
    assert body is not None
    return body


def _read_exactly(body: Body, count: int) -> bytes:
    buffer = bytearray(count)
    view, filled = memoryview(buffer), 0
    while filled < count and (got := body.readinto(view[filled:])):
        filled += got
    return bytes(buffer[:filled])


def _tail(part: Path, held: int, count: int) -> bytes:
    with part.open("rb") as handle:
        handle.seek(held - count)
        return handle.read(count)


def _discard(part: Path) -> None:
    part.unlink(missing_ok=True)
    etag_note(part).unlink(missing_ok=True)


def _write_failed(exc: OSError, part: Path, what: str) -> CacheError:
    """Drop the partial file (a full or failing disk is not worth resuming) and say why."""
    _discard(part)
    full = exc.errno in (errno.ENOSPC, errno.EDQUOT)
    return CacheError(
        f"Downloading {what} failed writing to {part.parent}: {exc.strerror or exc}; "
        "the partial file was removed.",
        "Free disk space, or choose a cache folder on a disk with room."
        if full
        else "Check that the cache folder is writable and its disk healthy.",
    )


# Reads start small and double while buffers fill fast, halve when they fill slowly, so a fast
# link moves CHUNK-sized buffers and a slow one still reports progress and notices a cancel
# within a fraction of a second.
MIN_READ = 16 * 1024
FAST_READ, SLOW_READ = 0.05, 0.25  # seconds
BUFFERS = 4
WRITEBACK_EVERY = 16 * 1024 * 1024


def _copy(
    body: Body,
    out: BinaryIO,
    digest: hashlib._Hash,
    start: int,
    report: ByteProgress,
    cancel: threading.Event | None,
    limit: int,
    check_space: SpaceCheck,
    what: str,
) -> int:
    """Read the body into ``out`` through a :class:`_Sink`; returns the file's size after it.

    ``limit`` is how large the file may grow; past it, ``check_space`` is asked again (and
    refuses if the cache still has no room), so a body of unknown size cannot overfill the cache.
    """
    sink = _Sink(out, digest, start)
    done, size = start, MIN_READ
    try:
        while True:
            if cancel is not None and cancel.is_set():
                raise Cancelled(f"Downloading {what} was cancelled.")

            buffer = sink.take()
            began = time.monotonic()
            count = body.readinto(memoryview(buffer)[:size])
            if not count:
                sink.give_back(buffer)
                break
            sink.put(buffer, count)
            done += count
            if done > limit:
                limit = check_space(done)
            report(done, body.size)
            size = _next_read_size(size, time.monotonic() - began)
    finally:
        sink.stop()
    sink.check()
    return done


def _next_read_size(size: int, seconds: float) -> int:
    if seconds < FAST_READ:
        return min(size * 2, CHUNK)
    if seconds > SLOW_READ:
        return max(size // 2, MIN_READ)
    return size


class _Sink:
    """Hashes and appends filled buffers, in order, on a helper thread.

    ``BUFFERS`` buffers go round between the reader and the helper, so nothing is allocated per
    read. Whatever stops the download, every buffer handed over is still written, so the partial
    file is always a prefix of the body and a later attempt resumes from its end. A failure on the
    helper (a full disk) is raised on the reader's thread at its next buffer or at the end.
    """

    def __init__(self, out: BinaryIO, digest: hashlib._Hash, offset: int) -> None:
        self._out = out
        self._digest = digest
        self._written = self._synced = offset
        self._error: Exception | None = None
        self._free: queue.SimpleQueue[bytearray] = queue.SimpleQueue()
        self._full: queue.SimpleQueue[tuple[bytearray, int] | None] = queue.SimpleQueue()
        for _ in range(BUFFERS):
            self._free.put(bytearray(CHUNK))
        self._thread = threading.Thread(target=self._run, name="download-writer", daemon=True)
        self._thread.start()

    def take(self) -> bytearray:
        """A free buffer, waiting while all are being hashed and written."""
        buffer = self._free.get()
        self.check()
        return buffer

    def put(self, buffer: bytearray, count: int) -> None:
        self._full.put((buffer, count))

    def give_back(self, buffer: bytearray) -> None:
        self._free.put(buffer)

    def stop(self) -> None:
        """Wait until every buffer handed over is written; never raises (see :meth:`check`)."""
        self._full.put(None)
        self._thread.join()

    def check(self) -> None:
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        while (item := self._full.get()) is not None:
            buffer, count = item
            if self._error is None:
                try:
                    self._write(memoryview(buffer)[:count])
                except Exception as exc:  # noqa: BLE001 - re-raised on the reader's thread
                    self._error = exc
            self._free.put(buffer)

    def _write(self, view: memoryview) -> None:
        self._digest.update(view)
        self._out.write(view)
        self._written += len(view)
        if self._written - self._synced >= WRITEBACK_EVERY:
            self._out.flush()
            start_writeback(self._out.fileno(), self._synced, self._written - self._synced)
            self._synced = self._written
