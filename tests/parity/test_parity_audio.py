"""The audio tasks against Transformers.js 4.3.1 for tiny/whisper-asr, tiny/wav2vec2-ctc and
tiny/wav2vec2-audio-cls at every dtype, fed the WAV inputs as int16 / 32768 (what the reference was
fed).

* automatic-speech-recognition: text identical at fp32, fp16, q4, q4f16 and bnb4. The dynamically
  quantized dtypes (q8, int8, uint8) quantize activations at run time with kernels that round
  differently across CPUs and onnxruntime builds, so they are replayed by teacher forcing
  (:mod:`tests.parity.teacher_forcing`): every reference token within ``QUANTIZED_MARGIN`` of our
  top logit, the replay decoding to the reference text exactly. Measured here (onnxruntime 1.32,
  x86-64): free-run texts identical at every dtype except q8 ``audio-1`` (gaps 0.058, 0.012) and
  int8 ``audio-2`` (gap 0.41). int8 gets ``INT8_MARGIN``: its ``conv1`` is a ConvInteger, whose
  onnxruntime kernels round differently between the reference's onnxruntime-node 1.30 and ours (as
  vit-classifier int8, whose scores move by 6e-3), and Whisper's logits are wide (standard
  deviation ~2.4 against GPT-2's ~0.8). Measured for scale: a one-frame shift of the features opens
  gaps of 1-7 at int8, while subtler preprocessing slips (a 5 % feature scale, a symmetric window:
  gaps 0.08-0.4) are what the exact dtypes above catch (their fp32 text changes).
* automatic-speech-recognition with a CTC head (tiny/wav2vec2-ctc): text identical at fp32, fp16,
  q4, q4f16 and bnb4; at q8, int8 and uint8 the reference must be the transcript of a path whose
  every frame's token is within ``CTC_MARGIN`` of that frame's top logit in our run
  (:mod:`tests.parity.ctc_alignment`). Measured here: texts identical at every dtype (free run). The
  smallest top-1/top-2 gap over the frames (audio_margins.py on the build machine): fp32 0.0157,
  q8 / uint8 0.0104, q4 0.0011.
* audio-classification: labels identical, scores within 1e-4 (measured <= 1e-7 at every dtype but
  int8); fp16 / q4f16 1e-3; q8 / int8 / uint8 1e-2, as for vit-classifier: their Conv feature
  encoder is dynamically quantized (ConvInteger), int8 moved scores by up to 5.5e-3 here. Ranked
  items within twice that may swap (``support.assert_matches``).
* Transformers.js 3.8.1 does not apply Whisper's ``suppress_tokens``; with ``suppress_tokens: []``
  the engine gives 3.8.1's texts, which shows which behaviour ran and that the option is honoured.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from inference_gui.engine.preprocess.text import TextTokenizer
from inference_gui.engine.tasks import automatic_speech_recognition
from tests.parity.ctc_alignment import reference_path
from tests.parity.support import Case, assert_matches, cases, engine_for
from tests.parity.teacher_forcing import assert_follows_reference
from tests.parity.test_parity_generative import DYNAMICALLY_QUANTIZED, QUANTIZED_MARGIN
from tests.paths import EXPECTED, HUB

ASR = "automatic-speech-recognition"
CLASSIFICATION = "audio-classification"
CASES = list(cases({ASR, CLASSIFICATION}))
CTC_MODEL = "tiny/wav2vec2-ctc"
ASR_EXACT = [c for c in CASES if c.task == ASR and c.dtype not in DYNAMICALLY_QUANTIZED]
ASR_QUANTIZED = [
    c for c in CASES if c.task == ASR and c.dtype in DYNAMICALLY_QUANTIZED and c.model != CTC_MODEL
]
CTC_QUANTIZED = [c for c in CASES if c.model == CTC_MODEL and c.dtype in DYNAMICALLY_QUANTIZED]
CLASSIFICATION_CASES = [c for c in CASES if c.task == CLASSIFICATION]
INT8_MARGIN = 0.5
# CTC frames: the logits of the tiny model span a few units; a slipped preprocessing step moves
# whole stretches of frames by more than this.
CTC_MARGIN = 0.1


def test_every_audio_fixture_is_covered() -> None:
    assert {(c.model, c.dtype) for c in CASES} == {
        (model, dtype)
        for model in ("tiny/whisper-asr", CTC_MODEL, "tiny/wav2vec2-audio-cls")
        for dtype in ("fp32", "fp16", "q8", "int8", "uint8", "q4", "q4f16", "bnb4")
    }
    assert all(len(c.outputs) == (4 if c.model == "tiny/whisper-asr" else 3) for c in CASES)


@pytest.mark.parametrize("case", ASR_EXACT, ids=lambda c: c.id)
def test_transcript_matches_transformers_js(case: Case) -> None:
    engine = engine_for(case)
    for input_id, expected in case.outputs.items():
        result = engine.run(case.run_input(input_id), case.options_for(input_id))
        assert_matches(result.output, expected, tol=0.0, where=f"{case.id}/{input_id}")
        if case.model != CTC_MODEL:  # one pass, no tokens generated one by one
            assert result.timings_ms["time_to_first_token"] > 0
    engine.unload()


@pytest.mark.parametrize("case", ASR_QUANTIZED, ids=lambda c: c.id)
def test_quantized_transcript_follows_transformers_js_within_margin(
    case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = engine_for(case)
    for input_id in case.outputs:
        margin = INT8_MARGIN if case.dtype == "int8" else QUANTIZED_MARGIN
        assert_follows_reference(case, engine, input_id, monkeypatch, margin)
    engine.unload()


@pytest.mark.parametrize("case", CTC_QUANTIZED, ids=lambda c: c.id)
def test_quantized_ctc_transcript_is_within_margin_of_transformers_js(
    case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    frames: list[np.ndarray] = []

    def recording(logits: np.ndarray) -> list[int]:
        frames.append(logits)
        return greedy_path(logits)

    greedy_path = automatic_speech_recognition.greedy_path
    monkeypatch.setattr(automatic_speech_recognition, "greedy_path", recording)
    repo = HUB / case.model / case.revision
    config = json.loads((repo / "tokenizer_config.json").read_text("utf-8"))
    tokenizer = TextTokenizer(repo / "tokenizer.json", config)
    engine = engine_for(case)
    for input_id, expected in case.outputs.items():
        frames.clear()
        ours = engine.run(case.run_input(input_id), case.options_for(input_id)).output
        path = reference_path(tokenizer, frames[0], expected["text"], CTC_MARGIN)
        assert path is not None, (
            f"{case.id}/{input_id}: no path within {CTC_MARGIN} of our logits reads "
            f"{expected['text']!r} (ours: {ours['text']!r})"
        )
    engine.unload()


def classification_tolerance(case: Case) -> float:
    if case.dtype in DYNAMICALLY_QUANTIZED:
        return 1e-2
    return 1e-3 if case.dtype in ("fp16", "q4f16") else 1e-4


@pytest.mark.parametrize("case", CLASSIFICATION_CASES, ids=lambda c: c.id)
def test_audio_labels_match_transformers_js(case: Case) -> None:
    engine = engine_for(case)
    for input_id, expected in case.outputs.items():
        result = engine.run(case.run_input(input_id), case.options_for(input_id))
        assert_matches(
            result.output, expected, classification_tolerance(case), f"{case.id}/{input_id}"
        )
    engine.unload()


def test_without_suppress_tokens_the_text_is_transformers_js_3() -> None:
    """3.8.1 ignores ``suppress_tokens``: dropping them reproduces its fp32 texts exactly."""
    old = json.loads((EXPECTED / "tjs-3.8.1" / "tiny__whisper-asr__v1.0.0.json").read_text("utf-8"))
    old_texts = old["results"]["fp32"]["outputs"]
    case = next(c for c in ASR_EXACT if c.dtype == "fp32" and c.model != CTC_MODEL)
    engine = engine_for(case)
    differing = 0
    for input_id, expected in old_texts.items():
        options = {**case.options_for(input_id), "suppress_tokens": []}
        result = engine.run(case.run_input(input_id), options)
        assert result.output == expected, f"{input_id}: {result.output!r} != 3.8.1 {expected!r}"
        differing += expected != case.outputs[input_id]
    assert differing >= 3, "the 3.8.1 and 4.3.1 texts should differ for most inputs"
    engine.unload()
