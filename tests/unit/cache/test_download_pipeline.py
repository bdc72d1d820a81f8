"""The download's reader/hash-and-write pipeline on files several buffers long.

The fixtures' model files fit in one read, so these tests make files that cycle every buffer more
than once, serve them from a real HTTP server on 127.0.0.1, and check the bytes, the hash and the
resume point against the source file itself.
"""

from __future__ import annotations

import errno
import hashlib
import os
from pathlib import Path

import pytest

from inference_gui.cache import download as pipeline
from inference_gui.cache.blobs import CHUNK
from inference_gui.cache.download import Retry, download
from inference_gui.hub import Hub
from inference_gui.hub.transport import file_body
from tests.support.http_hub import serve_hub

MODEL, REV, PATH = "org/big", "v1.0.0", "onnx/model.onnx_data"
SIZE = (pipeline.BUFFERS + 1) * CHUNK + 12_345  # every buffer reused, and a short last read


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "hub" / MODEL / REV / PATH
    path.parent.mkdir(parents=True)
    path.write_bytes(os.urandom(SIZE))
    return path


def fetch(hub: Hub, part: Path, seen: list[int]) -> pipeline.Downloaded:
    return download(
        hub,
        MODEL,
        REV,
        PATH,
        part,
        report=lambda done, _total: seen.append(done),
        check_space=lambda _size: 10**12,
        retry=Retry(attempts=3, base_delay=0.01),
    )


def test_multi_buffer_download_is_byte_exact_with_rising_progress(
    source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "WRITEBACK_EVERY", 256 * 1024)  # many writeback hints
    seen: list[int] = []
    with serve_hub(tmp_path / "hub") as server:
        got = fetch(Hub(server.url), tmp_path / "x.part", seen)
    data = source.read_bytes()
    assert got.size == SIZE and got.part.read_bytes() == data
    assert got.sha256 == hashlib.sha256(data).hexdigest()
    assert seen == sorted(set(seen)) and seen[-1] == SIZE
    assert not pipeline.etag_note(got.part).exists()


def test_cut_multi_buffer_download_resumes_from_the_end_of_what_was_written(
    source: Path, tmp_path: Path
) -> None:
    with serve_hub(tmp_path / "hub") as server:
        server.faults.add("cut", times=1)
        got = fetch(Hub(server.url), tmp_path / "x.part", [])
        ranges = [r for method, _path, r in server.requests if method == "GET"]
    # every byte received was on disk (the resume re-reads a short overlap to check them)
    assert ranges == [None, f"bytes={SIZE // 2 - pipeline.OVERLAP}-"]
    assert got.sha256 == hashlib.sha256(source.read_bytes()).hexdigest()


class FullDisk:
    """A file that accepts ``room`` bytes, then fails as a full disk does."""

    def __init__(self, path: Path, room: int) -> None:
        self.handle = path.open("wb")
        self.room = room

    def write(self, data: memoryview) -> int:
        if len(data) > self.room:
            raise OSError(errno.ENOSPC, "No space left on device")
        self.room -= len(data)
        return self.handle.write(data)

    def flush(self) -> None:
        self.handle.flush()

    def fileno(self) -> int:
        return self.handle.fileno()


def test_a_write_failure_on_the_helper_thread_reaches_the_caller_and_keeps_a_prefix(
    source: Path, tmp_path: Path
) -> None:
    part = tmp_path / "x.part"
    out = FullDisk(part, 2 * CHUNK)
    body = file_body(source, 0)
    try:
        with pytest.raises(OSError, match="No space left"):
            pipeline._copy(
                body, out, hashlib.sha256(), 0, lambda *_: None, None, SIZE, lambda _: SIZE, PATH
            )
    finally:
        body.close()
        out.handle.close()
    written = part.read_bytes()
    assert 0 < len(written) <= 2 * CHUNK
    assert source.read_bytes().startswith(written)


def test_read_size_grows_on_fast_reads_and_shrinks_on_slow_ones() -> None:
    size = pipeline.MIN_READ
    sizes = []
    for _ in range(12):
        size = pipeline._next_read_size(size, pipeline.FAST_READ / 2)
        sizes.append(size)
    assert sizes[0] == 2 * pipeline.MIN_READ and sizes[-1] == CHUNK
    for _ in range(12):
        size = pipeline._next_read_size(size, pipeline.SLOW_READ * 2)
    assert size == pipeline.MIN_READ
    steady = (pipeline.FAST_READ + pipeline.SLOW_READ) / 2
    assert pipeline._next_read_size(4 * pipeline.MIN_READ, steady) == 4 * pipeline.MIN_READ
