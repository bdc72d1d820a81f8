"""A run's output as a person reads it: score bars, highlighted entities, text, embedding stats."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtWidgets import QPlainTextEdit, QScrollArea, QStackedWidget, QWidget

from inference_gui.engine.compare import cosine_similarity, median, p90, vectors
from inference_gui.engine.engine import RunResult
from inference_gui.engine.inputs import RunInput
from inference_gui.format import human_bytes
from inference_gui.ui.widgets.entities import EntityHighlighter
from inference_gui.ui.widgets.json_view import to_json
from inference_gui.ui.widgets.score_bars import ScoreBars
from inference_gui.ui.widgets.waveform import TranscriptView

SCORED_TASKS = {"text-classification", "image-classification", "fill-mask", "audio-classification"}
FIRST_VALUES = 6


def per_input(output: Any, inputs: RunInput) -> list[Any]:
    """Transformers.js returns a list per input for batches and one result otherwise."""
    return list(output) if inputs.batched and isinstance(output, list) else [output]


def scored_items(task: str, output: Any, inputs: RunInput) -> list[tuple[str, float]]:
    """(label, score) rows; filled masks show the whole sentence; batches number their rows."""
    results = per_input(output, inputs)
    items = []
    for n, result in enumerate(results, 1):
        for item in result if isinstance(result, list) else [result]:
            label = str(item["sequence"] if task == "fill-mask" else item["label"])
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
            if isinstance(item, Mapping) and "generated_text" in item:
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
    lines += ["", "Result:", to_json(result.output)]
    return "\n".join(lines)


class OutputView(QStackedWidget):
    """Switches to the page that suits the task of the output it is given."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.scores = ScoreBars()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.scores)
        self.entities = EntityHighlighter()
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setAccessibleName("Output text")
        self.transcript = TranscriptView()
        transcripts = QScrollArea()
        transcripts.setWidgetResizable(True)
        transcripts.setWidget(self.transcript)
        for page in (self.text, scroll, self.entities, transcripts):
            self.addWidget(page)
        self._transcripts = transcripts
        self._scroll = scroll

    def clear(self) -> None:
        self.text.clear()
        self.setCurrentWidget(self.text)

    def show_text(self, text: str) -> None:
        """Plain text (streamed tokens, an error) in the text page."""
        self.text.setPlainText(text)
        self.setCurrentWidget(self.text)

    def show_output(self, task: str, output: Any, inputs: RunInput) -> None:
        """The task's friendly view; an output of an unexpected shape is shown as JSON instead."""
        try:
            self._show_friendly(task, output, inputs)
        except (AttributeError, KeyError, TypeError, ValueError):
            self.show_text(to_json(output))

    def _show_friendly(self, task: str, output: Any, inputs: RunInput) -> None:
        if task in SCORED_TASKS:
            self.scores.set_scores(scored_items(task, output, inputs))
            self.setCurrentWidget(self._scroll)
        elif task == "token-classification":
            texts: Sequence[str] = inputs.texts
            self.entities.set_entities(texts, per_input(output, inputs))
            self.setCurrentWidget(self.entities)
        elif task == "automatic-speech-recognition":
            texts = [str(result["text"]) for result in per_input(output, inputs)]
            self.transcript.show_transcripts(list(zip(inputs.audios, texts, strict=True)))
            self.setCurrentWidget(self._transcripts)
        else:
            self.show_text(text_summary(task, output, inputs))
