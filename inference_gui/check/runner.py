"""Run every check family on one folder, in order, into one :class:`Report`.

The order matters: a folder that is not a model stops after placement; the task (given, or
inferred from ``config.json``) decides which files and graphs are expected; the smoke run only
happens when nothing before it found an error.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from inference_gui.check.card import check_card
from inference_gui.check.custom_code import check_custom_code
from inference_gui.check.dtypes import check_dtypes, graph_paths, matrix_of
from inference_gui.check.findings import Finding, Report, error, info, warning
from inference_gui.check.folder import ModelFolder
from inference_gui.check.graphs import check_graphs
from inference_gui.check.placement import check_placement, check_task_files, is_onnx_file
from inference_gui.check.task import infer_task
from inference_gui.check.tokenizer import check_tokenizer
from inference_gui.engine.tasks import task_class
from inference_gui.engine.tasks.base import Task
from inference_gui.errors import AppError
from inference_gui.layout import ONNX_BASES, PREPROCESSOR_CONFIG, dtype_of, split_onnx_name

# Without these nothing else can be checked.
STOPPERS = frozenset({"NOT_A_FOLDER", "NOT_A_MODEL", "LAYOUT_ONNX_FOLDER_PICKED"})

Smoke = Callable[[Report, str], tuple[list[Mapping[str, Any]], list[Finding]]]
"""Given the report so far and the first ONNX base of the task: (rows, findings)."""


def check_folder(
    root: Path,
    task: str | None = None,
    dtypes: Sequence[str] = (),
    smoke: Smoke | None = None,
) -> Report:
    folder = ModelFolder(root)
    report = Report(Path(root), task)
    report.add(check_placement(folder))
    if report.codes() & STOPPERS:
        return report
    cls, findings = _task(folder, task)
    report.task = cls.name if cls else None
    report.add(findings)
    bases = _bases(folder, cls)
    if cls is not None:
        generative = "decoder_model_merged" in bases or cls.name == "text-generation"
        report.add(check_task_files(folder, cls, generative))
    pending = {new for _old, new in report.renames()}
    report.add(check_dtypes(folder, bases, report.task, pending))
    report.matrix = matrix_of(folder, bases)
    graphs = [p for p in folder.files if is_onnx_file(p) and (not dtypes or dtype_of(p) in dtypes)]
    report.add(check_graphs(folder, graphs, folder.config, cls))
    report.add(check_custom_code(folder))
    if cls is not None and cls.needs_tokenizer:
        report.add(check_tokenizer(folder, cls.name))
    report.add(check_card(folder, report.task))
    report.add(folder.problems)
    if smoke is not None and cls is not None and bases and not report.has_errors:
        rows, findings = smoke(report, bases[0])
        report.smoke = rows
        report.add(findings)
    return report


def _task(folder: ModelFolder, given: str | None) -> tuple[type[Task] | None, list[Finding]]:
    if given:
        try:
            return task_class(given), []
        except AppError as exc:
            return None, [error("TASK_UNSUPPORTED", "", exc.message, exc.hint)]
    task, architecture = infer_task(folder.config, folder.json(PREPROCESSOR_CONFIG))
    if task is None:
        what = f"its architectures ({architecture})" if architecture else "no architectures"
        return None, [
            warning(
                "TASK_UNKNOWN",
                "config.json",
                f"names {what}, so the task cannot be inferred; task-specific checks are skipped.",
                "Pass --task (e.g. --task feature-extraction).",
            )
        ]
    found = [info("TASK_INFERRED", "config.json", f"{architecture} is checked as {task}.")]
    return task_class(task), found


def _bases(folder: ModelFolder, cls: type[Task] | None) -> tuple[str, ...]:
    """The graphs the task loads; without a task, the known graphs the folder has."""
    if cls is not None:
        return tuple(cls.bases_for(folder.config))
    present = {split_onnx_name(p)[0] for p in graph_paths(folder)}  # type: ignore[index]
    return tuple(b for b in ONNX_BASES if b in present)
