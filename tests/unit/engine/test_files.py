from __future__ import annotations

import json
from pathlib import Path

import pytest

from inference_gui.engine.files import choose_onnx_file
from inference_gui.engine.sources import FolderFiles
from inference_gui.errors import EngineError
from inference_gui.layout import external_data_chunks, onnx_path
from inference_gui.vocab import DTYPE_SUFFIX


def make_model(root: Path, names: list[str]) -> FolderFiles:
    (root / "onnx").mkdir(parents=True)
    for name in names:
        (root / "onnx" / name).write_bytes(b"x")
    return FolderFiles(root, "org/model@v1")


def test_paths_follow_transformers_js_suffixes() -> None:
    assert onnx_path("model", "fp32") == "onnx/model.onnx"
    assert onnx_path("model", "q8") == "onnx/model_quantized.onnx"
    assert onnx_path("encoder_model", "q4f16") == "onnx/encoder_model_q4f16.onnx"
    assert {onnx_path("m", d) for d in DTYPE_SUFFIX} == {
        f"onnx/m{s}.onnx" for s in DTYPE_SUFFIX.values()
    }


def test_missing_dtype_lists_what_the_model_has(tmp_path: Path) -> None:
    files = make_model(tmp_path, ["model.onnx", "model_fp16.onnx", "model_q4.onnx"])
    with pytest.raises(EngineError) as caught:
        choose_onnx_file(files, {}, "model", "q8")
    assert "dtype q8 is not available" in str(caught.value)
    assert "this model has: fp32, fp16, q4" in str(caught.value)


def test_model_without_any_graph_for_the_base(tmp_path: Path) -> None:
    files = make_model(tmp_path, ["model.onnx"])
    with pytest.raises(EngineError, match="no onnx/encoder_model"):
        choose_onnx_file(files, {}, "encoder_model", "fp32")


@pytest.mark.parametrize(
    "setting, expected",
    [
        (None, 0),
        (False, 0),
        (True, 1),
        (3, 3),
        ({"model_quantized.onnx": 2}, 2),
        ({"model": 4}, 4),
        ({"other.onnx": 1}, 0),
    ],
)
def test_external_data_chunk_counts(setting: object, expected: int) -> None:
    config = {"transformers.js_config": {"use_external_data_format": setting}}
    assert external_data_chunks(config, "model_quantized.onnx", "model") == expected


def test_external_data_chunk_names(tmp_path: Path) -> None:
    files = make_model(tmp_path, ["model.onnx"])
    config = {"transformers.js_config": {"use_external_data_format": {"model.onnx": 3}}}
    chosen = choose_onnx_file(files, config, "model", "fp32")
    assert chosen.data_paths == (
        "onnx/model.onnx_data",
        "onnx/model.onnx_data_1",
        "onnx/model.onnx_data_2",
    )


@pytest.mark.parametrize("setting", [101, -1, "many"])
def test_unreasonable_external_data_settings_are_refused(setting: object) -> None:
    config = {"transformers.js_config": {"use_external_data_format": setting}}
    with pytest.raises(EngineError):
        external_data_chunks(config, "model.onnx", "model")


def test_folder_files_never_leave_their_folder(tmp_path: Path) -> None:
    files = make_model(tmp_path / "m", ["model.onnx"])
    (tmp_path / "secret.txt").write_text("no")
    (tmp_path / "m" / "link.json").symlink_to(tmp_path / "secret.txt")
    assert not files.exists("../secret.txt")
    assert not files.exists("link.json")
    with pytest.raises(Exception, match="outside|'\\.\\.'"):
        files.fetch("../secret.txt")
    assert json.dumps(files.list())  # listing works and includes only real paths
