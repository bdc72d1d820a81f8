"""One file from a hub into a partial file: streamed, hashed as it arrives, resumed, retried.

The partial file sits in the cache's ``tmp/`` beside a small note of the ETag it was started with,
so an interrupted download (a dropped connection, a cancel, a killed process) resumes with an HTTP
``Range`` request for only the missing bytes, and restarts cleanly when the server ignores the range
or the file changed. Transient failures (5xx, resets, timeouts) are retried with backoff.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from inference_gui.cache.blobs import CHUNK, fsync_file
from inference_gui.errors import Cancelled, HubError
from inference_gui.hub import Hub, TransientHubError

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
            _hash_into(digest, part)
        check_space(body.size, start)
        note.write_text(body.etag)
        done = start
        with part.open("ab" if start else "wb") as out:
            while chunk := body.read(CHUNK):
                if cancel is not None and cancel.is_set():
                    raise Cancelled(f"Downloading {path} of {model_id} was cancelled.")
                out.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                report(done, body.size)
            fsync_file(out)
    finally:
        body.close()
    if body.size is not None and done != body.size:
        raise TransientHubError(f"{path} was cut short at {done} of {body.size} bytes.")
    note.unlink(missing_ok=True)
    return Downloaded(part, digest.hexdigest(), done, body.etag, body.content_type)


def _hash_into(digest: hashlib._Hash, path: Path) -> None:
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
