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

import hashlib
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from inference_gui.cache.blobs import CHUNK, fsync_file, hash_into, start_writeback
from inference_gui.errors import Cancelled, HubError
from inference_gui.hub import Hub, TransientHubError
from inference_gui.hub.transport import Body

# Called with (bytes done, total or None) as bytes arrive.
ByteProgress = Callable[[int, int | None], None]
# Called once the size is known and before any byte is written: (total or None, bytes already held).
SpaceCheck = Callable[[int | None, int], None]


@dataclass(frozen=True)
class Retry:
    attempts: int = 4
    base_delay: float = 0.25
    max_delay: float = 4.0

    def delay(self, attempt: int) -> float:
        return min(self.max_delay, self.base_delay * 2 ** (attempt - 1))


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
) -> Downloaded:
    retry = retry or Retry()
    attempt = 0
    while True:
        try:
            return _attempt(hub, model_id, revision, path, part, report, check_space, cancel)
        except TransientHubError as exc:
            attempt += 1
            if attempt >= retry.attempts:
                raise HubError(
                    f"Downloading {path} of {model_id} at {revision} failed {attempt} times: "
                    f"{exc.message}",
                    "The partial download is kept; try again later to resume it.",
                ) from exc
            if cancel is not None:
                if cancel.wait(retry.delay(attempt)):
                    raise Cancelled(f"Downloading {path} of {model_id} was cancelled.") from exc
            else:
                time.sleep(retry.delay(attempt))


def _attempt(
    hub: Hub,
    model_id: str,
    revision: str,
    path: str,
    part: Path,
    report: ByteProgress,
    check_space: SpaceCheck,
    cancel: threading.Event | None,
) -> Downloaded:
    note = etag_note(part)
    start = part.stat().st_size if part.exists() and note.exists() else 0
    etag = note.read_text() if start else ""
    body = hub.open(model_id, revision, path, start=start, if_range=etag)
    assert body is not None  # no If-None-Match was sent
    if start and (body.start != start or (etag and body.etag and body.etag != etag)):
        body.close()  # range ignored or file changed upstream: the partial bytes are worthless
        start = 0
        body = hub.open(model_id, revision, path)
        assert body is not None
    try:
        digest = hashlib.sha256()
        if start:
            hash_into(digest, part)
        check_space(body.size, start)
        note.write_text(body.etag)
        with part.open("ab" if start else "wb") as out:
            done = _copy(body, out, digest, start, report, cancel, f"{path} of {model_id}")
            fsync_file(out)
    finally:
        body.close()
    if body.size is not None and done != body.size:
        raise TransientHubError(f"{path} was cut short at {done} of {body.size} bytes.")
    note.unlink(missing_ok=True)
    return Downloaded(part, digest.hexdigest(), done, body.etag, body.content_type)


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
    what: str,
) -> int:
    """Read the body into ``out`` through a :class:`_Sink`; returns the file's size after it."""
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
