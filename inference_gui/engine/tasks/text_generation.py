"""``text-generation``: continue a prompt, or answer a chat, with a decoder-only model.

Decoder-only means ``model*.onnx`` in the GPT-2, Qwen2, Llama... layouts.

Output as Transformers.js's TextGenerationPipeline: per input a list of ``{"generated_text"}``
(``num_return_sequences`` of them), the prompt included unless ``return_full_text`` is false; a
single input gives that list, a batch gives a list of lists. Batches are left-padded, as
decoder-only generation needs the newest token of every row in the same column.

A chat (a list of ``{role, content}`` messages) is rendered with the tokenizer's chat template
(``add_generation_prompt``), tokenized without special tokens, and answered with the conversation
plus ``{"role": "assistant", "content": <the new text only>}`` as ``generated_text``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from inference_gui.engine.generation.config import GenerationConfig
from inference_gui.engine.generation.loop import GenerationOutput
from inference_gui.engine.generation.pipeline import GenerativeTask
from inference_gui.engine.inputs import Chat, RunInput
from inference_gui.engine.lm_head import keep_last_logits
from inference_gui.engine.option_schema import option
from inference_gui.engine.tasks.base import RunContext
from inference_gui.errors import EngineError
from inference_gui.vocab import DYNAMICALLY_QUANTIZED


@dataclass
class Prompts:
    input_ids: np.ndarray  # (batch, length), left-padded
    attention_mask: np.ndarray
    config: GenerationConfig
    written_length: int  # the longest prompt before the tokenizer cut it


class TextGeneration(GenerativeTask):
    name = "text-generation"
    model_bases = ("model",)
    decoder_base = "model"
    pipeline_defaults = {"max_new_tokens": 256}

    @classmethod
    def graph_edit(cls, base: str, dtype: str) -> Callable[[Path], bytes | None] | None:
        """The decoder's LM head scores only the positions read (engine/lm_head.py).

        Not in graphs that quantize activations per call, where fewer positions change the scores.
        """
        if base != cls.decoder_base or dtype in DYNAMICALLY_QUANTIZED:
            return None
        return keep_last_logits

    def preprocess(self, inputs: RunInput, options: Mapping[str, Any], ctx: RunContext) -> Prompts:
        config = self.generation_config(options, ctx)
        tokenizer_config = self.tokenizer.config
        default_special = bool(
            tokenizer_config.get("add_bos_token") or tokenizer_config.get("add_eos_token")
        )
        chosen = option(options, self.name, "add_special_tokens")
        add_special = default_special if chosen is None else chosen
        texts = inputs.texts
        if inputs.chats:
            texts = tuple(self.render_chat(chat) for chat in inputs.chats)
            add_special = False  # the template writes the special tokens itself
        rows = [self.encode(ctx, [text], add_special_tokens=add_special) for text in texts]
        width = max(encoded.input_ids.shape[1] for encoded in rows)
        ids = np.full((len(rows), width), self.tokenizer.pad_id, dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for r, encoded in enumerate(rows):
            n = encoded.input_ids.shape[1]
            ids[r, width - n :] = encoded.input_ids[0]
            mask[r, width - n :] = 1
        written = max(max(encoded.original_lengths) for encoded in rows)
        return Prompts(ids, mask, config, written)

    def render_chat(self, chat: Chat) -> str:
        template = self.tokenizer.chat_template
        if template is None:
            raise EngineError(
                f"{self.tokenizer.label} has no chat template, so it cannot take messages.",
                "Give a plain text prompt, or pick a chat (Instruct) model.",
            )
        return template.render(chat)

    def run(self, prepared: Prompts, ctx: RunContext) -> GenerationOutput:
        return self.generate(
            ctx,
            prepared.input_ids,
            prepared.config,
            started=time.perf_counter(),
            attention_mask=prepared.attention_mask,
            input_length=prepared.written_length,
        )

    def postprocess(
        self,
        outputs: GenerationOutput,
        prepared: Prompts,
        inputs: RunInput,
        options: Mapping[str, Any],
    ) -> Any:
        copies = prepared.config.num_return_sequences
        # a chat's answer is the new text only, whatever return_full_text says
        full_text = option(options, self.name, "return_full_text") and not inputs.chats
        results: list[list[dict[str, Any]]] = [[] for _ in range(len(prepared.input_ids))]
        for index, sequence in enumerate(outputs.sequences):
            source = index // copies
            text = self.decode(sequence)
            if not full_text:
                real = prepared.attention_mask[source] > 0
                prompt = self.decode(prepared.input_ids[source][real])
                text = text[len(prompt) :]  # Transformers.js cuts by the decoded prompt's length
            if inputs.chats:
                reply = {"role": "assistant", "content": text}
                results[source].append({"generated_text": [*inputs.chats[source], reply]})
            else:
                results[source].append({"generated_text": text})
        return results if inputs.batched else results[0]


TASK = TextGeneration
