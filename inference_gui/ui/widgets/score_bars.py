"""Labels with horizontal score bars: how classifications and filled masks read at a glance."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

ROW_HEIGHT = 24
LABEL_WIDTH = 180


class ScoreBars(QWidget):
    """Painted rather than built from child widgets, so a hundred labels stay cheap."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._items: list[tuple[str, float]] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("Scores")

    def set_scores(self, items: Sequence[tuple[str, float]]) -> None:
        self._items = [(str(label), float(score)) for label, score in items]
        self.setToolTip("\n".join(f"{label}: {score:.4f}" for label, score in self._items))
        self.updateGeometry()
        self.update()

    def items(self) -> list[tuple[str, float]]:
        return list(self._items)

    def sizeHint(self) -> QSize:
        return QSize(400, max(1, len(self._items)) * ROW_HEIGHT + 4)

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def paintEvent(self, event: object) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        accent = palette.color(QPalette.ColorRole.Highlight)
        track = QColor(text)
        track.setAlpha(30)
        width = max(40, self.width() - LABEL_WIDTH - 70)
        for row, (label, score) in enumerate(self._items):
            y = row * ROW_HEIGHT + 2
            painter.setPen(text)
            elided = painter.fontMetrics().elidedText(
                label, Qt.TextElideMode.ElideRight, LABEL_WIDTH - 8
            )
            painter.drawText(
                QRectF(0, y, LABEL_WIDTH - 8, ROW_HEIGHT - 4),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                elided,
            )
            bar = QRectF(LABEL_WIDTH, y + 4, width, ROW_HEIGHT - 12)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(track)
            painter.drawRoundedRect(bar, 3, 3)
            painter.setBrush(accent)
            painter.drawRoundedRect(
                QRectF(bar.x(), bar.y(), width * min(1.0, max(0.0, score)), bar.height()), 3, 3
            )
            painter.setPen(text)
            painter.drawText(
                QRectF(LABEL_WIDTH + width + 6, y, 64, ROW_HEIGHT - 4),
                Qt.AlignmentFlag.AlignVCenter,
                f"{score:.3f}",
            )
        painter.end()
