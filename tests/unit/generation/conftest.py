"""Fixture models opened with bare onnxruntime sessions, so the loop is tested on its own."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
import pytest
from tokenizers import Tokenizer

from inference_gui.engine.generation import Decoder
from tests.paths import HUB

GPT2 = HUB / "tiny" / "gpt2" / "v1.0.0"
T5 = HUB / "tiny" / "t5" / "v1.0.0"


def open_session(path: Path) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.log_severity_level = 3
    options.intra_op_num_threads = 1
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def read_json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


class RecordingSession:
    """A real session that remembers the shape of every feed, and can run a hook before a run."""

    def __init__(self, session: ort.InferenceSession) -> None:
        self._session = session
        self.calls: list[dict[str, tuple[int, ...]]] = []
        self.before_run: Any = None

    def get_inputs(self) -> list[Any]:
        return self._session.get_inputs()

    def get_outputs(self) -> list[Any]:
        return self._session.get_outputs()

    def run(self, names: Any, feeds: dict[str, np.ndarray], options: Any = None) -> Any:
        self.calls.append({k: tuple(v.shape) for k, v in feeds.items()})
        if self.before_run is not None:
            self.before_run(options)
        return self._session.run(names, feeds, options)


def wait_for_terminate(options: ort.RunOptions) -> None:
    """Block until the guard's watcher has set ``terminate`` (it polls every few ms)."""
    event = threading.Event()
    while not options.terminate:
        event.wait(0.005)


@pytest.fixture(scope="session")
def gpt2_session() -> ort.InferenceSession:
    return open_session(GPT2 / "onnx" / "model.onnx")


@pytest.fixture()
def gpt2_recording(gpt2_session: ort.InferenceSession) -> Iterator[RecordingSession]:
    yield RecordingSession(gpt2_session)


@pytest.fixture(scope="session")
def gpt2_decoder(gpt2_session: ort.InferenceSession) -> Decoder:
    return Decoder(gpt2_session, "tiny/gpt2 model.onnx")


@pytest.fixture(scope="session")
def gpt2_tokenizer() -> Tokenizer:
    return Tokenizer.from_file(str(GPT2 / "tokenizer.json"))


@pytest.fixture(scope="session")
def gpt2_configs() -> tuple[dict[str, Any], dict[str, Any]]:
    return read_json(GPT2 / "config.json"), read_json(GPT2 / "generation_config.json")
