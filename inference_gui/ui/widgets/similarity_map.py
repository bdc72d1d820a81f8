"""Embeddings as people can read them: the pairwise cosine similarity of the inputs as a small heat
map (one row and column per input), with each vector's dimension and norm underneath."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from inference_gui.engine.compare import cosine_similarity, vectors
from inference_gui.engine.inputs import RunInput
from inference_gui.engine.similarity import pairwise_similarity
from inference_gui.errors import EngineError

LOW, HIGH = QColor("#f7fbff"), QColor("#08519c")
MAX_CELL = 72  # pixels: a "small" map, however much room there is


def similarity_matrix(rows: Sequence[Sequence[float]]) -> list[list[float]]:
    return [[cosine_similarity(a, b) for b in rows] for a in rows]


def cell_colour(value: float) -> QColor:
    """Light for unrelated (0 or below), deep blue for the same direction (1)."""
    t = min(1.0, max(0.0, value))
    mix = [
        round(lo + (hi - lo) * t)
        for lo, hi in zip(LOW.getRgb()[:3], HIGH.getRgb()[:3], strict=True)
    ]
    return QColor(*mix)


class SimilarityMap(QWidget):
    """Painted heat map; row labels are the inputs (elided), columns are numbered."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.labels: list[str] = []
        self.matrix: list[list[float]] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName("Pairwise cosine similarity of the inputs")

    def set_matrix(self, labels: Sequence[str], matrix: Sequence[Sequence[float]]) -> None:
        self.labels, self.matrix = list(labels), [list(r) for r in matrix]
        self.setToolTip(
            "\n".join(
                f"#{i + 1} · #{j + 1}: {self.matrix[i][j]:.4f}"
                for i in range(len(self.matrix))
                for j in range(i + 1, len(self.matrix))
            )
        )
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(420, 260)

    def paintEvent(self, event: object) -> None:
        painter = QPainter(self)
        text = self.palette().color(QPalette.ColorRole.WindowText)
        metrics = painter.fontMetrics()
        n = len(self.matrix)
        if n == 0:
            painter.end()
            return
        label_w = min(
            self.width() // 3, max(metrics.horizontalAdvance(f"#{n} {t}") for t in self.labels) + 12
        )
        header_h = metrics.lineSpacing() + 6
        room = min((self.width() - label_w) / n, (self.height() - header_h) / n)
        cell = max(8.0, min(float(MAX_CELL), room))
        for j in range(n):
            painter.setPen(text)
            painter.drawText(
                QRectF(label_w + j * cell, 0, cell, header_h),
                Qt.AlignmentFlag.AlignCenter,
                f"#{j + 1}",
            )
        for i, label in enumerate(self.labels):
            y = header_h + i * cell
            painter.setPen(text)
            painter.drawText(
                QRectF(0, y, label_w - 8, cell),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                metrics.elidedText(f"#{i + 1} {label}", Qt.TextElideMode.ElideRight, label_w - 8),
            )
            for j in range(n):
                value = self.matrix[i][j]
                rect = QRectF(label_w + j * cell, y, cell - 2, cell - 2)
                painter.fillRect(rect, cell_colour(value))
                painter.setPen(QColor("#111") if value < 0.6 else QColor("#fff"))
                if metrics.horizontalAdvance("0.00") < cell - 4:
                    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, f"{value:.2f}")
        painter.end()


class EmbeddingsView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.map = SimilarityMap()
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Embedding summary")
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.map, 1)
        layout.addWidget(self.summary)

    def show_output(self, output: Any, inputs: RunInput) -> None:
        rows = vectors(output)
        if not rows:
            raise ValueError("the output holds no vectors")
        labels = list(inputs.texts) if len(inputs.texts) == len(rows) else [""] * len(rows)
        self.map.set_matrix(labels, similarity_matrix(rows))
        self.map.setVisible(len(rows) > 1)
        norms = ", ".join(f"{math.sqrt(sum(x * x for x in r)):.3f}" for r in rows)
        hint = (
            ""
            if len(rows) > 1
            else " Give several inputs (one per line, as a batch) to see how similar they are."
        )
        self.summary.setText(
            f"{len(rows)} vector(s) of dimension {len(rows[0])}; norms {norms}.{hint}"
        )


class ImageFeaturesView(EmbeddingsView):
    """image-feature-extraction: the same heat map, one row per image (its first token)."""

    def show_output(self, output: Any, inputs: RunInput) -> None:
        try:
            matrix = pairwise_similarity(output)
        except EngineError as exc:  # not a feature tensor: the caller shows the JSON
            raise ValueError(exc.message) from exc
        self.map.set_matrix([path.name for path in inputs.images], matrix)
        self.map.setVisible(len(matrix) > 1)
        hint = "" if len(matrix) > 1 else " Give several images to see how similar they are."
        self.summary.setText(f"{len(matrix)} image(s); features {output['dims']}.{hint}")
