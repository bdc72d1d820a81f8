"""Limits that keep image work proportional to what a model can take, checked before any work.

A 370-byte PNG can announce 100000x100000 pixels, and a ``preprocessor_config.json`` can ask for a
100000x100000 resize; either would allocate tens of gigabytes. Images are refused above Pillow's
own decompression-bomb threshold, checked on the header before decoding, and preprocessor sizes
must be whole numbers of pixels within what any real vision model uses.
"""

from __future__ import annotations

from typing import Any

from inference_gui.errors import EngineError, bounded

MAX_PIXELS = 178_956_970  # Pillow's DecompressionBombError threshold (2 x MAX_IMAGE_PIXELS)
MAX_SIDE = 8192  # largest resize or crop side a preprocessor may ask for (real models: <= 2560)


def check_image_size(width: int, height: int, what: str) -> None:
    """Refuse an image whose header announces more pixels than can sensibly be decoded."""
    if width * height > MAX_PIXELS:
        raise too_many_pixels(what, f"{width}x{height}, {width * height / 1e6:,.0f} megapixels")


def too_many_pixels(what: str, detail: str) -> EngineError:
    return EngineError(
        f"{what} has more than the {MAX_PIXELS / 1e6:,.0f} megapixels an image may have here "
        f"({detail}).",
        "Scale the image down first; the model sees only a few hundred pixels a side.",
    )


def check_side(value: Any, name: str, label: str) -> int:
    """A resize or crop side from ``preprocessor_config.json``: a whole number, 1..MAX_SIDE."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_SIDE:
        raise EngineError(
            f"{label}: {name} {bounded(value)} in preprocessor_config.json is not a whole "
            f"number of pixels from 1 to {MAX_SIDE}.",
            "Fix preprocessor_config.json; vision models use a few hundred pixels a side.",
        )
    return value
