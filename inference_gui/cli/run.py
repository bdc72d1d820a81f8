"""``inference-gui run``: run a model on an input exactly as the platform would, headless.

With ``--json`` it prints one object, ``{"output", "timings_ms", "warnings", "engine"}``, whose
``output`` is what Transformers.js's pipeline returns for the same call — the form QA scripts
compare.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from inference_gui.cli.output import emit
from inference_gui.context import AppContext
from inference_gui.engine import EngineOptions, RunInput, RunResult
from inference_gui.engine.raw_image import jsonable
from inference_gui.engine.similarity import pairwise_similarity
from inference_gui.engine.workloads import example
from inference_gui.errors import EngineError
from inference_gui.run_service import RunPlan, RunRequest
from inference_gui.vocab import DTYPES


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "run",
        help="run a model on text, an image, or a question",
        description="Threads come from the record's numThreads, else from the global --threads "
        "(or INFERENCE_GUI_THREADS, or Preferences).",
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--feature", metavar="F", help="feature id, resolved through the settings records"
    )
    source.add_argument(
        "--task", metavar="T", help="task name, e.g. feature-extraction (with --model or --folder)"
    )
    source.add_argument(
        "--example",
        metavar="E",
        help="a ready-made example by name, as the Inference pane's Examples menu runs it: its "
        "feature's model when the records know the feature (else its own), its input and options "
        "unless given",
    )
    parser.add_argument(
        "--model",
        metavar="M",
        help="model id (org/name), the modelId createEngine gets: with --feature it picks which "
        "of the feature's records match, as 'records resolve --model' does; with --task it is "
        "the model to run (without it, the task's record's model, else Firefox's default model "
        "of the task, e.g. Xenova/distilbart-cnn-6-6 for summarization)",
    )
    parser.add_argument(
        "--folder",
        metavar="DIR",
        type=Path,
        help="run the converted model in this folder instead of one from the hub",
    )
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
    parser.add_argument(
        "--save-images",
        metavar="DIR",
        type=Path,
        help="write each mask or depth image of the output as a PNG in DIR (its path goes in "
        'the JSON as "png")',
    )
    parser.add_argument(
        "--save-audio",
        metavar="DIR",
        type=Path,
        help="text-to-audio: write each generated clip as a 16-bit WAV in DIR (its path goes in "
        'the JSON as "wav")',
    )
    parser.add_argument(
        "--audio",
        metavar="PATH",
        action="append",
        type=Path,
        default=[],
        help="input audio file: WAV, FLAC, OGG, MP3 (repeat for a batch)",
    )
    parser.add_argument("--question", metavar="Q", help="question-answering: the question")
    parser.add_argument("--context", metavar="C", help="question-answering: the context")
    parser.add_argument(
        "--messages",
        metavar="FILE",
        help="text-generation with a chat model: a JSON list of {role, content} messages "
        "(or a list of such lists, a batch) in FILE, or on standard input with -",
    )
    parser.add_argument(
        "--label",
        metavar="L",
        action="append",
        dest="labels",
        default=[],
        help="zero-shot-classification (with TEXT), zero-shot-image-classification and "
        "zero-shot-object-detection (with --image): a candidate label (repeat for each)",
    )
    parser.add_argument("texts", metavar="TEXT", nargs="*", help="input text; several are a batch")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run)


def run_request(args: argparse.Namespace) -> RunRequest:
    """The flags as a request; the run service applies records, settings and defaults."""
    if args.folder is not None and not args.folder.is_dir():
        raise EngineError(
            f"--folder {args.folder} is not a folder.",
            "Give the folder of a converted model (it holds config.json and onnx/).",
        )
    return RunRequest(
        feature=args.feature,
        task=args.task,
        model=args.model,
        folder=args.folder,
        revision=args.revision,
        dtype=args.dtype,
    )


def run_input(args: argparse.Namespace) -> RunInput:
    kinds = [
        bool(args.texts),
        bool(args.image),
        args.question is not None or args.context is not None,
        args.messages is not None,
        bool(args.audio),
    ]
    if sum(kinds) > 1:
        raise EngineError(
            "Give one kind of input: TEXT, --image, --audio, --question with --context, or "
            "--messages.",
            "Which one depends on the task.",
        )
    if args.messages is not None:
        return RunInput.chat(read_messages(args.messages))
    if args.image:
        images = args.image if len(args.image) > 1 else args.image[0]
        return RunInput.zero_shot_image(images, args.labels)
    if args.labels:
        return RunInput.zero_shot(
            args.texts[0] if len(args.texts) == 1 else args.texts, args.labels
        )
    if args.audio:
        return RunInput.audio(args.audio if len(args.audio) > 1 else args.audio[0])
    if kinds[2]:
        return RunInput.qa(args.question or "", args.context or "")
    if args.texts:
        return RunInput.text(args.texts if len(args.texts) > 1 else args.texts[0])
    return RunInput()


def read_messages(source: str) -> Any:
    """The JSON in ``source`` (a file, or ``-`` for standard input); RunInput.chat checks it."""
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise EngineError(
            f"--messages {source} cannot be read: {exc}.", "Give a readable JSON file, or -."
        ) from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = "standard input" if source == "-" else source
        raise EngineError(
            f"--messages: {where} is not valid JSON: {exc.msg} at line {exc.lineno}.",
            'Write a list like [{"role": "user", "content": "Hello"}].',
        ) from exc


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


def what_to_run(args: argparse.Namespace, ctx: AppContext) -> tuple[RunPlan, RunInput, Any]:
    """The plan, input and pipeline options the flags (or the example they name) ask for."""
    inputs, options = run_input(args), call_options(args.options)
    if not args.example:
        return ctx.runs.plan(run_request(args)), inputs, options
    chosen = example(args.example)
    if args.model or args.folder or args.revision:
        raise EngineError(
            "--example runs the example's model (or its feature's); it takes no --model, "
            "--folder or --revision.",
            "Use --task with them instead, or give only --dtype.",
        )
    plan = ctx.runs.example_plan(chosen)
    if args.dtype:
        plan = plan.edited(dtype=args.dtype)
    given = inputs != RunInput()
    return (
        plan,
        inputs if given else chosen.run_input(),
        options if args.options else dict(chosen.options),
    )


def run(args: argparse.Namespace, ctx: AppContext) -> int:
    for flag, folder in (("--save-images", args.save_images), ("--save-audio", args.save_audio)):
        if folder is not None and not folder.is_dir():
            raise EngineError(
                f"{flag} {folder} is not a folder.", "Create it first, or give another."
            )
    plan, inputs, pipeline_options = what_to_run(args, ctx)
    printer = None if args.json else StreamPrinter()
    options = plan.options
    job = ctx.jobs.submit(
        lambda job: ctx.runs.run(plan, inputs, pipeline_options, job, stream=printer),
        name=f"run {options.task}",
    )
    try:
        result = job.result()
    except KeyboardInterrupt:
        job.cancel()
        raise
    if printer is not None and printer.index is not None:
        print()  # end the streamed line before the final output
    for warning in result.warnings:
        print(f"inference-gui: note: {warning}", file=sys.stderr)
    output = jsonable(result.output, args.save_images, options.task, args.save_audio)
    if args.json:
        emit(args, report(result, options, output))
    else:
        print(json.dumps(output, ensure_ascii=False, indent=2))
        timings = ", ".join(
            f"{k} {v:.1f} tok/s" if k == "tokens_per_second" else f"{k} {v:.1f} ms"
            for k, v in result.timings_ms.items()
            if v
        )
        print(
            f"{options.task} on {plan.source_label} ({options.dtype_label}): {timings}",
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


def report(result: RunResult, o: EngineOptions, output: Any) -> dict[str, Any]:
    """The ``--json`` object; image-feature-extraction of several images adds ``similarity``
    (cosine, N x N), which Transformers.js's output itself does not have."""
    extra = {}
    dims = output.get("dims") if isinstance(output, dict) else None
    if o.task == "image-feature-extraction" and dims and dims[0] > 1:
        extra["similarity"] = pairwise_similarity(output)
    return {
        "output": output,
        **extra,
        "timings_ms": {k: round(v, 3) for k, v in result.timings_ms.items()},
        "warnings": list(result.warnings),
        "engine": {
            "task": o.task,
            "model": o.model_id,
            "revision": o.revision,
            "dtype": o.dtype,
            "threads": o.num_threads,
            "files": list(result.files),
        },
    }
