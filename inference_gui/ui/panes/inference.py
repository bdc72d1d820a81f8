"""Inference pane: pick a feature, an example or a model, a quantization and an input; run, compare, benchmark.

Every load and run goes through ``ctx.worker.submit`` so the window keeps painting while files
download and sessions run; progress events drive the phase line and the per-file download list,
and Cancel sets the job's cancel event (onnxruntime runs are terminated through it).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QGuiApplication, QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from inference_gui.engine import EngineOptions, RunInput, RunResult
from inference_gui.engine.compare import (
    DtypeChoice,
    compare_dtypes,
    dtype_choices,
    rows_to_csv,
    rows_to_json,
)
from inference_gui.engine.engine import Engine
from inference_gui.engine.sources import FolderFiles, ModelFiles
from inference_gui.engine.tasks import supported_tasks, task_class
from inference_gui.engine.workloads import (
    BenchmarkRow,
    Example,
    default_call_options,
    examples,
    run_benchmark,
    workloads,
)
from inference_gui.errors import AppError, Cancelled, EngineError
from inference_gui.format import human_bytes
from inference_gui.jobs import Job, JobContext, Progress
from inference_gui.ui.context import UiContext
from inference_gui.ui.models.inference import BenchmarkModel, CompareModel
from inference_gui.ui.panes.base import Pane, pane_header
from inference_gui.ui.widgets.compare_chart import CompareChart
from inference_gui.ui.widgets.downloads import DownloadList
from inference_gui.ui.widgets.image_input import ImageInput
from inference_gui.ui.widgets.json_view import JsonView, to_json
from inference_gui.ui.widgets.options_editor import OptionsEditor
from inference_gui.ui.widgets.output_view import OutputView
from inference_gui.ui.widgets.tables import table_view

INPUT_PAGES = {"text": 0, "qa": 1, "image": 2, "any": 0}
TIMING_ORDER = ("resolve", "fetch", "session_create", "preprocess", "run", "postprocess", "total")


class InferencePane(Pane):
    pane_id = "inference"
    title = "Inference"
    icon = "inference.svg"
    description = "Run a feature or a model on your own input, at the quantization you choose."

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.job: Job[Any] | None = None
        self._choices: list[DtypeChoice] = []
        self._lookup = 0  # the latest dtype lookup; older answers are dropped
        self._looking_up = False
        self._after_lookup: Callable[[], None] | None = None
        self._streamed = ""
        self._build()
        self.example.setCurrentIndex(0)
        self._on_task_changed()
        self._features_loaded = False

    def sizeHint(self) -> QSize:
        """Ask only for the minimum, so the window's scroll area fits the pane instead of scrolling."""
        return self.minimumSizeHint()

    def heightForWidth(self, width: int) -> int:
        return self.minimumSizeHint().height()

    # -- layout ------------------------------------------------------------------------------------
    def _build(self) -> None:
        self.example = QComboBox()
        self.example.setAccessibleName("Ready-made example")
        self.example.addItem("Choose an example…", None)
        for item in examples():
            self.example.addItem(f"{item.title} ({item.task})", item.name)
        self.example.activated.connect(lambda _: self._apply_example())
        self.feature = QComboBox()
        self.feature.setAccessibleName("Feature from the records")
        self.feature.addItem("Loading features…", None)
        self.feature.activated.connect(lambda _: self._resolve_feature())
        self.task = QComboBox()
        self.task.addItems(supported_tasks())
        self.task.currentTextChanged.connect(lambda _: self._on_task_changed())
        self.model_id = QLineEdit()
        self.model_id.setPlaceholderText("org/name")
        self.revision = QLineEdit("main")
        self.folder = QLineEdit()
        self.folder.setPlaceholderText("optional: a converted model folder instead of the hub")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(browse)
        for edit in (self.model_id, self.revision, self.folder):
            edit.editingFinished.connect(self.refresh_dtypes)
        self.dtype = QComboBox()
        self.dtype.setAccessibleName("Quantization (dtype)")
        self.dtype_note = QLabel()
        self.dtype_note.setWordWrap(True)
        self.dtype_note.setObjectName("dtypeNote")
        self.threads = QSpinBox(minimum=0, maximum=64)
        self.threads.setSpecialValueText("automatic")
        self.threads.setValue(self.ctx.settings.threads or 0)
        self.runs = QSpinBox(minimum=1, maximum=1000, value=1)
        self.timeout = QSpinBox(minimum=0, maximum=3600, value=0, suffix=" s")
        self.timeout.setSpecialValueText("none")
        numbers = QHBoxLayout()
        for label, widget in (
            ("Threads", self.threads),
            ("Runs", self.runs),
            ("Timeout", self.timeout),
        ):
            numbers.addWidget(QLabel(label))
            numbers.addWidget(widget)
            numbers.addSpacing(12)
        numbers.addStretch(1)
        self.options = OptionsEditor()
        self.options.setMinimumHeight(70)
        self.options.setMaximumHeight(110)

        form = QFormLayout()
        form.addRow("Example", self.example)
        form.addRow("Feature", self.feature)
        form.addRow("Task", self.task)
        form.addRow("Model", self.model_id)
        form.addRow("Revision", self.revision)
        form.addRow("Folder", folder_row)
        form.addRow("Quantization", self.dtype)
        form.addRow("", self.dtype_note)
        form.addRow(numbers)
        form.addRow("Options", self.options)
        form.setVerticalSpacing(4)
        what = QGroupBox("What to run")
        what.setLayout(form)
        what.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

        self.text_input = QPlainTextEdit()
        self.text_input.setAccessibleName("Input text")
        self.batch = QCheckBox("One input per line (a batch)")
        text_page = QWidget()
        text_layout = QVBoxLayout(text_page)
        text_layout.setContentsMargins(0, 0, 0, 0)
        text_layout.addWidget(self.text_input, 1)
        text_layout.addWidget(self.batch)
        self.question = QLineEdit()
        self.question.setPlaceholderText("Question")
        self.context_input = QPlainTextEdit()
        self.context_input.setPlaceholderText("Context: the text holding the answer")
        qa_page = QWidget()
        qa_layout = QVBoxLayout(qa_page)
        qa_layout.setContentsMargins(0, 0, 0, 0)
        qa_layout.addWidget(self.question)
        qa_layout.addWidget(self.context_input, 1)
        self.image_input = ImageInput()
        self.inputs = QStackedWidget()
        for page in (text_page, qa_page, self.image_input):
            self.inputs.addWidget(page)
        self.run_button = QPushButton("Run")
        self.run_button.setDefault(True)
        self.run_button.clicked.connect(self.run)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        self.phase = QLabel("Ready.")
        self.phase.setObjectName("runPhase")
        self.phase.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.downloads = DownloadList(self)
        input_box = QGroupBox("Input")
        input_layout = QVBoxLayout(input_box)
        input_layout.addWidget(self.inputs, 1)
        input_layout.addLayout(buttons)
        input_layout.addWidget(self.phase)
        input_layout.addWidget(self.progress)
        input_layout.addWidget(self.downloads.view)

        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(what)
        top.addWidget(input_box)
        top.setStretchFactor(0, 3)
        top.setStretchFactor(1, 2)

        self.output = OutputView()
        self.raw = JsonView()
        self.console = QPlainTextEdit()
        self.console.setReadOnly(True)
        self.console.setAccessibleName("Console")
        result = QSplitter(Qt.Orientation.Horizontal)
        result.addWidget(self.output)
        result.addWidget(self.raw)
        result.setSizes([640, 360])
        self.tabs = QTabWidget()
        self.tabs.addTab(result, "Result")
        self.tabs.addTab(self.console, "Console")
        self.tabs.addTab(self._build_compare(), "Compare")
        self.tabs.addTab(self._build_benchmark(), "Benchmark")

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(pane_header(self.title, self.description))
        layout.addWidget(splitter, 1)
        self.options.validity_changed.connect(lambda _: self._update_buttons())

    def _build_compare(self) -> QWidget:
        self.compare_dtypes_list = QListWidget()
        self.compare_dtypes_list.setAccessibleName("Dtypes to compare")
        self.compare_dtypes_list.setMaximumWidth(170)
        self.compare_button = QPushButton("Compare")
        self.compare_button.clicked.connect(self.compare)
        self.compare_model = CompareModel(self)
        self.compare_table = table_view(self.compare_model, "Comparison of dtypes")
        self.chart = CompareChart()
        export_json = QPushButton("Export JSON…")
        export_json.clicked.connect(lambda: self._export("json"))
        export_csv = QPushButton("Export CSV…")
        export_csv.clicked.connect(lambda: self._export("csv"))
        side = QVBoxLayout()
        side.addWidget(QLabel("Dtypes (fp32 is the reference)"))
        side.addWidget(self.compare_dtypes_list, 1)
        side.addWidget(self.compare_button)
        side.addWidget(export_json)
        side.addWidget(export_csv)
        results = QSplitter(Qt.Orientation.Horizontal)
        results.addWidget(self.compare_table)
        results.addWidget(self.chart)
        results.setStretchFactor(0, 3)
        results.setStretchFactor(1, 2)
        results.setSizes([680, 300])
        self.compare_page = QWidget()
        layout = QHBoxLayout(self.compare_page)
        layout.addLayout(side)
        layout.addWidget(results, 1)
        return self.compare_page

    def _build_benchmark(self) -> QWidget:
        self.workload_list = QListWidget()
        self.workload_list.setAccessibleName("Benchmark workloads")
        self.workload_list.setMaximumWidth(260)
        for workload in workloads():
            item = QListWidgetItem(workload.title)
            item.setData(Qt.ItemDataRole.UserRole, workload)
            item.setCheckState(Qt.CheckState.Checked)
            self.workload_list.addItem(item)
        self.iterations = QSpinBox(minimum=1, maximum=100, value=3, prefix="× ")
        self.benchmark_button = QPushButton("Run benchmark")
        self.benchmark_button.clicked.connect(self.benchmark)
        copy = QPushButton("Copy as JSON")
        copy.clicked.connect(self._copy_benchmark)
        self.benchmark_model = BenchmarkModel(self)
        side = QVBoxLayout()
        side.addWidget(self.workload_list, 1)
        side.addWidget(self.iterations)
        side.addWidget(self.benchmark_button)
        side.addWidget(copy)
        page = QWidget()
        layout = QHBoxLayout(page)
        layout.addLayout(side)
        layout.addWidget(table_view(self.benchmark_model, "Benchmark results"), 1)
        return page

    # -- choosing what to run ----------------------------------------------------------------------
    def activated(self) -> None:
        if not self._features_loaded:
            self._features_loaded = True
            self.ctx.worker.submit(
                lambda _: self.ctx.app.records.feature_ids(),
                name="list features",
                on_done=self._show_features,
                on_error=self._features_failed,
            )

    def _show_features(self, ids: list[str]) -> None:
        self.feature.clear()
        self.feature.addItem("Choose a feature…" if ids else "No features in the records", None)
        for feature_id in ids:
            self.feature.addItem(feature_id, feature_id)

    def _features_failed(self, exc: BaseException) -> None:
        self.feature.clear()
        self.feature.addItem("Records unavailable", None)
        self.feature.setToolTip(str(exc))

    def _resolve_feature(self) -> None:
        feature_id = self.feature.currentData()
        if not feature_id:
            return
        self.phase.setText(f"Resolving {feature_id}…")
        self.ctx.worker.submit(
            lambda _: self.ctx.app.records.resolve(feature_id=feature_id),
            name=f"resolve {feature_id}",
            on_done=self._apply_resolution,
            on_error=self._show_error,
        )

    def _apply_resolution(self, resolution: Any) -> None:
        self.example.setCurrentIndex(0)
        try:
            options = EngineOptions.from_firefox(resolution.options)
        except AppError as exc:
            self._show_error(exc)
            return
        self._apply_options(options, default_call_options(options.task))
        self.phase.setText(
            f"Feature {options.feature_id or self.feature.currentData()} resolved: "
            f"{options.task} on {options.model_id}@{options.revision}, {options.dtype_label}."
        )

    def _apply_example(self) -> None:
        name = self.example.currentData()
        chosen = next((e for e in examples() if e.name == name), None)
        if chosen is not None:
            self.load_example(chosen)

    def load_example(self, chosen: Example) -> None:
        """Fill the form and the input from a ready-made example."""
        self.example.setCurrentIndex(max(0, self.example.findData(chosen.name)))
        self.feature.setCurrentIndex(0)  # the form no longer shows a feature's options
        self._apply_options(chosen.engine_options, chosen.options)
        value = chosen.input
        if "question" in value:
            self.question.setText(str(value["question"]))
            self.context_input.setPlainText(str(value["context"]))
        elif "image" in value:
            path = chosen.run_input().images[0]
            self.image_input.set_path(path)
        else:
            texts = value.get("texts") or [value.get("text", "")]
            self.text_input.setPlainText("\n".join(texts))
            self.batch.setChecked("texts" in value)

    def _apply_options(self, options: EngineOptions, call_options: dict[str, Any]) -> None:
        self.folder.clear()
        self.task.setCurrentText(options.task)
        self.model_id.setText(options.model_id)
        self.revision.setText(options.revision)
        if options.num_threads:
            self.threads.setValue(options.num_threads)
        self.timeout.setValue(int((options.timeout_ms or 0) / 1000))
        self.options.set_value(call_options)
        self._wanted_dtype = options.dtype_label
        self.refresh_dtypes()

    def _on_task_changed(self) -> None:
        task = self.task.currentText()
        kind = task_class(task).input_kind
        self.inputs.setCurrentIndex(INPUT_PAGES.get(kind, 0))
        self.options.set_value(default_call_options(task))

    def _browse_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Choose a converted model folder")
        if folder:
            self.folder.setText(folder)
            self.refresh_dtypes()

    # -- files and dtypes ----------------------------------------------------------------------------
    def _model_files(self) -> ModelFiles | None:
        """The folder chosen by hand, or None for the configured hub (through the cache)."""
        folder = self.folder.text().strip()
        return FolderFiles(Path(folder), f"folder {folder}") if folder else None

    def _files_of(self, model_id: str, revision: str) -> ModelFiles:
        from inference_gui.engine.default_files import default_factory

        return self._model_files() or default_factory(self.ctx.app)(model_id, revision)

    def refresh_dtypes(self) -> None:
        """List the dtypes the model really has, with sizes, in a job (it may ask the hub)."""
        task, model, revision = (
            self.task.currentText(),
            self.model_id.text().strip(),
            self.revision.text().strip() or "main",
        )
        self._lookup += 1
        if not task_class(task).needs_model or not (model or self.folder.text().strip()):
            self._show_choices([])
            return
        self.dtype_note.setText("Looking up the quantizations this model has…")
        self.dtype_note.setVisible(True)
        token, self._looking_up = self._lookup, True

        def latest(show: Callable[[Any], None]) -> Callable[[Any], None]:
            return lambda value: show(value) if token == self._lookup else None

        self.ctx.worker.submit(
            lambda _: self._list_choices(task, model, revision),
            name=f"dtypes of {model}",
            on_done=latest(self._show_choices),
            on_error=latest(self._dtypes_failed),
        )

    def _list_choices(self, task: str, model: str, revision: str) -> list[DtypeChoice]:
        files = self._files_of(model, revision)
        return dtype_choices(files, task, _size_getter(files))

    def _dtypes_failed(self, exc: BaseException) -> None:
        self._after_lookup = None
        self._show_choices([])
        self.dtype_note.setText(f"Cannot list the model's files: {exc}")
        self.dtype_note.setVisible(True)

    def _show_choices(self, choices: list[DtypeChoice]) -> None:
        wanted = getattr(self, "_wanted_dtype", None) or self.dtype.currentData() or "q8"
        self._choices = choices
        self.dtype.clear()
        self.compare_dtypes_list.clear()
        model = QStandardItemModel(self.dtype)
        self.dtype.setModel(model)
        for choice in choices:
            size = human_bytes(choice.size_bytes) if choice.size_bytes is not None else "—"
            text = (
                f"{choice.dtype}  ({size})"
                if choice.available
                else f"{choice.dtype}  (unavailable)"
            )
            self.dtype.addItem(text, choice.dtype)
            item = model.item(model.rowCount() - 1)
            item.setEnabled(choice.available)
            item.setToolTip(choice.reason or f"{choice.dtype}: {size}")
            listed = QListWidgetItem(text)
            listed.setData(Qt.ItemDataRole.UserRole, choice)
            listed.setFlags(listed.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            if not choice.available:
                listed.setFlags(listed.flags() & ~Qt.ItemFlag.ItemIsEnabled)
                listed.setToolTip(choice.reason)
            checked = choice.available and choice.dtype in ("fp32", "fp16", "q8")
            listed.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.compare_dtypes_list.addItem(listed)
        index = self.dtype.findData(wanted)
        if index >= 0 and choices[index].available:
            self.dtype.setCurrentIndex(index)
        else:
            first = next((i for i, c in enumerate(choices) if c.available), -1)
            self.dtype.setCurrentIndex(first)
        missing = [c for c in choices if not c.available]
        note = ""
        if missing:
            note = f"Unavailable: {', '.join(c.dtype for c in missing)} — {missing[0].reason}."
        if index >= 0 and not choices[index].available:
            note = (
                f"The requested dtype {wanted} is not available: {choices[index].reason}. " + note
            )
        self.dtype_note.setText(note)
        self.dtype_note.setVisible(bool(note))
        self._wanted_dtype = None
        self._looking_up = False
        self._update_buttons()
        then, self._after_lookup = self._after_lookup, None
        if then is not None:
            then()

    @property
    def busy(self) -> bool:
        """True while a run, a comparison, a benchmark or a dtype lookup is under way."""
        return self.job is not None or self._looking_up or self._after_lookup is not None

    def run_example(self, chosen: Example, *, compare: bool = False) -> None:
        """Load an example and run it (or compare its dtypes) once its dtypes are known."""
        self._after_lookup = self.compare if compare else self.run
        self.load_example(chosen)

    # -- running ---------------------------------------------------------------------------------------
    def engine_options(self, dtype: str | None = None) -> EngineOptions:
        task = self.task.currentText()
        chosen = dtype or self.dtype.currentData()
        if task_class(task).needs_model and not chosen:
            raise EngineError(
                "No quantization is available for this model.",
                "Check the model id and revision, or pick another model.",
            )
        return EngineOptions(
            task,
            self.model_id.text().strip(),
            self.revision.text().strip() or "main",
            chosen or "q8",
            num_threads=self.threads.value(),
            timeout_ms=self.timeout.value() * 1000 or None,
            feature_id=self.feature.currentData(),
        )

    def run_input(self) -> RunInput:
        kind = task_class(self.task.currentText()).input_kind
        if kind == "qa":
            return RunInput.qa(self.question.text(), self.context_input.toPlainText())
        if kind == "image":
            if self.image_input.path is None:
                raise EngineError("No image is chosen.", "Open, drop or paste an image first.")
            return RunInput.image(self.image_input.path)
        text = self.text_input.toPlainText()
        if self.batch.isChecked():
            return RunInput.text([line for line in text.splitlines() if line.strip()])
        return RunInput.text(text)

    def _engine(self, options: EngineOptions) -> Engine:
        return self.ctx.app.engines.get(options, self._model_files())

    def run(self) -> None:
        """Run the form's model on the input, ``runs`` times; the last result is shown."""
        try:
            options, inputs, call = self.engine_options(), self.run_input(), self.options.value()
        except AppError as exc:
            self._show_error(exc)
            return
        runs = self.runs.value()
        self._streamed = ""
        self.output.clear()

        def work(job: JobContext) -> tuple[RunResult, list[float]]:
            engine = self._engine(options)
            results = []
            for _ in range(runs):
                results.append(
                    engine.run(
                        inputs,
                        call,
                        progress=job.report,
                        cancel=job.cancel_event,
                        stream=self._stream_chunk,
                    )
                )
            return results[-1], [r.timings_ms["total"] for r in results]

        self._start(
            work,
            f"run {options.task} {options.model_id}",
            lambda value: self._show_result(options, inputs, *value),
        )

    def _stream_chunk(self, chunk: Any) -> None:
        text = getattr(chunk, "text", str(chunk))
        self.ctx.worker.on_gui_thread(lambda: self._append_stream(text))

    def _append_stream(self, text: str) -> None:
        self._streamed += text
        self.output.show_text(self._streamed)

    def compare(self) -> None:
        """Run the input on every checked dtype (warm-up + N runs each) and fill table and chart."""
        try:
            base, inputs, call = self.engine_options(), self.run_input(), self.options.value()
        except AppError as exc:
            self._show_error(exc)
            return
        chosen = [
            self.compare_dtypes_list.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.compare_dtypes_list.count())
            if self.compare_dtypes_list.item(i).checkState() == Qt.CheckState.Checked
        ]
        if not chosen:
            self._show_error(
                EngineError(
                    "No dtype is checked for the comparison.",
                    "Check at least one dtype in the Compare tab.",
                )
            )
            return
        runs, folder = self.runs.value(), self._model_files()

        def engine_for(dtype: str) -> Engine:
            from inference_gui.engine.engine import as_factory

            options = base.with_(dtype=dtype)
            return Engine(options, as_factory(folder, options, self.ctx.app))

        self.tabs.setCurrentWidget(self.compare_page)
        self._start(
            lambda job: compare_dtypes(
                engine_for, chosen, inputs, call, runs, progress=job.report, cancel=job.cancel_event
            ),
            f"compare {base.model_id}",
            self._show_comparison,
        )

    def benchmark(self) -> None:
        selected = [
            self.workload_list.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.workload_list.count())
            if self.workload_list.item(i).checkState() == Qt.CheckState.Checked
        ]
        if not selected:
            self._show_error(EngineError("No workload is checked.", "Check at least one workload."))
            return
        iterations = self.iterations.value()

        def work(job: JobContext) -> list[BenchmarkRow]:
            from inference_gui.engine.default_files import default_factory

            return run_benchmark(
                selected,
                default_factory(self.ctx.app),
                iterations,
                progress=job.report,
                cancel=job.cancel_event,
            )

        self._start(work, "benchmark", self._show_benchmark)

    def _start(
        self, work: Callable[[JobContext], Any], name: str, done: Callable[[Any], None]
    ) -> None:
        self.downloads.clear()
        self.progress.setVisible(True)
        self.progress.setRange(0, 0)
        self.phase.setText("Starting…")
        self._started = time.perf_counter()

        def finished(value: Any) -> None:
            self._finish()
            done(value)

        def failed(exc: BaseException) -> None:
            self._finish()
            self._show_error(exc)

        self.job = self.ctx.worker.submit(
            work, name=name, on_progress=self._on_progress, on_done=finished, on_error=failed
        )
        self._update_buttons()

    def cancel(self) -> None:
        if self.job is not None:
            self.phase.setText("Cancelling…")
            self.job.cancel()

    def _finish(self) -> None:
        self.job = None
        self.progress.setVisible(False)
        self._update_buttons()

    def _on_progress(self, progress: Progress) -> None:
        if self.job is None:
            return
        self.downloads.update(progress)
        if progress.unit == "B":
            self.phase.setText(f"Downloading {progress.detail}…")
            return
        self.phase.setText(
            f"{progress.phase.capitalize()}: {progress.detail}"
            if progress.detail
            else progress.phase.capitalize()
        )
        if progress.total:
            self.progress.setRange(0, int(progress.total))
            self.progress.setValue(int(progress.done))
        else:
            self.progress.setRange(0, 0)

    def _update_buttons(self) -> None:
        idle = self.job is None
        ready = idle and self.options.valid
        for button in (self.run_button, self.compare_button):
            button.setEnabled(ready)
        self.benchmark_button.setEnabled(idle)
        self.cancel_button.setEnabled(not idle)
        if not self.options.valid:
            self.run_button.setToolTip("Fix the options first.")
        else:
            self.run_button.setToolTip("")

    # -- showing results ---------------------------------------------------------------------------------
    def _show_result(
        self, options: EngineOptions, inputs: RunInput, result: RunResult, totals: list[float]
    ) -> None:
        self.output.show_output(options.task, result.output, inputs)
        self.raw.set_value(result.output)
        wall = (time.perf_counter() - self._started) * 1000
        self.phase.setText(f"Done in {wall:,.0f} ms.")
        title = f"{options.task} on {options.model_id or 'folder'}@{options.revision} ({options.dtype_label})"
        lines = [title, "", "Timings:"]
        lines += [f"  {key:<15}{result.timings_ms.get(key, 0):>10.1f} ms" for key in TIMING_ORDER]
        if len(totals) > 1:
            from inference_gui.engine.compare import median, p90

            lines.append(
                f"  {len(totals)} runs: median {median(totals):.1f} ms, p90 {p90(totals):.1f} ms"
            )
        lines += [
            f"End to end (as seen here): {wall:,.1f} ms",
            f"RSS peak: {human_bytes(result.rss_bytes)}",
            "",
            "Files:",
        ]
        lines += [f"  {f}" for f in result.files]
        lines += [f"Warning: {w}" for w in result.warnings]
        lines += ["", "Result:", to_json(result.output)]
        self.console.setPlainText("\n".join(lines))

    def _show_comparison(self, rows: list[Any]) -> None:
        self.compare_model.set_rows(rows)
        self.chart.set_rows(rows)
        self.phase.setText(f"Compared {len(rows)} dtypes.")

    def _show_benchmark(self, rows: list[BenchmarkRow]) -> None:
        self.benchmark_model.set_rows(rows)
        self.phase.setText(f"Benchmarked {len(rows)} workloads.")

    def _show_error(self, exc: BaseException) -> None:
        if isinstance(exc, Cancelled):
            self.phase.setText("Cancelled. Nothing was changed; run again when ready.")
            return
        message = (
            str(exc) if isinstance(exc, AppError) else f"Unexpected error: {exc}. See the Log pane."
        )
        self.phase.setText(message)
        self.output.show_text(message)
        self.console.appendPlainText(f"Error: {message}")

    def _export(self, kind: str) -> None:
        rows = self.compare_model.rows()
        if not rows:
            self.phase.setText("Nothing to export yet: run a comparison first.")
            return
        name, _ = QFileDialog.getSaveFileName(
            self,
            "Export the comparison",
            f"comparison.{kind}",
            "CSV (*.csv)" if kind == "csv" else "JSON (*.json)",
        )
        if name:
            self.export_comparison(Path(name))

    def export_comparison(self, path: Path) -> None:
        """Write the comparison as CSV or JSON (by the file's suffix)."""
        rows = self.compare_model.rows()
        text = rows_to_csv(rows) if path.suffix.lower() == ".csv" else rows_to_json(rows)
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            self._show_error(
                AppError(
                    f"Could not write {path}: {exc.strerror}.", "Choose a folder you can write to."
                )
            )
            return
        self.phase.setText(f"Exported the comparison to {path}.")

    def _copy_benchmark(self) -> None:
        import dataclasses
        import json

        rows = [dataclasses.asdict(r) for r in self.benchmark_model.rows()]
        QGuiApplication.clipboard().setText(json.dumps(rows, indent=2))
        self.phase.setText(f"Copied {len(rows)} benchmark rows as JSON.")


