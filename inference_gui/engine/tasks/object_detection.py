"""``object-detection``: ``[{score, label, box}]`` in query order, as Transformers.js returns it.

For DETR-style heads (``logits`` + ``pred_boxes``).

Options ``threshold`` (default 0.9) and ``percentage`` (default false: pixel coordinates truncated
to integers, which may be negative or past the image; true: unclipped fractions of the image).
A query whose best class is the last ("no object") is skipped, as ``post_process_object_detection``
does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from inference_gui.engine.inputs import RunInput
from inference_gui.engine.option_schema import option
from inference_gui.engine.tasks.base import RunContext, Task, softmax
from inference_gui.engine.tasks.images import Pixels, prepare, single_image


class ObjectDetection(Task):
    name = "object-detection"
    needs_tokenizer = False
    needs_processor = True
    required_outputs = ("pred_boxes",)

    def preprocess(self, inputs: RunInput, options: Mapping[str, Any], ctx: RunContext) -> Pixels:
        single_image(inputs, self.name)
        pixels = prepare(self.processor, inputs)
        # DetrImageProcessor's mask is all ones (Transformers.js marks no padding); at the
        # pixel size rather than its fixed 64x64, which the model sees the same after resizing.
        batch, _, height, width = pixels.pixel_values.shape
        pixels.extra["pixel_mask"] = np.ones((batch, height, width), dtype=np.int64)
        return pixels

    def postprocess(
        self, outputs: Any, prepared: Pixels, inputs: RunInput, options: Mapping[str, Any]
    ) -> Any:
        threshold = float(option(options, self.name, "threshold"))
        percentage = option(options, self.name, "percentage")
        height, width = prepared.sizes[0]
        logits, boxes = outputs["logits"][0], outputs["pred_boxes"][0]
        no_object = logits.shape[-1] - 1
        found = []
        for query_logits, (cx, cy, w, h) in zip(logits, boxes.astype(np.float64), strict=True):
            best = int(np.argmax(query_logits))  # the first of equal maxima, as theirs
            if best == no_object:
                continue
            score = float(softmax(query_logits).astype(np.float32)[best])
            if score < threshold:
                continue
            corners = [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2]
            if not percentage:  # x | 0 in JavaScript: truncated towards zero
                scale = (width, height, width, height)
                corners = [int(v * s) for v, s in zip(corners, scale, strict=True)]
            xmin, ymin, xmax, ymax = corners
            box = {"xmin": xmin, "ymin": ymin, "xmax": xmax, "ymax": ymax}
            found.append({"score": score, "label": self.resources.label(best), "box": box})
        return [found] if inputs.batched else found


TASK = ObjectDetection
