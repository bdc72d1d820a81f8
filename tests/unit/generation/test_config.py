"""Option layering, checks and the length bound."""

from __future__ import annotations

import pytest

from inference_gui.engine.generation.config import (
    FALLBACK_MAX_POSITIONS,
    model_max_positions,
    plan_length,
    resolve_generation_config,
)
from inference_gui.errors import EngineError


def test_layers_model_config_then_generation_config_then_options() -> None:
    config = resolve_generation_config(
        {"eos_token_id": 5, "max_length": 10, "decoder": {"pad_token_id": 7}},
        {"eos_token_id": [1, 2], "max_length": 30},
        {"max_length": 40, "unknown_option": 1},
    )
    assert config.eos_token_id == [1, 2]
    assert config.max_length == 40
    assert config.pad_token_id == 7  # from the decoder sub-config (VisionEncoderDecoder layout)


def test_eos_falls_back_to_config_json() -> None:
    assert resolve_generation_config({"eos_token_id": 3}, None, {}).eos_token_id == [3]


def test_token_constraints_come_from_config_json_as_bart_keeps_them() -> None:
    config = resolve_generation_config(
        {"forced_bos_token_id": 0, "forced_eos_token_id": 2, "bad_words_ids": [[58100]]},
        {"suppress_tokens": [5], "begin_suppress_tokens": 7},
        {},
    )
    assert (config.forced_bos_token_id, config.forced_eos_token_id) == (0, [2])
    assert config.bad_words_ids == [[58100]]
    assert (config.suppress_tokens, config.begin_suppress_tokens) == ([5], [7])


def test_a_huge_bad_value_is_quoted_only_in_part() -> None:
    with pytest.raises(EngineError) as caught:
        resolve_generation_config({}, {}, {"suppress_tokens": ["x"] * 1_000_000})
    assert "suppress_tokens" in caught.value.message and len(caught.value.message) < 300


def test_temperature_zero_means_greedy() -> None:
    assert not resolve_generation_config({}, {}, {"do_sample": True, "temperature": 0}).do_sample


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"max_new_tokens": 0}, "max_new_tokens"),
        ({"max_new_tokens": "8"}, "max_new_tokens"),
        ({"top_p": 1.5}, "top_p"),
        ({"do_sample": True, "temperature": -1}, "temperature"),
        ({"repetition_penalty": 0}, "repetition_penalty"),
        ({"num_beams": 0}, "num_beams"),
        ({"num_return_sequences": 2}, "needs sampling"),
        ({"eos_token_id": "x"}, "eos_token_id"),
        ({"forced_eos_token_id": -2}, "forced_eos_token_id"),
        ({"forced_bos_token_id": "0"}, "forced_bos_token_id"),
        ({"suppress_tokens": [1, None]}, "suppress_tokens"),
        ({"begin_suppress_tokens": 1.5}, "begin_suppress_tokens"),
        ({"bad_words_ids": [3, 4]}, "bad_words_ids"),
        ({"bad_words_ids": [[]]}, "bad_words_ids"),
        ({"guidance_scale": 3.0}, "guidance is not supported"),
        ({"guidance_scale": "x"}, "guidance_scale"),
    ],
)
def test_bad_options_are_one_clear_error(options: dict, words: str) -> None:
    with pytest.raises(EngineError, match=words) as caught:
        resolve_generation_config({}, {}, options)
    assert caught.value.hint


def test_max_new_tokens_is_bounded_by_the_model_and_says_so() -> None:
    config = resolve_generation_config({}, {}, {"max_new_tokens": 10**9})
    plan = plan_length(config, prompt_length=5, max_positions=128)
    assert plan.max_length == 128
    assert "reduced to 123 new tokens" in plan.notes[0] and "128" in plan.notes[0]
    assert plan_length(config, 5, None).max_length == FALLBACK_MAX_POSITIONS
    small = resolve_generation_config({}, {}, {"max_new_tokens": 8})
    assert plan_length(small, 5, 128).max_length == 13 and not plan_length(small, 5, 128).notes


def test_prompt_longer_than_the_model_is_refused() -> None:
    with pytest.raises(EngineError, match="at most 128"):
        plan_length(resolve_generation_config({}, {}, {}), prompt_length=128, max_positions=128)


def test_model_max_positions_reads_gpt2_and_decoder_configs() -> None:
    assert model_max_positions({"n_positions": 128}) == 128
    assert model_max_positions({"decoder": {"n_positions": 64}}) == 64
    assert model_max_positions({"d_model": 64}) is None
