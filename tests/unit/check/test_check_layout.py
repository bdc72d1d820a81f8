"""Placement, task files, dtypes and decoder names: each broken folder gives its finding code."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from inference_gui.check import check_folder
from inference_gui.check.fixes import apply_renames
from tests.unit.check.conftest import CopyModel


def errors(report) -> set[str]:
    return {f.code for f in report.findings if f.severity == "error"}


def test_a_fixture_model_passes_with_its_task_inferred(copy_model: CopyModel) -> None:
    report = check_folder(copy_model("bert-embed", dtypes=("fp32", "fp16")))
    assert report.task == "feature-extraction"
    assert errors(report) == set()
    assert report.matrix["model"]["fp16"] and not report.matrix["model"]["q4"]
    assert "TASK_INFERRED" in report.codes()


def test_a_folder_holding_only_a_readme_is_not_a_model(tmp_path: Path) -> None:
    (tmp_path / "readme.txt").write_text("hello")
    report = check_folder(tmp_path)
    assert [f.code for f in report.findings] == ["NOT_A_MODEL"]
    assert "readme.txt" in report.findings[0].message


def test_picking_the_onnx_folder_says_to_pick_the_one_above(copy_model: CopyModel) -> None:
    model = copy_model("bert-embed")
    report = check_folder(model / "onnx")
    assert [f.code for f in report.findings] == ["LAYOUT_ONNX_FOLDER_PICKED"]
    assert str(model) in report.findings[0].action


def test_a_missing_tokenizer_is_named(copy_model: CopyModel) -> None:
    model = copy_model("bert-sentiment")
    (model / "tokenizer.json").unlink()
    assert "LAYOUT_MISSING_TOKENIZER" in errors(check_folder(model))


def test_onnx_at_the_top_level_is_a_misplacement_the_fix_moves(copy_model: CopyModel) -> None:
    model = copy_model("bert-external", dtypes=("fp32",))
    for name in ("model.onnx", "model.onnx_data"):
        (model / "onnx" / name).rename(model / name)
    (model / "onnx").rmdir()
    report = check_folder(model)
    assert errors(report) == {"LAYOUT_ONNX_AT_TOP"}  # not "missing": the move supplies it
    assert set(report.renames()) == {
        ("model.onnx", "onnx/model.onnx"),
        ("model.onnx_data", "onnx/model.onnx_data"),
    }
    apply_renames(model, report.renames())
    assert errors(check_folder(model)) == set()


def test_a_misnamed_decoder_gets_the_exact_rename_per_dtype(copy_model: CopyModel) -> None:
    model = copy_model("t5", dtypes=("fp32", "q4"))
    for dtype_suffix in ("", "_q4"):
        merged = model / "onnx" / f"decoder_model_merged{dtype_suffix}.onnx"
        merged.rename(model / "onnx" / f"decoder_model{dtype_suffix}.onnx")
    report = check_folder(model)
    assert "DECODER_MISNAMED" in errors(report)
    assert "LAYOUT_MISSING_GRAPH" not in errors(report)  # the rename supplies it
    assert report.renames() == [
        ("onnx/decoder_model.onnx", "onnx/decoder_model_merged.onnx"),
        ("onnx/decoder_model_q4.onnx", "onnx/decoder_model_merged_q4.onnx"),
    ]
    changed = apply_renames(model, report.renames())
    assert len(changed) == 2
    after = check_folder(model)
    assert errors(after) == set()
    assert not (model / "onnx" / "decoder_model.onnx").exists()


def test_a_with_past_decoder_beside_the_plain_one_is_extra(copy_model: CopyModel) -> None:
    model = copy_model("t5")
    onnx = model / "onnx"
    shutil.copy(onnx / "decoder_model_merged.onnx", onnx / "decoder_with_past_model.onnx")
    (onnx / "decoder_model_merged.onnx").rename(onnx / "decoder_model.onnx")
    report = check_folder(model)
    assert report.renames() == [("onnx/decoder_model.onnx", "onnx/decoder_model_merged.onnx")]
    assert "DECODER_UNMERGED_EXTRA" in report.codes()


def test_a_failed_fix_leaves_the_folder_as_it_was(copy_model: CopyModel, monkeypatch) -> None:
    model = copy_model("t5", dtypes=("fp32", "q4"))
    for suffix in ("", "_q4"):
        (model / "onnx" / f"decoder_model_merged{suffix}.onnx").rename(
            model / "onnx" / f"decoder_model{suffix}.onnx"
        )
    before = sorted(p.relative_to(model).as_posix() for p in model.rglob("*"))
    renames = check_folder(model).renames()
    import os

    real_replace, calls = os.replace, []

    def second_fails(src, dst):  # the second rename hits a full disk
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr("inference_gui.check.fixes.os.replace", second_fails)
    from inference_gui.errors import CheckError

    try:
        apply_renames(model, renames)
    except CheckError as exc:
        assert "Nothing was changed" in exc.hint
    else:
        raise AssertionError("the fix should have failed")
    assert sorted(p.relative_to(model).as_posix() for p in model.rglob("*")) == before


def test_a_dtype_one_graph_lacks_cannot_run(copy_model: CopyModel) -> None:
    model = copy_model("t5", dtypes=("fp32", "q4"))
    (model / "onnx" / "decoder_model_merged_q4.onnx").unlink()
    report = check_folder(model)
    found = [f for f in report.findings if f.code == "DTYPE_INCOMPLETE"]
    assert [f.file for f in found] == ["onnx/decoder_model_merged_q4.onnx"]


def test_no_architectures_asks_for_the_task(copy_model: CopyModel) -> None:
    model = copy_model("bert-embed")
    config = json.loads((model / "config.json").read_text())
    del config["architectures"]
    (model / "config.json").write_text(json.dumps(config))
    report = check_folder(model)
    assert report.task is None and "TASK_UNKNOWN" in report.codes()
    assert errors(report) == set()  # graphs are still checked, task-free
