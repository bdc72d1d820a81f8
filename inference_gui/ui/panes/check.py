"""Check pane: the pre-flight check of a converted model folder, findings grouped by file.

Runs :func:`inference_gui.check.check_folder` (the core the CLI's ``check`` uses) on the worker,
so the window stays responsive during the smoke run; "Apply fixes" applies the renames the
findings offer, all or nothing, after saying which, then checks again.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from inference_gui.engine.tasks import supported_tasks
from inference_gui.ui.context import UiContext
from inference_gui.ui.panes.base import Pane, pane_header

if TYPE_CHECKING:
    from inference_gui.check import Report

# The check core loads onnx (about a second); it is imported on the first check, not at start-up.

AUTO_TASK = "from config.json"
SEVERITY_COLOURS = {"error": "#b3261e", "warning": "#8a5a00", "info": "#4a5568"}


class CheckPane(Pane):
    pane_id = "check"
    title = "Check"
    icon = "check.svg"
    description = (
        "Check a freshly converted model folder before upload: layout, dtypes, graphs, external "
        "data, tokenizer, card, and a smoke run of every dtype against fp32."
    )

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.report: Report | None = None
        self.folder = QLineEdit()
        self.folder.setPlaceholderText("Model folder (config.json, tokenizer files, onnx/)")
        self.folder.setAccessibleName("Model folder")
        self.folder.returnPressed.connect(self.run_check)
        browse = QPushButton("Browse…")
        browse.clicked.connect(self.browse)
        self.task = QComboBox()
        self.task.setAccessibleName("Task")
        self.task.addItems([AUTO_TASK, *supported_tasks()])
        self.smoke = QCheckBox("Smoke run")
        self.smoke.setChecked(True)
        self.smoke.setToolTip("Run the task's sample input on every dtype and compare with fp32.")
        self.check_button = QPushButton("Check")
        self.check_button.setDefault(True)
        self.check_button.clicked.connect(self.run_check)
        self.fix_button = QPushButton("Apply fixes")
        self.fix_button.setEnabled(False)
        self.fix_button.clicked.connect(self.apply_fixes)
        self.summary = QLabel("Pick a folder and press Check.")
        self.summary.setObjectName("checkSummary")
        self.summary.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setAccessibleName("Findings by file")
        self.tree.setHeaderLabels(["File / finding", "Code", "What to do"])
        self.tree.setWordWrap(True)
        self.tree.setUniformRowHeights(False)
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)

        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        row.addWidget(QLabel("Task:"))
        row.addWidget(self.task)
        row.addWidget(self.smoke)
        row.addWidget(self.check_button)
        actions = QHBoxLayout()
        actions.addWidget(self.summary, 1)
        actions.addWidget(self.fix_button)
        layout = QVBoxLayout(self)
        layout.addWidget(pane_header(self.title, self.description))
        layout.addLayout(row)
        layout.addLayout(actions)
        layout.addWidget(self.tree, 1)

    def browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Model folder", self.folder.text())
        if chosen:
            self.folder.setText(chosen)
            self.run_check()

    def check(self, folder: Path) -> None:
        """Check ``folder`` (also the entry point for scripts and screenshots)."""
        self.folder.setText(str(folder))
        self.run_check()

    def run_check(self) -> None:
        text = self.folder.text().strip()
        if not text:
            self.summary.setText("Pick a folder first.")
            return
        from inference_gui.check import check_folder
        from inference_gui.check.smoke import smoke_run

        folder = Path(text).expanduser()
        task = None if self.task.currentText() == AUTO_TASK else self.task.currentText()
        runs = self.ctx.app.runs
        smoke = (
            (lambda report, base: smoke_run(runs, report.folder, report.task or "", [], base))
            if self.smoke.isChecked()
            else None
        )
        self._busy(f"Checking {folder}…")
        self.ctx.worker.submit(
            lambda _job: check_folder(folder, task, (), smoke),
            name=f"check {folder.name}",
            on_done=self.show_report,
            on_error=self._failed,
        )

    def apply_fixes(self) -> None:
        if self.report is None or not self.report.renames():
            return
        renames = self.report.renames()
        listing = "\n".join(f"{old} → {new}" for old, new in renames)
        answer = QMessageBox.question(
            self,
            "Apply fixes",
            f"Rename these files in {self.report.folder}?\n\n{listing}\n\n"
            "All are renamed, or none (the folder is left as it was on failure).",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        from inference_gui.check.fixes import apply_renames

        folder = self.report.folder
        self._busy("Applying fixes…")
        self.ctx.worker.submit(
            lambda _job: apply_renames(folder, renames),
            name=f"fix {folder.name}",
            on_done=lambda changed: self._fixed(changed),
            on_error=self._failed,
        )

    def _fixed(self, changed: list[tuple[str, str]]) -> None:
        self.summary.setText(f"Renamed {len(changed)} file(s); checking again…")
        self.run_check()

    def _busy(self, text: str) -> None:
        self.summary.setText(text)
        self.check_button.setEnabled(False)
        self.fix_button.setEnabled(False)

    def _failed(self, exc: BaseException) -> None:
        self.check_button.setEnabled(True)
        self.summary.setText(f"Could not check: {exc}")

    def show_report(self, report: Report) -> None:
        self.report = report
        self.check_button.setEnabled(True)
        counts = report.summary()
        verdict = "Errors found" if report.has_errors else "Ready for upload"
        self.summary.setText(
            f"{verdict}: {counts['error']} error(s), {counts['warning']} warning(s), "
            f"{counts['info']} note(s) — checked as {report.task or 'an unknown task'}."
        )
        fixes = len(report.renames())
        self.fix_button.setEnabled(bool(fixes))
        self.fix_button.setText(f"Apply fixes ({fixes})" if fixes else "Apply fixes")
        self.tree.clear()
        for file, findings in report.by_file().items():
            worst = findings[0].severity  # by_file sorts errors first
            parent = QTreeWidgetItem([file or "(folder)", "", f"{len(findings)} finding(s)"])
            parent.setForeground(0, QBrush(QColor(SEVERITY_COLOURS[worst])))
            font = parent.font(0)
            font.setBold(True)
            parent.setFont(0, font)
            for finding in findings:
                action = finding.action + (" (Apply fixes does it.)" if finding.renames else "")
                child = QTreeWidgetItem(
                    [f"{finding.severity}: {finding.message}", finding.code, action]
                )
                child.setForeground(0, QBrush(QColor(SEVERITY_COLOURS[finding.severity])))
                child.setToolTip(0, finding.message)
                child.setToolTip(2, action)
                parent.addChild(child)
            self.tree.addTopLevelItem(parent)
            parent.setExpanded(worst != "info")
        self.tree.resizeColumnToContents(1)
