"""Ranked outputs: near-tied items may swap (another CPU's rounding), nothing else may differ."""

from __future__ import annotations

import pytest

from tests.parity.support import assert_matches

REFERENCE = [{"label": "cat", "score": 0.500}, {"label": "dog", "score": 0.495}]


def test_items_within_twice_the_tolerance_may_swap() -> None:
    swapped = [{"label": "dog", "score": 0.496}, {"label": "cat", "score": 0.499}]
    assert_matches(swapped, REFERENCE, tol=1e-2)


def test_items_further_apart_may_not_swap() -> None:
    swapped = [{"label": "dog", "score": 0.495}, {"label": "cat", "score": 0.500}]
    with pytest.raises(AssertionError):
        assert_matches(swapped, REFERENCE, tol=1e-3)


def test_a_label_the_reference_does_not_have_is_refused() -> None:
    other = [{"label": "cat", "score": 0.500}, {"label": "cat", "score": 0.495}]
    with pytest.raises(AssertionError, match="other items"):
        assert_matches(other, REFERENCE, tol=1e-2)
