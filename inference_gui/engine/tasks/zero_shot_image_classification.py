"""``zero-shot-image-classification``: images scored against candidate labels, best first.

CLIP-style models; ``[{score, label}]`` as Transformers.js returns it. SigLIP is refused: its
texts are padded to the tokenizer's maximum length, which this app's tokenizer does not do yet.

Each label goes into ``hypothesis_template`` (default ``'This is a photo of {}'``, its first
``{}`` replaced), the texts are tokenized padded to the longest, and the scores are the softmax of
``logits_per_image`` over the labels.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from inference_gui.engine.inputs import RunInput
from inference_gui.engine.option_schema import option
from inference_gui.engine.tasks.base import RunContext, Task, softmax
from inference_gui.engine.tasks.images import Pixels, candidate_labels, prepare
from inference_gui.errors import EngineError


class ZeroShotImageClassification(Task):
    name = "zero-shot-image-classification"
    input_kind = "image"
    takes_labels = True
    needs_processor = True
    required_outputs = ("logits_per_image",)

    def preprocess(self, inputs: RunInput, options: Mapping[str, Any], ctx: RunContext) -> Pixels:
        labels = candidate_labels(inputs, self.name)
        if self.resources.config.get("model_type") == "siglip":
            raise EngineError(
                "SigLIP models are not supported by zero-shot-image-classification in this app.",
                "Use a CLIP model.",
            )
        template = option(options, self.name, "hypothesis_template")
        pixels = prepare(self.processor, inputs)
        texts = [template.replace("{}", label, 1) for label in labels]
        pixels.extra.update(self.encode(ctx, texts).feeds())
        return pixels

    def postprocess(
        self, outputs: Any, prepared: Pixels, inputs: RunInput, options: Mapping[str, Any]
    ) -> Any:
        results = []
        for logits in outputs["logits_per_image"]:
            scores = softmax(logits).astype(np.float32)
            ranked = sorted(
                zip(scores.tolist(), inputs.labels, strict=True), key=lambda pair: -pair[0]
            )
            results.append([{"score": score, "label": label} for score, label in ranked])
        return results if inputs.batched else results[0]


TASK = ZeroShotImageClassification
