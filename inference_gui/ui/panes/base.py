"""What a pane is: a widget with an id, a title, a sidebar icon and a keyboard shortcut."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from inference_gui.ui.context import UiContext


class Pane(QWidget):
    """Base of every pane. Subclasses set the class attributes and build their widgets."""

    pane_id: str = ""
    title: str = ""
    icon: str = ""  # file name under resources/icons
    description: str = ""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName(f"pane-{self.pane_id}")

    def activated(self) -> None:
        """Called each time the pane is shown; refresh what may have changed meanwhile."""


def pane_header(title: str, description: str) -> QWidget:
    """The title and one-line purpose every pane shows at its top."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 4)
    heading = QLabel(title)
    heading.setObjectName("paneTitle")
    layout.addWidget(heading)
    if description:
        text = QLabel(description)
        text.setObjectName("paneDescription")
        text.setWordWrap(True)
        layout.addWidget(text)
    return box
