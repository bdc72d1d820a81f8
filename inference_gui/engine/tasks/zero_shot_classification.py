"""``zero-shot-classification``: score candidate labels for a text with an NLI model.

As Transformers.js's ZeroShotClassificationPipeline: each label makes a hypothesis
(``hypothesis_template``, default ``"This example is {}."``), each (text, hypothesis) pair is one
forward pass — one at a time, as dynamically quantized models give other numbers in a padded
batch — and the scores are the softmax of the entailment logits over the labels, or with
``multi_label`` (or a single label) each label's softmax of (contradiction, entailment). Output
``{"sequence", "labels", "scores"}`` with labels sorted by score (a stable sort: ties keep the
given order), a list of those for a batch.

The entailment and contradiction ids come from ``label2id`` with lower-cased names
(``entailment``; ``contradiction`` or ``not_entailment``). A model whose labels have no names
(``LABEL_0``...) gets Transformers.js's guess, 2 and 0, with a warning; a model with named labels
none of which is entailment is not an NLI model, which is an error rather than a guess.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from inference_gui.engine.inputs import RunInput
from inference_gui.engine.option_schema import option
from inference_gui.engine.tasks.base import RunContext, Task, softmax
from inference_gui.errors import EngineError

GUESSED_ENTAILMENT, GUESSED_CONTRADICTION = 2, 0


@dataclass
class Pairs:
    texts: tuple[str, ...]
    labels: tuple[str, ...]
    hypotheses: list[str]
    multi_label: bool
    ids: tuple[int, int]  # entailment, contradiction


class ZeroShotClassification(Task):
    name = "zero-shot-classification"
    required_outputs = ("logits",)

    def nli_ids(self, ctx: RunContext) -> tuple[int, int]:
        """(entailment id, contradiction id) from the model's label names."""
        raw = self.resources.config.get("label2id") or {
            v: k for k, v in self.resources.labels().items()
        }
        ids = {str(name).lower(): int(i) for name, i in raw.items()}
        entailment = ids.get("entailment")
        contradiction = ids.get("contradiction", ids.get("not_entailment"))
        named = [n for n in ids if not n.startswith("label_")]
        if entailment is None and named:
            raise EngineError(
                f"{self.resources.options.model_id} has no 'entailment' label "
                f"(its labels: {', '.join(sorted(raw))}), so it cannot do zero-shot "
                "classification.",
                "Pick an NLI model (trained on MNLI or XNLI, with entailment labels).",
            )
        if entailment is None:
            ctx.warn(
                f"The model's labels have no names; label {GUESSED_ENTAILMENT} is taken as "
                "entailment, as Transformers.js does."
            )
            entailment = GUESSED_ENTAILMENT
        if contradiction is None:
            ctx.warn(
                f"The model has no 'contradiction' label; label {GUESSED_CONTRADICTION} is taken "
                "as contradiction, as Transformers.js does."
            )
            contradiction = GUESSED_CONTRADICTION
        return entailment, contradiction

    def preprocess(self, inputs: RunInput, options: Mapping[str, Any], ctx: RunContext) -> Pairs:
        template = option(options, self.name, "hypothesis_template")
        multi_label = option(options, self.name, "multi_label")
        if not inputs.labels or any(not label.strip() for label in inputs.labels):
            raise EngineError(
                "zero-shot-classification got no candidate labels (or an empty one).",
                "Give the labels to choose from (from the command line: --label L, repeated).",
            )
        if "{}" not in template:
            raise EngineError(
                f"The hypothesis_template {template!r} has no {{}} for the label.",
                'Write it with {} where the label goes, e.g. "This example is {}."',
            )
        hypotheses = [template.replace("{}", label, 1) for label in inputs.labels]
        return Pairs(
            inputs.texts,
            inputs.labels,
            hypotheses,
            multi_label or len(inputs.labels) == 1,
            self.nli_ids(ctx),
        )

    def run(self, prepared: Pairs, ctx: RunContext) -> list[np.ndarray]:
        """Per text, the logits of every (text, hypothesis) pair: (labels, classes)."""
        rows = []
        for text in prepared.texts:
            logits = [
                ctx.run("model", self.encode(ctx, [text], [hypothesis]).feeds())["logits"][0]
                for hypothesis in prepared.hypotheses
            ]
            rows.append(np.stack(logits))
        return rows

    def postprocess(
        self, outputs: Any, prepared: Pairs, inputs: RunInput, options: Mapping[str, Any]
    ) -> Any:
        entailment, contradiction = prepared.ids
        results = []
        for text, logits in zip(inputs.texts, outputs, strict=True):
            if prepared.multi_label:
                scores = [float(softmax(row[[contradiction, entailment]])[1]) for row in logits]
            else:
                scores = [float(s) for s in softmax(logits[:, entailment])]
            order = sorted(range(len(scores)), key=lambda i: -scores[i])
            results.append(
                {
                    "sequence": text,
                    "labels": [prepared.labels[i] for i in order],
                    "scores": [scores[i] for i in order],
                }
            )
        return results if inputs.batched else results[0]


TASK = ZeroShotClassification
