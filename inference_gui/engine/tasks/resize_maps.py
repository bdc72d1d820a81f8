"""Resizing model output maps back to the input image's size, each as Transformers.js does it.

Two bilinear resizes with different edge rules, because Transformers.js uses two:

* :func:`interpolate_like_transformers_js` is its ``interpolate_data`` (``utils/maths.js``),
  used for segmentation logits: half-pixel centres, the lower neighbour clamped to 0 *after* the
  weights' offset is taken from it, so the first row and column extrapolate slightly; float32 out.
* :func:`resize_like_onnx` is onnxruntime's ``Resize`` (linear, ``half_pixel``), which
  ``interpolate_4d`` runs for depth maps: source coordinates clamped to the image, in float32.
"""

from __future__ import annotations

import numpy as np


def interpolate_like_transformers_js(data: np.ndarray, height: int, width: int) -> np.ndarray:
    """(C, h, w) -> (C, height, width) float32."""
    _, in_h, in_w = data.shape
    y1, y2, t = _axis_tjs(height, in_h)
    x1, x2, s = _axis_tjs(width, in_w)
    src = data.astype(np.float64)
    s, t = s[None, None, :], t[None, :, None]
    out = (
        (1 - s) * (1 - t) * src[:, y1][:, :, x1]
        + s * (1 - t) * src[:, y1][:, :, x2]
        + (1 - s) * t * src[:, y2][:, :, x1]
        + s * t * src[:, y2][:, :, x2]
    )
    return out.astype(np.float32)


def _axis_tjs(out_size: int, in_size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    pos = (np.arange(out_size) + 0.5) / (out_size / in_size) - 0.5
    low = np.floor(pos).astype(np.int64)
    high = np.minimum(low + 1, in_size - 1)
    low = np.maximum(low, 0)
    return low, high, pos - low


def resize_like_onnx(data: np.ndarray, height: int, width: int) -> np.ndarray:
    """(h, w) -> (height, width) float32, as onnxruntime's linear half-pixel Resize."""
    in_h, in_w = data.shape
    y1, y2, dy1, dy2 = _axis_onnx(height, in_h)
    x1, x2, dx1, dx2 = _axis_onnx(width, in_w)
    src = data.astype(np.float32)
    dx1, dx2 = dx1[None, :], dx2[None, :]
    dy1, dy2 = dy1[:, None], dy2[:, None]
    return (
        dx2 * dy2 * src[y1][:, x1]
        + dx1 * dy2 * src[y1][:, x2]
        + dx2 * dy1 * src[y2][:, x1]
        + dx1 * dy1 * src[y2][:, x2]
    ).astype(np.float32)


def _axis_onnx(
    out_size: int, in_size: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    scale = np.float32(out_size) / np.float32(in_size)
    pos = (np.arange(out_size, dtype=np.float32) + np.float32(0.5)) / scale - np.float32(0.5)
    pos = np.clip(pos, np.float32(0), np.float32(in_size - 1)).astype(np.float32)
    low = np.minimum(pos.astype(np.int64), in_size - 1)
    high = np.minimum(low + 1, in_size - 1)
    d1 = np.abs(pos - low).astype(np.float32)
    d2 = np.abs(pos - high).astype(np.float32)
    same = low == high
    d1[same] = d2[same] = np.float32(0.5)
    return low, high, d1, d2
