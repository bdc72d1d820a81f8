"""What the three generative task modules share: options, the decoder, streaming and metrics.

A generative task is a :class:`~inference_gui.engine.tasks.base.Task` whose ``run`` ends in the one
decoding loop; this base class holds the parts around the loop so each task module only says how
its input becomes decoder start tokens (plus encoder output) and how ids become its output shape.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any, ClassVar

import numpy as np

from inference_gui.engine.generation.config import (
    NOT_APPLIED,
    GenerationConfig,
    ignored_by_transformers_js,
    layered,
    model_max_positions,
    resolve_generation_config,
)
from inference_gui.engine.generation.decoder import Decoder
from inference_gui.engine.generation.lookup import DEFAULT_GUESSES, Guesser
from inference_gui.engine.generation.loop import GenerationOutput, generate
from inference_gui.engine.generation.streamer import TextStreamer
from inference_gui.engine.tasks.base import RunContext, Task
from inference_gui.vocab import DYNAMICALLY_QUANTIZED

NO_CACHE_NOTE = (
    "The model was exported without past_key_values, so every new token recomputes the whole "
    "sequence: generation slows down as the text grows."
)


@dataclass(frozen=True)
class TextChunk:
    """A piece of generated text, streamed while generation runs.

    ``index`` is the output it belongs to: input number x ``num_return_sequences`` + sample number,
    i.e. the position of the result in the flattened output list.
    """

    index: int
    text: str


class GenerativeTask(Task):
    """Base of text-generation, text2text-generation and image-to-text."""

    needs_generation_config = True
    required_outputs = ("logits",)
    decoder_base: ClassVar[str] = "decoder_model_merged"
    # The pipeline's own defaults, under the call's options (Transformers.js's
    # ``_default_generation_config``): they win over generation_config.json.
    pipeline_defaults: ClassVar[Mapping[str, Any]] = {}

    @cached_property
    def decoder(self) -> Decoder:
        return Decoder(
            self.resources.sessions[self.decoder_base],
            f"onnx/{self.decoder_base} of {self.resources.options.model_id}",
            self.resources.config,
        )

    def generation_config(self, options: Mapping[str, Any], ctx: RunContext) -> GenerationConfig:
        """The checked config for one call; errors here come before any model runs.

        Options Transformers.js does not apply become warnings in the result.
        """
        layers = (
            self.resources.config,
            self.resources.generation_config,
            {**self.pipeline_defaults, **options},
        )
        config = resolve_generation_config(*layers)
        for note in ignored_by_transformers_js(config, options, layered(*layers, NOT_APPLIED)):
            ctx.warn(note)
        return config

    def lookup_guesses(self, config: GenerationConfig) -> int:
        """How many prompt-lookup guesses a decoder pass may check (generation/lookup.py).

        None where the text could change: a graph that quantizes its activations per call (q8,
        int8, uint8) scores positions fed together unlike one by one, and the encoder-decoder
        graphs (merged with an If on the cache) take one new token per pass.
        """
        dtype = self.resources.options.dtype_for(self.decoder_base)
        if self.decoder.is_seq2seq or dtype in DYNAMICALLY_QUANTIZED:
            return 0
        chosen = config.prompt_lookup_num_tokens
        return DEFAULT_GUESSES if chosen is None else chosen

    def decode(self, ids: Sequence[int]) -> str:
        return self.tokenizer.decode(ids, skip_special_tokens=True)

    def generate(
        self,
        ctx: RunContext,
        input_ids: np.ndarray,
        config: GenerationConfig,
        *,
        first_index: int = 0,
        started: float | None = None,
        input_length: int | None = None,
        **encoder: np.ndarray | None,
    ) -> GenerationOutput:
        """Run the loop under the run's guard, streaming :class:`TextChunk`s to ``ctx.emit``.

        Length notes are passed on as warnings; time to first token and speed are recorded.
        """
        streamer = (
            TextStreamer(
                self.decode, lambda row, text: ctx.emit(TextChunk(first_index + row, text))
            )
            if ctx.streaming
            else None
        )
        out = generate(
            self.decoder,
            input_ids,
            config,
            guard=ctx.guard,
            streamer=streamer,
            max_positions=model_max_positions(self.resources.config),
            input_length=input_length,
            started=started or time.perf_counter(),
            guesser=Guesser(self.lookup_guesses(config)),
            **encoder,
        )
        if not self.decoder.uses_cache:
            out = replace(out, notes=(*out.notes, NO_CACHE_NOTE))
        for note in out.notes:
            if note not in ctx.warnings:
                ctx.warn(note)
        timings = ctx.timings  # several images: one loop each, speed over all of them
        earlier_ms = timings.get("generation", 0.0)
        earlier_tokens = timings.get("tokens_per_second", 0.0) * earlier_ms / 1000
        tokens = earlier_tokens + sum(len(row) for row in out.new_tokens)
        timings.setdefault("time_to_first_token", out.time_to_first_token_s * 1000)
        timings["generation"] = earlier_ms + out.total_s * 1000
        timings["tokens_per_second"] = tokens / (timings["generation"] / 1000)
        return out
