"""Comparing quantizations: which dtypes a model has, how fast each runs, drift from fp32.

Qt-free, so the Inference pane, the CLI and the tests share one definition of "agrees with fp32":
cosine similarity for embeddings, same top label (and the score delta) for classifications,
pixel agreement for images (segmentation masks, depth maps), exact match or edit distance for
text. Timings are summarised as median and p90 of N runs after a warm-up.
"""

from __future__ import annotations

import csv
import io
import json
import math
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from inference_gui.engine.engine import Engine, RunResult
from inference_gui.engine.files import read_json
from inference_gui.engine.inputs import RunInput
from inference_gui.engine.sources import ModelFiles
from inference_gui.engine.tasks import task_class
from inference_gui.errors import AppError, Cancelled
from inference_gui.jobs import Progress, ProgressCallback
from inference_gui.layout import graph_files, onnx_path
from inference_gui.vocab import DTYPES

if TYPE_CHECKING:
    from inference_gui.engine.raw_image import RawImage

REFERENCE_DTYPE = "fp32"
PHASE_COMPARE = "comparing"


# -- statistics ----------------------------------------------------------------------------------
def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0..100), interpolating linearly between ranks as numpy does."""
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(values: Sequence[float]) -> float:
    return percentile(values, 50)


def p90(values: Sequence[float]) -> float:
    return percentile(values, 90)


# -- agreement with the reference ----------------------------------------------------------------
def cosine_similarity(a: Sequence[float], b: Sequence[float]) -> float:
    """Cosine of two equally long vectors; two zero vectors are identical (1.0)."""
    if len(a) != len(b):
        raise ValueError(f"vectors of different lengths ({len(a)} and {len(b)})")
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    if norm == 0:
        return 1.0 if not any(a) and not any(b) else 0.0
    return dot / norm


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance in characters (insertions, deletions and substitutions cost 1)."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


@dataclass(frozen=True)
class Agreement:
    """How one output compares with the reference's; a batch's inputs as the worst and the mean.

    ``value`` is the worst: lowest cosine, largest top-score delta, lowest pixel agreement, largest
    edit distance; ``kl`` is the largest KL divergence of a classifier's label distribution.
    """

    kind: str  # "cosine", "top-label", "pixels", "text"
    agrees: bool
    value: float
    text: str
    mean: float | None = None
    kl: float | None = None
    inputs: int = 1


def _summary(name: str, values: Sequence[float], worst: float, digits: str = ".4f") -> str:
    """One input: ``cosine 0.9990``; a batch: ``cosine min 0.9981, mean 0.9990 over 3``."""
    if len(values) == 1:
        return f"{name} {worst:{digits}}"
    word = "min" if worst == min(values) else "max"
    mean = sum(values) / len(values)
    return f"{name} {word} {worst:{digits}}, mean {mean:{digits}} over {len(values)}"


def kl_divergence(
    reference: Sequence[Mapping[str, Any]], output: Sequence[Mapping[str, Any]]
) -> float | None:
    """KL(reference || output) in nats over the labels the reference lists, both renormalised.

    None when there is no distribution to compare (a single label, as ``top_k: 1`` gives).
    """
    p = {_label(item): float(item["score"]) for item in reference}
    q = {_label(item): float(item["score"]) for item in output}
    if len(p) < 2 or not set(p) <= set(q):
        return None
    p_total, q_total = sum(p.values()) or 1.0, sum(q[k] for k in p) or 1.0
    return sum(
        (pv / p_total) * math.log((pv / p_total) / max(q[k] / q_total, 1e-12))
        for k, pv in p.items()
        if pv > 0
    )


def vectors(output: Any) -> list[list[float]]:
    """The rows of an embedding output: a tensor ``{"type","dims","data"}`` or nested lists."""
    data = output.get("data") if isinstance(output, Mapping) else output
    rows: list[list[float]] = []

    def walk(node: Any) -> None:
        if isinstance(node, list) and node and all(isinstance(x, int | float) for x in node):
            rows.append([float(x) for x in node])
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(data)
    return rows


def _scored(output: Any) -> list[list[Mapping[str, Any]]]:
    """Classification-like outputs as lists of ``{label|token_str, score}``, one list per input."""
    if isinstance(output, list) and output and all(isinstance(x, list) for x in output):
        return [list(x) for x in output]
    return [list(output)]


def _label(item: Mapping[str, Any]) -> str:
    return str(item.get("label", item.get("token_str", "")))


def _text(output: Any) -> str:
    """A comparable string for text outputs (generated text, answers, entities)."""
    if isinstance(output, str):
        return output
    if isinstance(output, Mapping):
        for key in ("generated_text", "answer", "sequence"):
            if key in output:
                return str(output[key])
        return json.dumps(output, sort_keys=True)
    if isinstance(output, list):
        return "\n".join(
            f"{x.get('word', '')}:{x.get('entity', x.get('entity_group', ''))}"
            if isinstance(x, Mapping) and "word" in x
            else _text(x)
            for x in output
        )
    return str(output)


def images(output: Any, name: str = "") -> list[tuple[str, RawImage]]:
    """Every image in an output, in order, each named by its item's label or its key."""
    from inference_gui.engine.raw_image import RawImage  # numpy: only once outputs exist

    if isinstance(output, RawImage):
        return [(name, output)]
    if isinstance(output, Mapping):
        label = str(output.get("label", name))
        return [pair for key, value in output.items() for pair in images(value, label or key)]
    if isinstance(output, list):
        return [pair for item in output for pair in images(item, name)]
    return []


