"""What the image tasks share: load, process, and remember each image's size.

Outputs (boxes, masks, depth maps) are mapped back to the original size.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from inference_gui.engine.inputs import RunInput
from inference_gui.engine.preprocess.image import ImageProcessor, load_image
from inference_gui.errors import EngineError


@dataclass
class Pixels:
    """Prepared images and their feeds.

    ``pixel_values`` (batch, channels, height, width), the originals' (height, width), and any
    further feeds (DETR's ``pixel_mask``, CLIP's text).
    """

    pixel_values: np.ndarray
    sizes: list[tuple[int, int]] = field(default_factory=list)
    extra: dict[str, np.ndarray] = field(default_factory=dict)

    def feeds(self) -> dict[str, np.ndarray]:
        return {"pixel_values": self.pixel_values, **self.extra}


def prepare(processor: ImageProcessor, inputs: RunInput) -> Pixels:
    images = [load_image(path) for path in inputs.images]
    return Pixels(processor(images), [(image.height, image.width) for image in images])


def single_image(inputs: RunInput, task: str) -> None:
    """Transformers.js's detection and segmentation pipelines take one image per call."""
    if len(inputs.images) != 1:
        raise EngineError(
            f"{task} takes one image at a time, but got {len(inputs.images)}.",
            "Run each image on its own.",
        )


def candidate_labels(inputs: RunInput, task: str) -> list[str]:
    """The zero-shot image tasks' labels: at least one, none empty."""
    labels = [label for label in inputs.labels if label.strip()]
    if not labels or len(labels) != len(inputs.labels):
        problem = "one is empty" if labels else "got none"
        raise EngineError(
            f"{task} needs candidate labels, and {problem}.",
            "Give the labels to choose from (from the command line: --label L, repeated).",
        )
    return labels
