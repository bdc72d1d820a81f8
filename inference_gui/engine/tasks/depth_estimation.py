"""``depth-estimation``: ``{predicted_depth, depth}`` per image, as Transformers.js returns it.

For DPT, GLPN, Depth Anything and other models with a ``predicted_depth`` output.

``predicted_depth`` is resized to the input image's size (onnxruntime's bilinear, as
``interpolate_4d`` runs it) and returned as a Tensor [height, width]; ``depth`` is that map
stretched to 0..255 ((d - min) / (max - min) * 255 in float32, truncated to uint8) as a 1-channel
image. A flat map (max = min) gives an all-zero image, as their NaN -> uint8 does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from inference_gui.engine.inputs import RunInput
from inference_gui.engine.raw_image import RawImage
from inference_gui.engine.tasks.base import RunContext, Task, tensor_json
from inference_gui.engine.tasks.images import Pixels, prepare
from inference_gui.engine.tasks.resize_maps import resize_like_onnx


class DepthEstimation(Task):
    name = "depth-estimation"
    needs_tokenizer = False
    needs_processor = True
    required_outputs = ("predicted_depth",)

    def preprocess(self, inputs: RunInput, options: Mapping[str, Any], ctx: RunContext) -> Pixels:
        return prepare(self.processor, inputs)

    def postprocess(
        self, outputs: Any, prepared: Pixels, inputs: RunInput, options: Mapping[str, Any]
    ) -> Any:
        maps = outputs["predicted_depth"]
        results = []
        for depth_map, (height, width) in zip(maps, prepared.sizes, strict=True):
            depth_map = depth_map.reshape(depth_map.shape[-2:])
            prediction = resize_like_onnx(depth_map, height, width)
            depth = depth_image(prediction)
            results.append({"predicted_depth": tensor_json(prediction), "depth": depth})
        return results if inputs.batched else results[0]


def depth_image(prediction: np.ndarray) -> RawImage:
    low, high = np.float32(prediction.min()), np.float32(prediction.max())
    with np.errstate(divide="ignore", invalid="ignore"):
        scaled = ((prediction - low) / (high - low)).astype(np.float32) * np.float32(255)
    scaled = np.nan_to_num(scaled, nan=0.0, posinf=0.0, neginf=0.0)
    return RawImage(np.clip(np.trunc(scaled), 0, 255).astype(np.uint8)[:, :, None])


TASK = DepthEstimation
