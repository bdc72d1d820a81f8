"""Length-sorted micro-batches: a text batch runs as a few shorter batches of similar lengths.

One padded batch makes every short sentence cost as much as the longest. When a task reads no
padded position of the output (pooled embeddings, per-row logits), its rows can run sorted by
length in groups padded only to their own longest row; the outputs are put back in input order
and at the full width (zeros at the padded positions, which the task never reads), so the task's
post-processing sees the same arrays as for one batch, up to float rounding.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

# What one extra run costs, in token positions of work: measured on an all-MiniLM-L6-v2-sized
# encoder with one thread, a run's fixed part is ~3 tokens' worth at q8 and ~28 at fp32 (the
# weights are streamed once per run). Erring high keeps groups few.
FIXED_TOKENS = 32
# Longest group the planner considers: bounds its work at O(n * MAX_GROUP) for big batches.
MAX_GROUP = 256

RunFeeds = Callable[[dict[str, np.ndarray]], dict[str, np.ndarray]]


def length_groups(lengths: Sequence[int], fixed_tokens: int = FIXED_TOKENS) -> list[list[int]]:
    """Row indices in groups of similar length: fewest positions run, ``fixed_tokens`` per group.

    Exact over groups of consecutive sorted lengths (dynamic programming); one group (all rows)
    when splitting saves nothing.
    """
    n = len(lengths)
    order = sorted(range(n), key=lambda i: lengths[i])
    sorted_lengths = np.array([lengths[i] for i in order], dtype=np.float64)
    best = np.zeros(n + 1)
    start = np.zeros(n + 1, dtype=np.int64)
    for end in range(1, n + 1):
        first = max(0, end - MAX_GROUP)
        starts = np.arange(first, end)
        costs = best[first:end] + fixed_tokens + (end - starts) * sorted_lengths[end - 1]
        pick = int(np.argmin(costs))
        best[end], start[end] = costs[pick], first + pick
    groups: list[list[int]] = []
    end = n
    while end > 0:
        groups.append(order[start[end] : end])
        end = int(start[end])
    return groups[::-1]


def sequence_outputs(inputs: Sequence[Any], outputs: Sequence[Any]) -> set[str] | None:
    """Names of the outputs whose axis 1 is the input sequence, from the graph's symbolic dims.

    None when the dims cannot tell (an output not batched along ``input_ids``' batch axis, or an
    axis 1 of another symbolic size): such a graph runs as one batch.
    """
    ids = next((i for i in inputs if i.name == "input_ids"), None)
    if ids is None or len(ids.shape) != 2 or not all(isinstance(d, str) for d in ids.shape):
        return None
    batch, sequence = ids.shape
    found: set[str] = set()
    for output in outputs:
        shape = output.shape
        if not shape or shape[0] != batch:
            return None
        if len(shape) >= 2 and shape[1] == sequence:
            found.add(output.name)
        elif len(shape) >= 2 and isinstance(shape[1], str):
            return None
    return found


def run_in_groups(
    feeds: Mapping[str, np.ndarray],
    mask: np.ndarray,
    groups: list[list[int]],
    sequence_names: set[str],
    run: RunFeeds,
) -> dict[str, np.ndarray]:
    """Run ``feeds`` (arrays shaped (batch, width)) group by group; outputs in row order.

    Each group is cut to the columns its rows use (by ``mask``, so left or right padding alike);
    sequence outputs are put back at the full width.
    """
    rows, width = mask.shape
    merged: dict[str, np.ndarray] = {}
    for group in groups:
        used = np.flatnonzero(mask[group].any(axis=0))
        cols = slice(int(used[0]), int(used[-1]) + 1) if used.size else slice(0, 0)
        part = run({k: v[group, cols] for k, v in feeds.items()})
        for name, value in part.items():
            if name not in merged:
                shape = (rows, width, *value.shape[2:]) if name in sequence_names else None
                merged[name] = np.zeros(shape or (rows, *value.shape[1:]), dtype=value.dtype)
            if name in sequence_names:
                merged[name][group, cols] = value
            else:
                merged[name][group] = value
    return merged
