"""``inference-gui check`` and the import's check, end to end through main()."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from inference_gui.cli.main import main
from tests.paths import HUB
from tests.unit.check.conftest import CopyModel


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--hub", str(HUB), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_lists_findings_and_a_summary_and_exits_by_errors(
    capsys, copy_model: CopyModel
) -> None:
    model = copy_model("bert-sentiment", dtypes=("fp32", "fp16"))
    code, out, _ = run(capsys, "check", str(model), "--json")
    report = json.loads(out)
    assert code == 0 and report["summary"]["error"] == 0
    assert report["task"] == "text-classification"
    smoke = {row["dtype"]: row for row in report["smoke"]}
    assert set(smoke) == {"fp32", "fp16"} and smoke["fp16"]["agrees"] is True
    (model / "tokenizer.json").unlink()
    code, out, _ = run(capsys, "check", str(model), "--json", "--no-smoke")
    report = json.loads(out)
    assert code == 1 and "LAYOUT_MISSING_TOKENIZER" in {f["code"] for f in report["findings"]}


def test_fix_renames_a_misnamed_decoder_and_reports_it(capsys, copy_model: CopyModel) -> None:
    model = copy_model("t5")
    onnx = model / "onnx"
    (onnx / "decoder_model_merged.onnx").rename(onnx / "decoder_model.onnx")
    code, out, _ = run(capsys, "check", str(model), "--no-smoke")
    assert code == 1 and "Rename it to onnx/decoder_model_merged.onnx" in out
    code, out, _ = run(capsys, "check", str(model), "--fix")
    assert code == 0
    assert "Renamed onnx/decoder_model.onnx -> onnx/decoder_model_merged.onnx" in out
    assert "SMOKE_OK" in out  # the fixed model runs


def test_a_hub_model_is_checked_from_the_cache(capsys) -> None:
    args = ("check", "--model", "tiny/bert-ner", "--revision", "v1.0.0", "--dtype", "fp32")
    code, out, _ = run(capsys, *args, "--json", "--no-smoke")
    assert code == 0 and json.loads(out)["task"] == "token-classification"


def test_import_refuses_a_folder_that_is_not_a_model_unless_forced(capsys, tmp_path: Path) -> None:
    folder = tmp_path / "notamodel"
    folder.mkdir()
    (folder / "readme.txt").write_text("hello")
    imp = ("cache", "import", str(folder), "--model", "local/notamodel", "--revision", "v1.0.0")
    code, out, err = run(capsys, *imp)
    assert code == 1 and "NOT_A_MODEL" in err and "nothing was imported" in err
    assert "Imported" not in out
    code, out, _ = run(capsys, *imp, "--force")
    assert code == 0 and "Imported 1 files" in out


@pytest.mark.parametrize(
    ("name", "task"),
    [
        ("whisper-asr", "automatic-speech-recognition"),
        ("wav2vec2-ctc", "automatic-speech-recognition"),
        ("wav2vec2-audio-cls", "audio-classification"),
        ("segformer-seg", "image-segmentation"),
        ("dpt-depth", "depth-estimation"),
        ("detr-detector", "object-detection"),
        ("owlvit-detector", "zero-shot-object-detection"),
        ("clip-zeroshot", "zero-shot-image-classification"),
        ("vit-features", "image-feature-extraction"),
    ],
)
def test_audio_and_vision_models_are_checked_as_their_task_and_smoke_run(
    capsys, copy_model: CopyModel, name: str, task: str
) -> None:
    """The task comes from the head and what the model is fed (preprocessor_config.json); the
    graphs' media inputs fit it, the tokenizer loads as the engine loads it (a CTC vocabulary
    too), and the smoke run's sample input suits the task (labels for zero-shot detection)."""
    model = copy_model(name, dtypes=("fp32", "fp16"))
    code, out, _ = run(capsys, "check", str(model), "--json")
    report = json.loads(out)
    assert report["task"] == task
    assert [f["message"] for f in report["findings"] if f["severity"] == "error"] == []
    assert code == 0
    smoke = {row["dtype"]: row for row in report["smoke"]}
    assert set(smoke) == {"fp32", "fp16"} and smoke["fp32"]["agrees"] is True
