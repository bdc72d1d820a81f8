"""``automatic-speech-recognition`` with Whisper: log-mel features, encoder, merged decoder.

(CTC models — Wav2Vec2 and the like — take Transformers.js's other path, one pass and no decoder:
:mod:`inference_gui.engine.tasks.ctc_speech_recognition`.)

As Transformers.js's ``_call_whisper`` without chunking: each clip's first window (30 s for real
Whisper checkpoints, ``n_samples`` of ``preprocessor_config.json``) becomes log-mel features, the
encoder runs once, and the shared decoding loop generates from Whisper's prompt
(``<|startoftranscript|> <|lang|> <|task|> <|notimestamps|>``) with the KV cache. The logits
processors are Transformers.js 4.x's: ``suppress_tokens`` at every step and
``begin_suppress_tokens`` at the first generated position (Transformers.js 3.x ignores
``suppress_tokens``, so its texts can differ; a note says so when the model has any). The output is
``{"text"}`` per clip (a list for several clips): the generated tokens without special tokens.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from inference_gui.engine.generation.config import GenerationConfig
from inference_gui.engine.generation.pipeline import GenerativeTask
from inference_gui.engine.generation.whisper_prompt import whisper_prompt
from inference_gui.engine.inputs import RunInput
from inference_gui.engine.preprocess.audio_features import audio_feature_extractor
from inference_gui.engine.tasks.audio_input import load_clips
from inference_gui.engine.tasks.base import RunContext
from inference_gui.engine.tasks.ctc_speech_recognition import (
    CTC_MODEL_TYPES,
    ctc_features,
    ctc_text,
    greedy_path,
)
from inference_gui.errors import EngineError

WHISPER_MODEL_TYPES = frozenset({"whisper", "lite-whisper"})

UNSUPPORTED_OPTIONS = {
    "return_timestamps": "timestamps",
    "chunk_length_s": "chunked long-form transcription",
}


@dataclass
class Features:
    input_features: list[np.ndarray]  # one (1, mel bins, frames) array per clip
    prompt: np.ndarray  # (1, prompt length) decoder start tokens
    config: GenerationConfig


class AutomaticSpeechRecognition(GenerativeTask):
    name = "automatic-speech-recognition"
    needs_processor = True
    processor_class = audio_feature_extractor
    model_bases = ("encoder_model", "decoder_model_merged")

    @classmethod
    def bases_for(cls, config: Mapping[str, Any]) -> tuple[str, ...]:
        kind = config.get("model_type")
        if kind in CTC_MODEL_TYPES:
            return ("model",)
        if kind not in WHISPER_MODEL_TYPES:
            raise EngineError(
                f"automatic-speech-recognition does not run {kind!r} models.",
                "Pick a Whisper model or a CTC model ("
                f"{', '.join(sorted(CTC_MODEL_TYPES))}), as Transformers.js does.",
            )
        return cls.model_bases

    @property
    def ctc(self) -> bool:
        return self.resources.config.get("model_type") in CTC_MODEL_TYPES

    def preprocess(self, inputs: RunInput, options: Mapping[str, Any], ctx: RunContext) -> Any:
        if self.ctc:  # Transformers.js warns about language / task and ignores them
            for key in ("language", "task"):
                if options.get(key):
                    ctx.warn(f"{key} is ignored: CTC models transcribe the one language they know.")
            return ctc_features(inputs, self.feature_extractor, ctx)
        for key, what in UNSUPPORTED_OPTIONS.items():
            if options.get(key):
                raise EngineError(
                    f"The option {key} asks for {what}, which this app does not support yet.",
                    f"Leave {key} unset; each clip's first window is transcribed as plain text.",
                )
        config = self.generation_config(options, ctx)
        prompt = whisper_prompt(
            self.resources.generation_config or {}, options.get("language"), options.get("task")
        )
        for note in prompt.notes:
            ctx.warn(note)
        if config.suppress_tokens:
            ctx.warn(
                f"{len(config.suppress_tokens)} suppress_tokens applied as Transformers.js 4.x "
                "does; 3.x (Firefox ESR) ignores them, so its text can differ."
            )
        extractor = self.feature_extractor
        window = extractor.window_seconds or 30.0
        why = f"Whisper hears {window:g} s at a time and chunking is not implemented"
        clips = load_clips(inputs, extractor, window, why, ctx)
        features = [extractor(clip.samples)["input_features"] for clip in clips]
        return Features(features, np.array([prompt.tokens], dtype=np.int64), config)

    def run(self, prepared: Any, ctx: RunContext) -> list[Any]:
        if self.ctc:
            return [greedy_path(ctx.run("model", feeds)["logits"][0]) for feeds in prepared]
        outputs = []
        for index, features in enumerate(prepared.input_features):
            started = time.perf_counter()
            hidden = ctx.run("encoder_model", {"input_features": features})["last_hidden_state"]
            outputs.append(
                self.generate(
                    ctx,
                    prepared.prompt,
                    prepared.config,
                    first_index=index,
                    started=started,
                    encoder_hidden_states=hidden,
                )
            )
        return outputs

    def postprocess(
        self,
        outputs: list[Any],
        prepared: Any,
        inputs: RunInput,
        options: Mapping[str, Any],
    ) -> Any:
        if self.ctc:
            results = [{"text": ctc_text(self.tokenizer, path)} for path in outputs]
        else:
            results = [{"text": self.decode(out.sequences[0])} for out in outputs]
        return results if inputs.batched else results[0]


TASK = AutomaticSpeechRecognition
