"""The Inference pane's result side: downloads, output, raw JSON, console, compare and benchmark
tabs, and how a finished run, comparison, benchmark or error is shown in them.

Each task's output has a *kind* (:data:`OUTPUT_KINDS`) and each kind one view
(:data:`RESULT_VIEWS`): a widget with ``show_output(output, inputs)``. A new kind of result is one
view class plus one line in each table; :class:`OutputView` does the switching, falls back to the
JSON when an output does not have the shape its view expects, and keeps the raw JSON one click away.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from inference_gui.engine import RunInput, RunResult
from inference_gui.engine.compare import CompareRow
from inference_gui.engine.workloads import BenchmarkRow
from inference_gui.errors import Cancelled
from inference_gui.run_service import RunPlan
from inference_gui.ui.error_text import error_text
from inference_gui.ui.widgets.answer_view import AnswerView
from inference_gui.ui.widgets.audio_output import GeneratedAudioView
from inference_gui.ui.widgets.benchmark_panel import BenchmarkPanel
from inference_gui.ui.widgets.chat_view import ChatView
from inference_gui.ui.widgets.compare_panel import ComparePanel
from inference_gui.ui.widgets.downloads import DownloadList
from inference_gui.ui.widgets.entities import EntitiesView
from inference_gui.ui.widgets.image_overlay import ImageOverlay
from inference_gui.ui.widgets.json_view import JsonView, to_json
from inference_gui.ui.widgets.output_view import run_report, scored_items, text_summary
from inference_gui.ui.widgets.score_bars import ScoreBars
from inference_gui.ui.widgets.similarity_map import EmbeddingsView, ImageFeaturesView
from inference_gui.ui.widgets.waveform import TranscriptsView, TranscriptView


class ResultView(Protocol):
    """What a result view does: show one run's output for the inputs it was given."""

    def show_output(self, output: Any, inputs: RunInput) -> None: ...


