"""The input image with a vision result drawn on it: labelled boxes (object detection),
translucent masks with a legend (segmentation), a depth colour map beside the image, or the image a
task made beside the input (before / after: a cut-out over a checkerboard where it is transparent,
an upscaled image).

Painted with QPainter, scaled to fit while keeping the aspect ratio; each label keeps one colour.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen
from PySide6.QtWidgets import QComboBox, QWidget

from inference_gui.engine.inputs import RunInput
from inference_gui.ui.widgets.batches import per_input

if TYPE_CHECKING:
    import numpy as np

    from inference_gui.engine.raw_image import RawImage

PALETTE = ["#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#bfef45"]
MASK_ALPHA = 120
# Viridis at five stops, interpolated: dark (low values) to yellow (high values).
_STOPS = ((68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37))
LEGEND_ROW = 20


def to_qimage(rgba: np.ndarray) -> QImage:
    """(H, W, 4) uint8 RGBA -> a QImage that owns its pixels."""
    import numpy as np  # with a result in hand, not with the window

    data = np.ascontiguousarray(rgba, dtype=np.uint8)
    h, w = data.shape[:2]
    return QImage(data.data, w, h, 4 * w, QImage.Format.Format_RGBA8888).copy()


def colour_map(depth: RawImage) -> QImage:
    """A 1-channel 0..255 image through the viridis stops."""
    import numpy as np  # with a result in hand, not with the window

    stops = np.array(_STOPS)
    values = depth.pixels[:, :, 0].astype(np.float64) / 255 * (len(_STOPS) - 1)
    low = np.minimum(np.floor(values).astype(int), len(_STOPS) - 2)
    frac = (values - low)[:, :, None]
    rgb = stops[low] * (1 - frac) + stops[low + 1] * frac
    alpha = np.full(rgb.shape[:2] + (1,), 255)
    return to_qimage(np.concatenate([rgb, alpha], axis=2).round().astype(np.uint8))


def rgba_of(image: RawImage) -> QImage:
    """Any 1-, 3- or 4-channel RawImage as an RGBA QImage (grey spread to RGB, opaque if no
    alpha)."""
    import numpy as np  # with a result in hand, not with the window

    pixels = image.pixels
    if image.channels in (1, 2):
        pixels = np.concatenate([pixels[:, :, :1]] * 3 + [pixels[:, :, 1:]], axis=2)
    if pixels.shape[2] == 3:
        pixels = np.concatenate([pixels, np.full(pixels.shape[:2] + (1,), 255, np.uint8)], axis=2)
    return to_qimage(pixels)


def fit(image: QImage, area: QRectF) -> QRectF:
    """Where ``image`` goes in ``area``: as large as fits, aspect ratio kept, top left."""
    scale = min(area.width() / image.width(), area.height() / image.height())
    return QRectF(area.x(), area.y(), image.width() * scale, image.height() * scale)


def checkerboard(painter: QPainter, rect: QRectF, square: int = 8) -> None:
    """Light and mid grey squares, the usual backdrop that shows transparency."""
    painter.save()
    painter.setClipRect(rect)
    painter.fillRect(rect, QColor("#ffffff"))
    dark = QColor("#cccccc")
    for row in range(int(rect.height() // square) + 1):
        for col in range(row % 2, int(rect.width() // square) + 1, 2):
            x, y = rect.x() + col * square, rect.y() + row * square
            painter.fillRect(QRectF(x, y, square, square), dark)
    painter.restore()


def mask_overlay(mask: RawImage, colour: QColor) -> QImage:
    """The mask's pixels in ``colour``, translucent; elsewhere transparent."""
    import numpy as np  # with a result in hand, not with the window

    on = mask.pixels[:, :, 0] > 0
    rgba = np.zeros(on.shape + (4,), dtype=np.uint8)
    rgba[on] = (colour.red(), colour.green(), colour.blue(), MASK_ALPHA)
    return to_qimage(rgba)


