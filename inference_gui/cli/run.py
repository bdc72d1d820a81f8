"""``inference-gui run``: run a model on an input exactly as the platform would, headless.

With ``--json`` it prints one object, ``{"output", "timings_ms", "engine"}``, whose ``output`` is
what Transformers.js's pipeline returns for the same call — the form QA scripts compare.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from inference_gui.context import AppContext
from inference_gui.engine import EngineOptions, RunInput, RunResult
from inference_gui.engine.compare import dtype_choices
from inference_gui.engine.engine import Engine
from inference_gui.engine.sources import FolderFiles
from inference_gui.errors import EngineError, HubError
from inference_gui.jobs import JobContext
from inference_gui.vocab import DTYPES


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("run", help="run a model on text, an image, or a question")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--feature", metavar="F", help="feature id, resolved through the settings records"
    )
    source.add_argument(
        "--task", metavar="T", help="task name, e.g. feature-extraction (with --model)"
    )
    parser.add_argument("--model", metavar="M", help="model id, e.g. org/name")
    parser.add_argument("--revision", metavar="R", help="model revision (default: main)")
    parser.add_argument("--dtype", metavar="D", help=f"quantization: {', '.join(DTYPES)}")
    parser.add_argument("--options", metavar="JSON", help="pipeline options, e.g. '{\"top_k\": 3}'")
    parser.add_argument(
        "--image",
        metavar="PATH",
        action="append",
        type=Path,
        default=[],
        help="input image (repeat for a batch)",
    )
    parser.add_argument("--question", metavar="Q", help="question-answering: the question")
    parser.add_argument("--context", metavar="C", help="question-answering: the context")
    parser.add_argument("texts", metavar="TEXT", nargs="*", help="input text; several are a batch")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run)


def engine_options(args: argparse.Namespace, ctx: AppContext) -> EngineOptions:
    """Options from a feature's records (flags override) or from the flags alone."""
    if args.feature:
        overrides = {
            k: v
            for k, v in (
                ("modelRevision", args.revision),
                ("dtype", args.dtype),
                ("modelId", args.model),
            )
            if v
        }
        resolution = ctx.records.resolve(feature_id=args.feature, overrides=overrides or None)
        options = dict(resolution.options, featureId=args.feature)
        return EngineOptions.from_firefox(options)
    if not args.model and args.task != "moz-echo":
        raise EngineError(
            f"--task {args.task} needs --model.", "Name the model, e.g. --model org/name."
        )
    values: dict[str, Any] = {"task": args.task, "model_id": args.model or ""}
    if args.revision:
        values["revision"] = args.revision
    if args.dtype:
        values["dtype"] = args.dtype
    return EngineOptions(**values)


def run_input(args: argparse.Namespace) -> RunInput:
    kinds = [
        bool(args.texts),
        bool(args.image),
        args.question is not None or args.context is not None,
    ]
    if sum(kinds) > 1:
        raise EngineError(
            "Give one kind of input: TEXT, --image, or --question with --context.",
            "Which one depends on the task.",
        )
    if args.image:
        return RunInput.image(args.image if len(args.image) > 1 else args.image[0])
    if kinds[2]:
        return RunInput.qa(args.question or "", args.context or "")
    if args.texts:
        return RunInput.text(args.texts if len(args.texts) > 1 else args.texts[0])
    return RunInput()


def call_options(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise EngineError(
            f"--options is not valid JSON: {exc.msg} at column {exc.colno}.",
            "Write an object, e.g. '{\"top_k\": 3}'.",
        ) from exc
    if not isinstance(value, dict):
        raise EngineError(
            "--options must be a JSON object.", "Write an object, e.g. '{\"top_k\": 3}'."
        )
    return value


def imported_dtype_error(ctx: AppContext, options: EngineOptions) -> EngineError | None:
    """For an imported model the hub does not know, a missing dtype surfaces as "not on the
    hub"; say instead which dtypes the import has. None when that is not the cause."""
    folder = ctx.cache.imported_folder(options.model_id, options.revision)
    if folder is None:
        return None
    choices = dtype_choices(FolderFiles(folder), options.task, lambda _path: None)
    have = [c.dtype for c in choices if c.available]
    if options.dtype_label in have:
        return None
    return EngineError(
        f"{options.model_id} at {options.revision} (imported) has no {options.dtype_label} files "
        f"for {options.task}; it has: {', '.join(have) or 'none'}.",
        "Choose one of those with --dtype, or import a folder that has this one.",
    )


def run(args: argparse.Namespace, ctx: AppContext) -> int:
    started = time.perf_counter()
    options = engine_options(args, ctx)
    resolve_ms = (time.perf_counter() - started) * 1000
    inputs = run_input(args)
    pipeline_options = call_options(args.options)
    engine = ctx.engines.get(options)

    printer = None if args.json else StreamPrinter()

    def work(job: JobContext) -> RunResult:
        return engine.run(
            inputs, pipeline_options, cancel=job.cancel_event, resolve_ms=resolve_ms, stream=printer
        )

    job = ctx.jobs.submit(work, name=f"run {options.task}")
    try:
        result = job.result()
    except KeyboardInterrupt:
        job.cancel()
        raise
    except HubError as exc:
        raise imported_dtype_error(ctx, options) or exc from exc
    if printer is not None and printer.index is not None:
        print()  # end the streamed line before the final output
    for warning in result.warnings:
        print(f"inference-gui: note: {warning}", file=sys.stderr)
    if args.json:
        print(json.dumps(report(result, engine), ensure_ascii=False))
    else:
        print(json.dumps(result.output, ensure_ascii=False, indent=2))
        timings = ", ".join(
            f"{k} {v:.1f} tok/s" if k == "tokens_per_second" else f"{k} {v:.1f} ms"
            for k, v in result.timings_ms.items()
            if v
        )
        print(
            f"{options.task} on {options.model_id or '-'}@{options.revision} ({options.dtype_label}): "
            f"{timings}",
            file=sys.stderr,
        )
    return 0


class StreamPrinter:
    """Prints generated text as it is decoded (generative tasks stream ``TextChunk``s); each
    output (another input or sample) starts its own line."""

    def __init__(self) -> None:
        self.index: int | None = None

    def __call__(self, chunk: Any) -> None:
        if self.index is not None and chunk.index != self.index:
            sys.stdout.write("\n")
        self.index = chunk.index
        sys.stdout.write(chunk.text)
        sys.stdout.flush()


def report(result: RunResult, engine: Engine) -> dict[str, Any]:
    o = engine.options
    return {
        "output": result.output,
        "timings_ms": {k: round(v, 3) for k, v in result.timings_ms.items()},
        "engine": {
            "task": o.task,
            "model": o.model_id,
            "revision": o.revision,
            "dtype": o.dtype,
            "files": list(result.files),
        },
    }
