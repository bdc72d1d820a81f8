"""Ready-made examples (a task, a model and a sample input) and the benchmark workloads on them.

The examples live in ``resources/samples/examples.json`` so adding one is a data change; images
they name are sample files next to it. A benchmark run creates a fresh engine each iteration and
times the three steps about:inference's Benchmark tab records: engine creation, init (files and
sessions) and the run itself. Init and run are timed by ``compare.measure_engine``, the code
``inference-gui bench`` and the Compare view time with, so the figures mean the same everywhere.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from inference_gui.assets import resource_path
from inference_gui.config import HUB_PRESETS
from inference_gui.engine.compare import Measurement, measure_engine, median, p90
from inference_gui.engine.engine import Engine
from inference_gui.engine.inputs import RunInput
from inference_gui.engine.options import EngineOptions
from inference_gui.errors import EngineError
from inference_gui.jobs import Progress, ProgressCallback

PHASE_BENCHMARK = "benchmarking"


@dataclass(frozen=True)
class Example:
    """A ready-made run: what to load and what to feed it."""

    name: str
    title: str
    task: str
    model_id: str
    revision: str
    dtype: str
    input: Mapping[str, Any]
    options: Mapping[str, Any] = field(default_factory=dict)
    # "test": a fixture model of the repo's test hub; "huggingface": one of about:inference's
    # presets, a real model to fetch from the Hugging Face hub (or a hub mirroring its ids).
    hub: str = "test"
    # The feature this example shows: when the records in use know it, they decide the model,
    # revision and dtype (so the example runs what the feature runs, and a fetched or packed
    # feature makes its example work offline); model/revision/dtype above are the fallback.
    feature: str = ""

    @property
    def engine_options(self) -> EngineOptions:
        return EngineOptions(self.task, self.model_id, self.revision, self.dtype)

    def run_input(self) -> RunInput:
        return input_from_json(self.input)

    def hub_note(self, hub: str) -> str:
        """Why this example would not load from ``hub`` (the configured root), or "".

        about:inference's presets name the hub they load from (``modelHub``); the app runs every
        model from the one configured hub, so a preset of another hub says which one to choose.
        """
        preset = HUB_PRESETS.get(self.hub)
        if preset is None or hub.rstrip("/") == preset.root.rstrip("/"):
            return ""
        return (
            f"{self.model_id} is on {preset.name} ({preset.root}), and the hub now is {hub}: "
            f"choose {preset.name} in Preferences to run this example."
        )


def input_from_json(value: Mapping[str, Any]) -> RunInput:
    """An example's input, from its JSON.

    ``text``, ``texts`` (a batch), ``image`` or ``images`` (sample files, with ``labels`` for
    zero-shot image classification), ``audio`` (a sample file), QA, ``messages`` (a chat), or
    text(s) with zero-shot ``labels``.
    """
    if "image" in value or "images" in value:
        labels = [str(label) for label in value.get("labels", [])]
        if "images" in value:
            paths = [resource_path("samples", str(name)) for name in value["images"]]
            return RunInput.zero_shot_image(paths, labels)
        return RunInput.zero_shot_image(resource_path("samples", str(value["image"])), labels)
    if "audio" in value:
        return RunInput.audio(resource_path("samples", str(value["audio"])))
    if "messages" in value:
        return RunInput.chat(list(value["messages"]))
    if "labels" in value:
        text = value["texts"] if "texts" in value else str(value.get("text", ""))
        return RunInput.zero_shot(text, [str(label) for label in value["labels"]])
    if "question" in value or "context" in value:
        return RunInput.qa(str(value.get("question", "")), str(value.get("context", "")))
    if "texts" in value:
        return RunInput.text([str(t) for t in value["texts"]])
    return RunInput.text(str(value.get("text", "")))


@cache
def _catalogue() -> dict[str, Any]:
    return json.loads(resource_path("samples", "examples.json").read_text(encoding="utf-8"))


def examples(task: str | None = None) -> list[Example]:
    """The ready-made examples, optionally only those of one task."""
    found = [
        Example(
            e["name"],
            e["title"],
            e["task"],
            e["model"],
            e["revision"],
            e["dtype"],
            e["input"],
            e.get("options", {}),
            e.get("hub", "test"),
            e.get("feature", ""),
        )
        for e in _catalogue()["examples"]
    ]
    return [e for e in found if task is None or e.task == task]


def example(name: str) -> Example:
    for candidate in examples():
        if candidate.name == name:
            return candidate
    raise EngineError(
        f"There is no example {name!r}.", f"Choose one of: {', '.join(e.name for e in examples())}."
    )


def sample_sentences() -> list[str]:
    return list(_catalogue()["sentences"])


@dataclass(frozen=True)
class Workload:
    """A benchmark: an example, possibly run over every sample sentence as one batch.

    Or the model and input a person set up: ``inputs`` then replaces the example's own.
    """

    name: str
    title: str
    example: Example
    all_sentences: bool = False
    inputs: RunInput | None = None
    source: str = ""  # what runs, when not the example's model (the form's folder)

    @property
    def source_label(self) -> str:
        return self.source or f"{self.example.model_id}@{self.example.revision}"

    def run_input(self) -> RunInput:
        if self.inputs is not None:
            return self.inputs
        return RunInput.text(sample_sentences()) if self.all_sentences else self.example.run_input()


FORM_WORKLOAD = "form"


def form_workload(
    options: EngineOptions, inputs: RunInput, call: Mapping[str, Any], source: str = ""
) -> Workload:
    """The Inference form's model, input and options as a workload beside the built-in ones.

    ``source`` names what runs (a plan's ``source_label``: its folder, or model@revision).
    """
    title = f"{options.task} on {options.model_id or 'the folder'}"
    example = Example(
        FORM_WORKLOAD,
        title,
        options.task,
        options.model_id,
        options.revision,
        options.dtype_label,
        {},
        dict(call),
    )
    return Workload(FORM_WORKLOAD, title, example, inputs=inputs, source=source)


def workloads() -> list[Workload]:
    return [
        Workload(w["name"], w["title"], example(w["example"]), bool(w.get("all_sentences")))
        for w in _catalogue()["workloads"]
    ]


@dataclass(frozen=True)
class BenchmarkRow:
    """One workload's durations over its iterations (milliseconds, median and p90)."""

    workload: str
    model: str
    dtype: str
    iterations: int
    create_ms: float
    init_median_ms: float
    init_p90_ms: float
    run_median_ms: float
    run_p90_ms: float
    error: str = ""
    source: str = ""  # model@revision, or the folder
    tokens_per_second: float | None = None  # median over the runs that generated
    rss_bytes: int = 0  # the most seen after a run


EngineFor = Callable[[Workload, EngineOptions], Engine]
"""A new (not yet loaded) engine for a workload at these options, so every iteration measures its
own init (the form's workload gets the form's plan: its folder, records and overrides)."""


def run_benchmark(
    selected: Sequence[Workload],
    engine_for: EngineFor,
    iterations: int,
    *,
    dtype: str | None = None,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> list[BenchmarkRow]:
    """Run each workload ``iterations`` times, each time on a new engine (so init is measured).

    A workload that fails becomes a row with its error; cancelling stops the whole benchmark.
    """
    rows = []
    total = len(selected) * iterations
    for w_index, workload in enumerate(selected):
        options = workload.example.engine_options
        if dtype:
            options = options.with_(dtype=dtype)
        inputs = workload.run_input()
        create: list[float] = []
        measured: list[Measurement] = []
        try:
            for i in range(iterations):
                if progress is not None:
                    progress(
                        Progress(
                            PHASE_BENCHMARK,
                            w_index * iterations + i,
                            total,
                            "runs",
                            f"{workload.title} ({i + 1}/{iterations})",
                        )
                    )
                mark = time.perf_counter()
                engine = engine_for(workload, options)
                create.append((time.perf_counter() - mark) * 1000)
                try:
                    measured.append(
                        measure_engine(
                            engine, inputs, workload.example.options, 1, warmup=0, cancel=cancel
                        )
                    )
                finally:
                    engine.unload()
        except EngineError as exc:
            rows.append(
                BenchmarkRow(
                    workload.name,
                    options.model_id,
                    options.dtype_label,
                    len(measured),
                    0,
                    0,
                    0,
                    0,
                    0,
                    str(exc),
                    workload.source_label,
                )
            )
            continue
        init = [m.load_ms for m in measured]
        run = [t for m in measured for t in m.times_ms]
        rates = [r for m in measured for r in m.tokens_per_second]
        rows.append(
            BenchmarkRow(
                workload.name,
                options.model_id,
                options.dtype_label,
                iterations,
                median(create),
                median(init),
                p90(init),
                median(run),
                p90(run),
                source=workload.source_label,
                tokens_per_second=median(rates) if rates else None,
                rss_bytes=max(m.rss_bytes for m in measured),
            )
        )
    return rows


_CALL_OPTIONS: dict[str, dict[str, Any]] = {
    "feature-extraction": {"pooling": "mean", "normalize": True},
    "text-classification": {"top_k": 3},
    "image-classification": {"top_k": 3},
    "fill-mask": {"top_k": 3},
    "text-generation": {"max_new_tokens": 20, "do_sample": False},
    "text2text-generation": {"max_new_tokens": 20, "do_sample": False},
    "image-to-text": {"max_new_tokens": 20, "do_sample": False},
}


def default_call_options(task: str) -> dict[str, Any]:
    """The pipeline options worth showing (and tweaking) first for ``task``."""
    return dict(_CALL_OPTIONS.get(task, {}))
