"""Prompt lookup: guessing the next tokens from the text so far, for greedy decoding to check.

A greedy decoder that is fed ``k`` guessed tokens at once scores all of them in one pass; every
guess that equals the token greedy decoding picks there is kept, so a pass can yield several
tokens for about the cost of one (a step of a real-size decoder waits on reading its weights, not
on the number of positions). The guesses come from the sequence itself (Hugging Face's "prompt
lookup decoding", ``prompt_lookup_num_tokens``): the tokens that followed the latest earlier
occurrence of the sequence's last n-gram. Summaries, answers quoting the prompt, code and the loops
small models fall into repeat themselves, and there the guesses hit.

The text is the one token-by-token greedy decoding gives: a guess is only ever kept where it is
that token. The scores of a position fed together with others differ from one fed alone only by
float rounding (~1e-6 at fp32, measured on the fixtures), except in graphs that quantize their
activations per call (q8, int8, uint8: one scale for all the positions fed), where the caller
must not guess.
"""

from __future__ import annotations

from collections.abc import Sequence

# Hugging Face's default for prompt_lookup_num_tokens; the longest n-gram looked up.
DEFAULT_GUESSES = 10
MAX_NGRAM = 3


def guess(ids: Sequence[int], count: int, max_ngram: int = MAX_NGRAM) -> list[int]:
    """Up to ``count`` tokens that followed the latest earlier occurrence of the last n-gram.

    The longest n-gram (up to ``max_ngram`` tokens) that occurred before wins, the latest one
    among equals; nothing found (or ``count`` < 1) is an empty list. One backward scan for the
    last token, so a step costs microseconds even at thousands of tokens.
    """
    length = len(ids)
    if count < 1 or length < 2:
        return []
    last = ids[-1]
    best, best_at = 0, -1
    for at in range(length - 2, -1, -1):
        if ids[at] != last:
            continue
        n = 1
        while n < max_ngram and at - n >= 0 and ids[at - n] == ids[length - 1 - n]:
            n += 1
        if n > best:
            best, best_at = n, at
            if n == max_ngram:
                break
    return [] if best_at < 0 else list(ids[best_at + 1 : best_at + 1 + count])
