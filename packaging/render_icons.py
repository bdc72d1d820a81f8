"""Render the app icon from its SVG source into the freedesktop hicolor theme layout.

Generated at build time (never committed) so the PNGs cannot drift from resources/icons/app.svg:
``python render_icons.py OUT`` writes ``OUT/hicolor/NxN/apps/inference-gui.png`` for every size in
SIZES and ``OUT/hicolor/scalable/apps/inference-gui.svg``. Qt's own SVG renderer does the work, so
no extra build dependency is needed.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
ICON_NAME = "inference-gui"
SOURCE = Path(__file__).resolve().parent.parent / "resources" / "icons" / "app.svg"


def render(source: Path, out: Path) -> list[Path]:
    """Write one PNG per size (transparent background) and the scalable SVG; return the files."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([])
    renderer = QSvgRenderer(str(source))
    if not renderer.isValid():
        raise SystemExit(f"render_icons: {source} is not a valid SVG; fix the icon source.")
    written = []
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        target = out / "hicolor" / f"{size}x{size}" / "apps" / f"{ICON_NAME}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(target), "PNG"):
            raise SystemExit(f"render_icons: could not write {target}.")
        written.append(target)
    scalable = out / "hicolor" / "scalable" / "apps" / f"{ICON_NAME}.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, scalable)
    return [*written, scalable]


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: render_icons.py OUTPUT_FOLDER")
    for path in render(SOURCE, Path(sys.argv[1])):
        print(path)
