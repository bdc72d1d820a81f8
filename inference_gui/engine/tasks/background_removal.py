"""``background-removal``: the input image with a matting model's alpha as its alpha channel.

As Transformers.js 4.3.1's ``BackgroundRemovalPipeline`` with the matting models it loads as
custom architectures (``model_type`` ``modnet``, ``birefnet``, ``isnet``, ``ben``; e.g.
Xenova/modnet, onnx-community/BiRefNet_lite): their generic image processor has no
segmentation post-processing, so the pipeline takes the model's first output as a matte
(``[batch, 1, H, W]`` or ``[batch, H, W]``), applies a sigmoid unless every value is already within
0..1 (1e-5 slack), multiplies by 255 and truncates to 8 bits, resizes the matte to the image
(bilinear, sharp's affine) and puts it in the image's alpha channel: an RGBA ``RawImage`` the size
of the input. A model whose graph input is not ``pixel_values`` gets the pixels under its single
input's name (MODNet's ``input``), as theirs does.

Models with a segmentation head (SegFormer, DETR-panoptic...) are refused: Transformers.js would
take the first *label's* mask of the image as the alpha there, which removes nothing meaningful.
Grey and palette images are converted to RGB(A) first (Transformers.js throws on 1- and 2-channel
images: "Expected image to have 3 or 4 channels").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from PIL import Image

from inference_gui.engine.inputs import RunInput
from inference_gui.engine.preprocess.image import affine_resize, load_image
from inference_gui.engine.raw_image import RawImage
from inference_gui.engine.tasks.base import RunContext, Task
from inference_gui.engine.tasks.images import Pixels, prepare
from inference_gui.errors import EngineError

EPSILON = 1e-5  # theirs: values this far outside 0..1 mean the sigmoid is still to be applied


class BackgroundRemoval(Task):
    name = "background-removal"
    needs_tokenizer = False
    needs_processor = True
    pixels_under_any_name = True

    def preprocess(self, inputs: RunInput, options: Mapping[str, Any], ctx: RunContext) -> Pixels:
        return prepare(self.processor, inputs)

    def run(self, prepared: Pixels, ctx: RunContext) -> Any:
        names = [arg.name for arg in ctx.resources.sessions["model"].get_inputs()]
        if "pixel_values" in names:
            return ctx.run("model", prepared.feeds())
        if len(names) != 1:
            raise EngineError(
                f"The model takes {len(names)} inputs ({', '.join(names)}) and none is "
                "pixel_values.",
                "Use a background-removal model with one image input (MODNet, BiRefNet, ISNet).",
            )
        return ctx.run("model", {names[0]: prepared.pixel_values})

    def postprocess(
        self, outputs: Any, prepared: Pixels, inputs: RunInput, options: Mapping[str, Any]
    ) -> Any:
        session = self.resources.sessions["model"]
        mattes = outputs[session.get_outputs()[0].name]
        if mattes.ndim == 4 and mattes.shape[1] == 1:
            mattes = mattes[:, 0]
        if mattes.ndim != 3:
            raise EngineError(
                f"The model's output is shaped {list(mattes.shape)}, not one alpha matte per "
                "image.",
                "Use a matting model (MODNet, BiRefNet, ISNet); segmentation models go to "
                "image-segmentation.",
            )
        results = [cut_out(path, matte) for path, matte in zip(inputs.images, mattes, strict=True)]
        return results if inputs.batched else results[0]


def cut_out(path: Any, matte: np.ndarray) -> RawImage:
    """The image at ``path`` with ``matte`` (model-sized, 0..1 or logits) as its alpha."""
    matte = matte.astype(np.float32)
    if ((matte < -EPSILON) | (matte > 1 + EPSILON)).any():
        matte = (1.0 / (1.0 + np.exp(-matte.astype(np.float64)))).astype(np.float32)
    alpha = np.trunc(matte * np.float32(255)).clip(0, 255).astype(np.uint8)
    image = load_image(path)
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    rgba = np.asarray(image.convert("RGBA" if has_alpha else "RGB"))
    resized = affine_resize(Image.fromarray(alpha), rgba.shape[1], rgba.shape[0], 2)
    alpha_channel = np.asarray(resized)[:, :, None]
    return RawImage(np.concatenate([rgba[:, :, :3], alpha_channel], axis=2))


TASK = BackgroundRemoval