def pixel_agreement(a: RawImage, b: RawImage) -> float:
    """1 - the mean absolute pixel difference over the 0..255 range (1.0: identical images).

    For a binary mask this is the share of pixels that agree; for a depth map, one minus its
    normalised mean error. Images of different shapes do not agree at all (0.0).
    """
    if a.pixels.shape != b.pixels.shape:
        return 0.0
    difference = abs(a.pixels.astype("int16") - b.pixels.astype("int16"))
    return 1.0 - float(difference.mean()) / 255.0


def _kind(output: Any) -> str:
    if isinstance(output, Mapping) and {"dims", "data"} <= set(output):
        return "cosine"
    if images(output):
        return "pixels"
    first = output
    while isinstance(first, list) and first and isinstance(first[0], list):
        first = first[0]
    if isinstance(first, list) and first and isinstance(first[0], Mapping):
        item = first[0]
        if isinstance(item.get("score"), int | float) and ("label" in item or "token_str" in item):
            return "top-label"
    if isinstance(first, list) and first and isinstance(first[0], int | float):
        return "cosine"
    return "text"


def agreement(output: Any, reference: Any) -> Agreement:
    """Compare ``output`` with ``reference`` (the fp32 output of the same input), by output kind."""
    kind = _kind(reference)
    if kind == "cosine":
        pairs = list(zip(vectors(output), vectors(reference), strict=False))
        if not pairs:
            return Agreement(kind, False, 0.0, "no vectors to compare")
        cosines = [cosine_similarity(a, b) for a, b in pairs]
        worst = min(cosines)
        mean = sum(cosines) / len(cosines)
        text = _summary("cosine", cosines, worst)
        return Agreement(kind, worst > 0.99, worst, text, mean, inputs=len(cosines))
    if kind == "pixels":
        return _pixels(images(output), images(reference))
    if kind == "top-label":
        pairs_scored = [(m, t) for m, t in zip(_scored(output), _scored(reference), strict=False)]
        same = all(m and t and _label(m[0]) == _label(t[0]) for m, t in pairs_scored)
        deltas = [
            abs(float(m[0]["score"]) - float(t[0]["score"])) for m, t in pairs_scored if m and t
        ]
        delta = max(deltas, default=0.0)
        kls = [k for m, t in pairs_scored if (k := kl_divergence(t, m)) is not None]
        mine = _scored(output)
        top = _label(mine[0][0]) if mine and mine[0] else "-"
        matched = sum(1 for m, t in pairs_scored if m and t and _label(m[0]) == _label(t[0]))
        word = "same top label" if same else "different top label"
        if len(pairs_scored) > 1:
            word = f"same top label {matched}/{len(pairs_scored)}"
        text = f"{word} ({top}), {_summary('score Δ', deltas or [0.0], delta)}"
        kl = max(kls) if kls else None
        if kl is not None:
            text += f", {_summary('KL', kls, kl)}"
        mean = sum(deltas) / len(deltas) if deltas else 0.0
        return Agreement(kind, same, delta, text, mean, kl, len(pairs_scored))
    mine_text, their_text = _texts(output), _texts(reference)
    distances = [float(edit_distance(a, b)) for a, b in zip(mine_text, their_text, strict=False)]
    distances = distances or [float(edit_distance(_text(output), _text(reference)))]
    worst = max(distances)
    if worst == 0:
        text = "exact match" if len(distances) == 1 else f"exact match, all {len(distances)}"
    else:
        text = _summary("edit distance", distances, worst, ".0f")
    mean = sum(distances) / len(distances)
    return Agreement("text", worst == 0, worst, text, mean, inputs=len(distances))


