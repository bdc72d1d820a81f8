"""The audio tasks around the model: Whisper's prompt, options, notes, refusals, and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile

from inference_gui.cli.main import main
from inference_gui.engine import RunInput
from inference_gui.engine.generation.whisper_prompt import language_code, whisper_prompt
from inference_gui.engine.preprocess.text import TextTokenizer
from inference_gui.engine.tasks.ctc_speech_recognition import ctc_text
from inference_gui.errors import EngineError
from tests.paths import EXPECTED, HUB, INPUTS
from tests.unit.engine.conftest import fixture_engine

GENERATION = json.loads((HUB / "tiny/whisper-asr/v1.0.0/generation_config.json").read_text())
ASR = "automatic-speech-recognition"


@pytest.mark.parametrize("given", ["french", "French", "fr", "<|fr|>"])
def test_language_names_codes_and_tokens_are_accepted(given: str) -> None:
    assert language_code(given) == "fr"
    assert whisper_prompt(GENERATION, given, None).tokens == (401, 404, 407, 411)


def test_the_prompt_defaults_to_english_transcription_with_a_note() -> None:
    prompt = whisper_prompt(GENERATION, None, None)
    assert prompt.tokens == (401, 402, 407, 411)
    assert "English" in prompt.notes[0]
    assert whisper_prompt(GENERATION, "de", "translate").tokens == (401, 403, 406, 411)
    assert whisper_prompt(GENERATION, "de", None, timestamps=True).tokens == (401, 403, 407)


@pytest.mark.parametrize(
    ("generation", "language", "task", "message"),
    [
        (GENERATION, "klingon", None, "not one Whisper knows"),
        (GENERATION, "japanese", None, "no language 'japanese'.*de, en, es, fr"),
        (GENERATION, "en", "summarize", "no task 'summarize'"),
        (GENERATION, 3, None, "language=3"),
        ({**GENERATION, "is_multilingual": False}, "en", None, "English-only"),
        ({}, None, None, "decoder_start_token_id"),
    ],
)
def test_prompt_refusals_name_what_the_model_has(generation, language, task, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(EngineError, match=message):
        whisper_prompt(generation, language, task)


def test_the_run_notes_the_assumed_language_and_the_4x_behaviour() -> None:
    engine = fixture_engine(ASR, "whisper-asr")
    result = engine.run(RunInput.audio(INPUTS / "chirp.wav"), {"max_new_tokens": 8})
    assert result.output == {"text": " yVunVVunVV"}
    assert any("English" in w for w in result.warnings)
    assert any("suppress_tokens" in w and "3.x" in w for w in result.warnings)
    both = engine.run(RunInput.audio([INPUTS / "chirp.wav", INPUTS / "two-tones.wav"]), {})
    assert [r["text"][:4] for r in both.output] == [" yVu", " eVe"]


def test_a_long_clip_is_cut_to_the_window_with_a_note(tmp_path: Path) -> None:
    path = tmp_path / "long.wav"
    chirp, rate = soundfile.read(str(INPUTS / "chirp.wav"), dtype="int16")
    soundfile.write(str(path), np.concatenate([chirp] * 40), rate, subtype="PCM_16")  # 60 s
    engine = fixture_engine(ASR, "whisper-asr")
    window = tmp_path / "window.wav"
    soundfile.write(str(window), np.concatenate([chirp] * 40)[:32000], rate, subtype="PCM_16")
    long = engine.run(RunInput.audio(path), {"max_new_tokens": 8})
    first = engine.run(RunInput.audio(window), {"max_new_tokens": 8})
    assert any("60.0 s long" in w and "first 2 s" in w for w in long.warnings)
    assert long.output == first.output  # what was transcribed is the first window
    assert not any("s long" in w for w in first.warnings)


@pytest.mark.parametrize(
    ("task", "model", "run_input", "options", "message"),
    [
        (ASR, "whisper-asr", RunInput.text("hello"), {}, "takes an audio file"),
        (ASR, "whisper-asr", None, {"return_timestamps": True}, "timestamps"),
        (ASR, "whisper-asr", None, {"chunk_length_s": 30}, "chunked"),
        (ASR, "whisper-asr", None, {"language": "japanese"}, "no language"),
        (ASR, "wav2vec2-audio-cls", None, {}, "no tokenizer.json"),  # a classifier, not CTC
        (ASR, "gpt2", None, {}, "does not run 'gpt2' models.*Whisper.*wav2vec2"),
        ("audio-classification", "wav2vec2-audio-cls", None, {"top_k": "3"}, "top_k"),
        ("audio-classification", "vit-classifier", None, {}, "feature extractor None"),
    ],
)
def test_task_refusals_are_one_clear_error(task, model, run_input, options, message) -> None:  # type: ignore[no-untyped-def]
    engine = fixture_engine(task, model)
    with pytest.raises(EngineError, match=message):
        engine.run(run_input or RunInput.audio(INPUTS / "chirp.wav"), options)


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--hub", str(HUB), "run", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_transcribes_an_audio_file_with_options(capsys: pytest.CaptureFixture[str]) -> None:
    data = json.loads((EXPECTED / "tiny__whisper-asr__v1.0.0.json").read_text())
    code, out, err = run_cli(
        capsys,
        "--task",
        ASR,
        "--model",
        "tiny/whisper-asr",
        "--revision",
        "v1.0.0",
        "--dtype",
        "fp32",
        "--audio",
        str(INPUTS / "chirp.wav"),
        "--options",
        '{"language": "french", "task": "transcribe", "max_new_tokens": 8}',
        "--json",
    )
    assert code == 0
    report = json.loads(out)
    assert report["output"] == data["results"]["fp32"]["outputs"]["audio-0-fr"]
    assert "preprocessor_config.json" in report["engine"]["files"]
    assert "English" not in err and "suppress_tokens" in err


def test_cli_classifies_audio_and_refuses_mixed_inputs(capsys: pytest.CaptureFixture[str]) -> None:
    args = [
        "--task",
        "audio-classification",
        "--model",
        "tiny/wav2vec2-audio-cls",
        "--dtype",
        "fp32",
    ]
    code, out, _ = run_cli(
        capsys, *args, "--revision", "v1.0.0", "--audio", str(INPUTS / "two-tones.wav"), "--json"
    )
    assert code == 0
    labels = [r["label"] for r in json.loads(out)["output"]]
    assert labels[0] == "music" and len(labels) == 4  # top_k 5 of 4 labels
    code, _, err = run_cli(capsys, *args, "--audio", str(INPUTS / "chirp.wav"), "some text")
    assert code != 0 and "one kind of input" in err and "--audio" in err


def ctc_tokenizer(tmp_path: Path, *, cleanup: bool = True, spaces: bool = False) -> TextTokenizer:
    """The fixture's CTC tokenizer.json (a vocabulary-only model) with the decoder's clean-up and
    the config's ``clean_up_tokenization_spaces`` as given."""
    data = json.loads((HUB / "tiny/wav2vec2-ctc/v1.0.0/tokenizer.json").read_text())
    assert "type" not in data["model"]  # the layout Transformers.js's CTC repos have
    data["decoder"]["cleanup"] = cleanup
    path = tmp_path / "tokenizer.json"
    path.write_text(json.dumps(data))
    return TextTokenizer(path, {"unk_token": "<unk>", "clean_up_tokenization_spaces": spaces})


