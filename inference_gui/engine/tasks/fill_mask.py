"""``fill-mask``: the ``top_k`` (default 5) likeliest tokens for the mask, with filled sequences."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from inference_gui.engine.inputs import RunInput
from inference_gui.engine.option_schema import option
from inference_gui.engine.preprocess.text import Encoded
from inference_gui.engine.tasks.base import RunContext, Task, softmax, top_k
from inference_gui.errors import EngineError, bounded


class FillMask(Task):
    name = "fill-mask"
    required_outputs = ("logits",)

    def preprocess(self, inputs: RunInput, options: Mapping[str, Any], ctx: RunContext) -> Encoded:
        mask_id = self.tokenizer.token_id("mask_token")
        if mask_id is None:
            raise EngineError(
                f"{self.tokenizer.label} has no mask token.",
                "Pick a fill-mask model (its tokenizer_config.json names a mask_token).",
            )
        encoded = self.encode(ctx, inputs.texts)
        mask = self.tokenizer.token("mask_token")
        for row, text in zip(encoded.input_ids, inputs.texts, strict=True):
            if mask_id not in row:
                raise EngineError(
                    f"Mask token ({mask}) not found in {bounded(text)}.",
                    f"Put {mask} where the word to guess goes.",
                )
        return encoded

    def postprocess(
        self, outputs: Any, prepared: Encoded, inputs: RunInput, options: Mapping[str, Any]
    ) -> Any:
        mask_id = self.tokenizer.token_id("mask_token")
        results = []
        for ids, logits in zip(prepared.input_ids, outputs["logits"], strict=True):
            position = int(np.argmax(ids == mask_id))
            scores = softmax(logits[position]).astype(np.float32)
            row = []
            for token, score in top_k(scores, option(options, self.name, "top_k")):
                sequence = ids.copy()
                sequence[position] = token
                row.append(
                    {
                        "score": score,
                        "token": token,
                        "token_str": self.tokenizer.decode([token]),
                        "sequence": self.tokenizer.decode(
                            sequence.tolist(), skip_special_tokens=True
                        ),
                    }
                )
            results.append(row)
        return results if inputs.batched else results[0]


TASK = FillMask
