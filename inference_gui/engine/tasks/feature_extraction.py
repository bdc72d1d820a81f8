"""``feature-extraction``: hidden states, optionally pooled and L2-normalised.

Pooling is mean, cls/first_token or eos/last_token; the result is one Tensor like
Transformers.js's pipeline returns.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from inference_gui.engine.inputs import RunInput
from inference_gui.engine.option_schema import option
from inference_gui.engine.preprocess.text import Encoded
from inference_gui.engine.tasks.base import RunContext, Task, tensor_json
from inference_gui.errors import EngineError


class FeatureExtraction(Task):
    name = "feature-extraction"

    def preprocess(self, inputs: RunInput, options: Mapping[str, Any], ctx: RunContext) -> Encoded:
        pooling = option(options, self.name, "pooling")
        encoded = self.encode(ctx, inputs.texts)
        # "none" returns every position and eos/last_token reads the last, padding included
        encoded.independent_rows = pooling in ("mean", "cls", "first_token")
        return encoded

    def postprocess(
        self, outputs: Any, prepared: Encoded, inputs: RunInput, options: Mapping[str, Any]
    ) -> Any:
        hidden = next(
            (
                outputs[k]
                for k in ("last_hidden_state", "logits", "token_embeddings")
                if k in outputs
            ),
            None,
        )
        if hidden is None:
            raise EngineError(
                "The model returned no last_hidden_state, logits or token_embeddings.",
                "This model was not exported for feature extraction.",
            )
        result = np.asarray(hidden, dtype=np.float32)  # no copy when it is float32 already
        pooling = option(options, self.name, "pooling")
        if pooling == "mean":
            mask = prepared.attention_mask.astype(np.float32)
            # (batch, 1, seq) @ (batch, seq, hidden): the masked sum in one call
            result = (mask[:, None, :] @ result)[:, 0] / mask.sum(axis=1, keepdims=True)
        elif pooling in ("cls", "first_token"):
            result = result[:, 0]
        elif pooling in ("eos", "last_token"):
            result = result[:, -1]
        if option(options, self.name, "normalize"):
            norm = np.sqrt(np.einsum("...i,...i->...", result, result))[..., None]
            result = result / np.maximum(norm, 1e-12)
        return tensor_json(np.asarray(result, dtype=np.float32))


TASK = FeatureExtraction
