"""Length-sorted micro-batches: same results in input order, fewer padded positions run."""

from __future__ import annotations

import itertools
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from inference_gui.engine import RunInput, batching
from inference_gui.engine.batching import length_groups, sequence_outputs
from inference_gui.engine.tasks.base import RunContext
from tests.parity.support import assert_matches
from tests.unit.engine.conftest import fixture_engine

# 3 short and 3 long texts, interleaved so sorting must reorder them
SHORT = ["Hi.", "Great film!", "No."]
LONG = [
    "firefox runs machine learning models locally on your computer " * 4,
    "the quick brown fox jumps over the lazy dog and keeps running far away " * 3,
    "a long review that goes on and on about the plot, the actors and the music " * 3,
]
MIXED = [t for pair in zip(SHORT, LONG, strict=True) for t in pair]
TOL = 1e-5  # float rounding from other padded widths; parity with Transformers.js is 1e-4


def padded_positions(groups: list[list[int]], lengths: list[int]) -> int:
    return sum(len(g) * max(lengths[i] for i in g) for g in groups)


@pytest.mark.parametrize(
    "lengths", [[5, 60, 7, 58, 6, 30, 31, 8], [10, 11, 12, 10], [5, 100], list(range(3, 90))]
)
def test_groups_cover_every_row_once_and_never_cost_more(lengths: list[int]) -> None:
    groups = length_groups(lengths)
    assert sorted(itertools.chain(*groups)) == list(range(len(lengths)))
    cost = padded_positions(groups, lengths) + batching.FIXED_TOKENS * len(groups)
    assert cost <= padded_positions([list(range(len(lengths)))], lengths) + batching.FIXED_TOKENS


def test_similar_lengths_stay_one_batch_and_far_apart_ones_split() -> None:
    assert len(length_groups([10, 11, 12, 10])) == 1
    assert length_groups([5, 100, 6]) == [[0, 2], [1]]


def test_outputs_of_unknown_dims_keep_one_batch() -> None:
    def arg(name: str, *shape: Any) -> SimpleNamespace:
        return SimpleNamespace(name=name, shape=list(shape))

    ids = arg("input_ids", "batch", "seq")
    assert sequence_outputs([ids], [arg("h", "batch", "seq", 8)]) == {"h"}
    assert sequence_outputs([ids], [arg("logits", "batch", 3)]) == set()
    assert sequence_outputs([ids], [arg("h", "batch", "other", 8)]) is None
    assert sequence_outputs([ids], [arg("h", 1, "seq", 8)]) is None


def counting_runs(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """Record the (rows, width) of every session run."""
    shapes: list[tuple[int, int]] = []
    real = RunContext.run

    def run(self: RunContext, base: str, feeds: Any, outputs: Any = None) -> Any:
        shapes.append(feeds["input_ids"].shape)
        return real(self, base, feeds, outputs)

    monkeypatch.setattr(RunContext, "run", run)
    return shapes


def one_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    from inference_gui.engine.tasks import base

    monkeypatch.setattr(base, "length_groups", lambda lengths: [list(range(len(lengths)))])


@pytest.mark.parametrize(
    ("task", "model", "options"),
    [
        ("feature-extraction", "bert-embed", {"pooling": "mean", "normalize": True}),
        ("feature-extraction", "bert-embed", {"pooling": "cls"}),
        ("text-classification", "bert-sentiment", {"top_k": 2}),
    ],
)
def test_micro_batches_match_one_padded_batch_in_input_order(
    monkeypatch: pytest.MonkeyPatch, task: str, model: str, options: dict
) -> None:
    engine = fixture_engine(task, model)
    shapes = counting_runs(monkeypatch)
    split = engine.run(RunInput.text(MIXED), options).output
    assert len(shapes) == 2 and sorted(rows for rows, _ in shapes) == [3, 3]
    assert min(width for _, width in shapes) < max(width for _, width in shapes)
    with monkeypatch.context() as patch:
        one_batch(patch)
        whole = engine.run(RunInput.text(MIXED), options).output
    assert len(shapes) == 3 and shapes[-1][0] == 6
    assert_matches(split, whole, TOL)
    singles = [engine.run(RunInput.text(t), options).output for t in MIXED]
    if task == "feature-extraction":
        assert_matches(split["data"], [s["data"][0] for s in singles], TOL)
    else:
        assert_matches(split, singles, TOL)


@pytest.mark.parametrize("pooling", ["none", "last_token"])
def test_outputs_that_read_padding_run_as_one_batch(
    monkeypatch: pytest.MonkeyPatch, pooling: str
) -> None:
    """Padded positions' hidden states are part of these outputs, as in Transformers.js."""
    shapes = counting_runs(monkeypatch)
    output = (
        fixture_engine("feature-extraction", "bert-embed")
        .run(RunInput.text(MIXED), {"pooling": pooling})
        .output
    )
    assert len(shapes) == 1 and output["dims"][0] == 6


def test_left_padding_is_cut_from_the_left() -> None:
    mask = np.array([[0, 0, 1, 1], [1, 1, 1, 1], [0, 0, 0, 1]])
    feeds = {"input_ids": np.arange(12).reshape(3, 4)}
    seen: list[np.ndarray] = []

    def run(f: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        seen.append(f["input_ids"])
        return {"h": f["input_ids"][:, :, None] * 1.0, "pooled": f["input_ids"][:, -1:] * 1.0}

    merged = batching.run_in_groups(feeds, mask, [[0, 2], [1]], {"h"}, run)
    assert seen[0].tolist() == [[2, 3], [10, 11]]
    assert merged["h"][:, :, 0].tolist() == [[0, 0, 2, 3], [4, 5, 6, 7], [0, 0, 10, 11]]
    assert merged["pooled"][:, 0].tolist() == [3, 7, 11]


@pytest.mark.parametrize("dtype", ["q8", "int8", "uint8"])
def test_dynamically_quantized_graphs_run_one_padded_batch(
    monkeypatch: pytest.MonkeyPatch, dtype: str
) -> None:
    """Their activation scale is taken over the whole batch, so only the one padded batch
    Transformers.js runs gives its numbers: no micro-batches, even where fp32 would split."""
    engine = fixture_engine("feature-extraction", "bert-embed", dtype=dtype)
    shapes = counting_runs(monkeypatch)
    engine.run(RunInput.text(MIXED), {"pooling": "mean"})
    assert [rows for rows, _ in shapes] == [len(MIXED)]
