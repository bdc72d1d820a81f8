"""Parity helpers shared by the encoder and generative parity tests.

An expected file holds what Transformers.js returned for one fixture repo, for every dtype and
input; :func:`cases` turns them into test parameters and :func:`assert_matches` compares our output
to theirs: strings, labels and token ids exactly, numbers within a tolerance, and items of a ranked
list whose scores are within twice the tolerance in either order (another CPU may swap them).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from inference_gui.engine import EngineOptions, RunInput
from inference_gui.engine.engine import Engine
from inference_gui.engine.sources import folder_hub
from tests.paths import EXPECTED, FIXTURES, HUB

EXACT_KEYS = frozenset(
    {
        "label",
        "entity",
        "entity_group",
        "word",
        "token",
        "token_str",
        "sequence",
        "answer",
        "generated_text",
        "index",
        "type",
        "dims",
    }
)


@dataclass(frozen=True)
class Case:
    """One (repo, dtype) of an expected file: the engine options and every input with its output."""

    file: str
    task: str
    model: str
    revision: str
    dtype: str
    call_options: dict[str, Any]
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    input_call_options: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.model.split('/')[-1]}@{self.revision}-{self.dtype}"

    def options(self) -> EngineOptions:
        # One thread as the reference run used: reductions then add up in the same order.
        return EngineOptions(
            task=self.task,
            model_id=self.model,
            revision=self.revision,
            dtype=self.dtype,
            num_threads=1,
        )

    def options_for(self, input_id: str) -> dict[str, Any]:
        """The call's options for one input: the file's, plus that input's own (if any)."""
        return {**self.call_options, **self.input_call_options.get(input_id, {})}

    def run_input(self, input_id: str) -> RunInput:
        value = self.inputs[input_id]
        if input_id.startswith("tts-"):  # text-to-audio: a text, or a list of texts (a batch)
            return RunInput.text(value)
        if isinstance(value, dict) and "image" in value:  # zero-shot image classification
            return RunInput.zero_shot_image(FIXTURES / value["image"], value["candidate_labels"])
        if isinstance(value, list):  # a chat: Transformers.js's messages array
            return RunInput.chat(value)
        if isinstance(value, dict) and "candidate_labels" in value:
            return RunInput.zero_shot(value["text"], value["candidate_labels"])
        if isinstance(value, dict):
            return RunInput.qa(value["question"], value["context"])
        if input_id.startswith("image-"):
            return RunInput.image(FIXTURES / value)
        if input_id.startswith("audio-"):
            return RunInput.audio(FIXTURES / value)
        return RunInput.text(value)


@cache
def _expected(name: str) -> dict[str, Any]:
    return json.loads((EXPECTED / name).read_text(encoding="utf-8"))


def cases(tasks: set[str]) -> Iterator[Case]:
    """Every ok (repo, dtype) of the expected files whose task is in ``tasks``."""
    for path in sorted(EXPECTED.glob("tiny__*.json")):
        data = _expected(path.name)
        if data["task"] not in tasks:
            continue
        for dtype, result in data["results"].items():
            if result["status"] != "ok":
                continue
            yield Case(
                path.name,
                data["task"],
                data["model"],
                data["revision"],
                dtype,
                data["call_options"],
                data["inputs"],
                result["outputs"],
                data.get("input_call_options", {}),
            )


def engine_for(case: Case) -> Engine:
    from inference_gui.engine import create_engine

    return create_engine(case.options(), folder_hub(HUB))


def core_output(task: str, model: str, dtype: str, run_input: RunInput, options: Any) -> Any:
    """What the core engine returns for this input on this machine (revision v1.0.0).

    The CLI and the GUI must show exactly this; parity with Transformers.js is the parity tests'
    job. At q8 a near-tied decision can differ from the reference on another CPU, so front-end
    tests hold the front end against the engine, not against the reference."""
    from inference_gui.engine import create_engine

    options_ = EngineOptions(task=task, model_id=model, revision="v1.0.0", dtype=dtype)
    engine = create_engine(options_, folder_hub(HUB))
    try:
        return engine.run(run_input, options).output
    finally:
        engine.unload()


