"""``image-segmentation``, the semantic sub-task: ``[{score: null, label, mask}]``.

For SegFormer and other per-pixel ``logits`` heads; one item per label present, in label-id order.

As Transformers.js's ``post_process_semantic_segmentation``: the logits are resized to the input
image's size (its own bilinear, see ``resize_maps``), each pixel takes the first label with the
largest logit, and each mask is a 1-channel image, 255 on that label's pixels.
Panoptic and instance heads (DETR-panoptic, MaskFormer) are refused with a clear message.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from inference_gui.engine.inputs import RunInput
from inference_gui.engine.raw_image import RawImage
from inference_gui.engine.tasks.base import RunContext, Task
from inference_gui.engine.tasks.images import Pixels, prepare, single_image
from inference_gui.engine.tasks.resize_maps import interpolate_like_transformers_js
from inference_gui.errors import EngineError


class ImageSegmentation(Task):
    name = "image-segmentation"
    needs_tokenizer = False
    needs_processor = True
    required_outputs = ("logits",)

    def preprocess(self, inputs: RunInput, options: Mapping[str, Any], ctx: RunContext) -> Pixels:
        single_image(inputs, self.name)
        return prepare(self.processor, inputs)

    def postprocess(
        self, outputs: Any, prepared: Pixels, inputs: RunInput, options: Mapping[str, Any]
    ) -> Any:
        logits = outputs["logits"]
        if logits.ndim != 4:
            raise EngineError(
                f"The model's logits are shaped {list(logits.shape)}, not per-pixel "
                "(batch, labels, height, width).",
                "Use a semantic segmentation model such as SegFormer.",
            )
        height, width = prepared.sizes[0]
        resized = interpolate_like_transformers_js(logits[0], height, width)
        segmentation = np.argmax(resized, axis=0)  # the first of equal maxima, as theirs
        result = []
        for label_id in np.unique(segmentation):
            mask = np.where(segmentation == label_id, 255, 0).astype(np.uint8)[:, :, None]
            label = self.resources.label(int(label_id))
            result.append({"score": None, "label": label, "mask": RawImage(mask)})
        return result


TASK = ImageSegmentation