class ImageOverlay(QWidget):
    """An image with its result drawn on it; with several images (a batch) a chooser above
    picks which one is drawn (detection and segmentation take one).

    :meth:`show_output` picks boxes, masks, a depth map or a result image by the output's shape.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Image result")
        self.base = QImage()
        self.side: QImage | None = None  # the depth map or the result image beside the image
        self.side_checkered = False  # the result has transparency: a checkerboard behind it
        self.layers: list[QImage] = []
        self.boxes: list[tuple[str, float, QRectF]] = []
        self.legend: list[tuple[str, QColor]] = []
        self.percentage = False
        self._colours: dict[str, QColor] = {}
        self._results: list[Any] = []
        self._images: list[Path] = []
        self.chooser = QComboBox(self)
        self.chooser.setAccessibleName("Image shown")
        self.chooser.hide()
        self.chooser.currentIndexChanged.connect(self.show_index)

    def colour(self, label: str) -> QColor:
        if label not in self._colours:
            self._colours[label] = QColor(PALETTE[len(self._colours) % len(PALETTE)])
        return self._colours[label]

    def _reset(self, image: Path) -> None:
        self.base = QImage(str(image))
        self.side, self.layers, self.boxes, self.legend = None, [], [], []
        self.side_checkered = False
        self._colours = {}

    def show_output(self, output: Any, inputs: RunInput) -> None:
        self._results = per_input(output, inputs)
        self._images = list(inputs.images)
        several = len(self._results) > 1 and len(self._results) == len(self._images)
        self.chooser.blockSignals(True)
        self.chooser.clear()
        if several:
            total = len(self._images)
            self.chooser.addItems(
                [f"Image {i + 1} of {total}: {p.name}" for i, p in enumerate(self._images)]
            )
            self.chooser.adjustSize()
        self.chooser.setVisible(several)
        self.chooser.blockSignals(False)
        self.show_index(0)

    def show_index(self, index: int) -> None:
        """Draw the result of the batch's ``index``-th image."""
        from inference_gui.engine.raw_image import RawImage  # numpy: see to_qimage

        if not 0 <= index < len(self._results):
            return
        image, first = self._images[index], self._results[index]
        if isinstance(first, RawImage):  # background-removal, image-to-image
            self.show_result_image(image, first)
        elif isinstance(first, Mapping):  # depth-estimation: {predicted_depth, depth}
            self.show_depth(image, first["depth"])
        elif first and "box" in first[0]:
            # pixel boxes are whole numbers; with the percentage option they are fractions
            percentage = any(isinstance(v, float) for d in first for v in d["box"].values())
            self.show_boxes(image, first, percentage)
        else:
            self.show_masks(image, first)

    def show_boxes(
        self, image: Path, detections: Sequence[dict[str, Any]], percentage: bool
    ) -> None:
        """Boxes in image pixels, or fractions of it with ``percentage``."""
        self._reset(image)
        w, h = (self.base.width(), self.base.height()) if percentage else (1, 1)
        for d in detections:
            b = d["box"]
            rect = QRectF(
                b["xmin"] * w,
                b["ymin"] * h,
                (b["xmax"] - b["xmin"]) * w,
                (b["ymax"] - b["ymin"]) * h,
            )
            self.boxes.append((str(d["label"]), float(d["score"]), rect))
            self.colour(str(d["label"]))
        self.legend = [(label, c) for label, c in self._colours.items()]
        self.update()

    def show_masks(self, image: Path, segments: Sequence[dict[str, Any]]) -> None:
        self._reset(image)
        for segment in segments:
            mask: RawImage = segment["mask"]
            label = str(segment["label"])
            share = int((mask.pixels != 0).sum()) / max(mask.pixels.size, 1)
            self.layers.append(mask_overlay(mask, self.colour(label)))
            self.legend.append((f"{label} {share:.1%}", self.colour(label)))
        self.update()

    def show_depth(self, image: Path, depth: RawImage) -> None:
        self._reset(image)
        self.side = colour_map(depth)
        self.legend = [("low", QColor(*_STOPS[0])), ("high", QColor(*_STOPS[-1]))]
        self.update()

    def show_result_image(self, image: Path, result: RawImage) -> None:
        """Before / after: the input, and beside it the image the task made."""
        self._reset(image)
        self.side = rgba_of(result)
        self.side_checkered = result.channels in (2, 4)
        grey, light = QColor("#888888"), QColor("#cccccc")
        self.legend = [
            (f"input {self.base.width()}\u00d7{self.base.height()}", grey),
            (f"result {result.width}\u00d7{result.height}", grey),
        ]
        if self.side_checkered:
            self.legend.append(("checkerboard = transparent (removed)", light))
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(480, 360)

    def paintEvent(self, event: object) -> None:
        if self.base.isNull():
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        top = self.chooser.height() + 6 if self.chooser.isVisible() else 0
        painter.translate(0, top)
        legend_h = LEGEND_ROW * (1 if self.legend else 0) + 8
        panels = 2 if self.side is not None else 1
        gap = 12
        area_w = (self.width() - gap * (panels - 1)) / panels
        area_h = max(self.height() - top - legend_h, 10)
        scale = min(area_w / self.base.width(), area_h / self.base.height())
        w, h = self.base.width() * scale, self.base.height() * scale
        target = QRectF(0, 0, w, h)
        painter.drawImage(target, self.base)
        for layer in self.layers:
            painter.drawImage(target, layer)
        if self.side is not None:
            side = fit(self.side, QRectF(w + gap, 0, area_w, area_h))
            if self.side_checkered:
                checkerboard(painter, side)
            painter.drawImage(side, self.side)
        font = QFont(painter.font())
        painter.setFont(font)
        metrics = painter.fontMetrics()
        for label, score, rect in self.boxes:
            colour = self.colour(label)
            box = QRectF(
                rect.x() * scale, rect.y() * scale, rect.width() * scale, rect.height() * scale
            )
            painter.setPen(QPen(colour, 2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(box)
            text = f"{label} {score:.2f}"
            tag = QRectF(
                box.x(),
                box.y() - metrics.height(),
                metrics.horizontalAdvance(text) + 6,
                metrics.height(),
            )
            if tag.y() < 0:
                tag.moveTop(box.y())
            painter.fillRect(tag, colour)
            painter.setPen(QColor("white"))
            painter.drawText(tag.adjusted(3, 0, 0, 0), Qt.AlignmentFlag.AlignVCenter, text)
        x, y = 0.0, h + 8
        for text, colour in self.legend:
            painter.fillRect(QRectF(x, y + 3, 14, 14), colour)
            painter.setPen(self.palette().text().color())
            painter.drawText(
                QRectF(x + 18, y, 400, LEGEND_ROW), Qt.AlignmentFlag.AlignVCenter, text
            )
            x += 18 + metrics.horizontalAdvance(text) + 16
        painter.end()
