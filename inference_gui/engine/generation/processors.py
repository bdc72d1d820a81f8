"""Logits processors: small steps that each reshape the next-token scores for one option.

Each step takes the token ids so far (one list per row, prompt included) and the float32 scores of
shape ``(rows, vocab)``, and returns the scores (changed in place where that is cheaper). The order
and the meaning follow Transformers.js's ``_get_logits_processor``: repetition penalty, no-repeat
n-grams, bad words, minimum lengths, forced first and last tokens, suppressed tokens (always, and at
the first generated position), then, only when sampling, the temperature and the top-k / top-p
filters. Token ids past the vocabulary are ignored, as writes past a JavaScript typed array are.
Transformers.js applies top-k inside its sampler and does not apply top-p at all; here both are
filters with Hugging Face transformers' meaning, which for top-k gives the same distribution.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from inference_gui.engine.generation.config import GenerationConfig

Ids = Sequence[Sequence[int]]
LogitsProcessor = Callable[[Ids, np.ndarray], np.ndarray]


def repetition_penalty(penalty: float) -> LogitsProcessor:
    """Make every token already present less likely.

    Positive scores are divided, negative ones multiplied (CTRL paper), once per distinct token.
    """

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
    """Forbid end-of-sequence while fewer than ``min_length`` tokens past the first ``skip`` exist.

    ``min_length`` counts the prompt, ``min_new_tokens`` skips it.
    """
    eos_ids = list(eos)

    def apply(ids: Ids, scores: np.ndarray) -> np.ndarray:
        for row, seen in enumerate(ids):
            if len(seen) - skip < min_length:
                scores[row, eos_ids] = -np.inf
        return scores

    return apply


def ban_bad_words(words: Sequence[Sequence[int]]) -> LogitsProcessor:
    """Forbid the last token of each banned word when the row ends with the word's other tokens.

    A one-token word is always forbidden.
    """

    def apply(ids: Ids, scores: np.ndarray) -> np.ndarray:
        for row, seen in enumerate(ids):
            for word in words:
                head = list(word[:-1])
                if len(seen) >= len(head) and list(seen[len(seen) - len(head) :]) == head:
                    scores[row, _in_vocab([word[-1]], scores)] = -np.inf
        return scores

    return apply


def force_tokens(tokens: Sequence[int], at_length: int) -> LogitsProcessor:
    """Leave only ``tokens`` possible for rows that are ``at_length`` long.

    That serves the forced first token (after the decoder start) and the forced end-of-sequence at
    the last step.
    """
    allowed = list(tokens)

    def apply(ids: Ids, scores: np.ndarray) -> np.ndarray:
        for row, seen in enumerate(ids):
            if len(seen) == at_length:
                scores[row] = -np.inf
                scores[row, _in_vocab(allowed, scores)] = 0.0
        return scores

    return apply


def suppress(tokens: Sequence[int], at_length: int | None = None) -> LogitsProcessor:
    """Forbid ``tokens`` at every step, or only for rows ``at_length`` long.

    The latter is the first generated position, for ``begin_suppress_tokens``.
    """
    banned = list(tokens)

    def apply(ids: Ids, scores: np.ndarray) -> np.ndarray:
        for row, seen in enumerate(ids):
            if at_length is None or len(seen) == at_length:
                scores[row, _in_vocab(banned, scores)] = -np.inf
        return scores

    return apply


def _in_vocab(tokens: Sequence[int], scores: np.ndarray) -> list[int]:
    return [t for t in tokens if 0 <= t < scores.shape[-1]]


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


def softmax(scores: np.ndarray) -> np.ndarray:
    """Probabilities from scores, in float64, safe with ``-inf`` entries."""
    shifted = scores.astype(np.float64) - np.max(scores)
    exp = np.exp(shifted)
    return exp / exp.sum()


def build_processors(
    config: GenerationConfig, prompt_length: int, max_length: int
) -> list[LogitsProcessor]:
    """The steps ``config`` asks for, in Transformers.js's order.

    ``max_length`` is the length the rows stop at (prompt included), whose last token a
    ``forced_eos_token_id`` takes.
    """
    steps: list[LogitsProcessor] = []
    if config.repetition_penalty != 1.0:
        steps.append(repetition_penalty(config.repetition_penalty))
    if config.no_repeat_ngram_size > 0:
        steps.append(no_repeat_ngram(config.no_repeat_ngram_size))
    if config.bad_words_ids:
        steps.append(ban_bad_words(config.bad_words_ids))
    if config.eos_token_id and config.min_length > 0:
        steps.append(suppress_eos_below(config.min_length, config.eos_token_id))
    if config.eos_token_id and config.min_new_tokens:
        steps.append(suppress_eos_below(config.min_new_tokens, config.eos_token_id, prompt_length))
    if config.forced_bos_token_id is not None:
        steps.append(force_tokens([config.forced_bos_token_id], 1))
    if config.forced_eos_token_id:
        steps.append(force_tokens(config.forced_eos_token_id, max_length - 1))
    if config.suppress_tokens:
        steps.append(suppress(config.suppress_tokens))
    if config.begin_suppress_tokens:
        # the first generated position; one later when a forced BOS takes it after a 1-token start
        begin = prompt_length + (
            1 if prompt_length == 1 and config.forced_bos_token_id is not None else 0
        )
        steps.append(suppress(config.begin_suppress_tokens, begin))
    if config.do_sample:
        if config.temperature != 1.0:
            steps.append(temperature(config.temperature))
        if config.top_k > 0:
            steps.append(top_k(config.top_k))  # top_p: Transformers.js does not apply it
    return steps


def apply_all(steps: Sequence[LogitsProcessor], ids: Ids, scores: np.ndarray) -> np.ndarray:
    for step in steps:
        scores = step(ids, scores)
    return scores
