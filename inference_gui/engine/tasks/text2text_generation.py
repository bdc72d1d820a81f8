"""``text2text-generation`` (and ``summarization``, ``translation``): an encoder-decoder model.

``encoder_model*`` runs once on the tokenized input, then ``decoder_model_merged*`` generates from
the decoder start token with the encoder output and the KV cache. As Transformers.js: the config's
``prefix`` and ``task_specific_params[task].prefix`` are prepended, and the output is one flat list
``[{key: text}]`` for all inputs, where key is ``generated_text``, ``summary_text`` or
``translation_text`` by task name.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from inference_gui.engine.generation.config import GenerationConfig
from inference_gui.engine.generation.loop import GenerationOutput
from inference_gui.engine.generation.pipeline import GenerativeTask
from inference_gui.engine.inputs import RunInput
from inference_gui.engine.preprocess.text import Encoded
from inference_gui.engine.tasks.base import RunContext

OUTPUT_KEYS = {
    "text2text-generation": "generated_text",
    "summarization": "summary_text",
    "translation": "translation_text",
}


@dataclass
class Sources:
    encoded: Encoded
    config: GenerationConfig


def decoder_start(config: GenerationConfig, rows: int) -> np.ndarray:
    """One start token per row: ``decoder_start_token_id``, else ``bos_token_id``."""
    start = config.decoder_start_token_id
    start = config.bos_token_id if start is None else start
    return np.full((rows, 1), 0 if start is None else start, dtype=np.int64)


class Text2TextGeneration(GenerativeTask):
    name = "text2text-generation"
    model_bases = ("encoder_model", "decoder_model_merged")
    pipeline_defaults = {"max_new_tokens": 256}

    def preprocess(self, inputs: RunInput, options: Mapping[str, Any], ctx: RunContext) -> Sources:
        config = self.generation_config(options, ctx)
        model_config = self.resources.config
        texts = [(model_config.get("prefix") or "") + t for t in inputs.texts]
        task_params = (model_config.get("task_specific_params") or {}).get(
            self.resources.options.task
        ) or {}
        texts = [(task_params.get("prefix") or "") + t for t in texts]
        encoded = self.encode(ctx, texts)
        return Sources(encoded, config)

    def run(self, prepared: Sources, ctx: RunContext) -> GenerationOutput:
        started = time.perf_counter()
        mask = prepared.encoded.attention_mask
        hidden = ctx.run(
            "encoder_model", {"input_ids": prepared.encoded.input_ids, "attention_mask": mask}
        )["last_hidden_state"]
        return self.generate(
            ctx,
            decoder_start(prepared.config, len(mask)),
            prepared.config,
            started=started,
            encoder_hidden_states=hidden,
            encoder_attention_mask=mask,
        )

    def postprocess(
        self,
        outputs: GenerationOutput,
        prepared: Sources,
        inputs: RunInput,
        options: Mapping[str, Any],
    ) -> Any:
        key = OUTPUT_KEYS.get(self.resources.options.task, "generated_text")
        return [{key: self.decode(sequence)} for sequence in outputs.sequences]


TASK = Text2TextGeneration