def _pixels(mine: list[tuple[str, RawImage]], theirs: list[tuple[str, RawImage]]) -> Agreement:
    """Images compared pairwise in order; the same names (labels) and 99% pixel agreement."""
    names, reference_names = [n for n, _ in mine], [n for n, _ in theirs]
    if names != reference_names:
        missing = sorted(set(reference_names) - set(names))
        extra = sorted(set(names) - set(reference_names))
        what = "; ".join(
            part
            for part in (
                f"missing {', '.join(missing)}" if missing else "",
                f"extra {', '.join(extra)}" if extra else "",
            )
            if part
        )
        text = f"different images ({what or 'another order'})"
        return Agreement("pixels", False, 0.0, text, inputs=len(theirs))
    scores = [pixel_agreement(a, b) for (_, a), (_, b) in zip(mine, theirs, strict=True)]
    worst = min(scores, default=1.0)
    text = _summary("pixels", scores or [1.0], worst)
    mean = sum(scores) / len(scores) if scores else 1.0
    return Agreement("pixels", worst >= 0.99, worst, text, mean, inputs=len(scores))


def _texts(output: Any) -> list[str]:
    """One comparable string per input of a batch (a list of lists), else one for the output."""
    if isinstance(output, list) and output and all(isinstance(x, list) for x in output):
        return [_text(x) for x in output]
    return [_text(output)]


# -- which dtypes a model has ----------------------------------------------------------------------
@dataclass(frozen=True)
class DtypeChoice:
    """A dtype as the picker shows it: its total file size, or why it cannot be chosen."""

    dtype: str
    size_bytes: int | None
    available: bool
    reason: str = ""


SizeOf = Callable[[str], int | None]


def dtype_choices(files: ModelFiles, task: str, size_of: SizeOf) -> list[DtypeChoice]:
    """Every dtype, available or not, for ``task`` on ``files``.

    Sizes add up all ONNX files and their external data for that dtype (what would be downloaded
    and loaded).
    """
    cls = task_class(task)
    if not cls.needs_model:
        return [DtypeChoice(d, None, False, f"{task} uses no model file") for d in DTYPES]
    config = read_json(files, "config.json") or {}
    listing = files.list()
    present = set(listing) if listing is not None else None
    choices = []
    for dtype in DTYPES:
        total, missing = 0, []
        for base in cls.bases_for(config):
            path = onnx_path(base, dtype)
            if not (path in present if present is not None else files.exists(path)):
                missing.append(path)
                continue
            total += sum(size_of(name) or 0 for name in graph_files(config, base, dtype))
        if missing:
            where = "the cache holds" if files.cache_only else f"{files.label} has"
            choices.append(DtypeChoice(dtype, None, False, f"{where} no {', '.join(missing)}"))
        else:
            choices.append(DtypeChoice(dtype, total, True))
    return choices


# -- the comparison itself -------------------------------------------------------------------------
@dataclass(frozen=True)
class CompareRow:
    """One dtype of a comparison; ``error`` set (and numbers 0) when it could not load or run."""

    dtype: str
    size_bytes: int | None
    load_ms: float
    median_ms: float
    p90_ms: float
    rss_bytes: int
    runs: int
    agreement: Agreement | None = None
    error: str = ""
    output: Any = None

    def as_dict(self) -> dict[str, Any]:
        """The row for export: numbers stay numbers; the agreement as its kind, worst, mean, KL."""
        a = self.agreement
        return {
            "dtype": self.dtype,
            "size_bytes": self.size_bytes,
            "load_ms": round(self.load_ms, 3),
            "median_ms": round(self.median_ms, 3),
            "p90_ms": round(self.p90_ms, 3),
            "rss_bytes": self.rss_bytes,
            "runs": self.runs,
            "agreement_kind": a.kind if a else None,
            "agreement_worst": a.value if a else None,
            "agreement_mean": a.mean if a else None,
            "kl_divergence": a.kl if a else None,
            "agrees": a.agrees if a else None,
            "agreement": a.text if a else "",
            "error": self.error,
        }


EXPORT_FIELDS = tuple(CompareRow("", None, 0, 0, 0, 0, 0).as_dict())