class ScoresView(QScrollArea):
    """Labelled bars (classification, zero-shot, fill-mask), best first and emphasised."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.bars = ScoreBars()
        self.setWidget(self.bars)

    def items(self) -> list[tuple[str, float]]:
        return self.bars.items()

    def show_output(self, output: Any, inputs: RunInput) -> None:
        self.bars.set_scores(scored_items(output, inputs))


class GeneratedTextView(QPlainTextEdit):
    """Large, readable text that grows as it is decoded (``show_text`` while streaming)."""

    SCALE = 1.5  # relative to the pane's font

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setAccessibleName("Output text")

    def show_output(self, output: Any, inputs: RunInput) -> None:
        self.setPlainText(text_summary("text-generation", output, inputs))


class RawJsonView(JsonView):
    """Outputs that have no friendlier view (moz-echo, unexpected shapes)."""

    def show_output(self, output: Any, inputs: RunInput) -> None:
        self.setPlainText(to_json(output))


OUTPUT_KINDS: dict[str, str] = {
    "text-classification": "scores",
    "image-classification": "scores",
    "zero-shot-classification": "scores",
    "fill-mask": "scores",
    "token-classification": "entities",
    "question-answering": "answer",
    "text-generation": "text",
    "text2text-generation": "text",
    "summarization": "text",
    "translation": "text",
    "image-to-text": "text",
    "feature-extraction": "embeddings",
    "zero-shot-image-classification": "scores",
    "object-detection": "drawn",
    "zero-shot-object-detection": "drawn",
    "image-segmentation": "drawn",
    "depth-estimation": "drawn",
    "background-removal": "drawn",
    "image-to-image": "drawn",
    "image-feature-extraction": "image-features",
    "audio-classification": "scores",
    "automatic-speech-recognition": "transcript",
    "text-to-audio": "audio",
}
"""Which kind of result each task gives; a task not listed is shown as JSON."""

INPUT_KINDS: dict[str, str] = {"chat": "chat"}
"""Inputs whose results have a kind of their own, whatever the task (a chat's is a transcript)."""

RESULT_VIEWS: dict[str, Callable[[], QWidget]] = {
    "scores": ScoresView,
    "entities": EntitiesView,
    "answer": AnswerView,
    "text": GeneratedTextView,
    "embeddings": EmbeddingsView,
    "drawn": ImageOverlay,
    "image-features": ImageFeaturesView,
    "transcript": TranscriptsView,
    "audio": GeneratedAudioView,
    "chat": ChatView,
    "json": RawJsonView,
}
"""One view per kind of result."""


LARGE_TEXT_KINDS = ("text", "chat")  # generated prose reads larger than the other views


def output_kind(task: str, inputs: RunInput | None = None) -> str:
    if inputs is not None and inputs.kind in INPUT_KINDS:
        return INPUT_KINDS[inputs.kind]
    return OUTPUT_KINDS.get(task, "json")


class OutputView(QStackedWidget):
    """Switches to the view of the output's kind; messages (errors, streamed text) go to the text
    view. ``scale_fonts`` enlarges every view for presentation mode."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.views: dict[str, QWidget] = {kind: make() for kind, make in RESULT_VIEWS.items()}
        for view in self.views.values():
            self.addWidget(view)
        self.text: GeneratedTextView = self.views["text"]  # type: ignore[assignment]
        self.scores: ScoresView = self.views["scores"]  # type: ignore[assignment]
        self.entities: EntitiesView = self.views["entities"]  # type: ignore[assignment]
        self.answer: AnswerView = self.views["answer"]  # type: ignore[assignment]
        self.embeddings: EmbeddingsView = self.views["embeddings"]  # type: ignore[assignment]
        self.overlay: ImageOverlay = self.views["drawn"]  # type: ignore[assignment]
        self.image_features: ImageFeaturesView = self.views["image-features"]  # type: ignore[assignment]
        self.transcript: TranscriptView = self.views["transcript"].transcript  # type: ignore[attr-defined]
        self.chat: ChatView = self.views["chat"]  # type: ignore[assignment]
        self.audio: GeneratedAudioView = self.views["audio"]  # type: ignore[assignment]
        self._base_points = self.font().pointSizeF()
        self.scale_fonts(1.0)
        self.setCurrentWidget(self.text)

    def scale_fonts(self, factor: float) -> None:
        for kind, view in self.views.items():
            font = QFont(view.font())
            scale = GeneratedTextView.SCALE if kind in LARGE_TEXT_KINDS else 1.0
            font.setPointSizeF(self._base_points * factor * scale)
            view.setFont(font)

    def clear(self) -> None:
        self.text.clear()
        self.setCurrentWidget(self.text)

    def show_text(self, text: str) -> None:
        """Plain text (streamed tokens, an error) in the text view."""
        self.text.setPlainText(text)
        self.setCurrentWidget(self.text)

    def show_stream(self, text: str, inputs: RunInput) -> None:
        """Text decoded so far: a single chat's reply in the transcript, else in the text view."""
        if inputs.kind == "chat" and not inputs.batched:
            self.chat.stream(inputs.chats[0], text)
            self.setCurrentWidget(self.chat)
        else:
            self.show_text(text)

    def show_output(self, task: str, output: Any, inputs: RunInput) -> None:
        """The kind's view; an output of an unexpected shape is shown as JSON instead."""
        view = self.views[output_kind(task, inputs)]
        try:
            view.show_output(output, inputs)  # type: ignore[attr-defined]
        except (AttributeError, KeyError, TypeError, ValueError, IndexError):
            view = self.views["json"]
            view.show_output(output, inputs)  # type: ignore[attr-defined]
        self.setCurrentWidget(view)


class ResultViews(QWidget):
    """The download list (only while files download) above the result tabs."""

    def __init__(self, phase: QLabel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.phase = phase
        self.downloads = DownloadList(self)
        self.output = OutputView()
        self.raw = JsonView()
        self.raw.setVisible(False)
        self.show_json = QPushButton("{ } JSON")
        self.show_json.setCheckable(True)
        self.show_json.setToolTip("Show the raw JSON, exactly as Transformers.js returns it")
        self.show_json.toggled.connect(self.raw.setVisible)
        self.console = QPlainTextEdit(readOnly=True)
        self.console.setAccessibleName("Console")
        self.compare_panel = ComparePanel()
        self.compare_panel.message.connect(phase.setText)
        self.benchmark_panel = BenchmarkPanel()
        self.benchmark_panel.message.connect(phase.setText)
        result = QSplitter(Qt.Orientation.Horizontal)
        result.addWidget(self.output)
        result.addWidget(self.raw)
        result.setSizes([640, 360])
        self.tabs = QTabWidget()
        self.tabs.addTab(result, "Result")
        self.tabs.addTab(self.console, "Console")
        self.tabs.addTab(self.compare_panel, "Compare")
        self.tabs.addTab(self.benchmark_panel, "Benchmark")
        self.tabs.setCornerWidget(self.show_json, Qt.Corner.TopRightCorner)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.downloads.view)
        layout.addWidget(self.tabs, 1)

    def clear_result(self, why: str) -> None:
        """No result shown: a run started, failed or was cancelled (an old one would mislead)."""
        self.output.show_text(why)
        self.raw.clear()

    def show_result(
        self,
        plan: RunPlan,
        inputs: RunInput,
        result: RunResult,
        wall_ms: float,
        totals: list[float],
    ) -> None:
        # numpy comes with raw_image: import it with a result in hand, not with the window
        from inference_gui.engine.raw_image import jsonable

        o = plan.options
        self.output.show_output(o.task, result.output, inputs)
        self.raw.set_value(jsonable(result.output))  # masks and depth maps in compact form
        notes = "".join(f" Note: {w}" for w in result.warnings)  # else only the Console says so
        self.phase.setText(f"Done in {wall_ms:,.0f} ms.{notes}")
        # A folder run ignores the model and revision fields, so the report must not name them.
        title = f"{o.task} on {plan.source_label} ({o.dtype_label})"
        self.console.setPlainText(run_report(title, result, wall_ms, totals))

    def show_comparison(self, rows: list[CompareRow], context: dict[str, Any]) -> None:
        self.compare_panel.set_rows(rows, context)
        self.phase.setText(self.compare_panel.status())

    def show_benchmark(self, rows: list[BenchmarkRow]) -> None:
        self.benchmark_panel.set_rows(rows)
        self.phase.setText(f"Benchmarked {len(rows)} workloads.")

    def show_error(self, exc: BaseException) -> None:
        """Say what went wrong; the previous run's output and JSON are cleared, as they would
        read as this run's."""
        if isinstance(exc, Cancelled):
            self.phase.setText("Cancelled. Nothing was changed; run again when ready.")
            self.clear_result("Cancelled: no result.")
            return
        message = error_text(exc)
        self.phase.setText(message)
        self.clear_result(message)
        self.console.appendPlainText(f"Error: {message}")
