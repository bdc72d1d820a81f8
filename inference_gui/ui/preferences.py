"""Preferences dialog: edit the stored layer of the settings, validated before anything is saved."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from inference_gui.config import HUB_PRESETS, OPTIONS_BY_KEY
from inference_gui.ui.context import UiContext

LOCAL_FOLDER = "Local folder"
CUSTOM = "Custom URL"


def _with_browse(edit: QLineEdit, pick) -> QWidget:  # noqa: ANN001 - a QFileDialog function
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(edit, 1)
    button = QPushButton("Browse…")
    button.clicked.connect(lambda: (path := pick()) and edit.setText(path))
    layout.addWidget(button)
    return row


class PreferencesDialog(QDialog):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Preferences")
        self.setMinimumWidth(560)
        s = ctx.settings

        self.cache_dir = QLineEdit(str(s.cache_dir))
        self.cache_limit = QDoubleSpinBox(minimum=0.1, maximum=4096, decimals=1, suffix=" GiB")
        self.cache_limit.setValue(s.cache_limit_gib)
        self.hub_preset = QComboBox()
        for key, preset in HUB_PRESETS.items():
            self.hub_preset.addItem(preset.name, key)
        self.hub_preset.addItem(LOCAL_FOLDER, "local")
        self.hub_preset.addItem(CUSTOM, "custom")
        self.hub = QLineEdit(s.hub)
        self.hub_template = QLineEdit(s.hub_template)
        self.source = QComboBox()
        self.source.addItem("Embedded dump (no server)", "embedded")
        self.source.addItem("Remote Settings server", "server")
        self.source.addItem("Local JSON file", "file")
        self.source.setCurrentIndex(self.source.findData(s.settings_source))
        self.server = QLineEdit(s.settings_server)
        self.server.setPlaceholderText("https://firefox.settings.services.mozilla.com")
        self.file = QLineEdit(s.settings_file)
        self.offline = QCheckBox("Never use the network (only what is cached)")
        self.offline.setChecked(s.offline)
        self.threads = QSpinBox(minimum=0, maximum=256, specialValueText="Automatic")
        self.threads.setValue(s.threads)
        self.errors = QLabel()
        self.errors.setObjectName("preferencesErrors")
        self.errors.setWordWrap(True)
        self.errors.setStyleSheet("color: #b00020")

        form = QFormLayout()
        form.addRow("Cache folder:", _with_browse(self.cache_dir, self._pick_cache))
        form.addRow("Cache size limit:", self.cache_limit)
        form.addRow("Model hub:", self.hub_preset)
        form.addRow("Hub root:", _with_browse(self.hub, self._pick_hub))
        form.addRow("Hub path template:", self.hub_template)
        form.addRow("Records from:", self.source)
        form.addRow("Server URL:", self.server)
        form.addRow("Records file:", _with_browse(self.file, self._pick_file))
        form.addRow("", self.offline)
        form.addRow("Inference threads:", self.threads)
        overridden = ctx.overridden_keys()
        if overridden:
            names = ", ".join(
                OPTIONS_BY_KEY[k].flag or OPTIONS_BY_KEY[k].env for k in sorted(overridden)
            )
            note = QLabel(f"Overridden for this run by a flag or environment variable: {names}.")
            note.setWordWrap(True)
            form.addRow(note)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.errors)
        layout.addWidget(buttons)

        self.hub_preset.setCurrentIndex(
            self.hub_preset.findData(self._preset_for(s.hub, s.hub_template))
        )
        self.hub_preset.currentIndexChanged.connect(self._preset_chosen)
        self.source.currentIndexChanged.connect(self._source_chosen)
        self._source_chosen()

    @staticmethod
    def _preset_for(hub: str, template: str) -> str:
        for key, preset in HUB_PRESETS.items():
            if preset.root == hub and preset.template == template:
                return key
        return "custom" if hub.startswith(("http://", "https://")) else "local"

    def _preset_chosen(self) -> None:
        key = self.hub_preset.currentData()
        if key in HUB_PRESETS:
            self.hub.setText(HUB_PRESETS[key].root)
            self.hub_template.setText(HUB_PRESETS[key].template)
        elif key == "local":
            self.hub_template.setText("{model}/{revision}")

    def _source_chosen(self) -> None:
        source = self.source.currentData()
        self.server.setEnabled(source == "server")
        self.file.setEnabled(source == "file")

    def _pick_cache(self) -> str:
        return QFileDialog.getExistingDirectory(self, "Cache folder", self.cache_dir.text())

    def _pick_hub(self) -> str:
        return QFileDialog.getExistingDirectory(self, "Local model hub folder", self.hub.text())

    def _pick_file(self) -> str:
        return QFileDialog.getOpenFileName(self, "Records file", "", "JSON (*.json)")[0]

    def values(self) -> dict[str, str]:
        source = self.source.currentData()
        return {
            "cache_dir": self.cache_dir.text().strip(),
            "cache_limit_gib": f"{self.cache_limit.value():g}",
            "hub": self.hub.text().strip(),
            "hub_template": self.hub_template.text().strip(),
            "settings_server": self.server.text().strip() if source == "server" else "",
            "settings_file": self.file.text().strip() if source == "file" else "",
            "offline": "true" if self.offline.isChecked() else "false",
            "threads": str(self.threads.value()),
        }

    def save(self) -> None:
        values = self.values()
        missing = {"server": "settings_server", "file": "settings_file"}.get(
            self.source.currentData()
        )
        if missing and not values[missing]:
            self._show_errors("Give the server URL or records file, or choose the embedded dump.")
            return
        problems = self.ctx.save_preferences(values)
        if problems:
            self._show_errors("\n".join(str(p) for p in problems))
            return
        self.accept()

    def _show_errors(self, text: str) -> None:
        self.errors.setText(text)
        self.adjustSize()  # grow to fit the wrapped message; otherwise it squeezes the rows above
