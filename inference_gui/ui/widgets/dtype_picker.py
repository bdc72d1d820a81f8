"""The quantization picker: every dtype with its size; those the model lacks disabled, with why."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QComboBox, QLabel, QSizePolicy, QVBoxLayout, QWidget

from inference_gui.engine.compare import DtypeChoice
from inference_gui.format import human_bytes


def choice_text(choice: DtypeChoice) -> str:
    if not choice.available:
        return f"{choice.dtype}  (unavailable)"
    size = human_bytes(choice.size_bytes) if choice.size_bytes is not None else "size unknown"
    return f"{choice.dtype}  ({size})"


class DtypePicker(QWidget):
    """A combo box over a QStandardItemModel (so single items can be disabled) and a note below."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.combo = QComboBox()
        self.combo.setAccessibleName("Quantization (dtype)")
        self.note = QLabel()
        self.note.setObjectName("dtypeNote")
        self.note.setWordWrap(True)
        self.note.setVisible(False)
        self._choices: list[DtypeChoice] = []
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.combo)
        layout.addWidget(self.note)

    def choices(self) -> list[DtypeChoice]:
        return list(self._choices)

    def current(self) -> str | None:
        return self.combo.currentData()

    def show_note(self, text: str) -> None:
        self.note.setText(text)
        self.note.setVisible(bool(text))

    def set_choices(self, choices: Sequence[DtypeChoice], wanted: str | None) -> None:
        """List ``choices`` and select ``wanted`` when available, else the first available one;
        the note names what is missing and why (and that ``wanted`` was not possible)."""
        self._choices = list(choices)
        model = QStandardItemModel(self.combo)
        self.combo.setModel(model)
        for choice in choices:
            self.combo.addItem(choice_text(choice), choice.dtype)
            item = model.item(model.rowCount() - 1)
            item.setEnabled(choice.available)
            item.setToolTip(choice.reason or choice_text(choice))
        index = self.combo.findData(wanted) if wanted else -1
        usable = index >= 0 and choices[index].available
        first = next((i for i, c in enumerate(choices) if c.available), -1)
        self.combo.setCurrentIndex(index if usable else first)
        missing = [c for c in choices if not c.available]
        note = ""
        if missing:
            names = ", ".join(c.dtype for c in missing)
            note = f"Unavailable: {names} — {missing[0].reason}."
        if index >= 0 and not usable:
            note = (
                f"The requested dtype {wanted} is not available: {choices[index].reason}. " + note
            )
        self.show_note(note)
