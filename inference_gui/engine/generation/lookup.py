"""Prompt lookup: guessing the next tokens from the text so far, for greedy decoding to check.

A greedy decoder that is fed ``k`` guessed tokens at once scores all of them in one pass; every
guess that equals the token greedy decoding picks there is kept, so a pass can yield several
tokens for about the cost of one (a step of a real-size decoder waits on reading its weights, not
on the number of positions). The guesses come from the sequence itself (Hugging Face's "prompt
lookup decoding", ``prompt_lookup_num_tokens``): the tokens that followed the latest earlier
occurrence of the sequence's last n-gram. Summaries, answers quoting the prompt, code and the loops
small models fall into repeat themselves, and there the guesses hit.

Guessing is not free: a pass fed 11 tokens took 1.8x a one-token pass on a GPT-2 124M-sized model
(fp32, one thread), where random weights rarely repeat themselves. :class:`Guesser` therefore
sizes each guess from how the last ones fared and keeps guessing only while passes that guessed
yield more tokens per second than passes that did not, measured in the generation itself.

The text is the one token-by-token greedy decoding gives: a guess is only ever kept where it is
that token. The scores of a position fed together with others differ from one fed alone only by
float rounding (~1e-6 at fp32, measured on the fixtures), except in graphs that quantize their
activations per call (q8, int8, uint8: one scale for all the positions fed), where the caller
must not guess.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# Hugging Face's default for prompt_lookup_num_tokens; the longest n-gram looked up.
DEFAULT_GUESSES = 10
MAX_NGRAM = 3
FIRST_SIZE = 4  # tokens guessed at first; +2 after a guess kept whole, -1 after a miss
MAX_PAUSE = 32  # passes without guessing, at most, after guessing proved slower


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


@dataclass
class _Rate:
    """Tokens and seconds of one kind of pass, summed over a generation."""

    tokens: int = 0
    seconds: float = 0.0

    def add(self, tokens: int, seconds: float) -> None:
        self.tokens += tokens
        self.seconds += seconds

    def per_second(self) -> float:
        return self.tokens / self.seconds if self.seconds > 0 else 0.0


class Guesser:
    """How many tokens one generation guesses per pass, from what its guesses have earned.

    ``most`` caps a guess (0: never guess). The size of a guess follows Hugging Face's assisted
    generation schedule (grow by 2 when all were kept, shrink by 1 otherwise). With ``adaptive``,
    after a pass that guessed, guessing pauses when passes that guessed have given fewer tokens
    per second than passes that did not (pauses double while that lasts), and a pass without a
    guess is made to measure the latter when no such pass happened yet.
    """

    def __init__(self, most: int, *, adaptive: bool = True) -> None:
        self.most = max(0, most)
        self.adaptive = adaptive
        self.size = min(self.most, FIRST_SIZE)
        self.plain = _Rate()
        self.guessing = _Rate()
        self.pause = 0
        self.next_pause = 1

    def propose(self, ids: Sequence[int], room: int) -> list[int]:
        """The tokens to check in the next pass, given ``room`` tokens still allowed."""
        if self.pause > 0:
            self.pause -= 1
            return []
        return guess(ids, min(self.size, room - 1))

    def record(self, guessed: int, kept: int, seconds: float) -> None:
        """A pass that checked ``guessed`` tokens, kept ``kept`` of them and took ``seconds``."""
        if not guessed:
            self.plain.add(1, seconds)
            return
        self.guessing.add(kept + 1, seconds)
        self.size = min(self.most, self.size + 2) if kept == guessed else max(1, self.size - 1)
        if not self.adaptive:
            return
        if not self.plain.tokens:
            self.pause = 0 if kept else 1  # a miss: measure a pass without a guess next
        elif self.guessing.per_second() < self.plain.per_second():
            self.pause, self.next_pause = self.next_pause, min(MAX_PAUSE, 2 * self.next_pause)
        else:
            self.next_pause = 1
