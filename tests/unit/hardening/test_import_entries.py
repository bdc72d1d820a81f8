"""`cache import` takes regular files inside the folder only, and names every entry it refused."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from inference_gui.cache import ModelCache
from inference_gui.errors import CacheError


@pytest.fixture
def cache(tmp_path):
    opened = ModelCache(tmp_path / "cache", 10**9)
    yield opened
    opened.close()


def model_folder(root: Path) -> Path:
    (root / "onnx").mkdir(parents=True)
    (root / "onnx" / "model.onnx").write_bytes(b"graph")
    (root / "tokenizer.json").write_text("{}")
    return root


def test_links_leading_out_devices_and_fifos_are_refused_by_name(cache, tmp_path) -> None:
    folder = model_folder(tmp_path / "m")
    secret = tmp_path / "secret"
    secret.write_text("root:x:0:0")
    (folder / "config.json").symlink_to(secret)
    (folder / "zero.bin").symlink_to("/dev/zero")
    os.mkfifo(folder / "pipe")
    (folder / "elsewhere").symlink_to(tmp_path, target_is_directory=True)
    with pytest.raises(CacheError) as raised:
        cache.import_folder(folder, "me/m", "v1.0.0")  # a FIFO would hang here before the fix
    message = raised.value.message
    for name in ("config.json", "zero.bin", "pipe", "elsewhere"):
        assert name in message
    assert "tokenizer.json" not in message
    assert cache.store.all() == []
    assert list(cache.blobs.tmp.glob("*.tmp")) == []


def test_a_link_to_a_regular_file_inside_the_folder_is_imported(cache, tmp_path) -> None:
    folder = model_folder(tmp_path / "m")
    (folder / "onnx" / "model_fp16.onnx").symlink_to("model.onnx")
    paths = cache.import_folder(folder, "me/m", "v1.0.0")
    assert sorted(p.name for p in paths) == ["model.onnx", "model_fp16.onnx", "tokenizer.json"]
    shown = {p.name: p.read_bytes() for p in paths}
    assert shown["model_fp16.onnx"] == b"graph"
