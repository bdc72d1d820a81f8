"""The Inference pane's result side: downloads, output, raw JSON, console, compare and benchmark
tabs, and how a finished run, comparison, benchmark or error is shown in them."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QSplitter, QTabWidget, QVBoxLayout, QWidget

from inference_gui.engine import RunInput, RunResult
from inference_gui.engine.compare import CompareRow
from inference_gui.engine.raw_image import jsonable
from inference_gui.engine.workloads import BenchmarkRow
from inference_gui.errors import Cancelled
from inference_gui.run_service import RunPlan
from inference_gui.ui.error_text import error_text
from inference_gui.ui.widgets.benchmark_panel import BenchmarkPanel
from inference_gui.ui.widgets.compare_panel import ComparePanel
from inference_gui.ui.widgets.downloads import DownloadList
from inference_gui.ui.widgets.json_view import JsonView
from inference_gui.ui.widgets.output_view import OutputView, run_report


class ResultViews(QWidget):
    """Full width below the form: the download list above the result tabs."""

    def __init__(self, phase: QLabel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.phase = phase
        self.downloads = DownloadList(self)
        self.output = OutputView()
        self.raw = JsonView()
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
        # Full width above the results: in the Input box its five columns were cut to two.
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.downloads.view)
        layout.addWidget(self.tabs, 1)

    def show_result(
        self,
        plan: RunPlan,
        inputs: RunInput,
        result: RunResult,
        wall_ms: float,
        totals: list[float],
    ) -> None:
        o = plan.options
        self.output.show_output(o.task, result.output, inputs)
        self.raw.set_value(jsonable(result.output))  # masks and depth maps in compact form
        notes = "".join(f" Note: {w}" for w in result.warnings)  # else only the Console says so
        self.phase.setText(f"Done in {wall_ms:,.0f} ms.{notes}")
        # A folder run ignores the model and revision fields, so the report must not name them.
        title = f"{o.task} on {plan.source_label} ({o.dtype_label})"
        self.console.setPlainText(run_report(title, result, wall_ms, totals))

    def show_comparison(self, rows: list[CompareRow]) -> None:
        self.compare_panel.set_rows(rows)
        self.phase.setText(f"Compared {len(rows)} dtypes.")

    def show_benchmark(self, rows: list[BenchmarkRow]) -> None:
        self.benchmark_panel.set_rows(rows)
        self.phase.setText(f"Benchmarked {len(rows)} workloads.")

    def show_error(self, exc: BaseException) -> None:
        if isinstance(exc, Cancelled):
            self.phase.setText("Cancelled. Nothing was changed; run again when ready.")
            return
        message = error_text(exc)
        self.phase.setText(message)
        self.output.show_text(message)
        self.raw.clear()  # the previous run's JSON would read as this one's
        self.console.appendPlainText(f"Error: {message}")
