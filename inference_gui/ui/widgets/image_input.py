"""An image input: open files, drop them, add more, or paste one; a preview shows what will run.

Several images run as one batch (one result each; image-feature-extraction compares them);
opening, dropping or pasting replaces the images, "Add…" appends to them.
"""

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
    QPainter,
    QPixmap,
    QShortcut,
)
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.bmp *.gif *.webp)"
PREVIEW = 160
MAX_THUMBNAILS = 6  # shown side by side in the preview; the caption names them all


class ImageInput(QWidget):
    """Pasted or dropped pixels go to a private temporary PNG, since the engine reads files."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        self._paths: list[Path] = []
        self._tmp = tempfile.TemporaryDirectory(prefix="inference-gui-image-")
        self.preview = QLabel("Drop images here, paste one (Ctrl+V), or open files.")
        self.preview.setObjectName("imagePreview")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setMinimumSize(PREVIEW, PREVIEW)
        self.preview.setWordWrap(True)
        self.preview.setStyleSheet("border: 1px dashed palette(mid); border-radius: 6px;")
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        open_button = QPushButton("Open…")
        open_button.setToolTip("Open one or several images (several run as a batch)")
        open_button.clicked.connect(self._open)
        self.add_button = QPushButton("Add…")
        self.add_button.setToolTip("Add images to the ones chosen (a batch)")
        self.add_button.clicked.connect(self._add)
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
        buttons.addWidget(self.add_button)
        buttons.addWidget(paste_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.caption)
        layout.addLayout(buttons)

    @property
    def path(self) -> Path | None:
        """The first image (the one the drawn results are drawn on)."""
        return self._paths[0] if self._paths else None

    @property
    def paths(self) -> list[Path]:
        return list(self._paths)

    def set_path(self, path: Path) -> bool:
        """Show ``path`` alone; False (and a message) when it is not a readable image."""
        return self.set_paths([path])

    def set_paths(self, paths: list[Path], *, add: bool = False) -> bool:
        """Use ``paths`` (after the current ones with ``add``); unreadable files are named and
        left out, and when none is readable the current images stay."""
        readable = [Path(p) for p in paths if not QImage(str(p)).isNull()]
        bad = [Path(p) for p in paths if Path(p) not in readable]
        if not readable:
            kept = f" Still using {self._names()}." if self._paths else ""  # what Run will use
            self.caption.setText(
                f"{bad[0] if len(bad) == 1 else f'None of {len(bad)} files'} is not an image "
                f"this app can read; pick a PNG or JPEG.{kept}"
            )
            return False
        self._paths = [*self._paths, *readable] if add else readable
        self._show_paths()
        if bad:
            skipped = ", ".join(p.name for p in bad)
            self.caption.setText(f"{self.caption.text()} (not images, left out: {skipped})")
        return True

    def set_image(self, image: QImage) -> bool:
        if image.isNull():
            return False
        target = Path(self._tmp.name) / f"pasted-{id(image)}.png"
        image.save(str(target), "PNG")
        self._paths = [target]
        self._show([image], f"pasted image — {image.width()}×{image.height()}")
        return True

    def _names(self) -> str:
        return ", ".join(p.name for p in self._paths)

    def _show_paths(self) -> None:
        images = [QImage(str(p)) for p in self._paths[:MAX_THUMBNAILS]]
        if len(self._paths) == 1:
            first = images[0]
            caption = f"{self._paths[0].name} — {first.width()}×{first.height()}"
        else:
            caption = f"{len(self._paths)} images (one batch): {self._names()}"
        self._show(images, caption)

    def paste(self) -> None:
        if not self._from_mime(QGuiApplication.clipboard().mimeData()):
            self.caption.setText("The clipboard holds no image.")

    def _show(self, images: list[QImage], caption: str) -> None:
        """Thumbnails side by side (one image fills the preview), then the caption."""
        side = PREVIEW if len(images) == 1 else max(PREVIEW // 2, 48)
        thumbs = [
            QPixmap.fromImage(image).scaled(
                side,
                side,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.FastTransformation,
            )
            for image in images
        ]
        gap = 6
        strip = QPixmap(
            sum(t.width() for t in thumbs) + gap * (len(thumbs) - 1),
            max(t.height() for t in thumbs),
        )
        strip.fill(Qt.GlobalColor.transparent)
        painter = QPainter(strip)
        x = 0
        for thumb in thumbs:
            painter.drawPixmap(x, 0, thumb)
            x += thumb.width() + gap
        painter.end()
        self.preview.setPixmap(strip)
        self.caption.setText(caption)
        self.changed.emit()

    def _open(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self, "Open images", "", IMAGE_FILTER)
        if names:
            self.set_paths([Path(n) for n in names])

    def _add(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self, "Add images", "", IMAGE_FILTER)
        if names:
            self.set_paths([Path(n) for n in names], add=True)

    def _from_mime(self, mime: QMimeData | None) -> bool:
        if mime is None:
            return False
        if mime.hasImage():
            return self.set_image(QImage(mime.imageData()))
        files = (
            [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile()]
            if mime.hasUrls()
            else []
        )
        return self.set_paths(files) if files else False

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasImage() or event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        if self._from_mime(event.mimeData()):
            event.acceptProposedAction()
