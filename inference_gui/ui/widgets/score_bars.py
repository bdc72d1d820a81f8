"""Labels with horizontal score bars: how classifications and filled masks read at a glance.

The best item (the first: outputs come best first) is drawn bold with the accent colour, the
others in a muted tone, so the answer is what the eye lands on when the pane is shown to people.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

ROW_LINES = 1.9  # a row is this many text lines high, so bars grow with the font
LABEL_WIDTH = 0.32  # share of the width the labels get (at least MIN_LABEL pixels)
MIN_LABEL = 120


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

    def row_height(self) -> int:
        return int(self.fontMetrics().lineSpacing() * ROW_LINES)

    def sizeHint(self) -> QSize:
        return QSize(400, max(1, len(self._items)) * self.row_height() + 4)

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def paintEvent(self, event: object) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        accent = palette.color(QPalette.ColorRole.Highlight)
        muted = QColor(accent)
        muted.setAlpha(110)
        track = QColor(text)
        track.setAlpha(30)
        row_h = self.row_height()
        label_w = max(MIN_LABEL, int(self.width() * LABEL_WIDTH))
        score_w = self.fontMetrics().horizontalAdvance("0.0000") + 16
        width = max(40, self.width() - label_w - score_w)
        regular, bold = QFont(self.font()), QFont(self.font())
        bold.setBold(True)
        for row, (label, score) in enumerate(self._items):
            y = row * row_h + 2
            painter.setFont(bold if row == 0 else regular)
            painter.setPen(text)
            elided = painter.fontMetrics().elidedText(
                label, Qt.TextElideMode.ElideRight, label_w - 12
            )
            painter.drawText(
                QRectF(0, y, label_w - 12, row_h - 4),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                elided,
            )
            bar = QRectF(label_w, y + row_h * 0.2, width, row_h * 0.5)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(track)
            painter.drawRoundedRect(bar, 3, 3)
            painter.setBrush(accent if row == 0 else muted)
            filled = width * min(1.0, max(0.0, score))
            painter.drawRoundedRect(QRectF(bar.x(), bar.y(), filled, bar.height()), 3, 3)
            painter.setPen(text)
            painter.drawText(
                QRectF(label_w + width + 8, y, score_w, row_h - 4),
                Qt.AlignmentFlag.AlignVCenter,
                f"{score:.4f}",
            )
        painter.end()
