"""Each logits processor against what its option means, on hand-made scores."""

from __future__ import annotations

import numpy as np
import pytest

from inference_gui.engine.generation import processors as lp
from inference_gui.engine.generation.config import GenerationConfig


def scores(*values: float) -> np.ndarray:
    return np.array([values], dtype=np.float32)


def test_repetition_penalty_divides_positive_and_multiplies_negative_once_per_token() -> None:
    out = lp.repetition_penalty(2.0)([[1, 2, 1]], scores(4.0, 3.0, -3.0, 5.0))
    # token 1 seen twice but penalised once; token 0 and 3 unseen stay
    np.testing.assert_allclose(out, [[4.0, 1.5, -6.0, 5.0]])


def test_no_repeat_ngram_bans_tokens_that_would_repeat_a_seen_ngram() -> None:
    seen = [5, 6, 7, 5, 6]  # bigram-prefix (6,) was followed by 7; trigram prefix (5, 6) by 7
    assert lp.banned_ngram_tokens(seen, 2) == [7]
    assert lp.banned_ngram_tokens(seen, 3) == [7]
    assert lp.banned_ngram_tokens([5, 6, 7], 3) == []  # (6, 7) never seen before
    assert sorted(lp.banned_ngram_tokens([3, 1, 3], 1)) == [1, 3, 3]  # size 1: every seen token
    out = lp.no_repeat_ngram(2)([seen], np.zeros((1, 9), np.float32))
    assert np.isneginf(out[0, 7]) and np.isfinite(np.delete(out[0], 7)).all()


def test_min_new_tokens_suppresses_eos_only_until_enough_new_tokens() -> None:
    step = lp.suppress_eos_below(2, [0, 3], skip=4)
    early = step([[9, 9, 9, 9, 8]], np.ones((1, 5), np.float32))  # 1 new token
    assert np.isneginf(early[0, [0, 3]]).all() and np.isfinite(early[0, [1, 2, 4]]).all()
    late = step([[9, 9, 9, 9, 8, 8]], np.ones((1, 5), np.float32))  # 2 new tokens
    assert np.isfinite(late).all()


def test_temperature_scales_scores() -> None:
    np.testing.assert_allclose(lp.temperature(0.5)([[0]], scores(1.0, -2.0)), [[2.0, -4.0]])


def test_top_k_keeps_the_k_best() -> None:
    out = lp.top_k(2)([[0]], scores(0.1, 3.0, 2.0, -1.0))
    assert np.isfinite(out[0]).tolist() == [False, True, True, False]


def test_build_order_and_sampling_only_warpers() -> None:
    greedy = GenerationConfig(
        repetition_penalty=1.3, temperature=0.5, top_k=3, eos_token_id=[0], min_new_tokens=2
    )
    assert len(lp.build_processors(greedy, 4, 20)) == 2  # temperature/top-k ignored when greedy
    sampling = GenerationConfig(do_sample=True, temperature=0.5, top_k=3, top_p=0.9)
    assert len(lp.build_processors(sampling, 4, 20)) == 2  # top_p is not applied (as in JS)


def test_forced_tokens_leave_only_them_at_their_length() -> None:
    step = lp.force_tokens([2, 4], at_length=3)
    out = step([[7, 8, 9], [7, 8]], np.ones((2, 5), np.float32))
    assert out[0].tolist() == [-np.inf, -np.inf, 0.0, -np.inf, 0.0]
    assert np.isfinite(out[1]).all()  # a row of another length is left alone
    ignored = lp.force_tokens([99], at_length=1)([[7]], np.ones((1, 3), np.float32))
    assert np.isneginf(ignored).all()  # an id past the vocabulary is ignored, as in JS


def test_suppress_tokens_always_or_only_at_the_first_generated_position() -> None:
    always = lp.suppress([1, 3])([[5], [5, 6]], np.ones((2, 4), np.float32))
    assert np.isneginf(always[:, [1, 3]]).all() and np.isfinite(always[:, [0, 2]]).all()
    begin = lp.suppress([0], at_length=2)([[5, 6], [5, 6, 7]], np.ones((2, 4), np.float32))
    assert np.isneginf(begin[0, 0]) and np.isfinite(begin[1]).all()


def test_bad_words_ban_the_last_token_after_the_rest_of_the_word() -> None:
    step = lp.ban_bad_words([[3], [1, 2], [5, 6, 4]])
    out = step([[9, 1], [5, 6], [6, 5]], np.zeros((3, 7), np.float32))
    banned = [np.flatnonzero(np.isneginf(row)).tolist() for row in out]
    assert banned == [[2, 3], [3, 4], [3]]  # a one-token word is always banned


def config_steps(**fields: object) -> GenerationConfig:
    return GenerationConfig(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fields", "ids", "expected"),
    [
        # forced EOS: the last token before max_length (here 6) must be an end token
        ({"forced_eos_token_id": [1]}, [0, 3, 3, 3, 3], [-np.inf, 0, -np.inf, -np.inf]),
        # forced BOS: right after a one-token decoder start
        ({"forced_bos_token_id": 2}, [0], [-np.inf, -np.inf, 0, -np.inf]),
        ({"suppress_tokens": [0, 3]}, [0, 3], [-np.inf, 1, 1, -np.inf]),
        # begin-suppress: one position later when a forced BOS takes the first one
        (
            {"begin_suppress_tokens": [3], "forced_bos_token_id": 2},
            [0, 2],
            [1, 1, 1, -np.inf],
        ),
        ({"bad_words_ids": [[0, 1]]}, [2, 0], [1, -np.inf, 1, 1]),
        ({"min_length": 4, "eos_token_id": [1]}, [0, 3], [1, -np.inf, 1, 1]),
    ],
)
def test_build_applies_each_option_of_the_generation_config(
    fields: dict, ids: list[int], expected: list[float]
) -> None:
    steps = lp.build_processors(config_steps(**fields), 1, 6)
    out = lp.apply_all(steps, [ids], np.ones((1, 4), np.float32))
    assert out[0].tolist() == expected


@pytest.mark.parametrize("row", [[1.0, 2.0, 3.0], [-np.inf, 0.0, 0.0]])
def test_softmax_is_a_distribution(row: list[float]) -> None:
    probs = lp.softmax(np.array(row, dtype=np.float32))
    assert probs.sum() == pytest.approx(1.0) and (probs >= 0).all()
