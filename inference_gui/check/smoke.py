"""A smoke run: the task's sample input on every dtype present, compared with fp32.

Goes through the run service like the Compare view (a fresh engine per dtype, so load time is
measured) and judges agreement with the Compare view's measures (:mod:`engine.compare`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from inference_gui.check.findings import Finding, error, info, warning
from inference_gui.engine.compare import compare_dtypes
from inference_gui.engine.inputs import RunInput
from inference_gui.engine.tasks import task_class
from inference_gui.engine.workloads import default_call_options, examples
from inference_gui.layout import onnx_path
from inference_gui.run_service import RunRequest, RunService

# Dynamically quantized weights round differently on different CPUs; their agreement is reported,
# never treated as a failure.
CPU_DEPENDENT = frozenset({"q8", "int8", "uint8"})


def sample(task: str) -> tuple[RunInput, dict[str, Any]]:
    """The task's ready-made input and call options.

    A task without its own example gets an example of the same kind of input (with candidate
    labels when the task takes them: zero-shot object detection borrows zero-shot image's).
    """
    cls = task_class(task)
    chosen = examples(task) or [
        e
        for e in examples()
        if task_class(e.task).input_kind == cls.input_kind
        and task_class(e.task).takes_labels == cls.takes_labels
    ]
    if not chosen:
        return RunInput.text("Hello world."), default_call_options(task)
    return chosen[0].run_input(), {**default_call_options(task), **chosen[0].options}


def smoke_run(
    service: RunService, folder: Path, task: str, dtypes: Sequence[str], base: str
) -> tuple[list[Mapping[str, Any]], list[Finding]]:
    """Rows as the JSON report shows them, and findings about ``base``'s file of each dtype.

    ``dtypes`` narrows the run (fp32, the reference, always runs when present).
    """
    plan = service.plan(RunRequest(task=task, folder=folder, dtype="fp32"))
    wanted = set(dtypes) | {"fp32"} if dtypes else None
    choices = [
        c
        for c in service.dtype_choices(plan)
        if c.available and (wanted is None or c.dtype in wanted)
    ]
    inputs, options = sample(task)
    rows = compare_dtypes(
        lambda dtype: service.engine(plan.edited(dtype=dtype), fresh=True),
        choices,
        inputs,
        options,
        1,
    )
    findings: list[Finding] = []
    for row in rows:
        file = onnx_path(base, row.dtype)
        timing = f"load {row.load_ms:.0f} ms, run {row.median_ms:.0f} ms"
        if row.error:
            findings.append(
                error("SMOKE_FAILED", file, f"{row.dtype} does not run: {row.error}", "See above.")
            )
        elif row.agreement is None or row.agreement.agrees:
            what = f", {row.agreement.text} vs fp32" if row.agreement else ""
            findings.append(info("SMOKE_OK", file, f"{row.dtype} runs ({timing}{what})."))
        else:
            make = info if row.dtype in CPU_DEPENDENT else warning
            findings.append(
                make(
                    "SMOKE_DISAGREES",
                    file,
                    f"{row.dtype} runs ({timing}) but disagrees with fp32: {row.agreement.text}.",
                    "Check this dtype's output by hand, or quantize it again.",
                )
            )
    return [r.as_dict() for r in rows], findings
