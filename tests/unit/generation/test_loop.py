"""The decoding loop on the tiny GPT-2 and T5 fixtures, through bare onnxruntime sessions."""

from __future__ import annotations

import threading
import tracemalloc
from typing import Any

import numpy as np
import onnxruntime as ort
import pytest
from tokenizers import Tokenizer

from inference_gui.engine.generation import (
    Decoder,
    GenerationOutput,
    TextStreamer,
    generate,
    model_max_positions,
    resolve_generation_config,
)
from inference_gui.engine.session import RunGuard
from inference_gui.errors import Cancelled, EngineError, TimedOut
from tests.unit.generation.conftest import (
    T5,
    RecordingSession,
    open_session,
    read_json,
    wait_for_terminate,
)

PROMPT = "Once upon a time"


@pytest.fixture()
def run_gpt2(gpt2_decoder: Decoder, gpt2_tokenizer: Tokenizer, gpt2_configs: Any) -> Any:
    config, gen_config = gpt2_configs

    def run(options: dict[str, Any], prompt: str = PROMPT, **kwargs: Any) -> GenerationOutput:
        decoder = kwargs.pop("decoder", gpt2_decoder)
        ids = np.array([gpt2_tokenizer.encode(prompt, add_special_tokens=False).ids])
        resolved = resolve_generation_config(config, gen_config, options)
        return generate(decoder, ids, resolved, max_positions=model_max_positions(config), **kwargs)

    return run


def reference_greedy(
    session: ort.InferenceSession,
    prompt: list[int],
    steps: int,
    penalty: float = 1.0,
    ngram: int = 0,
) -> list[int]:
    """Greedy decoding written independently: no KV cache (the whole sequence every step), the
    options applied straight from their definitions."""
    seq = list(prompt)
    names = [i.name for i in session.get_inputs() if i.name.startswith("past_key_values")]
    for _ in range(steps):
        n = len(seq)
        feeds = {
            "input_ids": np.array([seq]),
            "attention_mask": np.ones((1, n), np.int64),
            "position_ids": np.arange(n)[None],
        }
        feeds.update({name: np.zeros((1, 4, 0, 16), np.float32) for name in names})
        logits = session.run(["logits"], feeds)[0][0, -1].astype(np.float64)
        for token in set(seq):
            value = logits[token]
            logits[token] = value * penalty if value < 0 else value / penalty
        if ngram:
            tail = seq[n - ngram + 1 :]
            for i in range(n - ngram + 1):
                if seq[i : i + ngram - 1] == tail:
                    logits[seq[i + ngram - 1]] = -np.inf
        seq.append(int(np.argmax(logits)))
    return seq


def test_greedy_matches_full_recompute_so_the_kv_cache_is_right(
    run_gpt2: Any, gpt2_session: Any, gpt2_tokenizer: Tokenizer
) -> None:
    out = run_gpt2({"max_new_tokens": 8})
    prompt = gpt2_tokenizer.encode(PROMPT, add_special_tokens=False).ids
    assert out.sequences[0] == reference_greedy(gpt2_session, prompt, 8)


@pytest.mark.parametrize(("penalty", "ngram"), [(1.8, 0), (1.0, 2), (1.3, 3)])
def test_penalties_match_their_definitions(
    run_gpt2: Any, gpt2_session: Any, gpt2_tokenizer: Tokenizer, penalty: float, ngram: int
) -> None:
    out = run_gpt2(
        {"max_new_tokens": 10, "repetition_penalty": penalty, "no_repeat_ngram_size": ngram}
    )
    prompt = gpt2_tokenizer.encode(PROMPT, add_special_tokens=False).ids
    assert out.sequences[0] == reference_greedy(gpt2_session, prompt, 10, penalty, ngram)
    assert out.sequences[0] != run_gpt2({"max_new_tokens": 10}).sequences[0]  # options mattered


def test_no_repeat_ngram_leaves_no_repeated_bigram(run_gpt2: Any) -> None:
    def bigrams(seq: list[int]) -> list[tuple[int, int]]:
        return list(zip(seq, seq[1:], strict=False))

    plain = run_gpt2({"max_new_tokens": 10}).sequences[0]
    assert len(set(bigrams(plain))) < len(bigrams(plain))  # the fixture does repeat itself
    seq = run_gpt2({"max_new_tokens": 10, "no_repeat_ngram_size": 2}).sequences[0]
    assert len(set(bigrams(seq))) == len(bigrams(seq))


