"""The Inference pane: pick a feature, an example or a model, a quantization and an input; run,
compare, benchmark.

This module is the controller: it asks the run service for plans and dtypes and runs the jobs;
the form (:mod:`.form`) holds what to run, the result views (:mod:`.results`) show what came
out. Every load and run goes through ``ctx.worker.submit`` so the window keeps painting while
files download and sessions run; progress events drive the phase line and the per-file download
list, and Cancel sets the job's cancel event (onnxruntime runs are terminated through it).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from inference_gui import __version__, diagnostics
from inference_gui.context import AppContext
from inference_gui.engine import Engine, EngineOptions, RunInput, RunResult
from inference_gui.engine.compare import CompareRow, DtypeChoice, compare_dtypes
from inference_gui.engine.tasks import task_spec
from inference_gui.engine.workloads import (
    BenchmarkRow,
    Example,
    Workload,
    default_call_options,
    example,
    form_workload,
    run_benchmark,
)
from inference_gui.errors import AppError, EngineError
from inference_gui.jobs import Job, JobContext, Progress
from inference_gui.run_service import RunPlan, RunRequest
from inference_gui.ui.context import UiContext
from inference_gui.ui.panes.base import Pane, pane_header
from inference_gui.ui.panes.inference.form import RunForm
from inference_gui.ui.panes.inference.results import ResultViews
from inference_gui.ui.widgets.input_editor import InputEditor

PRESENTATION_SCALE = 1.4  # how much larger the input and the result read in presentation mode


class InferencePane(Pane):
    pane_id = "inference"
    title = "Inference"
    icon = "inference.svg"
    description = "Run a feature or a model on your own input, at the quantization you choose."

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.job: Job[Any] | None = None
        self._streamed = ""
        self._stream_inputs = RunInput()  # what the streamed text answers
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
        """Ask only for the minimum, so the window's scroll area fits the pane, not scrolls."""
        return self.minimumSizeHint()

    def heightForWidth(self, width: int) -> int:
        return self.minimumSizeHint().height()

    # -- layout ------------------------------------------------------------------------------------
    def _build(self) -> None:
        """Results first: the settings sit in a narrow scrolling side panel that folds away; the
        input and, below it, the result take the rest of the room."""
        self.form = RunForm(self.ctx.settings.threads or 0)
        self.results = ResultViews(self._build_phase())
        self.settings_panel = QScrollArea()
        self.settings_panel.setWidgetResizable(True)
        self.settings_panel.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.settings_panel.setWidget(self.form)
        self.settings_panel.setMinimumWidth(300)
        self.input_box = self._build_input()
        work = QSplitter(Qt.Orientation.Vertical)
        work.addWidget(self.input_box)
        work.addWidget(self.results)
        work.setStretchFactor(0, 1)
        work.setStretchFactor(1, 2)
        work.setSizes([220, 440])
        body = QSplitter(Qt.Orientation.Horizontal)
        body.addWidget(self.settings_panel)
        body.addWidget(work)
        body.setStretchFactor(0, 0)
        body.setStretchFactor(1, 1)
        body.setSizes([340, 700])
        body.setCollapsible(1, False)
        self.header = pane_header(self.title, self.description)
        top = QHBoxLayout()
        top.addWidget(self.header, 1)
        self.settings_button = QPushButton("Settings")
        self.settings_button.setCheckable(True)
        self.settings_button.setChecked(True)
        self.settings_button.setToolTip("Show or hide what runs (feature, model, dtype, options)")
        self.settings_button.toggled.connect(self.settings_panel.setVisible)
        self.present_button = QPushButton("Present")
        self.present_button.setCheckable(True)
        self.present_button.setToolTip("Presentation mode (F11): hide the settings, larger text")
        self.present_button.toggled.connect(self.set_presenting)
        for button in (self.settings_button, self.present_button):
            top.addWidget(button, 0, Qt.AlignmentFlag.AlignBottom)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(body, 1)
        self._shortcut("F11", self.present_button.toggle)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            self._shortcut(keys, self._run_if_ready)
        # The widgets tests, benchmarks and screenshots drive, under the names they always had.
        f, r = self.form, self.results
        self.example, self.feature, self.task = f.example, f.feature, f.task
        self.model_id, self.revision, self.folder = f.model_id, f.revision, f.folder
        self.dtypes, self.threads, self.runs, self.timeout = f.dtypes, f.threads, f.runs, f.timeout
        self.options = f.options
        self.downloads, self.output, self.raw, self.console = (
            r.downloads,
            r.output,
            r.raw,
            r.console,
        )
        self.compare_panel, self.benchmark_panel, self.tabs = (
            r.compare_panel,
            r.benchmark_panel,
            r.tabs,
        )
        self.example.activated.connect(lambda _: self._apply_example())
        self.feature.activated.connect(lambda _: self._resolve_feature())
        self.task.currentTextChanged.connect(lambda _: self._on_task_changed())
        f.what_changed.connect(self.refresh_dtypes)
        self.options.validity_changed.connect(lambda _: self._update_buttons())
        self.compare_panel.compare_requested.connect(self.compare)
        self.ctx.worker.submit(
            lambda _: _firefox_unavailable(self.ctx.app),
            name="find Firefox",
            on_done=self.compare_panel.set_firefox,
            on_error=lambda exc: self.compare_panel.set_firefox(str(exc)),
        )
        self.benchmark_panel.benchmark_requested.connect(self.benchmark)
        self.output.chat.continue_requested.connect(self.continue_chat)

    def _shortcut(self, keys: str, slot: Callable[[], None]) -> None:
        shortcut = QShortcut(QKeySequence(keys), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(slot)

    def _run_if_ready(self) -> None:
        if self.run_button.isEnabled():
            self.run()

    @property
    def presenting(self) -> bool:
        return self.present_button.isChecked()

    def set_presenting(self, on: bool) -> None:
        """Presentation mode: only the input and the result, in larger type."""
        self.present_button.setChecked(on)
        self.header.setVisible(not on)
        self.settings_panel.setVisible(not on and self.settings_button.isChecked())
        self.settings_button.setEnabled(not on)
        scale = PRESENTATION_SCALE if on else 1.0
        self.output.scale_fonts(scale)
        font = QFont(self.font())
        font.setPointSizeF(self.font().pointSizeF() * scale)
        self.inputs.setFont(font)

    def _build_phase(self) -> QLabel:
        self.phase = QLabel("Ready.")
        self.phase.setObjectName("runPhase")
        self.phase.setWordWrap(True)
        return self.phase

    def _build_input(self) -> QWidget:
        self.inputs = InputEditor()
        self.run_button = QPushButton("Run")
        self.run_button.setDefault(True)
        self.run_button.setToolTip("Run (Ctrl+Enter)")
        self.run_button.clicked.connect(self.run)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.progress.setMaximumWidth(160)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.progress)
        buttons.addWidget(self.phase, 1)
        box = QGroupBox("Input")
        layout = QVBoxLayout(box)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.inputs, 1)
        layout.addLayout(buttons)
        return box

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
            lambda _: self.ctx.app.runs.plan(RunRequest(feature=feature_id)),
            name=f"resolve {feature_id}",
            on_done=self._apply_feature_plan,
            on_error=self.results.show_error,
        )

    def _apply_feature_plan(self, plan: RunPlan) -> None:
        self.example.setCurrentIndex(0)
        o = plan.options
        self._show_plan(plan, default_call_options(o.task))
        self.phase.setText(
            f"Feature {o.feature_id} resolved: {o.task} on {o.model_id}@{o.revision}, "
            f"{o.dtype_label}."
        )

    def _apply_example(self) -> None:
        name = self.example.currentData()
        if name:
            self.load_example(example(name))

    def load_example(self, chosen: Example) -> None:
        """Fill the form and the input from a ready-made example."""
        self.example.setCurrentIndex(max(0, self.example.findData(chosen.name)))
        self.feature.setCurrentIndex(0)  # the form no longer shows a feature's options
        plan = self.ctx.app.runs.example_plan(chosen)
        self._show_plan(plan, dict(chosen.options))
        self.inputs.load(chosen.run_input())
        if note := chosen.hub_note(self.ctx.settings.hub):
            self.phase.setText(note)

    def _show_plan(self, plan: RunPlan, call_options: dict[str, Any]) -> None:
        self._wanted_dtype = self.form.show_plan(plan, call_options)
        self.refresh_dtypes()

    def _on_task_changed(self) -> None:
        self.inputs.set_task(task_spec(self.task.currentText()))

    def continue_chat(self, conversation: list[dict[str, str]]) -> None:
        """The transcript, reply included, back in the chat input with a new message to write."""
        self.inputs.chat_mode.setChecked(True)
        self.inputs.chat.continue_with(conversation)
        self.phase.setText("Write the next message, then Run (Ctrl+Enter).")

    # -- dtypes ------------------------------------------------------------------------------------
    def refresh_dtypes(self) -> None:
        """List the dtypes the model really has, with sizes, in a job (it may ask the hub)."""
        task, model = self.task.currentText(), self.model_id.text().strip()
        folder = self.form.folder_path
        self.compare_panel.set_subject(self.form.subject())
        self._lookup += 1
        if not task_spec(task).needs_model or not (model or folder):
            self._show_choices([])
            if task_spec(task).needs_model:  # an empty picker alone does not say what to do
                self.dtypes.show_note("Enter a model id (or choose a folder) to list its dtypes.")
            return
        self.dtypes.show_note("Looking up the quantizations this model has…")
        token, self._looking_up = self._lookup, True
        runs, request = self.ctx.app.runs, self.form.request()

        def latest(show: Callable[[Any], None]) -> Callable[[Any], None]:
            return lambda value: show(value) if token == self._lookup else None

        self.ctx.worker.submit(
            lambda _: runs.dtype_choices(runs.plan(request)),
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
        if self._wanted_dtype is not None:
            self.form.dtypes_listed()
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
    def current_plan(self) -> RunPlan:
        """The plan shown (a feature's or an example's) with the person's edits, or one made from
        the form's fields when the person typed what runs."""
        self.form.require_dtype()
        plan = self.form.plan or self.ctx.app.runs.plan(self.form.request())
        return self.form.edits(plan)

    def engine_options(self) -> EngineOptions:
        return self.current_plan().options

    def _what_to_run(self) -> tuple[RunPlan, RunInput, dict[str, Any]] | None:
        """Plan, input and pipeline options, or None after showing why they are not valid."""
        try:
            return self.current_plan(), self.inputs.value(), self.options.value()
        except AppError as exc:
            self.results.show_error(exc)
            return None

    def run(self) -> None:
        """Run the form's model on the input, ``runs`` times; the last result is shown."""
        what = self._what_to_run()
        if what is None:
            return
        plan, inputs, call = what
        runs, service = self.runs.value(), self.ctx.app.runs
        self._streamed, self._stream_inputs = "", inputs
        self.results.clear_result("Running…")

        def work(job: JobContext) -> tuple[RunResult, list[float]]:
            results = [
                service.run(plan, inputs, call, job, stream=self._stream_chunk) for _ in range(runs)
            ]
            return results[-1], [r.timings_ms["total"] for r in results]

        def done(value: tuple[RunResult, list[float]]) -> None:
            wall = (time.perf_counter() - self._started) * 1000
            self.results.show_result(plan, inputs, value[0], wall, value[1])

        self._start(work, f"run {plan.options.task} {plan.options.model_id}", done)

    def _stream_chunk(self, chunk: Any) -> None:
        """Called on the job thread for each piece of generated text."""
        text = getattr(chunk, "text", str(chunk))
        self.ctx.worker.on_gui_thread(lambda: self._append_stream(text))

    def _append_stream(self, text: str) -> None:
        self._streamed += text
        self.output.show_stream(self._streamed, self._stream_inputs)

    def compare(self) -> None:
        """Run the input on every checked dtype (warm-up + N runs each); fill table and chart."""
        what = self._what_to_run()
        if what is None:
            return
        plan, inputs, call = what
        chosen = self.compare_panel.checked()
        if not chosen:
            self.results.show_error(
                EngineError(
                    "No dtype is checked for the comparison.",
                    "Check at least one dtype in the Compare tab.",
                )
            )
            return
        runs, app = self.compare_panel.runs.value(), self.ctx.app
        in_firefox = self.compare_panel.firefox.isChecked()
        self.tabs.setCurrentWidget(self.compare_panel)
        context = comparison_context(plan, inputs, call)

        def work(job: JobContext) -> list[CompareRow]:
            rows = compare_dtypes(
                # a fresh engine per dtype (not the registry's), so its load time is measured
                lambda dtype: app.runs.engine(plan.edited(dtype=dtype), fresh=True),
                chosen,
                inputs,
                call,
                runs,
                progress=job.report,
                cancel=job.cancel_event,
            )
            if in_firefox:
                from inference_gui.firefox.beside import compare_in_firefox

                job.report(Progress("running in Firefox", 0, 0, "", "headless, fresh profile"))
                rows.append(compare_in_firefox(app, plan, inputs, call, rows, runs))
            return rows

        self._start(
            work,
            f"compare {plan.options.model_id}",
            lambda rows: self.results.show_comparison(rows, context),
        )

    def benchmark(self) -> None:
        """The checked workloads, the form's model first when checked, each on fresh engines."""
        selected = self.benchmark_panel.selected()
        form: Workload | None = None
        form_plan: RunPlan | None = None
        if self.benchmark_panel.form_checked():
            what = self._what_to_run()
            if what is None:
                return
            form_plan, inputs, call = what
            form = form_workload(form_plan.options, inputs, call, form_plan.source_label)
            selected = [form, *selected]
        if not selected:
            self.results.show_error(
                EngineError("No workload is checked.", "Check at least one workload.")
            )
            return
        iterations, service = self.benchmark_panel.iterations.value(), self.ctx.app.runs

        def engine_for(workload: Workload, options: EngineOptions) -> Engine:
            plan = form_plan if workload is form and form_plan is not None else None
            return service.engine(plan or service.plan(RunRequest.of(options)), fresh=True)

        def work(job: JobContext) -> list[BenchmarkRow]:
            return run_benchmark(
                selected, engine_for, iterations, progress=job.report, cancel=job.cancel_event
            )

        self._start(work, "benchmark", self.results.show_benchmark)

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
            self.results.show_error(exc)

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
        self.downloads.collapse()
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


def _firefox_unavailable(app: AppContext) -> str:
    """Why no Firefox row can be had ("" if it can); the Firefox code loads on this job thread,
    not with the window."""
    from inference_gui.firefox.beside import unavailable_reason

    return unavailable_reason(app)


def describe_input(inputs: RunInput, limit: int = 60) -> str:
    """A short line naming a run's input, for titles and exports."""
    if inputs.kind == "qa":
        text = inputs.question or ""
    elif inputs.kind == "image":
        text = ", ".join(p.name for p in inputs.images)
    else:
        text = inputs.texts[0] if inputs.texts else ""
        if len(inputs.texts) > 1:
            text = f"{text} (+{len(inputs.texts) - 1} more)"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def comparison_context(plan: RunPlan, inputs: RunInput, call: dict[str, Any]) -> dict[str, Any]:
    """What a comparison was of and where it ran: titles the table and goes into its exports."""
    cpu = diagnostics.cpu_features()
    o = plan.options
    return {
        "model": o.model_id if plan.folder is None else str(plan.folder),
        "revision": o.revision if plan.folder is None else "(folder)",
        "task": o.task,
        "input": describe_input(inputs),
        "options": call,
        "app_version": __version__,
        "onnxruntime_version": diagnostics.onnxruntime_info()["version"],
        "cpu": cpu["model"],
        "cpu_features": " ".join(cpu["features"]),
    }


def play_example(
    window: Any,
    name: str,
    *,
    compare: bool = False,
    benchmark: bool = False,
    timeout_s: float = 120.0,
) -> str:
    """Run example ``name`` in the window's Inference pane and pump events until it is done;
    returns the pane's closing status line. For ``screenshot --run-example`` (no event loop there).

    With ``benchmark`` the Benchmark tab then runs the form's model beside the built-in workloads.
    """
    from PySide6.QtWidgets import QApplication

    chosen = example(name)
    pane = window.show_pane("inference")
    window.show()

    def wait() -> None:
        deadline = time.monotonic() + timeout_s
        while pane.busy and time.monotonic() < deadline:
            QApplication.processEvents()
            time.sleep(0.01)  # never spin: a tight processEvents loop crashed PySide6

    pane.run_example(chosen, compare=compare)
    wait()
    if benchmark:
        pane.benchmark_panel.form_item.setCheckState(Qt.CheckState.Checked)
        pane.benchmark()
        wait()
    if compare or benchmark:
        pane.tabs.setCurrentWidget(pane.compare_panel if compare else pane.benchmark_panel)
    return pane.phase.text()
