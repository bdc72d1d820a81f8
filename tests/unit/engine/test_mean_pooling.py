"""The mean pooling edit: the encoder's graph gives the pooled (and normalised) embedding itself."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper

from inference_gui.engine import RunInput
from inference_gui.engine.mean_pooling import MEAN, MEAN_NORMALIZED, add_mean_pooling
from inference_gui.engine.session import create_session
from inference_gui.engine.tasks.base import RunContext
from inference_gui.engine.tasks.feature_extraction import FeatureExtraction
from inference_gui.layout import onnx_path
from inference_gui.vocab import DTYPE_SUFFIX
from tests.paths import HUB
from tests.unit.engine.conftest import fixture_engine
from tests.unit.engine.test_lm_head import open_bytes

TEXTS = ["A short one.", "A sentence with rather more words in it than the first, and a clause."]


def encoder(model: str, dtype: str) -> Path:
    return HUB / "tiny" / model / "v1.0.0" / onnx_path("model", dtype)


def padded_feeds(session: ort.InferenceSession) -> dict[str, np.ndarray]:
    """Two rows, the first padded: the pooling must skip its padded positions."""
    ids = np.array([[2, 15, 27, 9, 3, 0, 0, 0], [2, 8, 44, 8, 31, 8, 12, 3]], dtype=np.int64)
    mask = np.array([[1] * 5 + [0] * 3, [1] * 8], dtype=np.int64)
    feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
    return {i.name: feeds[i.name] for i in session.get_inputs()}


@pytest.mark.parametrize(
    "path",
    [encoder("bert-embed", dtype) for dtype in DTYPE_SUFFIX]
    + [encoder("bert-external", "fp32"), encoder("bert-external", "q8")],
    ids=lambda p: f"{p.parts[-4]}/{p.name}",
)
def test_pooled_outputs_are_the_masked_mean_of_the_graphs_own_hidden_states(path: Path) -> None:
    edited = add_mean_pooling(path)
    assert edited is not None
    session = open_bytes(edited, path.parent)
    feeds = padded_feeds(session)
    hidden, mean, normalized = session.run(["last_hidden_state", MEAN, MEAN_NORMALIZED], feeds)
    mask = feeds["attention_mask"].astype(np.float64)
    expected = (mask[:, :, None] * hidden).sum(axis=1) / mask.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(mean, expected, atol=1e-6, rtol=0)
    unit = expected / np.linalg.norm(expected, axis=1, keepdims=True)
    np.testing.assert_allclose(normalized, unit, atol=1e-6, rtol=0)
    # the hidden states themselves are untouched by the edit
    unedited = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    np.testing.assert_array_equal(unedited.run(["last_hidden_state"], feeds)[0], hidden)


def fetched_outputs(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Record the outputs each session run asks for."""
    asked: list[Any] = []
    real = RunContext.run

    def run(self: RunContext, base: str, feeds: Any, outputs: Any = None) -> Any:
        asked.append(outputs)
        return real(self, base, feeds, outputs)

    monkeypatch.setattr(RunContext, "run", run)
    return asked


@pytest.mark.parametrize("dtype", ["fp32", "q8"])
@pytest.mark.parametrize(
    ("options", "fetched"),
    [
        ({"pooling": "mean", "normalize": True}, [MEAN_NORMALIZED]),
        ({"pooling": "mean"}, [MEAN]),
        ({"pooling": "cls", "normalize": True}, None),
        ({"pooling": "none"}, None),
    ],
)
def test_the_engine_reads_the_graphs_pooling_and_matches_numpys(
    monkeypatch: pytest.MonkeyPatch, dtype: str, options: dict[str, Any], fetched: Any
) -> None:
    asked = fetched_outputs(monkeypatch)
    pooled_by_graph = fixture_engine("feature-extraction", "bert-embed", dtype)
    ours = pooled_by_graph.run(RunInput.text(TEXTS), options).output
    assert asked == [fetched]
    with monkeypatch.context() as patch:  # the same model loaded unedited: numpy pools
        patch.setattr(FeatureExtraction, "graph_edit", classmethod(lambda cls, b, d: None))
        by_numpy = fixture_engine("feature-extraction", "bert-embed", dtype)
        reference = by_numpy.run(RunInput.text(TEXTS), options).output
    assert asked[-1] is None
    assert ours["dims"] == reference["dims"]
    np.testing.assert_allclose(ours["data"], reference["data"], atol=1e-6, rtol=0)


def tiny_encoder(folder: Path, elem: int, inputs: tuple[str, ...] = ("attention_mask",)) -> Path:
    """A graph whose hidden states are its float input, for edits' refusals."""
    graph = helper.make_graph(
        [helper.make_node("Identity", ["x"], ["last_hidden_state"])],
        "tiny",
        [helper.make_tensor_value_info("x", elem, ["batch", "sequence", 4])]
        + [
            helper.make_tensor_value_info(n, TensorProto.INT64, ["batch", "sequence"])
            for n in inputs
        ],
        [helper.make_tensor_value_info("last_hidden_state", elem, ["batch", "sequence", 4])],
    )
    path = folder / "model.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), path)
    return path


def test_a_float_encoder_with_a_mask_is_pooled(tmp_path: Path) -> None:
    path = tiny_encoder(tmp_path, TensorProto.FLOAT)
    edited = add_mean_pooling(path)
    assert edited is not None
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    mask = np.array([[1, 1, 0], [1, 1, 1]], dtype=np.int64)
    mean = open_bytes(edited, tmp_path).run([MEAN], {"x": x, "attention_mask": mask})[0]
    np.testing.assert_allclose(mean, [x[0, :2].mean(axis=0), x[1].mean(axis=0)], rtol=1e-6)


@pytest.mark.parametrize(
    ("elem", "inputs"),
    [(TensorProto.FLOAT16, ("attention_mask",)), (TensorProto.FLOAT, ())],
    ids=["float16 hidden states", "no attention mask"],
)
def test_graphs_it_cannot_pool_are_left_alone(
    tmp_path: Path, elem: int, inputs: tuple[str, ...]
) -> None:
    assert add_mean_pooling(tiny_encoder(tmp_path, elem, inputs)) is None


def test_a_graph_pooled_already_is_left_alone(tmp_path: Path) -> None:
    edited = add_mean_pooling(tiny_encoder(tmp_path, TensorProto.FLOAT))
    assert edited is not None
    (tmp_path / "model.onnx").write_bytes(edited)
    assert add_mean_pooling(tmp_path / "model.onnx") is None


def test_a_graph_onnxruntime_refuses_loads_the_file_as_it_is(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def refused(_path: Path) -> bytes:
        return b"\x3a\x04junk"  # a graph field holding no valid graph

    with caplog.at_level(logging.WARNING):
        session = create_session(encoder("bert-embed", "fp32"), 1, label="bert", edit=refused)
    assert MEAN not in {o.name for o in session.get_outputs()}
    assert "loading it unedited" in caplog.text
