"""Streaming: text handed out as tokens are decoded, for the Inference pane and the CLI."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

REPLACEMENT = "\ufffd"


class Streamer(Protocol):
    """Receives each step's new tokens while generation runs, then ``end()`` once."""

    def put(self, tokens: Mapping[int, int]) -> None:
        """``tokens`` maps each still-running row to the token it just generated."""

    def end(self) -> None: ...


class TextStreamer:
    """Turns tokens into text pieces: ``on_text(row, piece)`` as soon as a piece is final.

    The row's tokens are decoded as a whole at every step and only the new tail is handed out, so
    multi-token characters come out right. A tail ending in U+FFFD is held back while it may be a
    byte-level token waiting for the rest of its UTF-8 sequence; ``end()`` flushes whatever is left
    (then U+FFFD is what the final text has too).
    """

    def __init__(
        self,
        decode: Callable[[Sequence[int]], str],
        on_text: Callable[[int, str], None],
    ) -> None:
        self._decode = decode
        self._on_text = on_text
        self._tokens: dict[int, list[int]] = {}
        self._sent: dict[int, str] = {}

    def put(self, tokens: Mapping[int, int]) -> None:
        for row, token in tokens.items():
            self._tokens.setdefault(row, []).append(token)
            self._emit(row, final=False)

    def end(self) -> None:
        for row in self._tokens:
            self._emit(row, final=True)

    def _emit(self, row: int, *, final: bool) -> None:
        text = self._decode(self._tokens[row])
        if not final:
            text = text.rstrip(REPLACEMENT)
        sent = self._sent.get(row, "")
        if len(text) > len(sent) and text.startswith(sent):
            self._on_text(row, text[len(sent) :])
            self._sent[row] = text
