"""Inference pane: pick a feature, an example or a model, a quantization and an input; run, compare,
benchmark.

The pane owns the form and the jobs; the widgets (input editor, dtype picker, output view, compare
and benchmark panels) only show things. Every load and run goes through ``ctx.worker.submit`` so
the window keeps painting while files download and sessions run; progress events drive the phase
line and the per-file download list, and Cancel sets the job's cancel event (onnxruntime runs are
terminated through it).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from inference_gui.engine import EngineOptions, RunInput, RunResult
from inference_gui.engine.compare import CompareRow, DtypeChoice, compare_dtypes, dtype_choices
from inference_gui.engine.default_files import default_factory
from inference_gui.engine.engine import Engine, as_factory
from inference_gui.engine.sources import FolderFiles, ModelFiles
from inference_gui.engine.tasks import supported_tasks, task_class
from inference_gui.engine.workloads import (
    BenchmarkRow,
    Example,
    default_call_options,
    example,
    examples,
    run_benchmark,
)
from inference_gui.errors import AppError, Cancelled, EngineError
from inference_gui.jobs import Job, JobContext, Progress
from inference_gui.ui.context import UiContext
from inference_gui.ui.panes.base import Pane, pane_header
from inference_gui.ui.widgets.benchmark_panel import BenchmarkPanel
from inference_gui.ui.widgets.compare_panel import ComparePanel
from inference_gui.ui.widgets.downloads import DownloadList
from inference_gui.ui.widgets.dtype_picker import DtypePicker
from inference_gui.ui.widgets.input_editor import InputEditor
from inference_gui.ui.widgets.json_view import JsonView
from inference_gui.ui.widgets.options_editor import OptionsEditor
from inference_gui.ui.widgets.output_view import OutputView, run_report


class InferencePane(Pane):
    pane_id = "inference"
    title = "Inference"
    icon = "inference.svg"
    description = "Run a feature or a model on your own input, at the quantization you choose."

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.job: Job[Any] | None = None
        self._streamed = ""
        self._started = 0.0
        self._wanted_dtype: str | None = None
        self._lookup = 0  # the latest dtype lookup; answers to older ones are dropped
        self._looking_up = False
        self._after_lookup: Callable[[], None] | None = None
        self._features_loaded = False
        self._build()
        self._on_task_changed()
        self.refresh_dtypes()
        ctx.settings_changed.connect(self._settings_changed)

    def sizeHint(self) -> QSize:
        """Ask only for the minimum, so the window's scroll area fits the pane instead of scrolling."""
        return self.minimumSizeHint()

    def heightForWidth(self, width: int) -> int:
        return self.minimumSizeHint().height()

    # -- layout ------------------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.addWidget(pane_header(self.title, self.description))
        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(self._build_form())
        top.addWidget(self._build_input())
        top.setStretchFactor(0, 3)
        top.setStretchFactor(1, 2)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(self._build_results())
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        layout.addWidget(splitter, 1)
        self.options.validity_changed.connect(lambda _: self._update_buttons())

    def _build_form(self) -> QWidget:
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
        self.model_id = QLineEdit(placeholderText="org/name")
        self.revision = QLineEdit("main")
        self.folder = QLineEdit(
            placeholderText="optional: a converted model folder instead of the hub"
        )
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(browse)
        for edit in (self.model_id, self.revision, self.folder):
            edit.editingFinished.connect(self.refresh_dtypes)
            edit.textEdited.connect(self._left_feature)
        self.task.activated.connect(self._left_feature)
        # A task reads other files (encoder/decoder...), so other dtypes. Only on a person's pick:
        # examples and features set the task first and look up once the whole form is filled.
        self.task.activated.connect(lambda _: self.refresh_dtypes())
        self.dtypes = DtypePicker()
        self.threads = QSpinBox(minimum=0, maximum=64, specialValueText="automatic")
        self.threads.setValue(self.ctx.settings.threads or 0)
        self.runs = QSpinBox(minimum=1, maximum=1000, value=1)
        self.timeout = QSpinBox(
            minimum=0, maximum=3600, value=0, suffix=" s", specialValueText="none"
        )
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
        form.setVerticalSpacing(4)
        for label, field in (
            ("Example", self.example),
            ("Feature", self.feature),
            ("Task", self.task),
            ("Model", self.model_id),
            ("Revision", self.revision),
            ("Folder", folder_row),
            ("Quantization", self.dtypes),
        ):
            form.addRow(label, field)
        form.addRow(numbers)
        form.addRow("Options", self.options)
        box = QGroupBox("What to run")
        box.setLayout(form)
        box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        return box

    def _build_input(self) -> QWidget:
        self.inputs = InputEditor()
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
        box = QGroupBox("Input")
        layout = QVBoxLayout(box)
        layout.addWidget(self.inputs, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.phase)
        layout.addWidget(self.progress)
        return box

    def _build_results(self) -> QWidget:
        self.output = OutputView()
        self.raw = JsonView()
        self.console = QPlainTextEdit(readOnly=True)
        self.console.setAccessibleName("Console")
        self.compare_panel = ComparePanel()
        self.compare_panel.compare_requested.connect(self.compare)
        self.compare_panel.message.connect(self.phase.setText)
        self.benchmark_panel = BenchmarkPanel()
        self.benchmark_panel.benchmark_requested.connect(self.benchmark)
        self.benchmark_panel.message.connect(self.phase.setText)
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
        results = QWidget()
        layout = QVBoxLayout(results)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.downloads.view)
        layout.addWidget(self.tabs, 1)
        return results

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

    def _settings_changed(self) -> None:
        """Another records source or hub: list features again and look the dtypes up again."""
        self._features_loaded = False
        if self.isVisible():
            self.activated()
        self.refresh_dtypes()

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
            f"Feature {self.feature.currentData()} resolved: {options.task} on "
            f"{options.model_id}@{options.revision}, {options.dtype_label}."
        )

    def _apply_example(self) -> None:
        name = self.example.currentData()
        if name:
            self.load_example(example(name))

    def load_example(self, chosen: Example) -> None:
        """Fill the form and the input from a ready-made example."""
        self.example.setCurrentIndex(max(0, self.example.findData(chosen.name)))
        self.feature.setCurrentIndex(0)  # the form no longer shows a feature's options
        self._apply_options(chosen.engine_options, chosen.options)
        images = chosen.run_input().images if "image" in chosen.input else ()
        self.inputs.load(chosen.input, images[0] if images else None)

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

    def _left_feature(self) -> None:
        """A hand edit of what runs means the form no longer shows the feature; keeping it would
        record the other model's files as used by that feature (and delete them with it)."""
        if self.feature.currentData():
            self.feature.setCurrentIndex(0)

    def _on_task_changed(self) -> None:
        task = self.task.currentText()
        self.inputs.set_kind(task_class(task).input_kind)
        self.options.set_value(default_call_options(task))

    def _browse_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Choose a converted model folder")
        if folder:
            self.folder.setText(folder)
            self.refresh_dtypes()

    # -- files and dtypes --------------------------------------------------------------------------
    def _model_files(self) -> ModelFiles | None:
        """The folder chosen by hand, or None for the configured hub (through the cache)."""
        folder = self.folder.text().strip()
        return FolderFiles(Path(folder), f"folder {folder}") if folder else None

    def refresh_dtypes(self) -> None:
        """List the dtypes the model really has, with sizes, in a job (it may ask the hub)."""
        task, model = self.task.currentText(), self.model_id.text().strip()
        revision, folder = self.revision.text().strip() or "main", self._model_files()
        self._lookup += 1
        if not task_class(task).needs_model or not (model or folder):
            self._show_choices([])
            if task_class(task).needs_model:  # an empty picker alone does not say what to do
                self.dtypes.show_note("Enter a model id (or choose a folder) to list its dtypes.")
            return
        self.dtypes.show_note("Looking up the quantizations this model has…")
        token, self._looking_up = self._lookup, True

        def latest(show: Callable[[Any], None]) -> Callable[[Any], None]:
            return lambda value: show(value) if token == self._lookup else None

        def work(_: JobContext) -> list[DtypeChoice]:
            files = folder or default_factory(self.ctx.app)(model, revision)
            try:
                return dtype_choices(files, task, _size_getter(files))
            except AppError:
                # Not on the hub, but maybe imported: runs find imported files through the cache.
                imported = None if folder else self.ctx.app.cache.imported_folder(model, revision)
                if imported is None:
                    raise
                files = FolderFiles(imported, f"{model}@{revision} (imported)")
                return dtype_choices(files, task, _size_getter(files))

        self.ctx.worker.submit(
            work,
            name=f"dtypes of {model or folder}",
            on_done=latest(self._show_choices),
            on_error=latest(self._dtypes_failed),
        )

    def _dtypes_failed(self, exc: BaseException) -> None:
        self._after_lookup = None
        self._show_choices([])
        self.dtypes.show_note(f"Cannot list the model's files: {exc}")

    def _show_choices(self, choices: list[DtypeChoice]) -> None:
        self.dtypes.set_choices(choices, self._wanted_dtype or self.dtypes.current() or "q8")
        self.compare_panel.set_choices(choices)
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

    # -- running -----------------------------------------------------------------------------------
    def engine_options(self, dtype: str | None = None) -> EngineOptions:
        task = self.task.currentText()
        chosen = dtype or self.dtypes.current()
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

    def run(self) -> None:
        """Run the form's model on the input, ``runs`` times; the last result is shown."""
        try:
            options, inputs, call = self.engine_options(), self.inputs.value(), self.options.value()
        except AppError as exc:
            self._show_error(exc)
            return
        runs, folder = self.runs.value(), self._model_files()
        self._streamed = ""
        self.output.clear()

        def work(job: JobContext) -> tuple[RunResult, list[float]]:
            engine = self.ctx.app.engines.get(options, folder)
            results = [
                engine.run(
                    inputs,
                    call,
                    progress=job.report,
                    cancel=job.cancel_event,
                    stream=self._stream_chunk,
                    timeout_ms=options.timeout_ms,  # a reused engine keeps its first options
                )
                for _ in range(runs)
            ]
            return results[-1], [r.timings_ms["total"] for r in results]

        self._start(
            work,
            f"run {options.task} {options.model_id}",
            lambda value: self._show_result(options, inputs, folder, *value),
        )

    def _stream_chunk(self, chunk: Any) -> None:
        """Called on the job thread for each piece of generated text."""
        text = getattr(chunk, "text", str(chunk))
        self.ctx.worker.on_gui_thread(lambda: self._append_stream(text))

    def _append_stream(self, text: str) -> None:
        self._streamed += text
        self.output.show_text(self._streamed)

    def compare(self) -> None:
        """Run the input on every checked dtype (warm-up + N runs each); fill table and chart."""
        try:
            base, inputs, call = self.engine_options(), self.inputs.value(), self.options.value()
        except AppError as exc:
            self._show_error(exc)
            return
        chosen = self.compare_panel.checked()
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
            """A fresh engine per dtype (not the registry's), so its load time is measured."""
            options = base.with_(dtype=dtype)
            return Engine(options, as_factory(folder, options, self.ctx.app))

        self.tabs.setCurrentWidget(self.compare_panel)
        self._start(
            lambda job: compare_dtypes(
                engine_for, chosen, inputs, call, runs, progress=job.report, cancel=job.cancel_event
            ),
            f"compare {base.model_id}",
            self._show_comparison,
        )

    def benchmark(self) -> None:
        selected = self.benchmark_panel.selected()
        if not selected:
            self._show_error(EngineError("No workload is checked.", "Check at least one workload."))
            return
        iterations = self.benchmark_panel.iterations.value()

        def work(job: JobContext) -> list[BenchmarkRow]:
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
        phase = progress.phase.capitalize()
        self.phase.setText(f"{phase}: {progress.detail}" if progress.detail else phase)
        if progress.total:
            self.progress.setRange(0, int(progress.total))
            self.progress.setValue(int(progress.done))
        else:
            self.progress.setRange(0, 0)

    def _update_buttons(self) -> None:
        idle = self.job is None
        ready = idle and self.options.valid
        self.run_button.setEnabled(ready)
        self.compare_panel.button.setEnabled(ready)
        self.benchmark_panel.button.setEnabled(idle)
        self.cancel_button.setEnabled(not idle)
        self.run_button.setToolTip("" if self.options.valid else "Fix the options first.")

    # -- showing results ---------------------------------------------------------------------------
    def _show_result(
        self,
        options: EngineOptions,
        inputs: RunInput,
        folder: ModelFiles | None,
        result: RunResult,
        totals: list[float],
    ) -> None:
        self.output.show_output(options.task, result.output, inputs)
        self.raw.set_value(result.output)
        wall = (time.perf_counter() - self._started) * 1000
        notes = "".join(f" Note: {w}" for w in result.warnings)  # else only the Console says so
        self.phase.setText(f"Done in {wall:,.0f} ms.{notes}")
        # A folder run ignores the model and revision fields, so the report must not name them.
        source = folder.label if folder else f"{options.model_id}@{options.revision}"
        title = f"{options.task} on {source} ({options.dtype_label})"
        self.console.setPlainText(run_report(title, result, wall, totals))

    def _show_comparison(self, rows: list[CompareRow]) -> None:
        self.compare_panel.set_rows(rows)
        self.phase.setText(f"Compared {len(rows)} dtypes.")

    def _show_benchmark(self, rows: list[BenchmarkRow]) -> None:
        self.benchmark_panel.set_rows(rows)
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
        self.raw.clear()  # the previous run's JSON would read as this one's
        self.console.appendPlainText(f"Error: {message}")


