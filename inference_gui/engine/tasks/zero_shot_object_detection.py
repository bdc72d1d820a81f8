"""``zero-shot-object-detection``: boxes for free-text labels (OWL-ViT), best first.

As Transformers.js's ZeroShotObjectDetectionPipeline for OWL-ViT-style models (``logits`` +
``pred_boxes`` from ``input_ids``, ``attention_mask`` and ``pixel_values``): the candidate labels
are tokenized as they are (no template), padded to the longest; each image runs once with them.
Every (query, label) whose sigmoid score is above ``threshold`` (default 0.1) becomes
``{score, label, box}``; boxes are the query's centre/size box in the image's pixels (truncated to
integers) or, with ``percentage``, as fractions; the list is sorted by score (stable: query order,
then label order, on equal scores) and cut to ``top_k`` when given.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from inference_gui.engine.inputs import RunInput
from inference_gui.engine.option_schema import option
from inference_gui.engine.tasks.base import RunContext, Task
from inference_gui.engine.tasks.images import Pixels, candidate_labels, prepare


def sigmoid(x: np.ndarray) -> np.ndarray:
    """In float64, rounded to float32 as Transformers.js's ``Tensor.sigmoid`` stores it."""
    return (1.0 / (1.0 + np.exp(-x.astype(np.float64)))).astype(np.float32)


class ZeroShotObjectDetection(Task):
    name = "zero-shot-object-detection"
    needs_processor = True
    required_outputs = ("pred_boxes",)

    def preprocess(self, inputs: RunInput, options: Mapping[str, Any], ctx: RunContext) -> Pixels:
        labels = candidate_labels(inputs, self.name)
        pixels = prepare(self.processor, inputs)
        encoded = self.encode(ctx, labels)
        pixels.extra.update(input_ids=encoded.input_ids, attention_mask=encoded.attention_mask)
        return pixels

    def run(self, prepared: Pixels, ctx: RunContext) -> list[dict[str, np.ndarray]]:
        outputs = []
        for index in range(len(prepared.pixel_values)):
            feeds = {**prepared.extra, "pixel_values": prepared.pixel_values[index : index + 1]}
            outputs.append(ctx.run(self.model_bases[0], feeds))
        return outputs

    def postprocess(
        self,
        outputs: list[dict[str, np.ndarray]],
        prepared: Pixels,
        inputs: RunInput,
        options: Mapping[str, Any],
    ) -> Any:
        threshold = float(option(options, self.name, "threshold"))
        percentage = option(options, self.name, "percentage")
        top_k = option(options, self.name, "top_k")
        results = []
        for output, (height, width) in zip(outputs, prepared.sizes, strict=True):
            scores = sigmoid(output["logits"][0])
            found = []
            for query_scores, (cx, cy, w, h) in zip(
                scores, output["pred_boxes"][0].astype(np.float64), strict=True
            ):
                corners = [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2]
                if not percentage:  # x | 0 in JavaScript: truncated towards zero
                    scale = (width, height, width, height)
                    corners = [int(v * s) for v, s in zip(corners, scale, strict=True)]
                xmin, ymin, xmax, ymax = corners
                for label_index in np.flatnonzero(query_scores > threshold):
                    found.append(
                        {
                            "score": float(query_scores[label_index]),
                            "label": inputs.labels[label_index],
                            "box": {"xmin": xmin, "ymin": ymin, "xmax": xmax, "ymax": ymax},
                        }
                    )
            found.sort(key=lambda item: -float(item["score"]))  # type: ignore[arg-type]
            results.append(found if top_k is None else found[: int(top_k)])
        return results if inputs.batched else results[0]


TASK = ZeroShotObjectDetection
