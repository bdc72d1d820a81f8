"""Pairwise cosine similarity of the images of one image-feature-extraction run.

Each image is represented by its first token (ViT's [CLS]) when the output is a sequence of
hidden states [batch, tokens, dims], or by its vector when the output is already pooled [batch,
dims] (``pool``, ``image_embeds``). Shared by the CLI's ``--json`` and the Inference pane.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from inference_gui.errors import EngineError


def pairwise_similarity(tensor: Mapping[str, Any]) -> list[list[float]]:
    """An N x N matrix (1.0 on the diagonal) for a Tensor of N images in the fixtures' form."""
    import numpy as np  # on use: the window imports this module before numpy loads

    data = np.asarray(tensor.get("data"), dtype=np.float64)
    if data.ndim == 3:
        data = data[:, 0]
    if data.ndim != 2 or data.shape[0] == 0:
        raise EngineError(
            f"Cannot compare images of a tensor shaped {list(data.shape)}.",
            "Run image-feature-extraction on two or more images.",
        )
    norms = np.linalg.norm(data, axis=1, keepdims=True)
    unit = data / np.maximum(norms, 1e-12)
    return np.round(unit @ unit.T, 6).tolist()
