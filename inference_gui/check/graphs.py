"""Every ONNX graph of the folder: parse, checker, external data, session, opset, inputs/outputs.

Each step runs only when the previous ones found no error, so a graph whose weights lie outside
the folder is never handed to onnxruntime (which would follow the path).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import onnx

from inference_gui.check.external import PROTOBUF_LIMIT, check_external, references
from inference_gui.check.findings import Finding, error, info
from inference_gui.check.folder import ModelFolder
from inference_gui.check.graph_io import check_io
from inference_gui.engine.session import create_session
from inference_gui.engine.tasks.base import Task
from inference_gui.errors import AppError
from inference_gui.layout import merged_name_for, split_onnx_name

OLDEST_OPSET = 11  # older graphs miss ops Transformers.js's exports rely on


def check_graph(
    folder: ModelFolder, path: str, config: Mapping[str, Any], task: type[Task] | None
) -> list[Finding]:
    base = split_onnx_name(path)[0]  # type: ignore[index]  # only ONNX names come here
    merged = merged_name_for(path)
    if merged is not None:
        base = split_onnx_name(merged)[0]  # type: ignore[index]
    local = folder.path(path)
    if not folder.inside(local):
        return []  # placement reports the link; never read it
    size = local.stat().st_size
    if size > PROTOBUF_LIMIT:
        return [
            error(
                "ONNX_OVER_2GB",
                path,
                f"is {size:,} bytes; a graph over 2 GB must keep its weights as external data.",
                "Convert again with external data (inference-gui convert DIR --external-data, "
                "or the converter's external-data option).",
            )
        ]
    try:
        model = onnx.load(str(local), load_external_data=False)
    except Exception as exc:  # noqa: BLE001 - protobuf and onnx raise unrelated types
        return [
            error(
                "ONNX_UNREADABLE",
                path,
                f"cannot be parsed as ONNX ({_first_line(exc)}).",
                "The file is damaged or cut short; copy or convert it again.",
            )
        ]
    found = check_external(folder, path, model, config, base)
    if any(f.severity == "error" and f.code != "EXTERNAL_DATA_CONFIG" for f in found):
        return found
    found += _opset(path, model)
    try:
        if references(model):
            onnx.checker.check_model(str(local))  # by path, so its external data is checked too
        else:
            onnx.checker.check_model(model)
    except Exception as exc:  # noqa: BLE001 - checker errors come in several types
        found.append(
            error(
                "ONNX_INVALID",
                path,
                f"fails onnx.checker: {_first_line(exc)}",
                "Convert the model again; the graph is not valid ONNX.",
            )
        )
        return found
    try:
        session = create_session(local, 1, label=path)
    except AppError as exc:
        found.append(error("ONNX_SESSION", path, exc.message, exc.hint))
        return found
    if task is not None:
        inputs = [i.name for i in session.get_inputs()]
        outputs = [o.name for o in session.get_outputs()]
        found += check_io(path, task, base, inputs, outputs)
    return found


def _opset(path: str, model: onnx.ModelProto) -> list[Finding]:
    version = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), None)
    if version is None:
        return [error("ONNX_NO_OPSET", path, "declares no ONNX opset.", "Convert it again.")]
    if version < OLDEST_OPSET:
        return [
            error(
                "ONNX_OLD_OPSET",
                path,
                f"uses opset {version}; the platform needs {OLDEST_OPSET} or newer.",
                "Convert again with a newer opset (the converter's --opset).",
            )
        ]
    return [info("ONNX_OPSET", path, f"opset {version}, IR version {model.ir_version}.")]


def check_graphs(
    folder: ModelFolder,
    paths: Sequence[str],
    config: Mapping[str, Any],
    task: type[Task] | None,
) -> list[Finding]:
    return [f for path in paths for f in check_graph(folder, path, config, task)]


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return (text.splitlines()[0][:300] if text else type(exc).__name__).rstrip(".") + "."
