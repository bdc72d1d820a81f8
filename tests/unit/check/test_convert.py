"""``convert``: dtypes produced from fp32 load and agree with fp32 within stated bounds.

Bounds (feature-extraction cosine of the mean-pooled embedding vs fp32, tiny BERT; measured
fp16 1.0000, q8/int8/uint8 0.9998, q4/q4f16 0.987, bnb4 0.990): fp16 >= 0.999, the 8-bit modes
>= 0.99 (their rounding differs across CPUs, hence no exact value), the 4-bit modes >= 0.95.
"""

from __future__ import annotations

import json
from pathlib import Path

import onnx
import pytest

from inference_gui.check import check_folder
from inference_gui.check.convert import convert
from inference_gui.check.smoke import smoke_run
from inference_gui.cli.main import main
from inference_gui.config import Settings
from inference_gui.context import AppContext
from inference_gui.errors import CheckError
from tests.paths import HUB
from tests.unit.check.conftest import CopyModel

BOUNDS = {"fp16": 0.999, "q8": 0.99, "int8": 0.99, "uint8": 0.99}
BOUNDS |= {"q4": 0.95, "q4f16": 0.95, "bnb4": 0.95}


def ops(path: Path) -> set[str]:
    return {n.op_type for n in onnx.load(str(path), load_external_data=False).graph.node}


def test_every_dtype_from_fp32_loads_and_agrees_within_bounds(
    copy_model: CopyModel, tmp_path: Path
) -> None:
    model = copy_model("bert-embed")  # fp32 only
    written = convert(model, list(BOUNDS))
    assert "quantize_config.json" in written
    assert json.loads((model / "quantize_config.json").read_text())["modes"] == list(BOUNDS)
    assert "MatMulNBits" in ops(model / "onnx/model_q4.onnx")
    assert "MatMulBnb4" in ops(model / "onnx/model_bnb4.onnx")
    fp16 = onnx.load(str(model / "onnx/model_fp16.onnx"))
    assert fp16.graph.output[0].type.tensor_type.elem_type == onnx.TensorProto.FLOAT  # io kept
    report = check_folder(model)
    assert not report.has_errors and all(report.matrix["model"].values())
    ctx = AppContext(Settings(hub=str(HUB), cache_dir=tmp_path / "c", data_dir=tmp_path / "d"))
    rows, _ = smoke_run(ctx.runs, model, "feature-extraction", [], "model")
    cosine = {r["dtype"]: float(r["agreement"].split()[-1]) for r in rows}
    assert all(not r["error"] for r in rows)
    for dtype, bound in BOUNDS.items():
        assert cosine[dtype] >= bound, (dtype, cosine[dtype])


def test_external_data_moves_weights_and_declares_them(copy_model: CopyModel) -> None:
    model = copy_model("bert-sentiment")
    written = convert(model, ["fp16"], external_data=True)
    assert "onnx/model_fp16.onnx_data" in written and "config.json" in written
    setting = json.loads((model / "config.json").read_text())["transformers.js_config"]
    assert setting["use_external_data_format"] == {"model_fp16.onnx": 1}
    assert not check_folder(model).has_errors  # names, sizes and config agree
    assert convert(model, [], external_data=True) == [
        "onnx/model.onnx",
        "onnx/model.onnx_data",
        "config.json",
    ]
    setting = json.loads((model / "config.json").read_text())["transformers.js_config"]
    assert setting["use_external_data_format"] == {"model_fp16.onnx": 1, "model.onnx": 1}
    assert not check_folder(model).has_errors


def test_a_failed_conversion_leaves_the_folder_as_it_was(
    copy_model: CopyModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = copy_model("bert-sentiment")
    before = sorted(p.relative_to(model).as_posix() for p in model.rglob("*"))

    def broken(_model):
        raise RuntimeError("quantizer crashed")

    monkeypatch.setitem(
        __import__("inference_gui.check.convert", fromlist=["x"]).QUANTIZERS, "bnb4", broken
    )
    with pytest.raises(CheckError, match="Nothing was changed"):
        convert(model, ["fp16", "bnb4"])
    assert sorted(p.relative_to(model).as_posix() for p in model.rglob("*")) == before


def test_cli_convert(capsys, copy_model: CopyModel) -> None:
    model = copy_model("bert-sentiment")
    assert main(["convert", str(model), "--dtypes", "fp16,int8"]) == 0
    out = capsys.readouterr().out
    assert "Wrote onnx/model_fp16.onnx" in out and "Wrote onnx/model_int8.onnx" in out
    assert main(["convert", str(model), "--dtypes", "fp16"]) == 0
    assert "already there" in capsys.readouterr().out
