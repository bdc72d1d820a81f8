"""``image-classification``: labels with softmax scores, ``top_k`` (default 5) per image."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from inference_gui.engine.inputs import RunInput
from inference_gui.engine.option_schema import option
from inference_gui.engine.tasks.base import RunContext, Task, softmax, top_k
from inference_gui.engine.tasks.images import Pixels, prepare


class ImageClassification(Task):
    name = "image-classification"
    needs_tokenizer = False
    needs_processor = True
    required_outputs = ("logits",)

    def preprocess(self, inputs: RunInput, options: Mapping[str, Any], ctx: RunContext) -> Pixels:
        return prepare(self.processor, inputs)

    def postprocess(
        self, outputs: Any, prepared: Pixels, inputs: RunInput, options: Mapping[str, Any]
    ) -> Any:
        k = option(options, self.name, "top_k")
        results = [
            [
                {"label": self.resources.label(i), "score": s}
                for i, s in top_k(softmax(logits).astype(np.float32), k)
            ]
            for logits in outputs["logits"]
        ]
        return results if inputs.batched else results[0]


TASK = ImageClassification
