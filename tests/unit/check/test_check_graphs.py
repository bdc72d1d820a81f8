"""Graphs, external data, inputs/outputs, custom code, tokenizer and card: one broken folder per
finding code."""

from __future__ import annotations

import json
import os
from pathlib import Path

import onnx

from inference_gui.check import check_folder
from inference_gui.check.external import PROTOBUF_LIMIT
from tests.unit.check.conftest import CopyModel


def codes(report, severity: str = "error") -> set[str]:
    return {f.code for f in report.findings if f.severity == severity}


def relocate_external_data(graph: Path, location: str) -> None:
    """Rewrite every external-data location of ``graph`` (weights stay where they are)."""
    model = onnx.load(str(graph), load_external_data=False)
    for tensor in model.graph.initializer:
        for entry in tensor.external_data:
            if entry.key == "location":
                entry.value = location
    graph.write_bytes(model.SerializeToString())


def test_external_data_pointing_outside_the_folder_is_never_read(
    copy_model: CopyModel, tmp_path: Path
) -> None:
    model = copy_model("bert-external")
    os.replace(model / "onnx" / "model.onnx_data", tmp_path / "outside.onnx_data")
    relocate_external_data(model / "onnx" / "model.onnx", "../../outside.onnx_data")
    report = check_folder(model)
    found = [f for f in report.findings if f.code == "EXTERNAL_DATA_OUTSIDE"]
    assert [f.file for f in found] == ["onnx/model.onnx"]
    assert not codes(report) & {"ONNX_SESSION", "ONNX_INVALID"}  # stopped before loading


def test_external_data_through_a_link_out_of_the_folder(
    copy_model: CopyModel, tmp_path: Path
) -> None:
    model = copy_model("bert-external")
    data = model / "onnx" / "model.onnx_data"
    os.replace(data, tmp_path / "elsewhere.bin")
    data.symlink_to(tmp_path / "elsewhere.bin")
    report = check_folder(model)
    outside = [f for f in report.findings if f.code == "EXTERNAL_DATA_OUTSIDE"]
    assert outside and "through a link" in outside[0].message
    assert "LAYOUT_LINK_OUTSIDE" in codes(report)