def ids(tokenizer: TextTokenizer, *tokens: str) -> list[int]:
    return [tokenizer.backend.token_to_id(t) for t in tokens]


def test_ctc_decoding_drops_special_tokens_before_collapsing_repeats(tmp_path: Path) -> None:
    """As Transformers.js: <pad> (special) is skipped before the repeats collapse, so A <pad> A
    is one A; the word delimiter becomes a space and the text is trimmed."""
    tokenizer = ctc_tokenizer(tmp_path)
    path = ids(tokenizer, "|", "H", "H", "<pad>", "H", "I", "|", "|", "<s>", "T", "O", "O", "|")
    assert ctc_text(tokenizer, path) == "HI TO"


def test_ctc_decoding_trims_before_the_tokenizer_cleans_up(tmp_path: Path) -> None:
    """Transformers.js trims the CTC decoder's text, then applies the tokenizer's clean-up, which
    keeps a leading "' "; tokenizers' decoder leaves the leading delimiter's space for the clean-up,
    which then joins it ("'S")."""
    path_tokens = ("|", "'", "|", "S", "|", "A", "|", "'", "|", "B")
    tokenizer = ctc_tokenizer(tmp_path, spaces=True)
    path = ids(tokenizer, *path_tokens)
    assert ctc_text(tokenizer, path) == "' S A'B"
    assert tokenizer.decode(path, skip_special_tokens=True).strip() == "'S A'B"
    assert ctc_text(ctc_tokenizer(tmp_path), path) == "' S A ' B"
    raw = ctc_tokenizer(tmp_path, cleanup=False)
    assert ctc_text(raw, path) == "|'|S|A|'|B"


def test_a_ctc_model_ignores_language_and_task_with_a_note() -> None:
    engine = fixture_engine(ASR, "wav2vec2-ctc")
    plain = engine.run(RunInput.audio(INPUTS / "chirp.wav"), {})
    french = engine.run(RunInput.audio(INPUTS / "chirp.wav"), {"language": "french"})
    assert plain.output == french.output and plain.output["text"]
    assert any("language is ignored" in w for w in french.warnings)
    both = engine.run(RunInput.audio([INPUTS / "chirp.wav", INPUTS / "two-tones.wav"]), {})
    assert both.output[0] == plain.output and both.output[1] != plain.output
    assert engine.files == (
        "config.json",
        "onnx/model.onnx",
        "preprocessor_config.json",
        "tokenizer.json",
        "tokenizer_config.json",
    )


@pytest.mark.parametrize(
    ("task", "model", "shortest"),
    [(ASR, "wav2vec2-ctc", "20 ms"), ("audio-classification", "wav2vec2-audio-cls", "5 ms")],
)
def test_a_clip_too_short_for_one_frame_is_named(
    tmp_path: Path, task: str, model: str, shortest: str
) -> None:
    """Wav2Vec2's feature encoder needs a few hundred samples before it gives a frame (4 layers,
    kernels 10/4/4/4, strides 5/4/4/4: 325 samples); shorter clips fail in onnxruntime otherwise."""
    engine = fixture_engine(task, model)
    short = tmp_path / "click.wav"
    soundfile.write(str(short), np.full(64, 3000, dtype=np.int16), 16000, subtype="PCM_16")
    with pytest.raises(
        EngineError, match=f"click.wav is 4 ms long; this model needs at least {shortest}"
    ):
        engine.run(RunInput.audio(short))
