"""Is this a model folder, laid out for its task? Misplacements are named as such.

The engine only says "has no onnx/model.onnx"; here the common mistakes a converter's user makes
get their own finding and, where a rename repairs them, the rename: ONNX files at the top level,
the ``onnx/`` folder itself picked, a folder that holds no model at all.
"""

from __future__ import annotations

from inference_gui.check.findings import Finding, error, warning
from inference_gui.check.folder import ModelFolder
from inference_gui.engine.tasks.base import Task
from inference_gui.layout import (
    CONFIG,
    GENERATION_CONFIG,
    ONNX_FOLDER,
    PREPROCESSOR_CONFIG,
    TOKENIZER,
    TOKENIZER_CONFIG,
    split_onnx_name,
)

_SHOWN = 5  # files named in a "not a model" finding


def is_onnx_file(path: str) -> bool:
    return split_onnx_name(path) is not None


def data_files_of(folder: ModelFolder, path: str) -> list[str]:
    """``path``'s external data files by the naming convention (``<file>_data``, ``_data_<n>``)."""
    return [f for f in folder.files if f == f"{path}_data" or f.startswith(f"{path}_data_")]


def check_placement(folder: ModelFolder) -> list[Finding]:
    """Folder-level findings; a folder that is not a model stops here (nothing else applies)."""
    if not folder.root.is_dir():
        return [error("NOT_A_FOLDER", "", f"{folder.root} is not a folder.", "Give a folder.")]
    if folder.root.name == ONNX_FOLDER and (folder.root.parent / CONFIG).is_file():
        return [
            error(
                "LAYOUT_ONNX_FOLDER_PICKED",
                "",
                f"{folder.root} is the onnx/ folder of a model, not the model.",
                f"Check the folder above it: {folder.root.parent}.",
            )
        ]
    onnx = [f for f in folder.files if is_onnx_file(f)]
    if not folder.has(CONFIG) and not onnx:
        shown = ", ".join(folder.files[:_SHOWN]) or "nothing"
        more = f" and {len(folder.files) - _SHOWN} more" if len(folder.files) > _SHOWN else ""
        return [
            error(
                "NOT_A_MODEL",
                "",
                f"{folder.root} holds no config.json and no ONNX file (it has: {shown}{more}).",
                "Pick the folder a converter wrote: config.json, tokenizer files and onnx/.",
            )
        ]
    found: list[Finding] = []
    if not folder.has(CONFIG):
        found.append(
            error(
                "LAYOUT_MISSING_CONFIG",
                CONFIG,
                "is missing.",
                "Copy config.json from the original model next to the onnx/ folder.",
            )
        )
    for path in onnx:
        if "/" not in path:
            moves = [path, *data_files_of(folder, path)]
            found.append(
                error(
                    "LAYOUT_ONNX_AT_TOP",
                    path,
                    f"is at the top level; the platform loads ONNX files from {ONNX_FOLDER}/.",
                    f"Move it to {ONNX_FOLDER}/{path}.",
                    renames=tuple((m, f"{ONNX_FOLDER}/{m}") for m in moves),
                )
            )
    if not any(p.startswith(f"{ONNX_FOLDER}/") or "/" not in p for p in onnx):
        found.append(
            error(
                "LAYOUT_NO_ONNX",
                f"{ONNX_FOLDER}/",
                "holds no ONNX file.",
                "Convert the model to ONNX; the files go in onnx/.",
            )
        )
    for path in folder.files:
        if not folder.inside(folder.path(path)):
            found.append(
                error(
                    "LAYOUT_LINK_OUTSIDE",
                    path,
                    "is a link to a file outside the folder; it will not be read.",
                    "Copy the file into the folder instead of linking to it.",
                )
            )
    return found


def check_task_files(folder: ModelFolder, task: type[Task], generative: bool) -> list[Finding]:
    """The configuration files the task reads."""
    wanted: list[tuple[str, str, bool]] = []  # (file, code, required)
    if task.needs_tokenizer:
        wanted += [(TOKENIZER, "LAYOUT_MISSING_TOKENIZER", True)]
        wanted += [(TOKENIZER_CONFIG, "LAYOUT_MISSING_TOKENIZER_CONFIG", False)]
    if task.needs_processor:
        wanted += [(PREPROCESSOR_CONFIG, "LAYOUT_MISSING_PREPROCESSOR", True)]
    if generative:
        wanted += [(GENERATION_CONFIG, "LAYOUT_MISSING_GENERATION_CONFIG", False)]
    found = []
    for name, code, required in wanted:
        if folder.has(name):
            continue
        make = error if required else warning
        effect = "the model cannot run" if required else "defaults are used instead"
        found.append(
            make(
                code,
                name,
                f"is missing; {task.name} reads it ({effect}).",
                f"Copy {name} from the original model (the converter writes it).",
            )
        )
    return found
