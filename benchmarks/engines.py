"""The engines the benchmarks measure, planned by the run service as the app plans a run.

A benchmark of a model folder is a run of that folder through ``RunService``: the same planning
(task, dtype, one thread) and the same engine the CLI and the Inference pane get, so a figure in
BENCHMARKS.md is a figure of the app's own path. The app context lives in a throw-away folder.
"""

from __future__ import annotations

import tempfile
from functools import cache
from pathlib import Path

import onnxruntime as ort

from inference_gui.config import Settings
from inference_gui.context import AppContext
from inference_gui.engine.engine import Engine
from inference_gui.engine.session import session_options
from inference_gui.layout import onnx_path
from inference_gui.run_service import RunRequest


@cache
def _context() -> AppContext:
    home = Path(tempfile.mkdtemp(prefix="inference-gui-bench-"))
    return AppContext(Settings(cache_dir=home / "cache", data_dir=home / "data", threads=1))


def bench_engine(folder: Path, task: str, dtype: str) -> Engine:
    """A fresh engine (one thread) for the model in ``folder``, planned by the run service."""
    runs = _context().runs
    plan = runs.plan(RunRequest(task=task, folder=folder, dtype=dtype, threads=1))
    return runs.engine(plan, fresh=True)


def bare_session(folder: Path, dtype: str, base: str = "model") -> ort.InferenceSession:
    """A plain session (one thread, the app's session options) of the file itself, unedited.

    The engine's own session may carry load-time graph edits (mean pooling, the LM head slice);
    "bare" means the file as exported, run with nothing around it.
    """
    return ort.InferenceSession(
        str(folder / onnx_path(base, dtype)), session_options(1), providers=["CPUExecutionProvider"]
    )