def test_kv_cache_feeds_one_token_per_step_after_the_prompt(
    run_gpt2: Any, gpt2_recording: RecordingSession, gpt2_tokenizer: Tokenizer
) -> None:
    decoder = Decoder(gpt2_recording, "recorded")  # type: ignore[arg-type]
    out = run_gpt2({"max_new_tokens": 6}, decoder=decoder)
    prompt_length = len(gpt2_tokenizer.encode(PROMPT, add_special_tokens=False).ids)
    calls = gpt2_recording.calls
    assert len(calls) == 6 == len(out.new_tokens[0])
    assert calls[0]["input_ids"] == (1, prompt_length)
    assert calls[0]["past_key_values.0.key"] == (1, 4, 0, 16)
    for step, call in enumerate(calls[1:], start=1):
        assert call["input_ids"] == (1, 1)
        assert call["position_ids"] == (1, 1)
        assert call["past_key_values.1.value"] == (1, 4, prompt_length + step - 1, 16)
        assert call["attention_mask"] == (1, prompt_length + step)


def test_memory_does_not_grow_from_one_generation_to_the_next(run_gpt2: Any) -> None:
    run_gpt2({"max_new_tokens": 16})
    tracemalloc.start()
    try:
        run_gpt2({"max_new_tokens": 16})
        after_one = tracemalloc.get_traced_memory()[0]
        for _ in range(8):
            run_gpt2({"max_new_tokens": 16})
        after_nine = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    one_past = 2 * 2 * 4 * 20 * 16 * 4  # layers x (key, value) x heads x length x dim x float32
    assert after_nine - after_one < one_past


def test_same_seed_same_text_other_seed_other_text(run_gpt2: Any) -> None:
    options = {"do_sample": True, "max_new_tokens": 12, "temperature": 1.5, "top_k": 0}
    first = run_gpt2({**options, "seed": 7}).sequences
    assert run_gpt2({**options, "seed": 7}).sequences == first
    assert run_gpt2({**options, "seed": 8}).sequences != first


def test_num_return_sequences_gives_several_samples_of_one_prompt(run_gpt2: Any) -> None:
    out = run_gpt2(
        {
            "do_sample": True,
            "max_new_tokens": 6,
            "temperature": 2.0,
            "top_k": 0,
            "seed": 3,
            "num_return_sequences": 3,
        }
    )
    assert len(out.sequences) == 3
    assert all(
        row[: out.prompt_length] == out.sequences[0][: out.prompt_length] for row in out.sequences
    )
    assert len({tuple(row) for row in out.new_tokens}) > 1


def test_eos_stops_generation_and_min_new_tokens_holds_it_back(run_gpt2: Any) -> None:
    prompt = "The weather today is"
    plain = run_gpt2({"max_new_tokens": 8}, prompt).new_tokens[0]
    index = next(i for i, t in enumerate(plain) if i > 0 and t not in plain[:i])
    stopped = run_gpt2({"max_new_tokens": 8, "eos_token_id": plain[index]}, prompt).new_tokens[0]
    assert stopped == plain[: index + 1]

    first = plain[0]
    options = {"max_new_tokens": 8, "eos_token_id": first, "min_new_tokens": 3}
    held = run_gpt2(options, prompt).new_tokens[0]
    assert first not in held[:3] and len(held) >= 3


def test_left_padded_batch_gives_each_prompt_its_own_result(
    run_gpt2: Any, gpt2_decoder: Decoder, gpt2_tokenizer: Tokenizer, gpt2_configs: Any
) -> None:
    prompts = ["The weather today is", "Hi"]
    singles = [run_gpt2({"max_new_tokens": 5}, p).new_tokens[0] for p in prompts]
    encoded = [gpt2_tokenizer.encode(p, add_special_tokens=False).ids for p in prompts]
    width = max(map(len, encoded))
    ids = np.array([[0] * (width - len(e)) + e for e in encoded])
    mask = np.array([[0] * (width - len(e)) + [1] * len(e) for e in encoded])
    config = resolve_generation_config(*gpt2_configs, {"max_new_tokens": 5})
    out = generate(gpt2_decoder, ids, config, attention_mask=mask)
    assert out.new_tokens == singles


def test_streaming_hands_out_the_text_piece_by_piece(
    run_gpt2: Any, gpt2_tokenizer: Tokenizer
) -> None:
    pieces: list[tuple[int, str]] = []

    def decode(ids: Any) -> str:
        return gpt2_tokenizer.decode(list(ids), skip_special_tokens=True)

    out = run_gpt2(
        {"max_new_tokens": 8},
        "The weather today is",
        streamer=TextStreamer(decode, lambda row, text: pieces.append((row, text))),
    )
    assert len(pieces) > 1 and {row for row, _ in pieces} == {0}
    assert "".join(text for _, text in pieces) == decode(out.new_tokens[0])


class CancelAfter:
    """A streamer that cancels the job once ``count`` tokens have arrived."""

    def __init__(self, event: threading.Event, count: int) -> None:
        self.event, self.count = event, count

    def put(self, tokens: Any) -> None:
        self.count -= 1
        if self.count == 0:
            self.event.set()

    def end(self) -> None:
        pass


