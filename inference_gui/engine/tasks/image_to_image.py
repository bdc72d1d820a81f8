"""``image-to-image``: a new image from each input image (Swin2SR super-resolution).

As Transformers.js 4.3.1's ``ImageToImagePipeline``: the processor's pixels (Swin2SR: rescaled,
padded to a multiple of ``pad_size`` by mirroring, see ``preprocess.geometry``) through the model,
then each ``reconstruction`` clamped to 0..1, times 255, rounded half up and made an 8-bit
``RawImage`` (RGB for 3 channels). The padding is not cropped off, as theirs is not: a 48x40 image
padded to 48x48 comes back 96x96 from a x2 model.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from inference_gui.engine.inputs import RunInput
from inference_gui.engine.raw_image import RawImage
from inference_gui.engine.tasks.base import RunContext, Task
from inference_gui.engine.tasks.images import Pixels, prepare
from inference_gui.errors import EngineError


class ImageToImage(Task):
    name = "image-to-image"
    needs_tokenizer = False
    needs_processor = True
    required_outputs = ("reconstruction",)

    def preprocess(self, inputs: RunInput, options: Mapping[str, Any], ctx: RunContext) -> Pixels:
        return prepare(self.processor, inputs)

    def postprocess(
        self, outputs: Any, prepared: Pixels, inputs: RunInput, options: Mapping[str, Any]
    ) -> Any:
        results = [as_image(item) for item in outputs["reconstruction"]]
        return results if inputs.batched else results[0]


def as_image(reconstruction: np.ndarray) -> RawImage:
    """(channels, H, W) floats in 0..1 -> 8-bit pixels (H, W, channels), rounded half up."""
    chw = np.squeeze(reconstruction.astype(np.float32))
    if chw.ndim == 2:
        chw = chw[None]
    if chw.ndim != 3 or chw.shape[0] not in (1, 3, 4):
        raise EngineError(
            f"The model's reconstruction is shaped {list(reconstruction.shape)}, not an image.",
            "Use an image-to-image model such as Swin2SR.",
        )
    scaled = np.clip(chw, 0, 1) * np.float32(255)
    pixels = np.floor(scaled.astype(np.float64) + 0.5).astype(np.uint8)  # Math.round
    return RawImage(np.ascontiguousarray(pixels.transpose(1, 2, 0)))


TASK = ImageToImage
