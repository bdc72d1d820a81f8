"""``inference-gui bench``: how fast a model loads and runs here, as onnxruntime_perf_test tells.

The same plan as ``run`` (records, settings, flags) and the same measurement as the Compare view
(``engine.compare.measure_engine``): a fresh engine's load time, per-call median / p90 / min of
the engine's own total, tokens per second for generation, and the process's RSS.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import sys
from pathlib import Path
from typing import Any

from inference_gui.cli.output import emit
from inference_gui.cli.run import call_options, run_request
from inference_gui.context import AppContext
from inference_gui.engine.compare import Measurement, measure_engine, median, p90
from inference_gui.engine.inputs import RunInput
from inference_gui.engine.options import EngineOptions
from inference_gui.engine.tasks import task_class
from inference_gui.errors import EngineError
from inference_gui.format import human_bytes
from inference_gui.vocab import DTYPES

DEFAULT_TEXT = "The quick brown fox jumps over the lazy dog."


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "bench",
        help="time a model's load and runs: median, p90, min, tokens/s, memory",
        description="Loads a fresh engine (timed), makes --warmup untimed runs, then --runs timed "
        "ones, and reports what the Compare view reports, from the same code. Without TEXT, text "
        f"tasks run on {DEFAULT_TEXT!r}.",
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--feature", metavar="F", help="feature id, resolved through the records")
    source.add_argument("--task", metavar="T", help="task name (with --model or --folder)")
    parser.add_argument("--model", metavar="M", help="model id (org/name)")
    parser.add_argument("--folder", metavar="DIR", type=Path, help="a converted model's folder")
    parser.add_argument("--revision", metavar="R", help="model revision (default: main)")
    parser.add_argument("--dtype", metavar="D", help=f"quantization: {', '.join(DTYPES)}")
    parser.add_argument("--options", metavar="JSON", help="pipeline options, e.g. '{\"top_k\": 3}'")
    parser.add_argument(
        "--image", metavar="PATH", action="append", type=Path, default=[], help="input image"
    )
    parser.add_argument(
        "--batch", metavar="N", type=_positive, default=1, help="rows per call: the inputs repeated"
    )
    parser.add_argument("--runs", metavar="N", type=_positive, default=20, help="timed runs (20)")
    parser.add_argument(
        "--warmup", metavar="N", type=_count, default=2, help="untimed runs first (2)"
    )
    parser.add_argument(
        "--threads",
        metavar="N",
        type=_count,
        dest="bench_threads",  # not the global --threads' dest, which it would overwrite
        help="inference threads (0 = automatic; default: the record's, else the setting)",
    )
    parser.add_argument("texts", metavar="TEXT", nargs="*", help="input text")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run)


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 0 or more")
    return value


def _positive(text: str) -> int:
    value = _count(text)
    if value == 0:
        raise argparse.ArgumentTypeError("give 1 or more")
    return value


def bench_input(args: argparse.Namespace, kind: str) -> RunInput:
    """TEXT or --image, repeated to ``--batch`` rows; a batch of one is a single input."""
    if args.texts and args.image:
        raise EngineError("Give TEXT or --image, not both.", "Which one depends on the task.")
    if args.image:
        rows: list[Any] = list(itertools.islice(itertools.cycle(args.image), args.batch))
        return RunInput.image(rows if args.batch > 1 else rows[0])
    if not args.texts and kind != "text":
        raise EngineError(
            f"bench needs an input for this task ({kind}).",
            "Give --image PATH for image tasks; question answering and chat are not benched yet.",
        )
    texts = list(itertools.islice(itertools.cycle(args.texts or [DEFAULT_TEXT]), args.batch))
    return RunInput.text(texts if args.batch > 1 else texts[0])


def report(options: EngineOptions, source: str, batch: int, m: Measurement) -> dict[str, Any]:
    """The figures as one JSON-able object; times in milliseconds."""
    return {
        "task": options.task,
        "source": source,
        "dtype": options.dtype_label,
        "threads": options.num_threads,
        "batch": batch,
        "runs": len(m.times_ms),
        "load_ms": round(m.load_ms, 3),
        "median_ms": round(median(m.times_ms), 3),
        "p90_ms": round(p90(m.times_ms), 3),
        "min_ms": round(min(m.times_ms), 3),
        "tokens_per_second": round(median(m.tokens_per_second), 1) if m.tokens_per_second else None,
        "rss_bytes": m.rss_bytes,
    }


def run(args: argparse.Namespace, ctx: AppContext) -> int:
    request = dataclasses.replace(run_request(args), threads=args.bench_threads)
    plan = ctx.runs.plan(request)
    inputs = bench_input(args, task_class(plan.options.task).input_kind)
    engine = ctx.runs.engine(plan, fresh=True)
    options = call_options(args.options)
    job = ctx.jobs.submit(  # a job, as 'run' does: Ctrl-C cancels the run inside onnxruntime too
        lambda job: measure_engine(
            engine,
            inputs,
            options,
            args.runs,
            warmup=args.warmup,
            progress=job.report,
            cancel=job.cancel_event,
        ),
        name=f"bench {plan.options.task}",
    )
    try:
        measured = job.result()
    except KeyboardInterrupt:
        job.cancel()
        raise
    finally:
        engine.unload()
    figures = report(plan.options, plan.source_label, args.batch, measured)
    if args.json:
        emit(args, figures)
        return 0
    rate = figures["tokens_per_second"]
    print(
        f"{figures['task']} on {figures['source']} ({figures['dtype']}, batch {args.batch}, "
        f"threads {figures['threads'] or 'auto'}): load {figures['load_ms']:.1f} ms; "
        f"{figures['runs']} runs: median {figures['median_ms']:.2f} ms, "
        f"p90 {figures['p90_ms']:.2f} ms, min {figures['min_ms']:.2f} ms"
        + (f", {rate:.1f} tok/s" if rate is not None else "")
        + f"; RSS {human_bytes(figures['rss_bytes'])}"
    )
    for warning in measured.first.warnings:
        print(f"inference-gui: note: {warning}", file=sys.stderr)
    return 0
