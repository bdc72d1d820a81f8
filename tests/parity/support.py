"""Parity helpers shared by the encoder and generative parity tests.

An expected file holds what Transformers.js returned for one fixture repo, for every dtype and
input; :func:`cases` turns them into test parameters and :func:`assert_matches` compares our output
to theirs: strings, labels and token ids exactly, numbers within a tolerance.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
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

    def run_input(self, input_id: str) -> RunInput:
        value = self.inputs[input_id]
        if isinstance(value, dict):
            return RunInput.qa(value["question"], value["context"])
        if input_id.startswith("image-"):
            return RunInput.image(FIXTURES / value)
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
            )


def engine_for(case: Case) -> Engine:
    from inference_gui.engine import create_engine

    return create_engine(case.options(), folder_hub(HUB))


def assert_matches(actual: Any, expected: Any, tol: float, where: str = "output") -> None:
    """Structure and texts identical, numbers within ``tol`` (absolute)."""
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
            assert_matches(a, e, tol, f"{where}[{i}]")
    elif isinstance(expected, bool) or isinstance(expected, str) or expected is None:
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


def max_difference(actual: Any, expected: Any) -> float:
    """Largest absolute numeric difference (for reports and for choosing documented bounds)."""
    if isinstance(expected, dict):
        return max((max_difference(actual.get(k), v) for k, v in expected.items()), default=0.0)
    if isinstance(expected, list) and isinstance(actual, list):
        return max((max_difference(a, e) for a, e in zip(actual, expected)), default=0.0)
    if (
        isinstance(expected, int | float)
        and not isinstance(expected, bool)
        and isinstance(actual, int | float)
    ):
        return abs(actual - expected)
    return 0.0
