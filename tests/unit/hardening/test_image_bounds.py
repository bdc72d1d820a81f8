"""Image work is bounded: bombs refused before decoding, absurd sizes refused, no int64 copies."""

from __future__ import annotations

import hashlib
import struct
import tracemalloc
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from inference_gui.engine.preprocess.image import ImageProcessor, affine_resize, load_image
from inference_gui.errors import EngineError
from tests.paths import FIXTURES


def png_header(path: Path, width: int, height: int) -> Path:
    """A few hundred bytes announcing ``width`` x ``height`` pixels: a decompression bomb."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\0" * 64)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    path.write_bytes(data)
    return path


def test_a_decompression_bomb_is_refused_before_decoding(tmp_path) -> None:
    bomb = png_header(tmp_path / "bomb.png", 100_000, 100_000)
    assert bomb.stat().st_size < 400
    with pytest.raises(EngineError, match="megapixels"):
        load_image(bomb)


@pytest.mark.parametrize(
    "config",
    [
        {"size": {"height": 100_000, "width": 100_000}},
        {"size": {"shortest_edge": 100_000}},
        {"size": {"height": 0, "width": 32}},
        {"size": {"height": 32, "width": 32}, "do_center_crop": True, "crop_size": 100_000},
        {"size": {"height": "32", "width": 32.5}},
    ],
)
def test_absurd_preprocessor_sizes_are_refused_with_a_message(config) -> None:
    processor = ImageProcessor({"do_resize": True, **config})
    with pytest.raises(EngineError, match="preprocessor_config.json"):
        processor([Image.new("RGB", (64, 48))])


@pytest.mark.parametrize("resample", [0, 2])
def test_affine_resize_of_a_big_image_never_copies_it_wider(resample) -> None:
    rng = np.random.default_rng(0)
    big = Image.fromarray(rng.integers(0, 256, (3000, 2000, 3), dtype=np.uint8))
    tracemalloc.start()
    try:
        small = affine_resize(big, 32, 32, resample)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert small.size == (32, 32)
    assert peak < 3000 * 2000 * 3 * 3  # the old path made a 144 MB int64 copy (8x the image)


@pytest.mark.parametrize("resample", [0, 2])
@pytest.mark.parametrize(
    "shape", [(7, 5, 3), (64, 48, 3), (50, 61), (3, 200, 3), (1000, 800, 3), (900, 700)]
)
@pytest.mark.parametrize("target", [(1, 1), (32, 32), (90, 40), (224, 224)])
def test_affine_resize_samples_exactly_the_libvips_pixels(resample, shape, target) -> None:
    """The same numbers as sampling the whole image (the definition), for up- and downscaling."""
    rng = np.random.default_rng(sum(shape) + sum(target))
    pixels = rng.integers(0, 256, shape, dtype=np.uint8)
    got = np.asarray(affine_resize(Image.fromarray(pixels), *target, resample))
    assert np.array_equal(got, reference_affine(pixels, *target, resample))


# sha256 of the 64x53 RGB pixels Transformers.js 4.3.1 (sharp 0.35.5, libvips) fed DETR for
# inputs/red-circle.png, recovered from its pixel_values (fixtures-src/vision_inputs.mjs)
RED_CIRCLE_64X53_SHA256 = "095da8dd494ead1f6578a77fd8722b4fd7bd55475a1b9cd6c230d9f6f2f01c03"


def test_bilinear_resize_gives_transformers_js_pixels_at_an_uneven_scale() -> None:
    """48x40 -> 64x53 (x 1.333, y 1.325): libvips's four weights sum to exactly 4096; weights
    shifted one by one lose up to 3/4096 and put 106 of these values one level low, which moved
    DETR's fp32 scores by 1e-3."""
    image = Image.open(FIXTURES / "inputs" / "red-circle.png").convert("RGB")
    got = np.ascontiguousarray(np.asarray(affine_resize(image, 64, 53, 2)))
    assert hashlib.sha256(got.tobytes()).hexdigest() == RED_CIRCLE_64X53_SHA256


def reference_affine(pixels: np.ndarray, width: int, height: int, resample: int) -> np.ndarray:
    """libvips affine sampling written out over the whole image, as the engine first had it."""
    src = pixels.astype(np.int64)
    if src.ndim == 2:
        src = src[:, :, None]
    in_h, in_w = src.shape[:2]
    ys, xs = np.arange(height) * (in_h / height), np.arange(width) * (in_w / width)
    y0, x0 = np.floor(ys).astype(np.int64), np.floor(xs).astype(np.int64)
    src = np.pad(src, ((0, 1), (0, 1), (0, 0)))  # black past the last row and column (sharp's)
    y1, x1 = y0 + 1, x0 + 1
    if resample == 0:
        out = src[y0][:, x0]
    else:
        wx = ((xs - x0) * 4096).astype(np.int64)[None, :, None]
        wy = ((ys - y0) * 4096).astype(np.int64)[:, None, None]
        # libvips's BILINEAR_INT: two weights shifted products, the other two the remainders
        top_right = (wx * (4096 - wy)) >> 12
        bottom_right = (wx * wy) >> 12
        out = (
            ((4096 - wy) - top_right) * src[y0][:, x0]
            + top_right * src[y0][:, x1]
            + (wy - bottom_right) * src[y1][:, x0]
            + bottom_right * src[y1][:, x1]
            + 2048
        ) >> 12
    out = np.clip(out, 0, 255).astype(np.uint8)
    return out[:, :, 0] if pixels.ndim == 2 else out
