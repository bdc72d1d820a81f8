"""Images a task returns (segmentation masks, depth maps), as Transformers.js's ``RawImage``.

A run's output keeps them as pixels so the window can draw them; :func:`jsonable` turns an output
into plain JSON, writing each image in the compact form the fixtures use (size, channels, sha256 of
the pixel bytes, mean, non-zero count and an 8x8 grid of means), so scripts can compare runs
without megabytes of pixels, and optionally saving each as a PNG whose path goes in the JSON.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from inference_gui.engine.raw_audio import RawAudio
from inference_gui.errors import EngineError


@dataclass(frozen=True, eq=False)
class RawImage:
    """8-bit pixels, (height, width, channels), row-major with channels interleaved."""

    pixels: np.ndarray

    def __post_init__(self) -> None:
        if self.pixels.dtype != np.uint8 or self.pixels.ndim != 3:
            raise ValueError("RawImage holds uint8 pixels shaped (height, width, channels)")

    @property
    def height(self) -> int:
        return int(self.pixels.shape[0])

    @property
    def width(self) -> int:
        return int(self.pixels.shape[1])

    @property
    def channels(self) -> int:
        return int(self.pixels.shape[2])

    def compact(self) -> dict[str, Any]:
        """The fixtures' ``{"type": "RawImage", ...}`` summary (README of the shared fixtures)."""
        values = self.pixels.astype(np.float64)
        h, w = self.height, self.width
        grid: list[list[float | None]] = []
        for i in range(8):
            row: list[float | None] = []
            for j in range(8):
                cell = values[(i * h) // 8 : ((i + 1) * h) // 8, (j * w) // 8 : ((j + 1) * w) // 8]
                row.append(_js_round(float(cell.mean()), 2) if cell.size else None)
            grid.append(row)
        return {
            "type": "RawImage",
            "width": w,
            "height": h,
            "channels": self.channels,
            "bytes_per_value": 1,
            "sha256": hashlib.sha256(np.ascontiguousarray(self.pixels).tobytes()).hexdigest(),
            "mean": _js_round(float(values.mean()) if values.size else 0.0, 6),
            "nonzero": int(np.count_nonzero(self.pixels)),
            "grid8x8": grid,
        }

    def save_png(self, path: Path) -> None:
        from PIL import Image

        pixels = self.pixels[:, :, 0] if self.channels == 1 else self.pixels
        try:
            Image.fromarray(pixels).save(path, format="PNG")
        except OSError as exc:
            raise EngineError(
                f"Could not write {path}: {exc.strerror or exc}.", "Check the folder."
            ) from exc


def _js_round(value: float, digits: int) -> float:
    """``Math.round(v * 10**d) / 10**d`` (half up, as JavaScript), an int when whole."""
    scale = 10**digits
    rounded = math.floor(value * scale + 0.5) / scale
    return int(rounded) if rounded.is_integer() else rounded


def jsonable(
    output: Any,
    save_dir: Path | None = None,
    prefix: str = "image",
    audio_dir: Path | None = None,
) -> Any:
    """``output`` with every RawImage and RawAudio in compact form.

    With ``save_dir`` each image is also written as ``<prefix>-<n>.png`` there and its path added
    as ``"png"``; with ``audio_dir`` each clip as ``<prefix>-<n>.wav``, its path added as ``"wav"``.
    """
    images, clips = iter(range(1, 1_000_000)), iter(range(1, 1_000_000))

    def convert(value: Any) -> Any:
        if isinstance(value, RawImage):
            compact = value.compact()
            if save_dir is not None:
                path = save_dir / f"{prefix}-{next(images)}.png"
                value.save_png(path)
                compact["png"] = str(path)
            return compact
        if isinstance(value, RawAudio):
            compact = value.compact()
            if audio_dir is not None:
                path = audio_dir / f"{prefix}-{next(clips)}.wav"
                value.save_wav(path)
                compact["wav"] = str(path)
            return compact
        if isinstance(value, dict):
            return {k: convert(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [convert(v) for v in value]
        return value

    return convert(output)
