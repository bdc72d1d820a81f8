"""``zero-shot-image-classification``: images scored against candidate labels, best first.

CLIP- and SigLIP-style models; ``[{score, label}]`` as Transformers.js 4.3.1 returns it.

Each label goes into ``hypothesis_template`` (default ``'This is a photo of {}'``, its first
``{}`` replaced; Transformers.js uses that default for SigLIP too, where transformers' Python
pipeline uses ``'This is a photo of {}.'``). CLIP: texts padded to the longest, scores = softmax of
``logits_per_image`` over the labels. SigLIP (``model_type`` ``siglip``): texts padded to the
tokenizer's ``model_max_length`` (``padding: 'max_length'``, what its text tower was trained on;
its export takes no attention mask), scores = sigmoid of each logit on its own (they need not sum
to 1).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from inference_gui.engine.inputs import RunInput
from inference_gui.engine.option_schema import option
from inference_gui.engine.tasks.base import RunContext, Task, softmax
from inference_gui.engine.tasks.images import Pixels, candidate_labels, prepare


class ZeroShotImageClassification(Task):
    name = "zero-shot-image-classification"
    needs_processor = True
    required_outputs = ("logits_per_image",)

    @property
    def sigmoid(self) -> bool:
        return self.resources.config.get("model_type") == "siglip"

    def preprocess(self, inputs: RunInput, options: Mapping[str, Any], ctx: RunContext) -> Pixels:
        labels = candidate_labels(inputs, self.name)
        template = option(options, self.name, "hypothesis_template")
        pixels = prepare(self.processor, inputs)
        texts = [template.replace("{}", label, 1) for label in labels]
        pixels.extra.update(self.encode(ctx, texts, pad_to_max_length=self.sigmoid).feeds())
        return pixels

    def postprocess(
        self, outputs: Any, prepared: Pixels, inputs: RunInput, options: Mapping[str, Any]
    ) -> Any:
        results = []
        for logits in outputs["logits_per_image"]:
            scores = (sigmoid(logits) if self.sigmoid else softmax(logits)).astype(np.float32)
            ranked = sorted(
                zip(scores.tolist(), inputs.labels, strict=True), key=lambda pair: -pair[0]
            )
            results.append([{"score": score, "label": label} for score, label in ranked])
        return results if inputs.batched else results[0]


def sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-x) in float64 (Transformers.js's ``sigmoid()`` on a float32 tensor)."""
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=np.float64)))


TASK = ZeroShotImageClassification