def test_cancel_between_steps_then_the_decoder_still_works(run_gpt2: Any) -> None:
    expected = run_gpt2({"max_new_tokens": 8}).sequences
    cancel = threading.Event()
    with RunGuard(cancel) as guard, pytest.raises(Cancelled):
        run_gpt2({"max_new_tokens": 8}, guard=guard, streamer=CancelAfter(cancel, 2))
    assert run_gpt2({"max_new_tokens": 8}).sequences == expected


def test_cancel_inside_a_step_stops_the_run(
    run_gpt2: Any, gpt2_recording: RecordingSession
) -> None:
    cancel = threading.Event()

    def cancel_during_third_run(options: ort.RunOptions) -> None:
        if len(gpt2_recording.calls) == 3:
            cancel.set()
            wait_for_terminate(options)  # the run below now starts with terminate already set

    gpt2_recording.before_run = cancel_during_third_run
    decoder = Decoder(gpt2_recording, "recorded")  # type: ignore[arg-type]
    with RunGuard(cancel) as guard, pytest.raises(Cancelled):
        run_gpt2({"max_new_tokens": 8}, decoder=decoder, guard=guard)
    assert len(gpt2_recording.calls) == 3
    gpt2_recording.before_run = None
    assert len(run_gpt2({"max_new_tokens": 8}, decoder=decoder).new_tokens[0]) == 8


def test_timeout_covers_the_whole_generation(
    run_gpt2: Any, gpt2_recording: RecordingSession
) -> None:
    def stall_second_run(options: ort.RunOptions) -> None:
        if len(gpt2_recording.calls) == 2:
            wait_for_terminate(options)  # the deadline passes while "inside" this step

    gpt2_recording.before_run = stall_second_run
    decoder = Decoder(gpt2_recording, "recorded")  # type: ignore[arg-type]
    with RunGuard(None, timeout_ms=50) as guard, pytest.raises(TimedOut):
        run_gpt2({"max_new_tokens": 8}, decoder=decoder, guard=guard)


def test_an_encoder_is_not_a_decoder() -> None:
    with pytest.raises(EngineError, match="not a text decoder"):
        Decoder(open_session(T5 / "onnx" / "encoder_model.onnx"), "encoder_model.onnx")


def test_seq2seq_reuses_the_cross_attention_past() -> None:
    encoder = open_session(T5 / "onnx" / "encoder_model.onnx")
    recording = RecordingSession(open_session(T5 / "onnx" / "decoder_model_merged.onnx"))
    branches: list[bool] = []
    original_run = recording.run

    def run(names: Any, feeds: dict[str, np.ndarray], options: Any = None) -> Any:
        branches.append(bool(feeds["use_cache_branch"][0]))
        return original_run(names, feeds, options)

    recording.run = run  # type: ignore[method-assign]
    ids = np.array([Tokenizer.from_file(str(T5 / "tokenizer.json")).encode("Good morning!").ids])
    hidden = encoder.run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids)})[0]
    config = resolve_generation_config(
        read_json(T5 / "config.json"),
        read_json(T5 / "generation_config.json"),
        {"max_new_tokens": 4},
    )
    out = generate(
        Decoder(recording, "decoder"),
        np.array([[config.decoder_start_token_id]]),
        config,
        encoder_hidden_states=hidden,
    )
    assert len(out.new_tokens[0]) == 4 or out.new_tokens[0][-1] in config.eos_token_id
    assert branches == [False] + [True] * (len(recording.calls) - 1)
    for step, call in enumerate(recording.calls):
        assert call["input_ids"] == (1, 1)
        assert call["past_key_values.0.decoder.key"] == (1, 4, step, 16)
        assert call["past_key_values.0.encoder.key"] == (1, 4, 0 if step == 0 else ids.shape[1], 16)


def t5_generate(options: dict[str, Any], generation_config: dict[str, Any]) -> list[int]:
    encoder = open_session(T5 / "onnx" / "encoder_model.onnx")
    decoder = Decoder(open_session(T5 / "onnx" / "decoder_model_merged.onnx"), "decoder")
    ids = np.array([Tokenizer.from_file(str(T5 / "tokenizer.json")).encode("Good morning!").ids])
    hidden = encoder.run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids)})[0]
    config = resolve_generation_config(read_json(T5 / "config.json"), generation_config, options)
    start = np.array([[config.decoder_start_token_id]])
    return generate(decoder, start, config, encoder_hidden_states=hidden).new_tokens[0]


def test_seq2seq_forced_eos_takes_the_last_position_as_transformers_js() -> None:
    """A BART-style generation config with ``forced_eos_token_id``: the 8th of 8 new tokens is
    the end token (Transformers.js's ForcedEOSTokenLogitsProcessor), one token less of text."""
    plain_config = read_json(T5 / "generation_config.json")
    eos = plain_config["eos_token_id"]
    plain = t5_generate({"max_new_tokens": 8}, plain_config)
    assert len(plain) == 8 and eos not in plain  # the random model never ends by itself
    forced = t5_generate({"max_new_tokens": 8}, {**plain_config, "forced_eos_token_id": eos})
    assert forced == plain[:7] + [eos]
