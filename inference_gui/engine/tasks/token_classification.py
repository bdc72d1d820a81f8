"""``token-classification``: a label per token, or entity groups.

Labels in ``ignore_labels`` (default ``["O"]``) are dropped; with ``aggregation_strategy:
"simple"`` runs of B-/I- tokens are merged into entity groups, as Transformers.js does it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from inference_gui.engine.inputs import RunInput
from inference_gui.engine.option_schema import option
from inference_gui.engine.preprocess.text import Encoded
from inference_gui.engine.tasks.base import RunContext, Task, softmax


class TokenClassification(Task):
    name = "token-classification"
    required_outputs = ("logits",)

    def preprocess(self, inputs: RunInput, options: Mapping[str, Any], ctx: RunContext) -> Encoded:
        encoded = self.encode(ctx, inputs.texts)
        return encoded

    def postprocess(
        self, outputs: Any, prepared: Encoded, inputs: RunInput, options: Mapping[str, Any]
    ) -> Any:
        ignore = option(options, self.name, "ignore_labels")
        results = []
        for ids, logits in zip(prepared.input_ids, outputs["logits"], strict=True):
            tokens = []
            for index, token_logits in enumerate(logits):
                best = int(np.argmax(token_logits))
                entity = self.resources.label(best)
                if entity in ignore:
                    continue
                word = self.tokenizer.decode([int(ids[index])], skip_special_tokens=True)
                if word == "":
                    continue  # a special token
                score = float(softmax(token_logits)[best])
                tokens.append({"entity": entity, "score": score, "index": index, "word": word})
            if option(options, self.name, "aggregation_strategy") == "simple":
                tokens = self._group(tokens, ids)
            results.append(tokens)
        return results if inputs.batched else results[0]

    def _group(self, tokens: list[dict[str, Any]], ids: np.ndarray) -> list[dict[str, Any]]:
        """Merge consecutive tokens of one tag: B and S start a group, E closes it."""
        groups: list[dict[str, Any]] = []
        open_tag: str | None = None
        for i, token in enumerate(tokens):
            prefix, tag = _split_tag(token["entity"])
            if open_tag == tag and prefix not in ("B", "S"):
                groups[-1]["end"] = i + 1
                if prefix == "E":
                    open_tag = None
            else:
                groups.append({"tag": tag, "start": i, "end": i + 1})
                open_tag = None if prefix == "S" else tag
        merged = []
        for group in groups:
            members = tokens[group["start"] : group["end"]]
            merged.append(
                {
                    "entity_group": group["tag"],
                    "score": sum(t["score"] for t in members) / len(members),
                    "word": self.tokenizer.decode(
                        [int(ids[t["index"]]) for t in members], skip_special_tokens=True
                    ),
                }
            )
        return merged


def _split_tag(entity: str) -> tuple[str, str]:
    if len(entity) > 1 and entity[1] == "-" and entity[0] in "BIES":
        return entity[0], entity[2:]
    return "I", entity


TASK = TokenClassification