def rows_to_json(rows: Sequence[CompareRow], context: Mapping[str, Any] | None = None) -> str:
    """``{"context": what was compared and where, "rows": [...]}``."""
    return json.dumps(
        {"context": dict(context or {}), "rows": [r.as_dict() for r in rows]}, indent=2
    )


def rows_to_csv(rows: Sequence[CompareRow], context: Mapping[str, Any] | None = None) -> str:
    """One line per dtype, the context (model, revision, task, input...) in columns of its own.

    The context repeats on every line, so each line stands alone in a spreadsheet.
    """
    flat = {
        k: v if isinstance(v, int | float | str) else json.dumps(v)
        for k, v in (context or {}).items()
    }
    out = io.StringIO()
    writer = csv.DictWriter(out, (*EXPORT_FIELDS, *flat), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({**row.as_dict(), **flat})
    return out.getvalue()


EngineFor = Callable[[str], Engine]


@dataclass(frozen=True)
class Measurement:
    """A fresh engine's load and timed runs: what Compare's rows and ``inference-gui bench`` show.

    ``times_ms`` are each timed run's total; ``tokens_per_second`` the generation rate of each
    timed run that generated (empty for other tasks); ``rss_bytes`` the most seen after a run.
    """

    load_ms: float
    times_ms: list[float]
    rss_bytes: int
    first: RunResult
    tokens_per_second: list[float]


def measure_engine(
    engine: Engine,
    inputs: RunInput,
    options: Mapping[str, Any] | None,
    runs: int,
    *,
    warmup: int = 1,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> Measurement:
    """Load ``engine`` timed, run ``warmup`` untimed runs, then ``runs`` timed ones (at least one).

    The load is timed as the engine loads for a run, so it is what a person waits for; ``first``
    is the first run's result (the one Compare checks against fp32).
    """
    started = time.perf_counter()
    engine.load(progress, cancel)
    load_ms = (time.perf_counter() - started) * 1000
    first: RunResult | None = None
    times: list[float] = []
    rates: list[float] = []
    rss = 0
    for index in range(max(0, warmup) + max(1, runs)):
        result = engine.run(inputs, options, progress=progress, cancel=cancel)
        first = first or result
        rss = max(rss, result.rss_bytes)
        if index >= warmup:
            times.append(result.timings_ms["total"])
            if "tokens_per_second" in result.timings_ms:
                rates.append(result.timings_ms["tokens_per_second"])
    assert first is not None, "at least one run is made"
    return Measurement(load_ms, times, rss, first, rates)


def compare_dtypes(
    engine_for: EngineFor,
    choices: Sequence[DtypeChoice],
    inputs: RunInput,
    options: Mapping[str, Any] | None,
    runs: int,
    *,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> list[CompareRow]:
    """Load each dtype's engine (timed), run once to warm up, then ``runs`` timed runs.

    fp32 goes first so every other row can be compared with it. A dtype that fails becomes a row
    with its error; cancelling stops the whole comparison. Engines are unloaded after their rows.
    """
    ordered = sorted(choices, key=lambda c: c.dtype != REFERENCE_DTYPE)
    rows: list[CompareRow] = []
    reference: Any = None
    for index, choice in enumerate(ordered):
        if progress is not None:
            progress(Progress(PHASE_COMPARE, index, len(ordered), "dtypes", choice.dtype))
        if not choice.available:
            rows.append(CompareRow(choice.dtype, None, 0, 0, 0, 0, 0, error=choice.reason))
            continue
        engine = engine_for(choice.dtype)
        try:
            measured = measure_engine(
                engine, inputs, options, runs, progress=progress, cancel=cancel
            )
        except Cancelled:
            raise
        except AppError as exc:
            rows.append(CompareRow(choice.dtype, choice.size_bytes, 0, 0, 0, 0, 0, error=str(exc)))
            continue
        finally:
            engine.unload()
        first, times = measured.first, measured.times_ms
        if choice.dtype == REFERENCE_DTYPE:
            reference = first.output
        agree = agreement(first.output, reference) if reference is not None else None
        rows.append(
            CompareRow(
                choice.dtype,
                choice.size_bytes,
                measured.load_ms,
                median(times),
                p90(times),
                measured.rss_bytes,
                len(times),
                agree,
                output=first.output,
            )
        )
    if progress is not None:
        progress(Progress(PHASE_COMPARE, len(ordered), len(ordered), "dtypes", "done"))
    return rows
