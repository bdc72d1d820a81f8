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
from inference_gui.engine.preprocess.bounds import check_image_size, check_side, too_many_pixels
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
        image = Image.open(path)
        try:
            check_image_size(*image.size, f"The image {path}")  # on the header, before decoding
            image.load()  # a single frame is then complete and its file closed: no copy needed
            if not getattr(image, "is_animated", False):
                return image
            first = image.copy()  # an animation keeps its file open for later frames
        finally:
            if getattr(image, "is_animated", False):
                image.close()
        return first
    except FileNotFoundError as exc:
        raise EngineError(f"The image {path} does not exist.", "Check the path.") from exc
    except Image.DecompressionBombError as exc:  # Pillow's own check, on opening the header
        raise too_many_pixels(f"The image {path}", str(exc)) from exc
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
    ) as exc:
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
        if self.do_convert_rgb and image.mode != "RGB":  # converting RGB to RGB only copies
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
            return self.geometry.keep_aspect(
                width,
                height,
                check_side(size["width"], "size.width", self.label),
                check_side(size["height"], "size.height", self.label),
            )
        elif size is None and self.geometry.size_divisibility:
            return self.geometry.divisible(width, height)
        else:
            raise EngineError(
                f"{self.label}: unsupported size {bounded(size)} in preprocessor_config.json.",
                "Use {height, width} or {shortest_edge[, longest_edge]}.",
            )
        if shortest is not None:
            shortest = check_side(shortest, "shortest edge", self.label)
        if longest is not None:
            longest = check_side(longest, "longest edge", self.label)
        factor = 1.0 if shortest is None else max(shortest / width, shortest / height)
        new_w, new_h = width * factor, height * factor
        factor2 = 1.0 if longest is None else min(longest / new_w, longest / new_h)
        out_w, out_h = math.floor(round(new_w * factor2, 2)), math.floor(round(new_h * factor2, 2))
        # a shortest edge alone scales a long thin image's other side without bound
        check_side(out_w, "the resized width", self.label)
        check_side(out_h, "the resized height", self.label)
        return self.geometry.divisible(out_w, out_h)

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
    no half-pixel shift) with no antialiasing; bilinear weights are libvips's 12-bit fixed point
    (summing to exactly 4096), the result rounded half up; beyond the last row and column the image
    is black. Only the sampled pixels are gathered (from the uint8 image) and widened, so a
    12000x12000 photo costs its own bytes, not an int64 copy eight times larger. This reproduces
    Transformers.js's pixels exactly on the fixtures, where Pillow's own (antialiased) bilinear
    resize moved classification scores by ~2e-3.
    """
    in_w, in_h = image.size
    ys = np.arange(height) * (in_h / height)
    xs = np.arange(width) * (in_w / width)
    y0 = np.floor(ys).astype(np.int64)
    x0 = np.floor(xs).astype(np.int64)
    # past the last row and column is black (sharp's affine background), read when enlarging
    y1, x1 = y0 + 1, x0 + 1
    rows, where = np.unique(np.concatenate([y0, y1]), return_inverse=True)
    inside = rows[rows < in_h]
    src = _rows(image, inside)  # uint8, only the rows sampled: never the whole image widened
    black_rows = len(rows) - len(inside)  # row in_h, sorted last
    src = np.pad(src, ((0, black_rows), (0, 1), (0, 0)))  # and column in_w
    r0, r1 = where[:height], where[height:]  # y0 and y1 as positions among those rows

    def taps(rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """The sampled pixels only (output-sized), widened for the fixed-point sums."""
        return src[rows][:, cols].astype(np.int64)

    if resample == 0:
        out = taps(r0, x0)
    else:
        wx = ((xs - x0) * _SCALE).astype(np.int64)[None, :, None]
        wy = ((ys - y0) * _SCALE).astype(np.int64)[:, None, None]
        # libvips's BILINEAR_INT: two of the four weights are shifted products and the other two
        # the remainders, so they sum to exactly _SCALE. Shifting all four (as an earlier version
        # did) loses up to 3/4096 and rounds some pixels one level low: 106 of DETR's 64x53
        # red-circle values, which moved its fp32 scores by 1e-3.
        c01 = (wx * (_SCALE - wy)) >> _SHIFT
        c11 = (wx * wy) >> _SHIFT
        c00 = (_SCALE - wy) - c01
        c10 = wy - c11
        out = (
            c00 * taps(r0, x0)
            + c01 * taps(r0, x1)
            + c10 * taps(r1, x0)
            + c11 * taps(r1, x1)
            + _SCALE // 2
        ) >> _SHIFT
    out = np.clip(out, 0, 255).astype(np.uint8)
    return Image.fromarray(out[:, :, 0] if out.shape[2] == 1 else out)


def _rows(image: Image.Image, rows: np.ndarray) -> np.ndarray:
    """The given rows of ``image`` as a uint8 ``(rows, width, channels)`` array.

    When few rows are sampled (a big photo shrunk to a model's input), each is cropped out alone:
    turning a 12000x12000 image into one array takes seconds, its 64 sampled rows a millisecond.
    """
    if len(rows) * 2 >= image.size[1]:
        pixels = np.asarray(image)[rows]
    else:
        width = image.size[0]
        pixels = np.stack([np.asarray(image.crop((0, int(y), width, int(y) + 1)))[0] for y in rows])
    return pixels[:, :, None] if pixels.ndim == 2 else pixels


def center_crop(image: Image.Image, crop: Any) -> Image.Image:
    if isinstance(crop, int) and not isinstance(crop, bool):
        crop_w = crop_h = check_side(crop, "crop_size", "center crop")
    elif isinstance(crop, Mapping) and "width" in crop and "height" in crop:
        crop_w = check_side(crop["width"], "crop_size.width", "center crop")
        crop_h = check_side(crop["height"], "crop_size.height", "center crop")
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