def test_missing_and_truncated_external_data(copy_model: CopyModel) -> None:
    model = copy_model("bert-external")
    data = model / "onnx" / "model.onnx_data"
    os.truncate(data, data.stat().st_size // 2)
    assert "EXTERNAL_DATA_TRUNCATED" in codes(check_folder(model))
    data.unlink()
    assert "EXTERNAL_DATA_MISSING" in codes(check_folder(model))


def test_external_data_the_config_does_not_declare(copy_model: CopyModel) -> None:
    model = copy_model("bert-external")
    config = json.loads((model / "config.json").read_text())
    del config["transformers.js_config"]
    (model / "config.json").write_text(json.dumps(config))
    found = [f for f in check_folder(model).findings if f.code == "EXTERNAL_DATA_CONFIG"]
    assert found and '{"model.onnx": 1}' in found[0].action


def test_external_data_with_a_name_transformers_js_does_not_fetch(copy_model: CopyModel) -> None:
    model = copy_model("bert-external")
    os.replace(model / "onnx" / "model.onnx_data", model / "onnx" / "weights.bin")
    relocate_external_data(model / "onnx" / "model.onnx", "weights.bin")
    assert "EXTERNAL_DATA_NAME" in codes(check_folder(model))


def test_a_truncated_onnx_file(copy_model: CopyModel) -> None:
    model = copy_model("bert-sentiment")
    graph = model / "onnx" / "model.onnx"
    os.truncate(graph, graph.stat().st_size // 3)
    found = [f for f in check_folder(model).findings if f.severity == "error"]
    assert [(f.code, f.file) for f in found] == [("ONNX_UNREADABLE", "onnx/model.onnx")]


def test_a_graph_over_2gb_without_external_data(copy_model: CopyModel) -> None:
    """Simulated with a sparse file: the graph is extended to 2 GB + 1 byte with truncate(),
    which allocates no blocks, and the check decides on the size before parsing anything."""
    model = copy_model("bert-sentiment")
    graph = model / "onnx" / "model.onnx"
    os.truncate(graph, PROTOBUF_LIMIT + 1)
    assert graph.stat().st_blocks * 512 < 64 * 2**20  # nothing like 2 GB was written
    found = [f for f in check_folder(model).findings if f.code == "ONNX_OVER_2GB"]
    assert [f.file for f in found] == ["onnx/model.onnx"]


def test_inputs_and_outputs_that_do_not_fit_the_task(copy_model: CopyModel) -> None:
    image_model = copy_model("vit-classifier")
    report = check_folder(image_model, task="text-classification")
    assert {"IO_MISSING_INPUT"} <= codes(report)
    text_model = copy_model("bert-embed")
    report = check_folder(text_model, task="question-answering")
    missing = [f for f in report.findings if f.code == "IO_MISSING_OUTPUT"]
    assert missing and "start_logits" in missing[0].message


def test_an_input_no_task_feeds(copy_model: CopyModel) -> None:
    model = copy_model("bert-sentiment")
    graph = model / "onnx" / "model.onnx"
    proto = onnx.load(str(graph))
    proto.graph.input[0].name = "speaker_embeddings"
    for node in proto.graph.node:
        node.input[:] = ["speaker_embeddings" if n == "input_ids" else n for n in node.input]
    onnx.save(proto, str(graph))
    assert {"IO_UNEXPECTED_INPUT", "IO_MISSING_INPUT"} <= codes(check_folder(model))


def test_a_matting_model_is_checked_as_background_removal_with_its_own_input_name(
    copy_model: CopyModel,
) -> None:
    """MODNet's graph takes ``input``, which background-removal feeds the pixels under (as
    Transformers.js renames pixel_values); the same name is refused for a task that does not."""
    model = copy_model("modnet-matting")
    report = check_folder(model)
    assert report.task == "background-removal" and not codes(report)
    assert "IO_UNEXPECTED_INPUT" in codes(check_folder(model, task="image-segmentation"))


def test_custom_code_in_config_names_the_fallback(copy_model: CopyModel) -> None:
    model = copy_model("bert-sentiment")
    config = json.loads((model / "config.json").read_text())
    config["auto_map"] = {"AutoModel": "modeling_custom.CustomModel"}
    (model / "config.json").write_text(json.dumps(config))
    found = [f for f in check_folder(model).findings if f.code == "CUSTOM_CODE"]
    assert found and "BertForSequenceClassification" in found[0].message


FULL_CARD = """---
license: apache-2.0
library_name: transformers.js
pipeline_tag: text-classification
---
# Model description
## Intended uses & limitations
## How to use
## Limitations and bias
## Training data
## Training procedure
## Evaluation results
"""


def test_a_card_missing_sections_warns_per_section(copy_model: CopyModel) -> None:
    model = copy_model("bert-sentiment")
    (model / "README.md").write_text(FULL_CARD)
    report = check_folder(model)
    assert "CARD_MISSING_SECTION" not in report.codes()
    metadata = next(f for f in report.findings if f.code == "CARD_METADATA")
    assert "license: apache-2.0" in metadata.message
    (model / "README.md").write_text("# Model description\nA model.\n")
    missing = [f for f in check_folder(model).findings if f.code == "CARD_MISSING_SECTION"]
    assert len(missing) == 6 and all(f.severity == "warning" for f in missing)
    assert "CARD_NO_LICENSE" in check_folder(model).codes()


def test_tokenizer_special_tokens_and_max_length(copy_model: CopyModel) -> None:
    model = copy_model("bert-sentiment")
    path = model / "tokenizer_config.json"
    config = json.loads(path.read_text())
    config["cls_token"] = "<not-in-vocab>"
    config.pop("model_max_length", None)
    path.write_text(json.dumps(config))
    report = check_folder(model)
    assert "TOKENIZER_SPECIAL_MISSING" in codes(report)
    assert "TOKENIZER_NO_MAX_LENGTH" in codes(report, "warning")
