"""``audio-classification``: labels with softmax scores, ``top_k`` (default 5) per clip.

As Transformers.js's AudioClassificationPipeline: each clip is resampled to the feature
extractor's rate, prepared (Wav2Vec2: normalised raw samples) and run on its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from inference_gui.engine.inputs import RunInput
from inference_gui.engine.option_schema import option
from inference_gui.engine.preprocess.audio_features import audio_feature_extractor
from inference_gui.engine.tasks.audio_input import load_clips, require_frames
from inference_gui.engine.tasks.base import RunContext, Task, softmax, top_k

# Transformers.js feeds the whole clip; an hour of raw samples would take minutes and gigabytes in
# the convolutional feature encoder, so a longer clip is cut here, with a note saying so.
MAX_SECONDS = 60.0


class AudioClassification(Task):
    name = "audio-classification"
    needs_tokenizer = False
    needs_processor = True
    processor_class = audio_feature_extractor
    required_outputs = ("logits",)

    def preprocess(
        self, inputs: RunInput, options: Mapping[str, Any], ctx: RunContext
    ) -> list[dict[str, np.ndarray]]:
        extractor = self.feature_extractor
        why = f"audio-classification reads at most {MAX_SECONDS:g} s of a clip"
        clips = load_clips(inputs, extractor, MAX_SECONDS, why, ctx)
        require_frames(clips, inputs, self.resources.config)
        return [extractor(clip.samples) for clip in clips]

    def run(self, prepared: list[dict[str, np.ndarray]], ctx: RunContext) -> list[np.ndarray]:
        return [ctx.run(self.model_bases[0], feeds)["logits"][0] for feeds in prepared]

    def postprocess(
        self, outputs: list[np.ndarray], prepared: Any, inputs: RunInput, options: Mapping[str, Any]
    ) -> Any:
        k = option(options, self.name, "top_k")
        results = [
            [
                {"label": self.resources.label(i), "score": s}
                for i, s in top_k(softmax(logits).astype(np.float32), k)
            ]
            for logits in outputs
        ]
        return results if inputs.batched else results[0]


TASK = AudioClassification
