"""Logits processors: small steps that each reshape the next-token scores for one option.

Each step takes the token ids so far (one list per row, prompt included) and the float32 scores of
shape ``(rows, vocab)``, and returns the scores (changed in place where that is cheaper). The order
and the meaning follow Transformers.js's ``_get_logits_processor``: penalties and constraints first,
then, only when sampling, the temperature and the top-k / top-p filters. Transformers.js applies
top-k inside its sampler and does not apply top-p at all; here both are filters with Hugging Face
transformers' meaning, which for top-k gives the same distribution.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from inference_gui.engine.generation.config import GenerationConfig

Ids = Sequence[Sequence[int]]
LogitsProcessor = Callable[[Ids, np.ndarray], np.ndarray]


def repetition_penalty(penalty: float) -> LogitsProcessor:
    """Make every token already present less likely: positive scores divided, negative multiplied
    (CTRL paper), once per distinct token."""

    def apply(ids: Ids, scores: np.ndarray) -> np.ndarray:
        for row, seen in enumerate(ids):
            tokens = np.fromiter(set(seen), dtype=np.int64)
            values = scores[row, tokens].astype(np.float64)
            scores[row, tokens] = np.where(values < 0, values * penalty, values / penalty)
        return scores

    return apply


def no_repeat_ngram(size: int) -> LogitsProcessor:
    """Forbid any token that would complete an n-gram of ``size`` tokens already in the row."""

    def apply(ids: Ids, scores: np.ndarray) -> np.ndarray:
        for row, seen in enumerate(ids):
            scores[row, banned_ngram_tokens(seen, size)] = -np.inf
        return scores

    return apply


def banned_ngram_tokens(seen: Sequence[int], size: int) -> list[int]:
    """Tokens that follow, earlier in ``seen``, the last ``size - 1`` tokens of ``seen``."""
    if len(seen) + 1 < size:
        return []
    prefix = tuple(seen[len(seen) - size + 1 :])
    return [
        seen[start + size - 1]
        for start in range(len(seen) - size + 1)
        if tuple(seen[start : start + size - 1]) == prefix
    ]


def suppress_eos_below(min_length: int, eos: Sequence[int], skip: int = 0) -> LogitsProcessor:
    """Forbid end-of-sequence while fewer than ``min_length`` tokens (past the first ``skip``)
    exist: ``min_length`` counts the prompt, ``min_new_tokens`` skips it."""
    eos_ids = list(eos)

    def apply(ids: Ids, scores: np.ndarray) -> np.ndarray:
        for row, seen in enumerate(ids):
            if len(seen) - skip < min_length:
                scores[row, eos_ids] = -np.inf
        return scores

    return apply


def temperature(value: float) -> LogitsProcessor:
    """Flatten (above 1) or sharpen (below 1) the distribution that sampling draws from."""

    def apply(ids: Ids, scores: np.ndarray) -> np.ndarray:
        scores /= np.float32(value)
        return scores

    return apply


def top_k(k: int) -> LogitsProcessor:
    """Keep only the ``k`` best scores (ties at the cut-off kept, as with a stable sort)."""

    def apply(ids: Ids, scores: np.ndarray) -> np.ndarray:
        if k >= scores.shape[-1]:
            return scores
        kth = -np.partition(-scores, k - 1, axis=-1)[:, k - 1 : k]
        scores[scores < kth] = -np.inf
        return scores

    return apply


def top_p(p: float) -> LogitsProcessor:
    """Keep the smallest set of best tokens whose probabilities add up to at least ``p``."""

    def apply(ids: Ids, scores: np.ndarray) -> np.ndarray:
        for row in range(scores.shape[0]):
            order = np.argsort(-scores[row], kind="stable")
            probs = softmax(scores[row, order])
            before = np.cumsum(probs) - probs  # mass of the better tokens
            scores[row, order[1:][before[1:] >= p]] = -np.inf  # the best token always stays
        return scores

    return apply


def softmax(scores: np.ndarray) -> np.ndarray:
    """Probabilities from scores, in float64, safe with ``-inf`` entries."""
    shifted = scores.astype(np.float64) - np.max(scores)
    exp = np.exp(shifted)
    return exp / exp.sum()


def build_processors(config: GenerationConfig, prompt_length: int) -> list[LogitsProcessor]:
    """The steps ``config`` asks for, in Transformers.js's order."""
    steps: list[LogitsProcessor] = []
    if config.repetition_penalty != 1.0:
        steps.append(repetition_penalty(config.repetition_penalty))
    if config.no_repeat_ngram_size > 0:
        steps.append(no_repeat_ngram(config.no_repeat_ngram_size))
    if config.eos_token_id and config.min_length > 0:
        steps.append(suppress_eos_below(config.min_length, config.eos_token_id))
    if config.eos_token_id and config.min_new_tokens:
        steps.append(suppress_eos_below(config.min_new_tokens, config.eos_token_id, prompt_length))
    if config.do_sample:
        if config.temperature != 1.0:
            steps.append(temperature(config.temperature))
        if config.top_k > 0:
            steps.append(top_k(config.top_k))
        if config.top_p < 1.0:
            steps.append(top_p(config.top_p))
    return steps


def apply_all(steps: Sequence[LogitsProcessor], ids: Ids, scores: np.ndarray) -> np.ndarray:
    for step in steps:
        scores = step(ids, scores)
    return scores
