"""``image-feature-extraction``: one Tensor for the batch, as Transformers.js returns it.

For ViT, DINOv2, CLIP vision: ``last_hidden_state`` (else ``logits``, else ``image_embeds``), or
``pooler_output`` with the ``pool`` option. :mod:`inference_gui.engine.similarity` compares the
images of a batch with each other.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from inference_gui.engine.inputs import RunInput
from inference_gui.engine.option_schema import option
from inference_gui.engine.tasks.base import RunContext, Task, tensor_json
from inference_gui.engine.tasks.images import Pixels, prepare
from inference_gui.errors import EngineError

OUTPUTS = ("last_hidden_state", "logits", "image_embeds")


class ImageFeatureExtraction(Task):
    name = "image-feature-extraction"
    needs_tokenizer = False
    needs_processor = True
    required_outputs = (*OUTPUTS, "pooler_output")

    def preprocess(self, inputs: RunInput, options: Mapping[str, Any], ctx: RunContext) -> Pixels:
        return prepare(self.processor, inputs)

    def postprocess(
        self, outputs: Any, prepared: Pixels, inputs: RunInput, options: Mapping[str, Any]
    ) -> Any:
        if option(options, self.name, "pool"):
            if "pooler_output" not in outputs:
                raise EngineError(
                    "The option pool needs a pooler_output, which this model does not return.",
                    "Leave pool unset to get last_hidden_state.",
                )
            return tensor_json(outputs["pooler_output"].astype(np.float32))
        name = next((k for k in OUTPUTS if k in outputs), None)
        if name is None:
            raise EngineError(
                "The model returned no last_hidden_state, logits or image_embeds.",
                "This model was not exported for image feature extraction.",
            )
        return tensor_json(outputs[name].astype(np.float32))


TASK = ImageFeatureExtraction
