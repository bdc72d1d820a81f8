"""A full disk during a download is one clear error, and no partial file is kept."""

from __future__ import annotations

import errno

import pytest

from inference_gui.cache import ModelCache
from inference_gui.cache import download as download_module
from inference_gui.errors import CacheError
from inference_gui.hub import Hub
from tests.paths import HUB


def test_no_space_left_is_one_clear_error_and_leaves_nothing_half_written(
    tmp_path, monkeypatch
) -> None:
    cache = ModelCache(tmp_path / "cache", 10**9)
    real_write = download_module._Sink._write
    written = []

    def fill_up(self, view) -> None:
        if written:
            raise OSError(errno.ENOSPC, "No space left on device")
        written.append(len(view))
        real_write(self, view)

    monkeypatch.setattr(download_module, "MIN_READ", 1024)
    monkeypatch.setattr(download_module._Sink, "_write", fill_up)
    with pytest.raises(CacheError, match="No space left") as raised:
        cache.fetch(Hub(HUB), "tiny/bert-embed", "v1.0.0", "tokenizer.json")
    assert "tokenizer.json" in raised.value.message and raised.value.hint
    assert [p.name for p in cache.blobs.tmp.iterdir() if p.is_file()] == []
    assert cache.store.all() == []
    cache.close()
