"""An image input: open a file, drop one, or paste one; a preview shows what will run."""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import (
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QImage,
    QKeySequence,
    QPixmap,
    QShortcut,
)
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.bmp *.gif *.webp)"
PREVIEW = 160


class ImageInput(QWidget):
    """Pasted or dropped pixels go to a private temporary PNG, since the engine reads files."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        self._path: Path | None = None
        self._tmp = tempfile.TemporaryDirectory(prefix="inference-gui-image-")
        self.preview = QLabel("Drop an image here, paste one (Ctrl+V), or open a file.")
        self.preview.setObjectName("imagePreview")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setMinimumSize(PREVIEW, PREVIEW)
        self.preview.setWordWrap(True)
        self.preview.setStyleSheet("border: 1px dashed palette(mid); border-radius: 6px;")
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        open_button = QPushButton("Open…")
        open_button.clicked.connect(self._open)
        paste_button = QPushButton("Paste")
        paste_button.clicked.connect(self.paste)
        QShortcut(
            QKeySequence.StandardKey.Paste,
            self,
            self.paste,
            context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
        )
        buttons = QHBoxLayout()
        buttons.addWidget(open_button)
        buttons.addWidget(paste_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.caption)
        layout.addLayout(buttons)

    @property
    def path(self) -> Path | None:
        return self._path

    def set_path(self, path: Path) -> bool:
        """Show ``path``; False (and a message in the preview) when it is not a readable image."""
        image = QImage(str(path))
        if image.isNull():
            kept = f" Still using {self._path.name}." if self._path else ""  # what Run will use
            self.caption.setText(
                f"{path} is not an image this app can read; pick a PNG or JPEG.{kept}"
            )
            return False
        self._path = Path(path)
        self._show(image, f"{Path(path).name} — {image.width()}×{image.height()}")
        return True

    def set_image(self, image: QImage) -> bool:
        if image.isNull():
            return False
        target = Path(self._tmp.name) / f"pasted-{id(image)}.png"
        image.save(str(target), "PNG")
        self._path = target
        self._show(image, f"pasted image — {image.width()}×{image.height()}")
        return True

    def paste(self) -> None:
        if not self._from_mime(QGuiApplication.clipboard().mimeData()):
            self.caption.setText("The clipboard holds no image.")

    def _show(self, image: QImage, caption: str) -> None:
        pixmap = QPixmap.fromImage(image).scaled(
            PREVIEW,
            PREVIEW,
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.FastTransformation,
        )
        self.preview.setPixmap(pixmap)
        self.caption.setText(caption)
        self.changed.emit()

    def _open(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Open an image", "", IMAGE_FILTER)
        if name:
            self.set_path(Path(name))

    def _from_mime(self, mime: QMimeData | None) -> bool:
        if mime is None:
            return False
        if mime.hasImage():
            return self.set_image(QImage(mime.imageData()))
        for url in mime.urls() if mime.hasUrls() else []:
            if url.isLocalFile():
                return self.set_path(Path(url.toLocalFile()))
        return False

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasImage() or event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        if self._from_mime(event.mimeData()):
            event.acceptProposedAction()
