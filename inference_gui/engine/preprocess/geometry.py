"""Sizes and padding from ``preprocessor_config.json`` beyond a plain resize.

As Transformers.js computes them (``src/image_processors_utils.js``): ``size_divisibility`` /
``size_divisor``, DPT's ``keep_aspect_ratio`` + ``ensure_multiple_of``, and ``do_pad`` with
``pad_size`` (or the next multiple of ``size_divisibility``), padding with zeros after
rescale/normalise, bottom and right, as ``ImageProcessor.pad_image`` does. Swin2SR's processor
reads ``pad_size`` as a multiple (its attention window) and mirrors the image into the padding
(``Swin2SRImageProcessor.pad_image``: mode ``symmetric``, which is numpy's ``reflect``, the edge
pixel not repeated).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from inference_gui.errors import EngineError, bounded

SWIN2SR_PROCESSORS = ("Swin2SRImageProcessor", "Swin2SRFeatureExtractor")


@dataclass(frozen=True)
class Geometry:
    """The size rules of one image processor; each method is the identity when unset."""

    size_divisibility: int | None = None
    keep_aspect_ratio: bool = False
    ensure_multiple_of: int | None = None
    do_pad: bool = False
    pad_size: Any = None  # an int, {"width", "height"} or "square"
    pad_multiple: int | None = None  # Swin2SR: pad up to a multiple of this, mirrored

    @classmethod
    def of(cls, config: Mapping[str, Any]) -> Geometry:
        divisor = _positive(config, "size_divisibility", "size_divisor")
        multiple = _positive(config, "ensure_multiple_of")
        size = config.get("size", config.get("image_size"))
        pad_size = config.get("pad_size")
        do_pad = bool(config.get("do_pad"))
        inferred = isinstance(size, Mapping) and "width" in size and "height" in size
        if do_pad and not pad_size and not divisor and inferred:
            pad_size = size  # Transformers.js infers the pad size from the resize size
        kind = config.get("image_processor_type", config.get("feature_extractor_type"))
        if do_pad and kind in SWIN2SR_PROCESSORS:
            window = _positive(config, "pad_size")
            return cls(
                divisor, bool(config.get("keep_aspect_ratio")), multiple, do_pad, None, window
            )
        return cls(divisor, bool(config.get("keep_aspect_ratio")), multiple, do_pad, pad_size)

    def divisible(self, width: int, height: int) -> tuple[int, int]:
        """``enforce_size_divisibility``: round each side down to a multiple (at least one)."""
        d = self.size_divisibility
        if not d:
            return width, height
        return max(width // d, 1) * d, max(height // d, 1) * d

    def keep_aspect(self, width: int, height: int, to_w: int, to_h: int) -> tuple[int, int]:
        """DPT: scale as little as possible towards (to_w, to_h), then to a multiple."""
        if not (self.keep_aspect_ratio and self.ensure_multiple_of):
            return to_w, to_h
        scale_h, scale_w = to_h / height, to_w / width
        if abs(1 - scale_w) < abs(1 - scale_h):
            scale_h = scale_w
        else:
            scale_w = scale_h
        m = self.ensure_multiple_of
        return _multiple_of(scale_w * width, m), _multiple_of(scale_h * height, m)

    def pad(self, pixels: np.ndarray) -> np.ndarray:
        """Zero-pad an (H, W, C) float image at the bottom and right to the padded size."""
        if not self.do_pad:
            return pixels
        height, width = pixels.shape[:2]
        if self.pad_multiple:
            m = self.pad_multiple
            extra = ((0, (m - height % m) % m), (0, (m - width % m) % m), (0, 0))
            if (height == 1 and extra[0][1]) or (width == 1 and extra[1][1]):
                return np.pad(pixels, extra, mode="edge")  # nothing to mirror a 1-pixel side in
            return np.pad(pixels, extra, mode="reflect")
        size = self.pad_size
        if size == "square":
            to_w = to_h = max(width, height)
        elif isinstance(size, int) and not isinstance(size, bool):
            to_w = to_h = size
        elif isinstance(size, Mapping) and "width" in size and "height" in size:
            to_w, to_h = int(size["width"]), int(size["height"])
        elif size is None and self.size_divisibility:
            d = self.size_divisibility
            to_w, to_h = math.ceil(width / d) * d, math.ceil(height / d) * d
        elif size is None:
            return pixels
        else:
            raise EngineError(
                f"pad_size {bounded(size)} in preprocessor_config.json is not supported.",
                'Use a number, {"width", "height"} or "square".',
            )
        if (to_w, to_h) == (width, height):
            return pixels
        if to_w < width or to_h < height:
            raise EngineError(
                f"The resized image ({width}x{height}) is larger than pad_size {to_w}x{to_h}.",
                "Fix pad_size or size in preprocessor_config.json.",
            )
        padded = np.zeros((to_h, to_w, pixels.shape[2]), dtype=np.float32)
        padded[:height, :width] = pixels
        return padded


def _multiple_of(value: float, multiple: int) -> int:
    """Transformers.js's ``constraint_to_multiple_of`` without a maximum.

    Banker's rounding, as theirs; a negative result is ceiled up instead.
    """
    x = round(value / multiple) * multiple  # Python's round is banker's rounding, as theirs
    if x < 0:
        x = math.ceil(value / multiple) * multiple
    return int(x)


def _positive(config: Mapping[str, Any], *names: str) -> int | None:
    """The first of ``names`` that is set, which must be a positive whole number."""
    name = next((n for n in names if config.get(n) is not None), None)
    if name is None:
        return None
    value = config[name]
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise EngineError(
            f"{name} {bounded(value)} in preprocessor_config.json is not valid.",
            "Use a positive whole number.",
        )
    return value
