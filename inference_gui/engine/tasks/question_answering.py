"""``question-answering``: the best answer span in the context, scored as Transformers.js does.

The score is the softmax of start and end logits over context tokens only, best product with
start <= end.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from inference_gui.engine.inputs import RunInput
from inference_gui.engine.option_schema import option
from inference_gui.engine.preprocess.text import Encoded
from inference_gui.engine.tasks.base import RunContext, Task, softmax


class QuestionAnswering(Task):
    name = "question-answering"
    required_outputs = ("start_logits",)

    def preprocess(self, inputs: RunInput, options: Mapping[str, Any], ctx: RunContext) -> Encoded:
        assert inputs.question is not None and inputs.context is not None
        encoded = self.encode(ctx, [inputs.question], [inputs.context])
        return encoded

    def postprocess(
        self, outputs: Any, prepared: Encoded, inputs: RunInput, options: Mapping[str, Any]
    ) -> Any:
        k = max(1, option(options, self.name, "top_k"))
        sep_id = self.tokenizer.token_id("sep_token")
        special = self.tokenizer.special_ids
        ids = prepared.input_ids[0]
        mask = prepared.attention_mask[0]
        sep_index = int(np.argmax(ids == sep_id)) if sep_id is not None and sep_id in ids else -1
        start = outputs["start_logits"][0].astype(np.float64)
        end = outputs["end_logits"][0].astype(np.float64)
        for i in range(1, len(start)):
            if mask[i] == 0 or i <= sep_index or int(ids[i]) in special:
                start[i] = end[i] = -np.inf
        start_scores, end_scores = softmax(start), softmax(end)
        start_scores[0] = end_scores[0] = 0.0  # the CLS position never answers
        products = np.triu(np.outer(start_scores, end_scores))
        flat = np.argsort(-products, axis=None, kind="stable")[:k]
        answers = []
        for position in flat:
            s, e = divmod(int(position), products.shape[1])
            answers.append(
                {
                    "answer": self.tokenizer.decode(
                        ids[s : e + 1].tolist(), skip_special_tokens=True
                    ),
                    "score": float(products[s, e]),
                }
            )
        return answers[0] if k == 1 else answers


TASK = QuestionAnswering