def _size_getter(files: ModelFiles) -> Callable[[str], int | None]:
    """File sizes: from disk for a folder, else from the hub's listing (fetched once)."""
    if isinstance(files, FolderFiles):
        return lambda path: files.fetch(path).stat().st_size if files.exists(path) else None
    hub = getattr(files, "hub", None)
    if hub is None or getattr(files, "offline", False) or hub.offline:
        return lambda path: None
    sizes = {f.path: f.size for f in hub.list_files(files.model_id, files.revision)}  # type: ignore[attr-defined]
    return lambda path: sizes.get(path) if sizes.get(path, -1) >= 0 else None


def play_example(window: Any, name: str, *, compare: bool = False, timeout_s: float = 120.0) -> str:
    """Run example ``name`` in the window's Inference pane and pump events until it is done;
    returns the pane's closing status line. For ``screenshot --run-example`` (no event loop there)."""
    from PySide6.QtWidgets import QApplication

    from inference_gui.engine.workloads import example

    chosen = example(name)
    pane = window.show_pane("inference")
    window.show()
    pane.run_example(chosen, compare=compare)
    deadline = time.monotonic() + timeout_s
    while pane.busy and time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.01)
    if compare:
        pane.tabs.setCurrentWidget(pane.compare_page)
    return pane.phase.text()
