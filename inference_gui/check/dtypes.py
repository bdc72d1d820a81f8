"""Which dtypes each model graph has, and decoders exported under names the platform never loads.

The matrix is base x dtype (``encoder_model`` x ``q4``...). A decoder written as
``decoder_model*.onnx`` or ``decoder_with_past_model*.onnx`` gets the exact rename to
``decoder_model_merged*.onnx`` per dtype; the encoder keeps its name.
"""

from __future__ import annotations

from collections.abc import Sequence, Set

from inference_gui.check.findings import Finding, error, info, warning
from inference_gui.check.folder import ModelFolder
from inference_gui.check.placement import data_files_of
from inference_gui.layout import MISNAMED_BASES, ONNX_FOLDER, merged_name_for, onnx_path
from inference_gui.layout import split_onnx_name as split
from inference_gui.vocab import DTYPES

Matrix = dict[str, dict[str, bool]]


def graph_paths(folder: ModelFolder) -> list[str]:
    """The ONNX files directly in ``onnx/``."""
    prefix = f"{ONNX_FOLDER}/"
    return [
        f
        for f in folder.files
        if f.startswith(prefix) and "/" not in f[len(prefix) :] and split(f) is not None
    ]


def matrix_of(folder: ModelFolder, bases: Sequence[str]) -> Matrix:
    present = set(graph_paths(folder))
    return {base: {d: onnx_path(base, d) in present for d in DTYPES} for base in bases}


def check_dtypes(
    folder: ModelFolder, bases: Sequence[str], task: str | None, pending: Set[str] = frozenset()
) -> list[Finding]:
    """``pending``: paths that renames offered by earlier findings will provide."""
    found: list[Finding] = []
    graphs = graph_paths(folder)
    renamed: set[str] = set(pending)  # graph paths a rename will provide
    for path in graphs:
        target = merged_name_for(path)
        if target is None:
            base = split(path)[0]  # type: ignore[index]  # graph_paths keeps split ones only
            if bases and base not in bases:
                found.append(
                    warning(
                        "LAYOUT_UNUSED_ONNX",
                        path,
                        f"is not loaded by {task or 'this model'} (it loads {', '.join(bases)}).",
                        "Remove it, or check that the task is the right one.",
                    )
                )
            continue
        found.append(_misnamed(folder, path, target, renamed))
    matrix = matrix_of(folder, bases)
    for base, row in matrix.items():
        provided = any(split(p) and split(p)[0] == base for p in renamed)  # type: ignore[index]
        if not any(row.values()) and not provided:
            found.append(
                error(
                    "LAYOUT_MISSING_GRAPH",
                    onnx_path(base, "fp32"),
                    f"is missing, and so is every other dtype of {base}.",
                    f"Convert the model for {task or 'its task'}; it needs onnx/{base}*.onnx.",
                )
            )
    found += _incomplete(matrix, renamed)
    have = [d for d in DTYPES if any(row[d] for row in matrix.values())]
    if have and "fp32" not in have:
        found.append(
            warning(
                "DTYPE_NO_FP32",
                "",
                "There is no fp32 graph, so quantized outputs cannot be compared with it.",
                "Keep the fp32 export next to the quantized ones.",
            )
        )
    if have:
        found.append(info("DTYPE_MATRIX", "", f"dtypes present: {', '.join(have)}."))
    return found


def _misnamed(folder: ModelFolder, path: str, target: str, renamed: set[str]) -> Finding:
    base, _dtype = split(path)  # type: ignore[misc]
    preferred = MISNAMED_BASES["decoder_model_merged"][0]
    sibling = path.replace(base, preferred, 1)
    if folder.has(target) or target in renamed or (base != preferred and folder.has(sibling)):
        return warning(
            "DECODER_UNMERGED_EXTRA",
            path,
            f"is never loaded: the platform loads {target}.",
            "Remove it to save space.",
        )
    renamed.add(target)
    action = f"Rename it to {target} (Transformers.js loads only the merged decoder)."
    data = data_files_of(folder, path)
    if data:
        return error(
            "DECODER_MISNAMED",
            path,
            f"has the name of an un-merged decoder; the platform loads {target}.",
            action + " It has external data, so export it again with the merged name.",
        )
    return error(
        "DECODER_MISNAMED",
        path,
        f"has the name of an un-merged decoder; the platform loads {target}.",
        action,
        renames=((path, target),),
    )


def _incomplete(matrix: Matrix, renamed: set[str]) -> list[Finding]:
    """A dtype some graphs have and others lack cannot run."""
    found = []
    for dtype in DTYPES:
        has = {b for b, row in matrix.items() if row[dtype] or onnx_path(b, dtype) in renamed}
        if has and len(has) < len(matrix):
            for base in sorted(set(matrix) - has):
                found.append(
                    error(
                        "DTYPE_INCOMPLETE",
                        onnx_path(base, dtype),
                        f"is missing, while {', '.join(sorted(has))} has {dtype}: "
                        f"{dtype} cannot run.",
                        f"Convert {base} to {dtype} too, or remove the other {dtype} files.",
                    )
                )
    return found
