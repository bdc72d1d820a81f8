"""What the result views show, as plain functions: scored rows, generated text, embedding
statistics, and the console report of a run. The views themselves are dispatched by output kind in
:mod:`inference_gui.ui.panes.inference.results`."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from inference_gui.engine.compare import cosine_similarity, median, p90, vectors
from inference_gui.engine.engine import RunResult
from inference_gui.engine.inputs import RunInput
from inference_gui.format import human_bytes
from inference_gui.ui.widgets.batches import per_input
from inference_gui.ui.widgets.json_view import to_json

FIRST_VALUES = 6


def scored_items(output: Any, inputs: RunInput) -> list[tuple[str, float]]:
    """(label, score) rows; filled masks (no label) show the whole sentence; zero-shot's
    ``{"labels": [...], "scores": [...]}`` gives a row per label; batches number their rows."""
    results = per_input(output, inputs)
    items = []
    for n, result in enumerate(results, 1):
        if isinstance(result, Mapping) and "labels" in result:
            result = [
                {"label": label, "score": score}
                for label, score in zip(result["labels"], result["scores"], strict=True)
            ]
        for item in result if isinstance(result, list) else [result]:
            label = str(item["label"] if "label" in item else item["sequence"])
            items.append((f"#{n} {label}" if len(results) > 1 else label, float(item["score"])))
    return items


def embedding_summary(output: Any) -> str:
    """Dimension, norm and first values of each vector; pairwise cosine when there are several."""
    rows = vectors(output)
    if not rows:
        return "The output holds no vectors."
    lines = [f"{len(rows)} vector(s) of dimension {len(rows[0])}"]
    for i, row in enumerate(rows, 1):
        norm = math.sqrt(sum(x * x for x in row))
        first = ", ".join(f"{x:.4f}" for x in row[:FIRST_VALUES])
        lines.append(f"#{i}: norm {norm:.4f}; first values [{first}, …]")
    if len(rows) > 1:
        lines.append("Cosine similarity between inputs:")
        for i in range(len(rows)):
            for j in range(i + 1, len(rows)):
                lines.append(f"  #{i + 1} · #{j + 1}: {cosine_similarity(rows[i], rows[j]):.4f}")
    return "\n".join(lines)


def text_summary(task: str, output: Any, inputs: RunInput) -> str:
    """Generated text, answers, or (for anything else) the item as JSON."""
    if task == "feature-extraction":
        return embedding_summary(output)
    parts = []
    for result in per_input(output, inputs):
        items = result if isinstance(result, list) else [result]
        for item in items:
            if isinstance(item, Mapping) and isinstance(item.get("generated_text"), list):
                # chat: the whole conversation, each message under its role
                parts.append(
                    "\n\n".join(f"{m['role']}: {m['content']}" for m in item["generated_text"])
                )
            elif isinstance(item, Mapping) and "generated_text" in item:
                parts.append(str(item["generated_text"]))
            elif isinstance(item, Mapping) and "answer" in item:
                parts.append(f"Answer: {item['answer']}\nScore: {float(item.get('score', 0)):.4f}")
            else:  # JSON, as in the raw view; str() of a dict is Python's repr
                parts.append(item if isinstance(item, str) else to_json(item))
    return "\n\n".join(parts)


TIMING_ORDER = ("resolve", "fetch", "session_create", "preprocess", "run", "postprocess", "total")


def run_report(title: str, result: RunResult, wall_ms: float, totals: Sequence[float]) -> str:
    """The console text of a run, as about:inference prints it: timings per phase, end-to-end
    time, RSS, the files used, warnings and the result."""
    # numpy comes with raw_image: import it with a result in hand, not with the window
    from inference_gui.engine.raw_image import jsonable

    lines = [title, "", "Timings:"]
    lines += [f"  {key:<15}{result.timings_ms.get(key, 0):>10.1f} ms" for key in TIMING_ORDER]
    if len(totals) > 1:
        lines.append(
            f"  {len(totals)} runs: median {median(totals):.1f} ms, p90 {p90(totals):.1f} ms"
        )
    lines += [
        f"End to end (as seen here): {wall_ms:,.1f} ms",
        f"RSS peak: {human_bytes(result.rss_bytes)}",
        "",
        "Files:",
    ]
    lines += [f"  {f}" for f in result.files]
    lines += [f"Warning: {w}" for w in result.warnings]
    lines += ["", "Result:", to_json(jsonable(result.output))]
    return "\n".join(lines)