def assert_matches(actual: Any, expected: Any, tol: float, where: str = "output") -> None:
    """Structure and texts identical, numbers within ``tol`` (absolute)."""
    if _is_ranked_labels(expected) and _is_ranked_labels(actual):
        # zero-shot's parallel lists: compared as the ranked list of (label, score) they are
        actual, expected = _as_ranked(actual), _as_ranked(expected)
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{where}: expected an object, got {actual!r}"
        assert set(actual) == set(expected), f"{where}: keys {sorted(actual)} != {sorted(expected)}"
        for key, value in expected.items():
            if key in EXACT_KEYS:
                assert actual[key] == value, f"{where}.{key}: {actual[key]!r} != {value!r}"
            else:
                assert_matches(actual[key], value, tol, f"{where}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list), f"{where}: expected a list, got {actual!r}"
        assert len(actual) == len(expected), f"{where}: {len(actual)} items != {len(expected)}"
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            e = _tied_counterpart(a, e, expected, tol)
            assert_matches(a, e, tol, f"{where}[{i}]")
        assert _labels(actual) == _labels(expected), f"{where}: other items than the reference"
    elif isinstance(expected, bool | str) or expected is None:
        assert actual == expected, f"{where}: {actual!r} != {expected!r}"
    elif isinstance(expected, int | float):
        assert isinstance(actual, int | float) and not isinstance(actual, bool), (
            f"{where}: expected a number, got {actual!r}"
        )
        assert math.isclose(actual, expected, rel_tol=0, abs_tol=tol), (
            f"{where}: {actual} differs from {expected} by {abs(actual - expected):.3g} > {tol}"
        )
    else:
        raise AssertionError(f"{where}: unexpected value {expected!r} in the expected file")


def _is_ranked_labels(value: Any) -> bool:
    return isinstance(value, dict) and {"labels", "scores"} <= set(value)


def _as_ranked(value: dict[str, Any]) -> dict[str, Any]:
    """``{labels, scores, ...}`` with the two lists as one list of ``{label, score}`` items."""
    rest = {k: v for k, v in value.items() if k not in ("labels", "scores")}
    pairs = zip(value["labels"], value["scores"], strict=True)
    return {**rest, "ranked": [{"label": label, "score": score} for label, score in pairs]}


def _labels(items: list[Any]) -> list[str]:
    """The exact-compared fields of every item, order ignored (for ranked lists)."""
    return sorted(
        repr(sorted((k, v) for k, v in item.items() if k in EXACT_KEYS))
        for item in items
        if isinstance(item, dict)
    )


def _tied_counterpart(actual: Any, expected: Any, items: list[Any], tol: float) -> Any:
    """The expected item to hold ``actual`` against in a ranked list.

    A ranked output (labels sorted by score) may list two items in either order when their scores
    are within ``2 * tol`` of each other: each score may move by ``tol`` on another CPU, so their
    order is not something the reference decides. Anywhere else the item at the same position."""
    if not (isinstance(actual, dict) and isinstance(expected, dict) and "score" in expected):
        return expected
    label_keys = [k for k in expected if k in EXACT_KEYS]
    same_label = [
        e
        for e in items
        if isinstance(e, dict)
        and all(e.get(k) == actual.get(k) for k in label_keys)
        and abs(e["score"] - expected["score"]) <= 2 * tol
    ]
    return same_label[0] if same_label else expected


def max_difference(actual: Any, expected: Any) -> float:
    """Largest absolute numeric difference (for reports and for choosing documented bounds)."""
    if isinstance(expected, dict):
        return max((max_difference(actual.get(k), v) for k, v in expected.items()), default=0.0)
    if isinstance(expected, list) and isinstance(actual, list):
        return max(
            (max_difference(a, e) for a, e in zip(actual, expected, strict=False)), default=0.0
        )
    if (
        isinstance(expected, int | float)
        and not isinstance(expected, bool)
        and isinstance(actual, int | float)
    ):
        return abs(actual - expected)
    return 0.0