def _size_getter(files: ModelFiles) -> Callable[[str], int | None]:
    """File sizes: from disk for a folder or (offline) the cache, else from the hub's listing."""
    hub = getattr(files, "hub", None)
    if hub is None or getattr(files, "offline", False) or hub.offline:
        # a folder, or the cache while offline: fetching only reads local files here
        return lambda path: files.fetch(path).stat().st_size if files.exists(path) else None
    listing = hub.list_files(files.model_id, files.revision)  # type: ignore[attr-defined]
    sizes = {f.path: f.size for f in listing if f.size >= 0}
    return sizes.get


def play_example(window: Any, name: str, *, compare: bool = False, timeout_s: float = 120.0) -> str:
    """Run example ``name`` in the window's Inference pane and pump events until it is done;
    returns the pane's closing status line. For ``screenshot --run-example`` (no event loop there).
    """
    from PySide6.QtWidgets import QApplication

    chosen = example(name)
    pane = window.show_pane("inference")
    window.show()
    pane.run_example(chosen, compare=compare)
    deadline = time.monotonic() + timeout_s
    while pane.busy and time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.01)  # never spin: a tight processEvents loop crashed PySide6 (None refcount)
    if compare:
        pane.tabs.setCurrentWidget(pane.compare_panel)
    return pane.phase.text()
