"""The Inference pane's "What to run" form: example, feature, task, model, revision, folder,
quantization, threads, runs, timeout and pipeline options.

It shows a :class:`RunPlan` and turns itself back into one: the plan it was given stays as it was
except the fields a person edited (a record's tokenizer and processor ids, or a timeout that is
not whole seconds, survive a run). Editing what runs (task, model, revision, folder) leaves the
feature: the form then plans from its own fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from inference_gui.engine.tasks import supported_tasks, task_spec
from inference_gui.engine.workloads import default_call_options, examples
from inference_gui.errors import EngineError
from inference_gui.run_service import RunPlan, RunRequest
from inference_gui.ui.widgets.dtype_picker import DtypePicker
from inference_gui.ui.widgets.options_editor import OptionsEditor

DEFAULT_TASK = "feature-extraction"


class RunForm(QGroupBox):
    """The form; ``what_changed`` fires when a person edits what runs (the dtypes may differ)."""

    what_changed = Signal()

    def __init__(self, threads: int, parent: QWidget | None = None) -> None:
        super().__init__("What to run", parent)
        self.plan: RunPlan | None = None  # the plan shown, until a person edits what runs
        self._plan_dtype: str | None = None  # what the picker showed for the plan's dtype
        self.example = QComboBox()
        self.example.setAccessibleName("Ready-made example")
        self.example.addItem("Choose an example…", None)
        for item in examples():
            self.example.addItem(f"{item.title} ({item.task})", item.name)
        self.feature = QComboBox()
        self.feature.setAccessibleName("Feature from the records")
        self.feature.addItem("Loading features…", None)
        self.task = QComboBox()
        self.task.addItems(supported_tasks())
        # start on the platform's commonest task, not on whichever name sorts first
        self.task.setCurrentText(DEFAULT_TASK)
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
            edit.editingFinished.connect(self.what_changed)
            edit.textEdited.connect(self._leave_plan)
        self.task.activated.connect(self._leave_plan)
        # A task reads other files (encoder/decoder...), so other dtypes. Only on a person's pick:
        # examples and features set the task first and look up once the whole form is filled.
        self.task.activated.connect(lambda _: self.what_changed.emit())
        self.dtypes = DtypePicker()
        self.threads = QSpinBox(minimum=0, maximum=64, specialValueText="automatic")
        self.threads.setValue(threads)
        self.runs = QSpinBox(minimum=1, maximum=1000, value=1)
        self.timeout = QSpinBox(
            minimum=0, maximum=3600, value=0, suffix=" s", specialValueText="none"
        )
        self.options = OptionsEditor()
        self.options.setMinimumHeight(90)
        for combo in (self.example, self.feature, self.task):  # long names elide, not widen
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(12)
        self.dtypes.combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        form = QFormLayout(self)
        form.setVerticalSpacing(4)
        for label, field in (
            ("Example", self.example),
            ("Feature", self.feature),
            ("Task", self.task),
            ("Model", self.model_id),
            ("Revision", self.revision),
            ("Folder", folder_row),
            ("Quantization", self.dtypes),
            ("Threads", self.threads),
            ("Runs", self.runs),
            ("Timeout", self.timeout),
        ):
            form.addRow(label, field)
        # In the narrow side panel the options get the whole width under their label.
        form.addRow(QLabel("Options (JSON)"))
        form.addRow(self.options)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.task.currentTextChanged.connect(self._task_changed)
        self.options.set_task(self.task.currentText())

    def _task_changed(self, task: str) -> None:
        self.options.set_task(task)
        self.options.set_value(default_call_options(task))

    # -- showing a plan ----------------------------------------------------------------------------
    def show_plan(self, plan: RunPlan, call_options: dict[str, Any]) -> str:
        """Fill the fields from ``plan``; returns the dtype the picker should select once listed."""
        o = plan.options
        self.folder.setText(str(plan.folder) if plan.folder else "")
        self.task.setCurrentText(o.task)
        self.model_id.setText(o.model_id)
        self.revision.setText(o.revision)
        if o.num_threads:
            self.threads.setValue(o.num_threads)
        self.timeout.setValue(_seconds(o.timeout_ms))
        self.options.set_value(call_options)
        self.plan, self._plan_dtype = plan, None
        return o.dtype_label

    def dtypes_listed(self) -> None:
        """The picker now shows the plan's dtype (or the nearest it has): remember which."""
        if self.plan is not None and self._plan_dtype is None:
            self._plan_dtype = self.dtypes.current()

    def _leave_plan(self) -> None:
        """A hand edit of what runs means the form no longer shows the plan's feature; keeping it
        would record the other model's files as used by that feature (and delete them with it)."""
        self.plan = None
        if self.feature.currentData():
            self.feature.setCurrentIndex(0)

    def _browse_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Choose a converted model folder")
        if folder:
            self.folder.setText(folder)
            self._leave_plan()
            self.what_changed.emit()

    # -- reading it back ---------------------------------------------------------------------------
    @property
    def folder_path(self) -> Path | None:
        folder = self.folder.text().strip()
        return Path(folder) if folder else None

    def request(self) -> RunRequest:
        """The fields as a request (for planning when no plan is shown)."""
        return RunRequest(
            task=self.task.currentText(),
            model=self.model_id.text().strip() or None,
            folder=self.folder_path,
            revision=self.revision.text().strip() or "main",
            dtype=self.dtypes.current() or None,
            threads=self.threads.value(),
            overrides={"timeoutMS": self.timeout.value() * 1000 or None},
        )

    def subject(self) -> str:
        """What the form runs, as a comparison names it: the folder, or model@revision, and task."""
        where = (
            str(self.folder_path)
            if self.folder_path
            else (f"{self.model_id.text().strip()}@{self.revision.text().strip() or 'main'}")
        )
        return f"{where} ({self.task.currentText()})"

    def require_dtype(self) -> None:
        if task_spec(self.task.currentText()).needs_model and not self.dtypes.current():
            raise EngineError(
                "No quantization is available for this model.",
                "Check the model id and revision, or pick another model.",
            )

    def edits(self, plan: RunPlan) -> RunPlan:
        """``plan`` with the fields the person changed from what the form showed for it."""
        o, dtype = plan.options, self.dtypes.current()
        changes: dict[str, Any] = {"num_threads": self.threads.value()}
        if self.timeout.value() != _seconds(o.timeout_ms):
            changes["timeout_ms"] = self.timeout.value() * 1000 or None
        kept_map = isinstance(o.dtype, Mapping) and dtype == self._plan_dtype
        if dtype and not kept_map:  # a per-file dtype map stays while the picker is untouched
            changes["dtype"] = dtype
        return plan.edited(**changes)


def _seconds(timeout_ms: float | None) -> int:
    """How the timeout box shows a timeout: whole seconds, 0 for none."""
    return int((timeout_ms or 0) / 1000)
