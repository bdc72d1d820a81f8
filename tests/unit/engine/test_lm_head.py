"""The LM head edit: the decoder scores only the last positions asked for, weights read in place.

Also: no graph edit (this one or mean pooling) imports the onnx package on the run path.
"""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import numpy_helper
from onnx.external_data_helper import load_external_data_for_model

from inference_gui.engine import RunInput
from inference_gui.engine.lm_head import KEEP, keep_last_logits
from inference_gui.engine.onnx_wire import weightless
from inference_gui.engine.session import create_session
from inference_gui.errors import EngineError
from tests.paths import HUB
from tests.unit.engine.conftest import fixture_engine

ROOT = Path(__file__).resolve().parents[3]

SUFFIX = {"fp32": "", "fp16": "_fp16", "q4": "_q4", "bnb4": "_bnb4", "q4f16": "_q4f16"}
DECODERS = ("gpt2", "qwen2-chat", "llama-chat", "phi3-chat", "gemma-chat")


def onnx_file(model: str, dtype: str) -> Path:
    return HUB / "tiny" / model / "v1.0.0" / "onnx" / f"model{SUFFIX[dtype]}.onnx"


def open_bytes(model: bytes, folder: Path) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.log_severity_level = 3
    options.add_session_config_entry(
        "session.model_external_initializers_file_folder_path", str(folder)
    )
    return ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])


@pytest.mark.parametrize(
    "path",
    [onnx_file("gpt2", "fp32"), onnx_file("phi3-chat", "q4"), onnx_file("qwen2-chat", "bnb4")]
    + [HUB / "tiny" / "bert-external" / "v1.0.0" / "onnx" / "model.onnx"],  # already external
    ids=lambda p: f"{p.parts[-4]}/{p.name}",
)
def test_weightless_points_every_initializer_at_its_own_bytes(path: Path) -> None:
    stripped = weightless(path)
    if not list(path.parent.glob(path.name + "_data*")):
        assert len(stripped) < path.stat().st_size / 2  # the large weights stayed in the file
    model = onnx.load_from_string(stripped)
    load_external_data_for_model(model, str(path.parent))
    original = onnx.load(str(path))
    ours = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    theirs = {t.name: numpy_helper.to_array(t) for t in original.graph.initializer}
    assert ours.keys() == theirs.keys()
    for name, array in theirs.items():
        assert np.array_equal(ours[name], array), name


def prompt_feeds(session: ort.InferenceSession, config_heads: int = 0) -> dict[str, np.ndarray]:
    """Five prompt tokens and an empty past, shaped from the session's own inputs."""
    feeds: dict[str, np.ndarray] = {}
    ids = np.array([[5, 9, 11, 7, 13]], dtype=np.int64)
    for spec in session.get_inputs():
        if spec.name == "input_ids":
            feeds[spec.name] = ids
        elif spec.name == "attention_mask":
            feeds[spec.name] = np.ones_like(ids)
        elif spec.name == "position_ids":
            feeds[spec.name] = np.arange(5)[None]
        elif spec.name.startswith("past_key_values"):
            dtype = np.float16 if "float16" in spec.type else np.float32
            heads, size = (d if isinstance(d, int) else None for d in spec.shape[1:4:2])
            feeds[spec.name] = np.zeros((1, heads or config_heads, 0, size or 16), dtype)
    return feeds


@pytest.mark.parametrize("dtype", list(SUFFIX))
@pytest.mark.parametrize("model", DECODERS)
def test_kept_logits_are_the_last_positions_of_the_full_ones(model: str, dtype: str) -> None:
    path = onnx_file(model, dtype)
    edited = keep_last_logits(path)
    assert edited is not None
    full = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    sliced = open_bytes(edited, path.parent)
    config = fixture_engine("text-generation", model, dtype)
    config.load()
    heads = config._loaded.task.decoder.past_specs  # type: ignore[union-attr]
    feeds = prompt_feeds(full)
    for name in heads:  # symbolic head counts: the engine's own empty past
        feeds[name] = config._loaded.task.decoder._empty(heads[name], 1)  # type: ignore[union-attr]
    expected = full.run(["logits"], feeds)[0]
    tolerance = 1e-3 if "16" in dtype else 1e-5
    for keep in (1, 3, 5):
        got = sliced.run(["logits"], {**feeds, KEEP: np.array([keep], np.int64)})[0]
        assert got.shape == (1, keep, expected.shape[2])
        np.testing.assert_allclose(got, expected[:, -keep:], atol=tolerance, rtol=0)


def test_graphs_without_a_matmul_lm_head_are_left_alone() -> None:
    encoder = HUB / "tiny" / "bert-embed" / "v1.0.0" / "onnx" / "model.onnx"
    assert keep_last_logits(encoder) is None  # no logits output


@pytest.mark.parametrize(("dtype", "edited"), [("fp32", True), ("q4", True), ("q8", False)])
def test_the_engine_edits_text_generation_except_where_activations_are_quantized(
    dtype: str, edited: bool
) -> None:
    engine = fixture_engine("text-generation", "gpt2", dtype)
    out = engine.run(RunInput.text("Once upon a time"), {"max_new_tokens": 6})
    session = engine._loaded.task.resources.sessions["model"]  # type: ignore[union-attr]
    assert (KEEP in {i.name for i in session.get_inputs()}) is edited
    assert out.output[0]["generated_text"].startswith("Once upon a time")


def test_an_edit_that_fails_loads_the_file_as_it_is(caplog: pytest.LogCaptureFixture) -> None:
    def broken(_path: Path) -> bytes:
        raise ValueError("not today")

    with caplog.at_level(logging.WARNING):
        session = create_session(onnx_file("gpt2", "fp32"), 1, label="gpt2", edit=broken)
    assert KEEP not in {i.name for i in session.get_inputs()}
    assert "loading it unedited" in caplog.text


@pytest.mark.parametrize("keep", [5000, 200_000])
def test_a_truncated_file_gets_the_same_error_as_unedited(tmp_path: Path, keep: int) -> None:
    path = tmp_path / "model.onnx"
    path.write_bytes(onnx_file("gpt2", "fp32").read_bytes()[:keep])
    messages = []
    for edit in (None, keep_last_logits):
        with pytest.raises(EngineError) as caught:
            create_session(path, 1, label="cut", edit=edit)
        messages.append(str(caught.value))
    assert messages[0] == messages[1]


@pytest.mark.parametrize(
    ("task", "model", "options", "added"),
    [
        ("text-generation", "gpt2", "{'max_new_tokens': 3}", "num_logits_to_keep"),
        ("feature-extraction", "bert-embed", "{'pooling': 'mean'}", "mean_pooled"),
    ],
)
def test_edited_graphs_never_import_the_onnx_package(
    task: str, model: str, options: str, added: str
) -> None:
    """Edits are made at the wire level: importing onnx would cost each first load ~0.6 s."""
    code = (
        "import sys\n"
        "from tests.unit.engine.conftest import fixture_engine\n"
        "from inference_gui.engine import RunInput\n"
        f"engine = fixture_engine({task!r}, {model!r}, 'fp32')\n"
        f"engine.run(RunInput.text('Hello'), {options})\n"
        "session = engine._loaded.task.resources.sessions['model']\n"
        "names = [i.name for i in session.get_inputs() + session.get_outputs()]\n"
        f"assert any(n.endswith({added!r}) for n in names), names\n"
        "print(sorted(m for m in sys.modules if m == 'onnx' or m.startswith('onnx.')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert done.stdout.strip() == "[]"
