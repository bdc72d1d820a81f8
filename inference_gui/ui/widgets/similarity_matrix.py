"""The pairwise similarity of several images as a shaded matrix with its values written in."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QWidget

CELL = 64
HEADER = 140


class SimilarityMatrix(QWidget):
    """Cells shade from white (-1) to blue (1); names label the rows and columns."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Similarity matrix")
        self.names: list[str] = []
        self.matrix: list[list[float]] = []

    def set_matrix(self, names: Sequence[str], matrix: Sequence[Sequence[float]]) -> None:
        self.names, self.matrix = list(names), [list(row) for row in matrix]
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:
        n = len(self.names)
        return QSize(HEADER + CELL * n + 8, 24 + CELL * n + 8)

    def paintEvent(self, event: object) -> None:
        painter = QPainter(self)
        text = self.palette().text().color()
        metrics = painter.fontMetrics()
        for j in range(len(self.names)):
            label = metrics.elidedText(f"#{j + 1}", Qt.TextElideMode.ElideRight, CELL)
            painter.setPen(text)
            painter.drawText(
                QRectF(HEADER + j * CELL, 0, CELL, 24), Qt.AlignmentFlag.AlignCenter, label
            )
        for i, row in enumerate(self.matrix):
            y = 24 + i * CELL
            name = metrics.elidedText(
                f"#{i + 1} {self.names[i]}", Qt.TextElideMode.ElideMiddle, HEADER - 8
            )
            painter.setPen(text)
            painter.drawText(QRectF(0, y, HEADER - 8, CELL), Qt.AlignmentFlag.AlignVCenter, name)
            for j, value in enumerate(row):
                strength = (max(-1.0, min(1.0, value)) + 1) / 2
                colour = QColor(int(255 - 200 * strength), int(255 - 150 * strength), 255)
                cell = QRectF(HEADER + j * CELL, y, CELL - 2, CELL - 2)
                painter.fillRect(cell, colour)
                painter.setPen(QColor("black") if strength < 0.7 else QColor("white"))
                painter.drawText(cell, Qt.AlignmentFlag.AlignCenter, f"{value:.3f}")
        painter.end()
