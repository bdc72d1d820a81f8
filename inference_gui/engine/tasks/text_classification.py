"""``text-classification``: labels with scores.

Softmax, or sigmoid when ``config.problem_type`` is multi-label. ``top_k`` as Transformers.js: 1
gives a flat list, more gives a list per input.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from inference_gui.engine.inputs import RunInput
from inference_gui.engine.option_schema import option
from inference_gui.engine.preprocess.text import Encoded
from inference_gui.engine.tasks.base import RunContext, Task, softmax, top_k


class TextClassification(Task):
    name = "text-classification"
    required_outputs = ("logits",)

    def preprocess(self, inputs: RunInput, options: Mapping[str, Any], ctx: RunContext) -> Encoded:
        encoded = self.encode(ctx, inputs.texts)
        encoded.independent_rows = True  # one row of logits per text
        return encoded

    def postprocess(
        self, outputs: Any, prepared: Encoded, inputs: RunInput, options: Mapping[str, Any]
    ) -> Any:
        k = option(options, self.name, "top_k")
        multi = self.resources.config.get("problem_type") == "multi_label_classification"
        results = []
        for logits in outputs["logits"]:
            scores = 1 / (1 + np.exp(-logits.astype(np.float64))) if multi else softmax(logits)
            scores = scores.astype(np.float32)
            results.append(
                [{"label": self.resources.label(i), "score": s} for i, s in top_k(scores, k)]
            )
        if k == 1:
            return [item for row in results for item in row]
        return results if inputs.batched else results[0]


TASK = TextClassification
