"""File size and median latency per dtype as paired bars, painted with QPainter (no chart lib)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

from inference_gui.engine.compare import CompareRow
from inference_gui.format import human_bytes

SIZE_COLOUR = QColor("#4c78a8")
LATENCY_COLOUR = QColor("#f58518")
MARGIN = 24
LABEL_GAP = 8  # pixels between the captions of two neighbouring bars


class CompareChart(QWidget):
    """Each series is scaled to its own maximum so both read on one axis; values sit on top."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[CompareRow] = []
        self.setMinimumHeight(120)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName("File size and latency per dtype")

    def set_rows(self, rows: Sequence[CompareRow]) -> None:
        self._rows = [r for r in rows if not r.error]
        # Wide enough for every dtype name under its bars; the splitter gives the rest to the table.
        names = max((self.fontMetrics().horizontalAdvance(r.dtype) for r in self._rows), default=0)
        self.setMinimumWidth(2 * MARGIN + len(self._rows) * (names + LABEL_GAP))
        self.update()

    def captions(self, group_width: float) -> list[str]:
        """The text under each pair of bars: name, size and latency when they fit the group's
        width, else the name alone (the table beside the chart has the numbers)."""
        metrics = self.fontMetrics()
        found = []
        for row in self._rows:
            lines = [row.dtype, human_bytes(row.size_bytes or 0), f"{row.median_ms:.1f} ms"]
            fits = all(metrics.horizontalAdvance(line) + LABEL_GAP <= group_width for line in lines)
            found.append("\n".join(lines) if fits else row.dtype)
        return found

    def bars(self) -> list[tuple[str, float, float]]:
        """(dtype, size fraction, latency fraction) as drawn; for tests and accessibility."""
        top_size = max((r.size_bytes or 0 for r in self._rows), default=0) or 1
        top_ms = max((r.median_ms for r in self._rows), default=0) or 1
        return [(r.dtype, (r.size_bytes or 0) / top_size, r.median_ms / top_ms) for r in self._rows]

    def sizeHint(self) -> QSize:
        return QSize(480, 220)

    def paintEvent(self, event: object) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text = self.palette().color(QPalette.ColorRole.WindowText)
        painter.setPen(text)
        if not self._rows:
            painter.drawText(
                self.rect(), Qt.AlignmentFlag.AlignCenter, "Run a comparison to see the chart."
            )
            painter.end()
            return
        legend_h, axis_h = 20, 3 * painter.fontMetrics().lineSpacing() + 4
        area = QRectF(
            MARGIN, legend_h + 8, self.width() - 2 * MARGIN, self.height() - legend_h - 8 - axis_h
        )
        self._legend(painter, text)
        group = area.width() / len(self._rows)
        bar_w = min(40.0, group * 0.35)
        captions = self.captions(group)
        for i, ((_, size_f, ms_f), caption) in enumerate(zip(self.bars(), captions, strict=True)):
            x = area.x() + i * group + group / 2 - bar_w
            for j, (fraction, colour) in enumerate(((size_f, SIZE_COLOUR), (ms_f, LATENCY_COLOUR))):
                h = max(1.0, area.height() * fraction)
                painter.fillRect(QRectF(x + j * bar_w, area.bottom() - h, bar_w - 2, h), colour)
            painter.setPen(text)
            painter.drawText(
                QRectF(area.x() + i * group, area.bottom() + 2, group, axis_h),
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                caption,
            )
        painter.end()

    def _legend(self, painter: QPainter, text: QColor) -> None:
        x = float(MARGIN)
        for colour, label in ((SIZE_COLOUR, "file size"), (LATENCY_COLOUR, "median latency")):
            painter.fillRect(QRectF(x, 6, 12, 12), colour)
            painter.setPen(text)
            width = painter.fontMetrics().horizontalAdvance(label)
            painter.drawText(QRectF(x + 16, 2, width + 4, 20), Qt.AlignmentFlag.AlignVCenter, label)
            x += width + 32
