"""A plan run in a real Firefox beside our engine.

One path for ``inference-gui firefox run`` and the Firefox row of the Compare view, so both ask
Firefox the same thing the same way.

Qt-free; the GUI calls it from a worker job (it starts a Firefox and waits on it for seconds).
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inference_gui.engine.compare import REFERENCE_DTYPE, CompareRow, agreement, median, p90
from inference_gui.engine.default_files import default_factory
from inference_gui.engine.inputs import RunInput
from inference_gui.errors import AppError, Cancelled
from inference_gui.firefox.install import FirefoxInstall, read_install
from inference_gui.firefox.launch import find_firefox
from inference_gui.firefox.local_server import FilesFor
from inference_gui.firefox.run import (
    FirefoxRun,
    FirefoxRunner,
    createengine_options,
    folder_model_id,
    run_request,
)
from inference_gui.firefox.runtime_wasm import ensure_wasm, wasm_path
from inference_gui.records import INFERENCE_OPTIONS

if TYPE_CHECKING:  # the layers above this package: used, never imported at run time
    from inference_gui.context import AppContext
    from inference_gui.run_service import RunPlan

RUNTIME_FOLDER = "firefox-runtime"  # under the data folder: onnxruntime-web WASM per version
FIREFOX = "Firefox"  # the row's name when no install could even be read


@dataclass(frozen=True)
class FirefoxTimes:
    """The first run (engine creation and a cold run) and the run times of the timed runs."""

    first: FirefoxRun
    run_ms: tuple[float, ...]


def files_for(ctx: AppContext, plan: RunPlan) -> FilesFor:
    """What the local hub serves: the planned folder under its model id, or our cache.

    Any model of the cache, so a tokenizer from another model is served too.
    """
    if plan.folder is not None:
        folder = ctx.runs.files(plan)
        key = (plan.options.model_id, plan.options.revision)
        return lambda model, revision: folder if (model, revision) == key else None
    return default_factory(ctx)


def find_install(explicit: str | None = None) -> FirefoxInstall:
    """The Firefox to run (``explicit``, else firefox-esr or firefox on PATH), read from disk."""
    return read_install(find_firefox(explicit))


def unavailable_reason(ctx: AppContext) -> str:
    """Why a Firefox run cannot start here, in one line; empty when it can."""
    try:
        install = find_install()
    except AppError as exc:
        return str(exc)
    cached = wasm_path(ctx.settings.data_dir / RUNTIME_FOLDER, install.runtime).is_file()
    if not cached and shutil.which("npm") is None:
        return (
            f"{install.label} needs onnxruntime-web {install.runtime.ort_version}, fetched with "
            "npm, and npm is not installed. — Install Node.js and npm (apt-get install npm)."
        )
    return ""


def run_plan(
    ctx: AppContext,
    plan: RunPlan,
    inputs: RunInput,
    call_options: Mapping[str, Any],
    install: FirefoxInstall,
    *,
    wasm: Path | None = None,
    timed_runs: int = 0,
) -> FirefoxTimes:
    """Run ``plan`` on ``inputs`` in a fresh headless Firefox: once, then ``timed_runs`` more.

    Feature ids Firefox would refuse are refused before Firefox starts.
    """
    if plan.folder is not None:
        plan = plan.edited(model_id=folder_model_id(plan.folder))
    options = createengine_options(plan.options, ctx.runs.files(plan), install.feature_ids)
    request = run_request(inputs, call_options)
    wasm = wasm or ensure_wasm(ctx.settings.data_dir / RUNTIME_FOLDER, install.runtime)
    records = ctx.records.load(INFERENCE_OPTIONS).usable() if plan.options.feature_id else []
    with FirefoxRunner(install, wasm, files_for(ctx, plan), records) as firefox:
        first = firefox.run(options, request)
        timed = tuple(firefox.run(options, request).run_ms for _ in range(timed_runs))
    return FirefoxTimes(first, timed)


def reference_row(rows: Sequence[CompareRow]) -> CompareRow | None:
    """Our row Firefox is compared with: fp32 when it ran, else the first dtype that ran."""
    ran = [r for r in rows if not r.error]
    return next((r for r in ran if r.dtype == REFERENCE_DTYPE), ran[0] if ran else None)


def firefox_row(times: FirefoxTimes, reference: CompareRow) -> CompareRow:
    """The Compare view's row for a Firefox run of ``reference``'s dtype, agreement with it.

    Load is Firefox's ``createEngine``; median and p90 are of the timed runs (of the first, cold
    run when there were none). Firefox's memory is not measured (0, shown empty).
    """
    first = times.first
    run_ms = list(times.run_ms) or [first.run_ms]
    return CompareRow(
        f"{first.firefox} · {reference.dtype}",
        reference.size_bytes,
        first.load_ms,
        median(run_ms),
        p90(run_ms),
        0,
        len(run_ms),
        agreement(first.output, reference.output),
        output=first.output,
    )


def compare_in_firefox(
    ctx: AppContext,
    plan: RunPlan,
    inputs: RunInput,
    call_options: Mapping[str, Any],
    rows: Sequence[CompareRow],
    timed_runs: int,
) -> CompareRow:
    """The Firefox row after our ``rows``: run at the reference's dtype, or why it did not run."""
    reference = reference_row(rows)
    if reference is None:
        return _not_run(FIREFOX, "none of our dtypes ran, so there is nothing to compare with.")
    try:
        install = find_install()
        edited = plan.edited(dtype=reference.dtype)
        times = run_plan(ctx, edited, inputs, call_options, install, timed_runs=timed_runs)
    except Cancelled:
        raise  # ends the whole comparison, as in compare_dtypes
    except AppError as exc:
        return _not_run(f"{FIREFOX} · {reference.dtype}", str(exc))
    return firefox_row(times, reference)


def _not_run(name: str, why: str) -> CompareRow:
    return CompareRow(name, None, 0, 0, 0, 0, 0, error=f"Not run in Firefox: {why}")
