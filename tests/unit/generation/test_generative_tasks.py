"""The generative tasks through the engine: output shapes, options, streaming and bad input."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path
from typing import Any

import pytest
from tokenizers import Tokenizer

from inference_gui.engine import EngineOptions, RunInput, create_engine
from inference_gui.engine.engine import Engine
from inference_gui.engine.generation.pipeline import TextChunk
from inference_gui.engine.sources import folder_hub
from inference_gui.errors import Cancelled, EngineError
from tests.paths import HUB, INPUTS

PROMPT = "The weather today is"


def engine(task: str, model: str, hub: Path = HUB, dtype: str = "q8") -> Engine:
    options = EngineOptions(
        task=task, model_id=model, revision="v1.0.0", dtype=dtype, num_threads=1
    )
    return create_engine(options, folder_hub(hub))


@pytest.fixture(scope="module")
def gpt2() -> Engine:
    return engine("text-generation", "tiny/gpt2")


@pytest.fixture(scope="module")
def alt_text() -> Engine:
    return engine("image-to-text", "tiny/vit-gpt2-alt-text")


def copy_model(tmp_path: Path, model: str, dtype_suffix: str = "_quantized") -> Path:
    """A hub folder holding one dtype of a fixture model, to break on purpose."""
    source = HUB / "tiny" / model / "v1.0.0"
    target = tmp_path / "hub" / "tiny" / model / "v1.0.0"
    (target / "onnx").mkdir(parents=True)
    for path in source.glob("*.json"):
        shutil.copy(path, target / path.name)
    for path in source.glob(f"onnx/*{dtype_suffix}.onnx"):
        shutil.copy(path, target / "onnx" / path.name)
    return target


def test_return_full_text_false_gives_only_the_continuation(gpt2: Engine) -> None:
    full = gpt2.run(RunInput.text(PROMPT), {"max_new_tokens": 8}).output
    tail = gpt2.run(RunInput.text(PROMPT), {"max_new_tokens": 8, "return_full_text": False}).output
    assert full[0]["generated_text"] == PROMPT + tail[0]["generated_text"]


def test_batch_and_num_return_sequences_shapes(gpt2: Engine) -> None:
    out = gpt2.run(
        RunInput.text([PROMPT, "Hi"]),
        {"max_new_tokens": 4, "do_sample": True, "seed": 1, "num_return_sequences": 2},
    ).output
    assert [len(group) for group in out] == [2, 2]
    assert all(
        item["generated_text"].startswith(p)
        for p, group in zip([PROMPT, "Hi"], out, strict=True)
        for item in group
    )


def test_chunks_stream_the_generated_text_and_timings_report_speed(gpt2: Engine) -> None:
    chunks: list[TextChunk] = []
    result = gpt2.run(
        RunInput.text(PROMPT),
        {"max_new_tokens": 8, "return_full_text": False},
        stream=chunks.append,
    )
    assert len(chunks) > 1 and {c.index for c in chunks} == {0}
    assert "".join(c.text for c in chunks) == result.output[0]["generated_text"]
    assert result.timings_ms["tokens_per_second"] > 0
    assert 0 < result.timings_ms["time_to_first_token"] <= result.timings_ms["run"]


@pytest.mark.parametrize(
    "options", [{"max_new_tokens": 0}, {"num_beams": 0}, {"return_full_text": "no"}]
)
def test_bad_options_fail_clearly_and_the_engine_stays_usable(
    gpt2: Engine, options: dict[str, Any]
) -> None:
    with pytest.raises(EngineError) as caught:
        gpt2.run(RunInput.text(PROMPT), options)
    assert caught.value.hint
    assert gpt2.run(RunInput.text(PROMPT), {"max_new_tokens": 2}).output[0]["generated_text"]


def test_absurd_max_new_tokens_is_bounded_by_the_model_and_said(gpt2: Engine) -> None:
    result = gpt2.run(RunInput.text(PROMPT), {"max_new_tokens": 10**9, "eos_token_id": []})
    assert any("maximum length is 128 tokens" in w for w in result.warnings)
    assert result.timings_ms["tokens_per_second"] > 0


def test_a_prompt_past_the_model_length_reports_its_real_length(gpt2: Engine) -> None:
    prompt = " ".join(["word"] * 200)  # the tokenizer cuts it to the model's 128 positions
    with pytest.raises(EngineError) as caught:
        gpt2.run(RunInput.text(prompt), {"max_new_tokens": 4})
    message = caught.value.message
    assert "at most 128" in message and "is 128 tokens long" not in message
    tokenizer = Tokenizer.from_file(str(HUB / "tiny" / "gpt2" / "v1.0.0" / "tokenizer.json"))
    written = len(tokenizer.encode(prompt, add_special_tokens=False).ids)
    assert written > 128 and f"is {written} tokens long" in message, message


def test_cancel_mid_generation_then_the_engine_works(gpt2: Engine) -> None:
    expected = gpt2.run(RunInput.text(PROMPT), {"max_new_tokens": 8}).output
    cancel = threading.Event()
    with pytest.raises(Cancelled):
        gpt2.run(
            RunInput.text(PROMPT),
            {"max_new_tokens": 8},
            cancel=cancel,
            stream=lambda chunk: cancel.set(),
        )
    assert gpt2.run(RunInput.text(PROMPT), {"max_new_tokens": 8}).output == expected


def test_not_an_image_is_refused_and_the_engine_stays_usable(
    alt_text: Engine, tmp_path: Path
) -> None:
    fake = tmp_path / "photo.png"
    fake.write_text("not an image")
    with pytest.raises(EngineError, match="not an image"):
        alt_text.run(RunInput.image(fake), {"max_new_tokens": 4})
    with pytest.raises(EngineError, match="takes an image"):
        alt_text.run(RunInput.text("a cat"), {"max_new_tokens": 4})
    out = alt_text.run(RunInput.image(INPUTS / "red-circle.png"), {"max_new_tokens": 4}).output
    assert isinstance(out[0]["generated_text"], str)


def test_unmerged_decoder_name_says_which_rename_fixes_it(tmp_path: Path) -> None:
    folder = copy_model(tmp_path, "t5")
    (folder / "onnx" / "decoder_model_merged_quantized.onnx").rename(
        folder / "onnx" / "decoder_model_quantized.onnx"
    )
    with pytest.raises(EngineError) as caught:
        engine("text2text-generation", "tiny/t5", tmp_path / "hub").run(RunInput.text("Hi"), {})
    assert (
        "Rename onnx/decoder_model_quantized.onnx to onnx/decoder_model_merged_quantized.onnx"
        in caught.value.hint
    )


@pytest.mark.parametrize("missing", ["encoder_model", "decoder_model_merged"])
def test_missing_encoder_or_decoder_is_named(tmp_path: Path, missing: str) -> None:
    folder = copy_model(tmp_path, "vit-gpt2-alt-text")
    (folder / "onnx" / f"{missing}_quantized.onnx").unlink()
    broken = engine("image-to-text", "tiny/vit-gpt2-alt-text", tmp_path / "hub")
    with pytest.raises(EngineError, match=f"onnx/{missing}"):
        broken.run(RunInput.image(INPUTS / "red-circle.png"), {})


def test_summarization_and_translation_use_their_own_output_keys() -> None:
    for task, key in (("summarization", "summary_text"), ("translation", "translation_text")):
        out = engine(task, "tiny/t5").run(RunInput.text("Good morning!"), {"max_new_tokens": 2})
        assert list(out.output[0]) == [key]


def test_options_transformers_js_does_not_apply_run_as_it_runs_and_are_said(gpt2: Engine) -> None:
    """num_beams > 1 decodes greedily and top_p is not applied, as in Transformers.js 4.3.1."""
    greedy = gpt2.run(RunInput.text(PROMPT), {"max_new_tokens": 6})
    beams = gpt2.run(RunInput.text(PROMPT), {"max_new_tokens": 6, "num_beams": 4})
    assert beams.output == greedy.output and greedy.warnings == ()
    assert beams.warnings == (
        "num_beams=4 is not applied: Transformers.js has no beam search, so greedy decoding "
        "ran, as it does.",
    )
    sampled = {"max_new_tokens": 6, "do_sample": True, "seed": 3, "top_k": 5}
    plain = gpt2.run(RunInput.text(PROMPT), sampled)
    nucleus = gpt2.run(RunInput.text(PROMPT), {**sampled, "top_p": 0.05})
    assert plain.output != greedy.output  # so a top_p this small, applied, would show
    assert nucleus.output == plain.output
    assert any("top_p=0.05 is not applied" in w and "top_k=5" in w for w in nucleus.warnings)


def test_processors_transformers_js_leaves_out_are_said_not_applied(gpt2: Engine) -> None:
    """encoder_no_repeat_ngram_size, typical_p and the like: the text is Transformers.js's,
    without them, and the result says which were left out."""
    greedy = gpt2.run(RunInput.text(PROMPT), {"max_new_tokens": 6})
    unapplied = {"encoder_no_repeat_ngram_size": 2, "typical_p": 0.2, "penalty_alpha": 0.6}
    asked = gpt2.run(RunInput.text(PROMPT), {"max_new_tokens": 6, **unapplied})
    assert asked.output == greedy.output
    assert [w.split(" ")[0] for w in asked.warnings] == [
        "encoder_no_repeat_ngram_size=2",
        "penalty_alpha=0.6",  # typical_p acts only when sampling
    ]
    sampled = {"max_new_tokens": 6, "do_sample": True, "seed": 3, "top_k": 5}
    typical = gpt2.run(RunInput.text(PROMPT), {**sampled, "typical_p": 0.2})
    assert typical.output == gpt2.run(RunInput.text(PROMPT), sampled).output
    assert typical.warnings == (
        "typical_p=0.2 is not applied: Transformers.js does not implement it, so this run did "
        "without it, as it does.",
    )
