"""Decoder layouts beyond GPT-2's: grouped-query attention whose past shape the graph leaves
symbolic (filled from the config), and a decoder exported without past (whole sequence each step).

Both run tiny/qwen2-chat's real graph behind a thin view of its session that changes only what
the graph declares, and must generate Transformers.js's reference text.
"""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import numpy as np
import onnxruntime as ort
import pytest

from inference_gui.engine import RunInput
from inference_gui.engine.generation.decoder import kv_shape
from inference_gui.engine.generation.pipeline import NO_CACHE_NOTE
from inference_gui.errors import EngineError
from tests.paths import EXPECTED
from tests.unit.engine.conftest import fixture_engine

REFERENCE = json.loads((EXPECTED / "tiny__qwen2-chat__v1.0.0.json").read_text(encoding="utf-8"))
GREEDY = {"max_new_tokens": 8, "do_sample": False}


class SymbolicPast:
    """The session with its past inputs declared ``[batch, kv_heads, past, head_dim]`` by name,
    as some exports do: the engine must take 2 heads of 16 from the config."""

    def __init__(self, session: ort.InferenceSession) -> None:
        self._session = session
        self.past_shapes: list[tuple[int, ...]] = []

    def get_inputs(self) -> list[Any]:
        return [
            SimpleNamespace(
                name=i.name,
                type=i.type,
                shape=["batch_size", "num_key_value_heads", "past_sequence_length", "head_dim"],
            )
            if i.name.startswith("past_key_values.")
            else i
            for i in self._session.get_inputs()
        ]

    def get_outputs(self) -> list[Any]:
        return self._session.get_outputs()

    def run(self, names: Any, feeds: dict[str, np.ndarray], options: Any = None) -> Any:
        self.past_shapes.append(feeds["past_key_values.0.key"].shape)
        return self._session.run(names, feeds, options)


class WithoutPast:
    """The session as a decoder exported without past: no past inputs or present outputs.
    Each run gets an empty past, which is what such a graph computes."""

    def __init__(self, session: ort.InferenceSession) -> None:
        self._session = session
        self.lengths: list[int] = []

    def get_inputs(self) -> list[Any]:
        return [i for i in self._session.get_inputs() if not i.name.startswith("past_")]

    def get_outputs(self) -> list[Any]:
        return [o for o in self._session.get_outputs() if not o.name.startswith("present")]

    def run(self, names: Any, feeds: dict[str, np.ndarray], options: Any = None) -> Any:
        assert not any(name.startswith("past_") for name in feeds)
        rows, length = feeds["input_ids"].shape
        self.lengths.append(length)
        empty = {
            i.name: np.zeros((rows, 2, 0, 16), np.float32)
            for i in self._session.get_inputs()
            if i.name.startswith("past_")
        }
        return self._session.run(names, {**feeds, **empty}, options)


def _engine_with(view: type, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, list[Any]]:
    from inference_gui.engine import engine as engine_module

    made: list[Any] = []
    real = engine_module.create_session

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        made.append(view(real(*args, **kwargs)))
        return made[-1]

    monkeypatch.setattr(engine_module, "create_session", wrapped)
    return fixture_engine("text-generation", "qwen2-chat"), made


def test_symbolic_past_shape_comes_from_num_key_value_heads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine, made = _engine_with(SymbolicPast, monkeypatch)
    result = engine.run(RunInput.text(REFERENCE["inputs"]["text-0"]), GREEDY)
    assert result.output == REFERENCE["results"]["fp32"]["outputs"]["text-0"]
    assert made[0].past_shapes[0] == (1, 2, 0, 16)  # not GPT-2's 4 heads (num_attention_heads)


def test_a_decoder_without_past_recomputes_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    engine, made = _engine_with(WithoutPast, monkeypatch)
    chat = REFERENCE["inputs"]["chat-0"]
    result = engine.run(RunInput.chat(chat), GREEDY)
    assert result.output == REFERENCE["results"]["fp32"]["outputs"]["chat-0"]
    lengths = made[0].lengths
    assert lengths == list(range(lengths[0], lengths[0] + len(lengths)))  # one more each step
    assert NO_CACHE_NOTE in result.warnings


@pytest.mark.parametrize(
    "config, expected",
    [
        ({"num_attention_heads": 4, "num_key_value_heads": 2, "hidden_size": 64}, (2, 16)),
        (  # Gemma / Qwen3: head_dim is not hidden_size / heads
            {"num_attention_heads": 8, "num_key_value_heads": 1, "hidden_size": 64, "head_dim": 32},
            (1, 32),
        ),
        ({"n_head": 12, "n_embd": 768}, (12, 64)),  # GPT-2
        ({"decoder": {"num_heads": 6, "d_kv": 64}}, (6, 64)),  # a seq2seq decoder sub-config
        ({"vocab_size": 10}, (None, None)),
    ],
)
def test_kv_shape_from_config(config: dict[str, Any], expected: tuple[Any, Any]) -> None:
    assert kv_shape(config) == expected


def test_a_past_shape_the_config_cannot_complete_is_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine, _ = _engine_with(SymbolicPast, monkeypatch)
    engine.load()
    engine._loaded.task.resources.config = {"vocab_size": 703}  # type: ignore[union-attr]
    with pytest.raises(EngineError, match="cannot be completed from config.json"):
        engine.run(RunInput.text("Hello"), GREEDY)
