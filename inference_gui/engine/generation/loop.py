"""The one decoding loop shared by text-generation, text2text-generation and image-to-text.

Per step: run the decoder on the new tokens (the KV cache carries the rest), apply the logits
processors, pick the next token per row, stream it, then stop rows that produced an
end-of-sequence token or reached the length limit. Like Transformers.js, at least one token is
generated, and the whole batch ends when every row has stopped; unlike it, a row that stopped
early is padded instead of going on producing tokens that would leak into its text.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from inference_gui.engine.generation.config import GenerationConfig, plan_length
from inference_gui.engine.generation.decoder import Decoder
from inference_gui.engine.generation.lookup import Guesser
from inference_gui.engine.generation.processors import apply_all, build_processors
from inference_gui.engine.generation.sampling import Sampler
from inference_gui.engine.generation.streamer import Streamer
from inference_gui.engine.session import RunGuard


@dataclass(frozen=True)
class GenerationOutput:
    """Token ids per output row (``num_return_sequences`` consecutive rows per input).

    Each row is the decoder's start (prompt, or decoder start token) followed by what was
    generated, up to and including its end-of-sequence token.
    """

    sequences: list[list[int]]
    prompt_length: int
    steps: int
    passes: int  # decoder runs: fewer than steps where guessed tokens were right (lookup.py)
    time_to_first_token_s: float
    total_s: float
    notes: tuple[str, ...] = ()

    @property
    def new_tokens(self) -> list[list[int]]:
        return [row[self.prompt_length :] for row in self.sequences]

    @property
    def tokens_per_second(self) -> float:
        """Generated tokens (all rows) per second of the whole loop, first step included."""
        count = sum(len(row) for row in self.new_tokens)
        return count / self.total_s if self.total_s > 0 else 0.0


def generate(
    decoder: Decoder,
    input_ids: np.ndarray,
    config: GenerationConfig,
    *,
    attention_mask: np.ndarray | None = None,
    encoder_hidden_states: np.ndarray | None = None,
    encoder_attention_mask: np.ndarray | None = None,
    max_positions: int | None = None,
    input_length: int | None = None,
    guard: RunGuard | None = None,
    streamer: Streamer | None = None,
    started: float | None = None,
    guesser: Guesser | None = None,
) -> GenerationOutput:
    """Generate from ``input_ids`` (rows, prompt length).

    ``input_ids`` is the prompt of a decoder-only model, or the decoder start tokens of a seq2seq
    one (then ``encoder_hidden_states`` is required).

    ``input_length`` is the prompt's length before truncation, for the error when it leaves no
    room. ``started`` (a ``time.perf_counter()`` value) is when the caller's run began, so that
    the time to first token includes preprocessing and the encoder; it defaults to now.
    ``guesser`` decides how many tokens found by prompt lookup (lookup.py) a pass checks; only the
    caller knows whether the graph scores positions fed together as it scores them one by one,
    so by default nothing is guessed.
    """
    started = time.perf_counter() if started is None else started
    guard = guard or RunGuard()
    copies = config.num_return_sequences
    input_ids = np.repeat(np.asarray(input_ids, dtype=np.int64), copies, axis=0)
    attention_mask, encoder_hidden_states, encoder_attention_mask = (
        None if a is None else np.repeat(a, copies, axis=0)
        for a in (attention_mask, encoder_hidden_states, encoder_attention_mask)
    )
    rows, prompt_length = input_ids.shape
    plan = plan_length(config, prompt_length, max_positions, input_length)
    processors = build_processors(config, prompt_length, plan.max_length)
    sampler = Sampler(config)
    eos = np.array(config.eos_token_id, dtype=np.int64)

    sequences = input_ids.tolist()
    running = np.ones(rows, dtype=bool)
    state = decoder.start(rows, attention_mask, encoder_hidden_states, encoder_attention_mask)
    # Guesses are checked for one greedy row only (see lookup.py).
    if guesser is None or rows > 1 or config.do_sample or not decoder.uses_cache:
        guesser = Guesser(0)
    step_ids = input_ids
    first_token_at = None
    steps = passes = 0
    done = False
    while not done:  # guard.run checks cancel and timeout before each pass, and inside it
        room = plan.max_length - prompt_length - steps  # tokens still allowed
        guessed = guesser.propose(sequences[0], room) if steps else []
        fed = np.concatenate([step_ids, [guessed]], axis=1) if guessed else step_ids
        began = time.perf_counter()
        scores = decoder.step(state, fed, guard.run, every_position=bool(guessed))
        took = time.perf_counter() - began
        passes += 1
        for position in range(len(guessed) + 1):
            chosen = sampler(
                apply_all(processors, sequences, scores[:, position] if guessed else scores)
            )
            if not running.all():
                chosen = np.where(running, chosen, config.pad_id)
            steps += 1
            first_token_at = first_token_at or time.perf_counter()
            added = {row: token for row, token in enumerate(chosen.tolist()) if running[row]}
            for row, token in added.items():
                sequences[row].append(token)
            if streamer is not None:
                streamer.put(added)
            running &= ~(chosen[:, None] == eos).any(axis=1)
            # every running row has the same length: the prompt plus one token per step
            done = prompt_length + steps >= plan.max_length or not running.any()
            step_ids = chosen[:, None]
            if done or position == len(guessed) or guessed[position] != added[0]:
                # positions fed after the first wrong guess hold tokens the text does not have
                decoder.rewind(state, state.past_length - len(guessed) + position)
                break
        if steps > 1:  # the prompt's pass is no measure of a step
            guesser.record(len(guessed), position, took)
    if streamer is not None:
        streamer.end()
    finished = time.perf_counter()
    return GenerationOutput(
        sequences=sequences,
        prompt_length=prompt_length,
        steps=steps,
        passes=passes,
        time_to_first_token_s=(first_token_at or finished) - started,
        total_s=finished - started,
        notes=plan.notes,
    )
