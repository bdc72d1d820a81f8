"""Every external-data location in an ONNX file is checked by us before onnxruntime sees it.

onnxruntime before 1.2x loads ``location: ../../../etc/passwd`` as a weight; the checks here must
hold whatever onnxruntime does, so the tests make sure no session is even created.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

from inference_gui.engine.external_data import external_data_locations
from inference_gui.engine.session import create_session
from inference_gui.errors import EngineError
from tests.paths import HUB


def external(name: str, location: str) -> TensorProto:
    tensor = numpy_helper.from_array(np.zeros(4, dtype=np.float32), name)
    tensor.ClearField("raw_data")
    tensor.data_location = TensorProto.EXTERNAL
    entry = tensor.external_data.add()
    entry.key, entry.value = "location", location
    for key, value in (("offset", "0"), ("length", "16")):
        entry = tensor.external_data.add()
        entry.key, entry.value = key, value
    return tensor


def identity_graph(name: str, initializers=(), nodes=(), sparse=()) -> onnx.GraphProto:
    out = helper.make_tensor_value_info("y", TensorProto.FLOAT, [4])
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [4])
    return helper.make_graph(
        [*nodes, helper.make_node("Identity", ["x"], ["y"])],
        name,
        [x],
        [out],
        initializer=list(initializers),
        sparse_initializer=list(sparse),
    )


def write(folder: Path, graph: onnx.GraphProto) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "model.onnx"
    path.write_bytes(helper.make_model(graph).SerializeToString())
    (folder / "model.onnx_data").write_bytes(bytes(64))
    return path


def hidden_in_a_subgraph(location: str) -> onnx.GraphProto:
    """The location sits in a Constant node's tensor, inside the ``then`` branch of an If."""
    constant = helper.make_node("Constant", [], ["c"], value=external("c", location))
    branch = helper.make_graph(
        [constant], "then", [], [helper.make_tensor_value_info("c", TensorProto.FLOAT, [4])]
    )
    other = helper.make_graph(
        [
            helper.make_node(
                "Constant", [], ["d"], value=numpy_helper.from_array(np.ones(4, np.float32), "d")
            )
        ],
        "else",
        [],
        [helper.make_tensor_value_info("d", TensorProto.FLOAT, [4])],
    )
    cond = helper.make_node(
        "Constant", [], ["cond"], value=helper.make_tensor("cond", TensorProto.BOOL, [], [True])
    )
    branch_node = helper.make_node("If", ["cond"], ["z"], then_branch=branch, else_branch=other)
    return identity_graph("g", nodes=[cond, branch_node])


def sparse_with(location: str) -> onnx.GraphProto:
    values = external("s_values", location)
    indices = numpy_helper.from_array(np.array([0, 1, 2, 3], dtype=np.int64), "s_indices")
    return identity_graph("g", sparse=[helper.make_sparse_tensor(values, indices, [8])])


@pytest.fixture
def no_session(monkeypatch):
    """Fail loudly if onnxruntime is asked to load the file: the refusal must come first."""
    created = []
    monkeypatch.setattr(ort, "InferenceSession", lambda *a, **k: created.append(a))
    return created


@pytest.mark.parametrize(
    ("graph", "location"),
    [
        (identity_graph("g", [external("w", "../../../etc/passwd")]), "../../../etc/passwd"),
        (identity_graph("g", [external("w", "/etc/passwd")]), "/etc/passwd"),
        (
            identity_graph("g", [external("w", "ok.bin"), external("v", "sub/../../x")]),
            "sub/../../x",
        ),
        (hidden_in_a_subgraph("../secret"), "../secret"),
        (sparse_with("../secret"), "../secret"),
    ],
    ids=["dotdot", "absolute", "second-initializer", "if-branch-constant", "sparse-initializer"],
)
def test_a_location_leading_out_of_the_folder_is_refused_before_any_session(
    tmp_path, no_session, graph, location
) -> None:
    path = write(tmp_path / "m", graph)
    assert location in external_data_locations(path)
    with pytest.raises(EngineError, match="external data"):
        create_session(path)
    assert no_session == []


def test_a_symlink_inside_the_folder_may_not_lead_out(tmp_path, no_session) -> None:
    (tmp_path / "secret").write_bytes(bytes(64))
    path = write(tmp_path / "m", identity_graph("g", [external("w", "weights.bin")]))
    (tmp_path / "m" / "weights.bin").symlink_to(tmp_path / "secret")
    with pytest.raises(EngineError, match="outside"):
        create_session(path)
    assert no_session == []


def test_a_model_whose_weights_are_beside_it_still_loads(tmp_path) -> None:
    folder = tmp_path / "bert-external"
    shutil.copytree(HUB / "tiny" / "bert-external" / "v1.0.0" / "onnx", folder)
    assert set(external_data_locations(folder / "model.onnx")) == {"model.onnx_data"}
    assert isinstance(create_session(folder / "model.onnx"), ort.InferenceSession)


def test_a_file_that_is_not_onnx_is_an_engine_error(tmp_path, no_session) -> None:
    path = tmp_path / "model.onnx"
    path.write_bytes(b"\xff" * 10)
    with pytest.raises(EngineError):
        create_session(path)
