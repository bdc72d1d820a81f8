"""The CTC counterpart of teacher forcing: is Transformers.js's transcript one our logits allow?

A CTC model's text is the frame-by-frame argmax, collapsed. On the dynamically quantized dtypes
(q8, int8, uint8) a frame whose two best tokens are nearly tied may pick the other one on another
CPU, so the texts are not compared exactly. What holds on every machine: some path of tokens, each
within ``margin`` of its frame's top logit in our run, decodes to the reference text exactly. A
real bug (unnormalised samples, a wrong frame rate, other logits) leaves no such path.

The search is the CTC alignment over "transparent" tokens (the special tokens, which Transformers.js
drops before collapsing repeats) and the reference's tokens (characters, the word delimiter for a
space, optionally one at either end, which the decoder trims); the path found is decoded with the
engine's own decoder and must give the reference text.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from inference_gui.engine.preprocess.text import TextTokenizer, special_token_ids
from inference_gui.engine.tasks.ctc_speech_recognition import ctc_text


def aligned_path(
    logits: np.ndarray, targets: Sequence[int], transparent: set[int], margin: float
) -> list[int] | None:
    """A path over ``logits`` (frames x vocabulary) that collapses to ``targets``, every token
    within ``margin`` of its frame's best (the closest one where there is a choice), or None."""
    frames = len(logits)
    allowed = [set(np.flatnonzero(row >= row.max() - margin).tolist()) for row in logits]
    # reach[t][j]: after frame t, j targets emitted (the last one possibly still repeating)
    reach = np.zeros((frames + 1, len(targets) + 1), dtype=bool)
    reach[0][0] = True
    choice: dict[tuple[int, int], tuple[int, int]] = {}
    for t in range(frames):
        stay = [v for v in allowed[t] if v in transparent]
        for j in np.flatnonzero(reach[t]):
            moves = [(j, v) for v in stay]
            if j > 0 and targets[j - 1] in allowed[t]:
                moves.append((j, targets[j - 1]))
            if j < len(targets) and targets[j] in allowed[t]:
                moves.append((j + 1, targets[j]))
            for to, token in moves:
                if not reach[t + 1][to]:
                    reach[t + 1][to] = True
                    choice[(t + 1, to)] = (int(j), token)
    if not reach[frames][len(targets)]:
        return None
    path, j = [], len(targets)
    for t in range(frames, 0, -1):
        j, token = choice[(t, j)]
        path.append(token)
    return path[::-1]


def reference_path(
    tokenizer: TextTokenizer, logits: np.ndarray, reference: str, margin: float
) -> list[int] | None:
    """A near-greedy path whose transcript is ``reference``, or None."""
    backend = tokenizer.backend
    delimiter = backend.decoder.word_delimiter_token
    spelled = [delimiter if c == " " else c for c in reference]
    ids = [backend.token_to_id(t) for t in spelled]
    if None in ids:
        return None
    edge = backend.token_to_id(delimiter)
    for targets in (ids, [edge, *ids], [*ids, edge], [edge, *ids, edge]):
        path = aligned_path(logits, targets, special_token_ids(backend), margin)
        if path is not None and ctc_text(tokenizer, path) == reference:
            return path
    return None
