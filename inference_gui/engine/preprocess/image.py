"""Images to ``pixel_values`` as Transformers.js's ImageProcessor does, with Pillow + numpy.

Order and defaults follow ``src/base/image_processors_utils.js``: convert to RGB, resize (``size``
as height/width or shortest/longest edge, ``resample``), centre crop, rescale, normalize, optional
RGB->BGR flip, then HWC -> CHW float32.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, UnidentifiedImageError

from inference_gui.engine.preprocess.bicubic import bicubic_affine_resize
from inference_gui.engine.preprocess.geometry import Geometry
from inference_gui.errors import EngineError, bounded

# Transformers.js (Node) resizes nearest, bilinear and bicubic with libvips's affine transform,
# which :func:`affine_resize` and :func:`bicubic_affine_resize` reproduce; box and hamming fall
# back to bilinear there too. Lanczos uses Pillow's filter: close to, not bit-exact with, libvips's.
# (Pillow's own bicubic, antialiased and pixel-centred, moved CLIP scores by up to 1.2e-2 and DPT
# depth by up to 0.25 on the fixtures; its bilinear moved classification scores by ~2e-3.)
_PIL_FILTERS = {1: Image.Resampling.LANCZOS}
_SHIFT = 12  # libvips VIPS_INTERPOLATE_SHIFT
_SCALE = 1 << _SHIFT


def load_image(path: Path) -> Image.Image:
    """Open an image file, refusing non-images with a message naming the file."""
    try:
        with Image.open(path) as image:
            image.load()
            return image.copy()
    except FileNotFoundError as exc:
        raise EngineError(f"The image {path} does not exist.", "Check the path.") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise EngineError(
            f"{path} is not an image that can be read.",
            "Give a PNG, JPEG, WebP or other common image file.",
        ) from exc


class ImageProcessor:
    """``preprocessor_config.json`` applied to images; one instance per loaded engine."""

    def __init__(self, config: Mapping[str, Any], *, label: str = "preprocessor") -> None:
        self.config = dict(config)
        self.label = label
        c = self.config
        self.image_mean = c.get("image_mean", c.get("mean"))
        self.image_std = c.get("image_std", c.get("std"))
        self.resample = int(c.get("resample", 2) if c.get("resample") is not None else 2)
        self.do_rescale = c.get("do_rescale", True) is not False
        self.rescale_factor = float(c.get("rescale_factor", 1 / 255))
        self.do_normalize = bool(c.get("do_normalize"))
        self.size = c.get("size", c.get("image_size"))
        self.do_resize = bool(c.get("do_resize", self.size is not None))
        self.do_center_crop = bool(c.get("do_center_crop"))
        self.crop_size = c.get("crop_size")
        self.do_convert_rgb = c.get("do_convert_rgb") is not False
        self.do_flip_channel_order = bool(c.get("do_flip_channel_order"))
        self.geometry = Geometry.of(c)

    def __call__(self, images: Sequence[Image.Image]) -> np.ndarray:
        """A batch as float32 ``(batch, channels, height, width)``; all images end at one size."""
        arrays = [self.preprocess(image) for image in images]
        shapes = {a.shape for a in arrays}
        if len(shapes) > 1:
            raise EngineError(
                f"{self.label} produced images of different sizes {sorted(shapes)}.",
                "Run the images one at a time.",
            )
        return np.stack(arrays)

    def preprocess(self, image: Image.Image) -> np.ndarray:
        if self.do_convert_rgb:
            image = image.convert("RGB")
        if self.do_resize:
            image = self.resize(image)
        if self.do_center_crop:
            image = center_crop(image, self.crop_size)
        pixels = np.asarray(image, dtype=np.float32)
        if pixels.ndim == 2:
            pixels = pixels[:, :, None]
        if self.do_rescale:
            pixels = pixels * np.float32(self.rescale_factor)
        if self.do_normalize:
            pixels = self.normalize(pixels)
        pixels = self.geometry.pad(pixels)
        if self.do_flip_channel_order and pixels.shape[2] == 3:
            pixels = pixels[:, :, ::-1]
        return np.ascontiguousarray(pixels.transpose(2, 0, 1), dtype=np.float32)

    def normalize(self, pixels: np.ndarray) -> np.ndarray:
        channels = pixels.shape[2]
        mean = _per_channel(self.image_mean, channels, "image_mean")
        std = _per_channel(self.image_std, channels, "image_std")
        return ((pixels - mean) / std).astype(np.float32)

    def output_size(self, width: int, height: int) -> tuple[int, int]:
        """Target (width, height) for ``size``, as ``get_resize_output_image_size`` computes it."""
        size = self.size
        shortest = longest = None
        if isinstance(size, int):
            shortest = size
            longest = self.config.get("max_size", size)
        elif isinstance(size, Mapping) and ("shortest_edge" in size or "longest_edge" in size):
            shortest, longest = size.get("shortest_edge"), size.get("longest_edge")
        elif isinstance(size, Mapping) and "width" in size and "height" in size:
            return self.geometry.keep_aspect(width, height, int(size["width"]), int(size["height"]))
        elif size is None and self.geometry.size_divisibility:
            return self.geometry.divisible(width, height)
        else:
            raise EngineError(
                f"{self.label}: unsupported size {bounded(size)} in preprocessor_config.json.",
                "Use {height, width} or {shortest_edge[, longest_edge]}.",
            )
        factor = 1.0 if shortest is None else max(shortest / width, shortest / height)
        new_w, new_h = width * factor, height * factor
        factor2 = 1.0 if longest is None else min(longest / new_w, longest / new_h)
        return self.geometry.divisible(
            math.floor(round(new_w * factor2, 2)), math.floor(round(new_h * factor2, 2))
        )

    def resize(self, image: Image.Image) -> Image.Image:
        width, height = self.output_size(*image.size)
        if (width, height) == image.size:
            return image
        if self.resample == 3:
            return bicubic_affine_resize(image, width, height)
        if self.resample in _PIL_FILTERS:
            return image.resize((width, height), _PIL_FILTERS[self.resample])
        return affine_resize(image, width, height, 0 if self.resample == 0 else 2)


def affine_resize(image: Image.Image, width: int, height: int, resample: int) -> Image.Image:
    """Resize by sampling, like libvips ``affine`` (what Transformers.js uses in Node, via sharp).

    Output pixel ``(x, y)`` reads input ``(x * in_w / width, y * in_h / height)`` (corners aligned,
    no half-pixel shift) with no antialiasing; bilinear weights are libvips's 12-bit fixed point,
    rounded half up; beyond the last row and column the image is black. This reproduces
    Transformers.js's pixels exactly on the fixtures, where
    Pillow's own (antialiased) bilinear resize moved classification scores by ~2e-3.
    """
    src = np.asarray(image, dtype=np.int64)
    if src.ndim == 2:
        src = src[:, :, None]
    in_h, in_w = src.shape[:2]
    ys = np.arange(height) * (in_h / height)
    xs = np.arange(width) * (in_w / width)
    y0 = np.floor(ys).astype(np.int64)
    x0 = np.floor(xs).astype(np.int64)
    # past the last row and column is black (sharp's affine background), read when enlarging
    src = np.pad(src, ((0, 1), (0, 1), (0, 0)))
    y1, x1 = y0 + 1, x0 + 1
    if resample == 0:
        out = src[y0][:, x0]
    else:
        wx = ((xs - x0) * _SCALE).astype(np.int64)[None, :, None]
        wy = ((ys - y0) * _SCALE).astype(np.int64)[:, None, None]
        c00 = ((_SCALE - wx) * (_SCALE - wy)) >> _SHIFT
        c01 = (wx * (_SCALE - wy)) >> _SHIFT
        c10 = ((_SCALE - wx) * wy) >> _SHIFT
        c11 = (wx * wy) >> _SHIFT
        out = (
            c00 * src[y0][:, x0]
            + c01 * src[y0][:, x1]
            + c10 * src[y1][:, x0]
            + c11 * src[y1][:, x1]
            + _SCALE // 2
        ) >> _SHIFT
    out = np.clip(out, 0, 255).astype(np.uint8)
    return Image.fromarray(out[:, :, 0] if out.shape[2] == 1 else out)


def center_crop(image: Image.Image, crop: Any) -> Image.Image:
    if isinstance(crop, int):
        crop_w = crop_h = crop
    elif isinstance(crop, Mapping) and "width" in crop and "height" in crop:
        crop_w, crop_h = int(crop["width"]), int(crop["height"])
    else:
        raise EngineError(
            f"Unsupported crop_size {bounded(crop)} in preprocessor_config.json.",
            "Use a number or {height, width}.",
        )
    width, height = image.size
    left = (width - crop_w) // 2
    top = (height - crop_h) // 2
    return image.crop((left, top, left + crop_w, top + crop_h))  # pads with black past the edges


def _per_channel(value: Any, channels: int, name: str) -> np.ndarray:
    values = list(value) if isinstance(value, list | tuple) else [value] * channels
    if len(values) != channels or any(not isinstance(v, int | float) for v in values):
        raise EngineError(
            f"{name} {bounded(value)} does not match the image's {channels} channels.",
            "Fix preprocessor_config.json.",
        )
    return np.asarray(values, dtype=np.float32)
