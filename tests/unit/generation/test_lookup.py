"""Prompt lookup: guessed tokens checked in one pass give the text of one-token-per-pass greedy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from tokenizers import Tokenizer

from inference_gui.engine import EngineOptions, RunInput, create_engine
from inference_gui.engine.generation import (
    Decoder,
    GenerationOutput,
    TextStreamer,
    generate,
    model_max_positions,
    resolve_generation_config,
)
from inference_gui.engine.generation import pipeline as pipeline_module
from inference_gui.engine.generation.lookup import FIRST_SIZE, Guesser, guess
from inference_gui.engine.option_schema import check_options
from inference_gui.engine.sources import folder_hub
from tests.paths import HUB
from tests.unit.generation.conftest import RecordingSession, open_session, read_json
from tests.unit.generation.test_loop import reference_greedy

PROMPT = "Once upon a time"
SUFFIX = {"fp32": "", "fp16": "_fp16", "q4": "_q4", "bnb4": "_bnb4"}


@pytest.mark.parametrize(
    ("ids", "count", "expected"),
    [
        ([1, 2, 3, 4, 1, 2, 3], 3, [4, 1, 2]),  # the 3-gram 1 2 3 seen before
        ([1, 2, 3, 1, 5, 2, 3, 1], 2, [5, 2]),  # 2 3 1 beats the later lone 1
        ([5, 1, 2, 9, 7, 1, 2], 5, [9, 7, 1, 2]),  # as many as there are
        ([4, 8, 1, 9, 8, 2, 8], 1, [2]),  # the latest of equal matches
        ([1, 2, 3], 4, []),  # 3 never seen before
        ([7, 7], 0, []),
        ([7], 3, []),
    ],
)
def test_guess_takes_what_followed_the_latest_longest_match(
    ids: list[int], count: int, expected: list[int]
) -> None:
    assert guess(ids, count) == expected


def run(
    folder: Path, dtype: str, options: dict[str, Any], guesses: int, **kwargs: Any
) -> GenerationOutput:
    """Greedy generation with up to ``guesses`` tokens checked per pass, never paused (timing
    decides pauses in the engine; the mechanism is tested on its own here)."""
    config = read_json(folder / "config.json")
    generation_config = read_json(folder / "generation_config.json")
    decoder = kwargs.pop("decoder", None) or Decoder(
        open_session(folder / "onnx" / f"model{SUFFIX[dtype]}.onnx"), folder.name, config
    )
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    ids = np.array([tokenizer.encode(PROMPT, add_special_tokens=False).ids])
    resolved = resolve_generation_config(config, generation_config, options)
    return generate(
        decoder,
        ids,
        resolved,
        max_positions=model_max_positions(config),
        guesser=Guesser(guesses, adaptive=False),
        **kwargs,
    )


LOOP = [1, 2, 3, 1, 2, 3, 1, 2]  # guess() finds 3 1 2 ... after it


def test_guess_size_grows_when_kept_whole_and_shrinks_after_a_miss() -> None:
    guesser = Guesser(10, adaptive=False)
    sizes = []
    for kept_all in (True, True, True, True, False, False, True):
        sizes.append(guesser.size)
        guessed = guesser.size
        guesser.record(guessed, guessed if kept_all else 0, 0.01)
    assert sizes == [FIRST_SIZE, 6, 8, 10, 10, 9, 8]
    assert Guesser(0).propose(LOOP, room=50) == []
    assert len(Guesser(10).propose(LOOP * 3, room=3)) == 2  # room for the guesses + 1


def test_guessing_pauses_while_it_is_slower_than_not_guessing() -> None:
    guesser = Guesser(10)
    guesser.record(0, 0, 0.020)  # a pass without a guess: 50 tokens/s
    guesser.record(4, 0, 0.030)  # 1 token in 30 ms: slower
    assert [guesser.propose(LOOP, 50) for _ in range(2)][0] == []  # paused one pass
    guesser.record(3, 0, 0.030)  # still slower: the pause doubles
    assert [bool(guesser.propose(LOOP, 50)) for _ in range(3)] == [False, False, True]
    guesser.record(3, 3, 0.030)  # 4 tokens in 30 ms: now guessing pays
    guesser.record(5, 5, 0.030)
    assert all(guesser.propose(LOOP, 50) for _ in range(5))


def test_a_miss_before_any_plain_pass_makes_one_to_compare_with() -> None:
    guesser = Guesser(10)
    guesser.record(4, 4, 0.03)  # kept: go on guessing
    assert guesser.propose(LOOP, 50)
    guesser.record(4, 0, 0.03)  # a miss, and nothing to compare with yet
    assert guesser.propose(LOOP, 50) == []
    assert guesser.propose(LOOP, 50)


@pytest.mark.parametrize(
    ("model", "dtype"),
    [("gpt2", "fp32"), ("gpt2", "q4"), ("llama-chat", "fp32"), ("gemma-chat", "bnb4")]
    + [("gemma-chat", "fp16"), ("phi3-chat", "fp32")],
)
def test_guessing_gives_the_text_of_one_token_per_pass(model: str, dtype: str) -> None:
    folder = HUB / "tiny" / model / "v1.0.0"
    options = {"max_new_tokens": 48}
    plain = run(folder, dtype, options, guesses=0)
    guessed = run(folder, dtype, options, guesses=10)
    assert guessed.sequences == plain.sequences
    assert plain.passes == plain.steps == 48
    assert guessed.passes < guessed.steps == 48  # the fixtures repeat themselves: guesses hit


@pytest.mark.parametrize(("penalty", "ngram"), [(1.0, 0), (1.3, 3)])
def test_guessing_matches_greedy_recomputed_from_scratch(penalty: float, ngram: int) -> None:
    """Processors see each guessed position's own prefix: repetition penalty and n-gram bans
    give the independently written reference's text."""
    folder = HUB / "tiny" / "gpt2" / "v1.0.0"
    session = open_session(folder / "onnx" / "model.onnx")
    options = {"max_new_tokens": 24, "repetition_penalty": penalty, "no_repeat_ngram_size": ngram}
    out = run(folder, "fp32", options, guesses=10)
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    prompt = tokenizer.encode(PROMPT, add_special_tokens=False).ids
    assert out.sequences[0] == reference_greedy(session, prompt, 24, penalty, ngram)


