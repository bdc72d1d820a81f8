"""``feature-extraction``: hidden states, optionally pooled and L2-normalised.

Pooling is mean, cls/first_token or eos/last_token; the result is one Tensor like
Transformers.js's pipeline returns. Mean pooling (and normalising it) is done by the graph itself
where the load could add it (engine/mean_pooling.py); numpy does it otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from inference_gui.engine.inputs import RunInput
from inference_gui.engine.mean_pooling import (
    HIDDEN_OUTPUTS,
    MEAN,
    MEAN_NORMALIZED,
    add_mean_pooling,
)
from inference_gui.engine.option_schema import option
from inference_gui.engine.preprocess.text import Encoded
from inference_gui.engine.session import session_io
from inference_gui.engine.tasks.base import RunContext, Task, tensor_json
from inference_gui.errors import EngineError


class FeatureExtraction(Task):
    name = "feature-extraction"

    @classmethod
    def graph_edit(cls, base: str, dtype: str) -> Callable[[Path], bytes | None] | None:
        """The encoder also gives its mean-pooled embedding (engine/mean_pooling.py), any dtype.

        Pooling follows the quantized graph's float output, so no dtype's numbers change.
        """
        return add_mean_pooling

    def preprocess(self, inputs: RunInput, options: Mapping[str, Any], ctx: RunContext) -> Encoded:
        pooling = option(options, self.name, "pooling")
        encoded = self.encode(ctx, inputs.texts)
        # "none" returns every position and eos/last_token reads the last, padding included
        encoded.independent_rows = pooling in ("mean", "cls", "first_token")
        pooled = MEAN_NORMALIZED if option(options, self.name, "normalize") else MEAN
        session = ctx.resources.sessions[self.model_bases[0]]
        if pooling == "mean" and pooled in session_io(session).outputs:
            encoded.outputs = [pooled]
        return encoded

    def postprocess(
        self, outputs: Any, prepared: Encoded, inputs: RunInput, options: Mapping[str, Any]
    ) -> Any:
        if prepared.outputs is not None:  # pooled (and normalised) by the graph
            return tensor_json(outputs[prepared.outputs[0]])
        hidden = next(
            (outputs[k] for k in HIDDEN_OUTPUTS if k in outputs),
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
