"""Each bad input of issue 6 gives one clear error, and the engine stays usable afterwards."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from inference_gui.engine import RunInput
from inference_gui.errors import Cancelled, EngineError, TimedOut
from inference_gui.jobs import Progress
from tests.paths import INPUTS
from tests.unit.engine.conftest import fixture_engine

ModelCopy = Callable[..., Path]


def test_unknown_task() -> None:
    with pytest.raises(EngineError, match="Unknown task 'make-coffee'"):
        fixture_engine("make-coffee", "bert-embed")


@pytest.mark.parametrize(
    "task, model, missing",
    [
        ("image-classification", "bert-embed", "preprocessor_config.json"),
        ("text-classification", "vit-classifier", "tokenizer.json"),
    ],
)
def test_model_without_the_files_the_task_needs(task: str, model: str, missing: str) -> None:
    engine = fixture_engine(task, model)
    kind = (
        RunInput.image(INPUTS / "red-circle.png")
        if task.startswith("image")
        else RunInput.text("hi")
    )
    with pytest.raises(EngineError, match=missing):
        engine.run(kind)
    assert engine.status == "error"


def test_model_exported_for_another_task_is_named() -> None:
    engine = fixture_engine("question-answering", "bert-embed")
    with pytest.raises(EngineError, match="does not produce start_logits"):
        engine.run(RunInput.qa("q?", "c."))


@pytest.mark.parametrize("damage", ["truncate", "garbage"])
def test_corrupt_or_truncated_onnx(model_copy: ModelCopy, damage: str) -> None:
    folder = model_copy("bert-sentiment")
    target = folder / "onnx" / "model.onnx"
    data = target.read_bytes()
    target.write_bytes(data[: len(data) // 3] if damage == "truncate" else b"not a model" * 100)
    hub = folder.parents[2]
    broken = fixture_engine("text-classification", "bert-sentiment", "fp32", hub)
    with pytest.raises(EngineError, match="corrupt or truncated"):
        broken.run(RunInput.text("hello"))
    # Other dtypes of the same model are untouched and run.
    good = fixture_engine("text-classification", "bert-sentiment", "q8", hub)
    assert good.run(RunInput.text("hello")).output[0]["label"] in {
        "NEGATIVE",
        "NEUTRAL",
        "POSITIVE",
    }


def test_external_data_pointing_outside_the_folder_is_refused(model_copy: ModelCopy) -> None:
    folder = model_copy("bert-external")
    target = folder / "onnx" / "model.onnx"
    # Same length, so the protobuf stays well-formed: every initializer now points two levels up.
    target.write_bytes(target.read_bytes().replace(b"model.onnx_data", b"../../.onnx_dat"))
    (folder.parent / ".onnx_dat").write_bytes((folder / "onnx" / "model.onnx_data").read_bytes())
    engine = fixture_engine("feature-extraction", "bert-external", "fp32", folder.parents[2])
    with pytest.raises(EngineError, match="external data outside its folder"):
        engine.run(RunInput.text("hello"))


def test_wrong_input_kind() -> None:
    text_engine = fixture_engine("text-classification", "bert-sentiment")
    with pytest.raises(EngineError, match="takes text, but got an image"):
        text_engine.run(RunInput.image(INPUTS / "red-circle.png"))
    image_engine = fixture_engine("image-classification", "vit-classifier")
    with pytest.raises(EngineError, match="takes an image"):
        image_engine.run(RunInput.text("a cat"))
    assert text_engine.run(RunInput.text("fine")).output


def test_a_file_that_is_not_an_image(tmp_path: Path) -> None:
    fake = tmp_path / "photo.png"
    fake.write_text("this is text")
    engine = fixture_engine("image-classification", "vit-classifier")
    with pytest.raises(EngineError, match="photo.png is not an image"):
        engine.run(RunInput.image(fake))
    assert engine.run(RunInput.image(INPUTS / "red-circle.png")).output


@pytest.mark.parametrize(
    "inputs",
    [
        RunInput.text(""),
        RunInput.text("   "),
        RunInput.text([]),
        RunInput(),
        RunInput.qa("", "context"),
    ],
)
def test_empty_input(inputs: RunInput) -> None:
    task = "question-answering" if inputs.kind == "qa" else "text-classification"
    engine = fixture_engine(task, "bert-qa" if task == "question-answering" else "bert-sentiment")
    with pytest.raises(EngineError, match="empty|got nothing|takes text"):
        engine.run(inputs)


def test_fill_mask_without_the_mask_token() -> None:
    engine = fixture_engine("fill-mask", "bert-fill-mask")
    with pytest.raises(EngineError, match=r"Mask token \(\[MASK\]\) not found"):
        engine.run(RunInput.text("no mask here"))


def test_a_huge_input_is_not_echoed_whole_into_the_error() -> None:
    engine = fixture_engine("fill-mask", "bert-fill-mask")
    text = "no mask here " * 800_000  # about 10 MB
    with pytest.raises(EngineError) as caught:
        engine.run(RunInput.text(text))
    assert "not found" in caught.value.message and len(str(caught.value)) < 400
    assert f"{len(text):,} characters" in caught.value.message


def test_invalid_pipeline_option() -> None:
    engine = fixture_engine("feature-extraction", "bert-embed")
    with pytest.raises(EngineError, match="pooling='max'"):
        engine.run(RunInput.text("hi"), {"pooling": "max"})
    with pytest.raises(EngineError, match="pooling=") as caught:
        engine.run(RunInput.text("hi"), {"pooling": "m" * 1_000_000})
    assert len(caught.value.message) < 200


def test_input_longer_than_the_model_maximum_is_truncated_and_said() -> None:
    engine = fixture_engine("feature-extraction", "bert-embed")
    long_text = " ".join(["word"] * 400)  # the fixture's model_max_length is 128
    result = engine.run(RunInput.text(long_text), {"pooling": "none"})
    assert result.output["dims"] == [1, 128, 64]
    assert (
        len(result.warnings) == 1
        and "truncated to the model's maximum of 128 tokens" in result.warnings[0]
    )
    short = engine.run(RunInput.text("word"), {"pooling": "none"})
    assert short.warnings == () and short.output["dims"][1] < 128


def test_timeout_during_a_run_then_usable() -> None:
    engine = fixture_engine("text-classification", "bert-sentiment")
    engine.load()
    with pytest.raises(TimedOut, match="timeout"):
        engine.run(RunInput.text("hello"), timeout_ms=1e-6)
    assert engine.run(RunInput.text("hello")).output


def test_cancel_during_load_then_usable() -> None:
    engine = fixture_engine("text-classification", "bert-sentiment")
    cancel = threading.Event()

    def on_progress(progress: Progress) -> None:
        if progress.phase == "loading":
            cancel.set()

    with pytest.raises(Cancelled):
        engine.run(RunInput.text("hello"), progress=on_progress, cancel=cancel)
    assert not engine.loaded and engine.status == "cancelled"
    assert engine.run(RunInput.text("hello")).output


def test_cancel_during_a_run_then_usable() -> None:
    engine = fixture_engine("text-classification", "bert-sentiment")
    engine.load()
    cancel = threading.Event()

    def on_progress(progress: Progress) -> None:
        if progress.phase == "running":
            cancel.set()

    with pytest.raises(Cancelled):
        engine.run(RunInput.text("hello"), progress=on_progress, cancel=cancel)
    assert engine.loaded and engine.status == "ready"
    assert engine.run(RunInput.text("hello")).output