def test_each_pass_starts_from_the_tokens_kept_so_far() -> None:
    """After a wrong guess the cache is cut back: every pass's past is exactly the text so far."""
    folder = HUB / "tiny" / "gpt2" / "v1.0.0"
    recording = RecordingSession(open_session(folder / "onnx" / "model.onnx"))
    decoder = Decoder(recording, "recorded")  # type: ignore[arg-type]
    out = run(folder, "fp32", {"max_new_tokens": 40}, guesses=10, decoder=decoder)
    calls = recording.calls[1:]  # after the prompt's pass
    assert len(calls) + 1 == out.passes < 40
    fed = [call["input_ids"][1] for call in calls]
    known = [call["past_key_values.0.key"][2] + 1 for call in calls]  # past + the token fed first
    for call, width, start in zip(calls, fed, known, strict=True):
        assert call["attention_mask"] == (1, start - 1 + width)
        assert call["position_ids"] == (1, width)
    assert known[0] == out.prompt_length + 1
    kept = [
        later - start
        for start, later in zip(known, [*known[1:], len(out.sequences[0])], strict=True)
    ]
    assert all(1 <= n <= width for n, width in zip(kept, fed, strict=True))
    assert any(n > 1 for n in kept)  # guesses were kept
    assert any(n < width for n, width in zip(kept, fed, strict=True))  # and some cut back


def test_guesses_stop_at_max_new_tokens_and_at_the_end_of_sequence() -> None:
    folder = HUB / "tiny" / "gpt2" / "v1.0.0"
    for count in (1, 2, 5, 13):
        out = run(folder, "fp32", {"max_new_tokens": count}, guesses=10)
        assert len(out.new_tokens[0]) == count
    plain = run(folder, "fp32", {"max_new_tokens": 40}, guesses=0).new_tokens[0]
    # a token of the loop the fixture falls into, seen first well into the text
    stop = next(t for i, t in enumerate(plain) if i > 10 and plain.index(t) > 10)
    options = {"max_new_tokens": 40, "eos_token_id": stop}
    guessed = run(folder, "fp32", options, guesses=10)
    assert guessed.new_tokens[0] == plain[: plain.index(stop) + 1]


def test_streaming_hands_out_each_kept_token_once() -> None:
    folder = HUB / "tiny" / "gpt2" / "v1.0.0"
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    pieces: list[str] = []

    def decode(ids: Any) -> str:
        return tokenizer.decode(list(ids), skip_special_tokens=True)

    streamer = TextStreamer(decode, lambda _row, text: pieces.append(text))
    out = run(folder, "fp32", {"max_new_tokens": 40}, guesses=10, streamer=streamer)
    assert out.passes < 40
    assert "".join(pieces) == decode(out.new_tokens[0])


@pytest.mark.parametrize(
    ("dtype", "options", "expected"),
    [
        ("fp32", {}, 10),
        ("q4", {"prompt_lookup_num_tokens": 3}, 3),
        ("fp32", {"prompt_lookup_num_tokens": 0}, 0),
        # one activation scale per call: positions fed together would score differently
        ("q8", {}, 0),
        ("q8", {"prompt_lookup_num_tokens": 5}, 0),
    ],
)
def test_the_engine_guesses_only_where_the_text_cannot_change(
    monkeypatch: pytest.MonkeyPatch, dtype: str, options: dict[str, Any], expected: int
) -> None:
    asked: list[int] = []
    real = pipeline_module.generate

    def spy(*args: Any, **kwargs: Any) -> GenerationOutput:
        asked.append(kwargs["guesser"].most)
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline_module, "generate", spy)
    engine = create_engine(
        EngineOptions(
            task="text-generation",
            model_id="tiny/gpt2",
            revision="v1.0.0",
            dtype=dtype,
            num_threads=1,
        ),
        folder_hub(HUB),
    )
    out = engine.run(RunInput.text(PROMPT), {"max_new_tokens": 12, **options})
    assert asked == [expected]
    assert out.output[0]["generated_text"].startswith(PROMPT)


def test_encoder_decoders_take_one_token_per_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[int] = []
    real = pipeline_module.generate
    monkeypatch.setattr(
        pipeline_module,
        "generate",
        lambda *a, **k: asked.append(k["guesser"].most) or real(*a, **k),
    )
    engine = create_engine(
        EngineOptions(
            task="text2text-generation",
            model_id="tiny/t5",
            revision="v1.0.0",
            dtype="fp32",
            num_threads=1,
        ),
        folder_hub(HUB),
    )
    engine.run(RunInput.text("translate English to French: hello"), {"max_new_tokens": 4})
    assert asked == [0]


def test_the_option_is_declared_for_the_editor() -> None:
    assert not check_options("text-generation", {"prompt_lookup_num_tokens": 4})
    (problem,) = check_options("text-generation", {"prompt_lookup_num_tokens": -1})
    assert problem.severity == "error" and problem.name == "prompt_lookup_num_tokens"
