"""Choosing the next token from processed scores: greedy, or a seeded random draw."""

from __future__ import annotations

import numpy as np

from inference_gui.engine.generation.config import GenerationConfig
from inference_gui.engine.generation.processors import softmax


class Sampler:
    """Greedy (the first highest score, as Transformers.js) or multinomial sampling.

    Sampling draws from a :class:`numpy.random.Generator` seeded with ``config.seed``, so the same
    seed, options and model give the same text; without a seed each run differs.
    """

    def __init__(self, config: GenerationConfig) -> None:
        self.do_sample = config.do_sample
        self.rng = np.random.default_rng(config.seed) if config.do_sample else None

    def __call__(self, scores: np.ndarray) -> np.ndarray:
        """One token id per row of ``scores`` (shape ``(rows, vocab)``)."""
        if self.rng is None:
            return np.argmax(scores, axis=-1).astype(np.int64)
        return np.array(
            [self.rng.choice(row.shape[-1], p=softmax(row)) for row in scores], dtype=np.int64
        )
