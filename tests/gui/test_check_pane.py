"""The Check pane: a broken folder's findings grouped by file, Apply fixes renames, re-checks."""

from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from tests.gui.inference_support import open_window
from tests.paths import HUB


def test_a_misnamed_decoder_is_shown_by_file_and_fixed(qtbot, tmp_path: Path, monkeypatch) -> None:
    model = tmp_path / "t5"
    shutil.copytree(HUB / "tiny/t5/v1.0.0", model)
    for graph in (model / "onnx").glob("*.onnx"):
        if graph.name != "encoder_model.onnx" and graph.name != "decoder_model_merged.onnx":
            graph.unlink()
    (model / "onnx/decoder_model_merged.onnx").rename(model / "onnx/decoder_model.onnx")
    with open_window(qtbot, {"hub": str(HUB)}) as window:
        pane = window.show_pane("check")
        pane.smoke.setChecked(False)
        pane.check(model)
        qtbot.waitUntil(lambda: pane.report is not None, timeout=20000)
        top = pane.tree.topLevelItem(0)  # files with errors come first
        assert top.text(0) == "onnx/decoder_model.onnx"
        assert top.child(0).text(1) == "DECODER_MISNAMED"
        assert pane.summary.text().startswith("Errors found: 1 error(s)")
        assert pane.fix_button.isEnabled() and pane.fix_button.text() == "Apply fixes (1)"

        monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
        first = pane.report
        pane.smoke.setChecked(True)
        pane.apply_fixes()
        qtbot.waitUntil(
            lambda: pane.report is not first and pane.check_button.isEnabled(), timeout=30000
        )
        assert (model / "onnx/decoder_model_merged.onnx").is_file()
        assert pane.summary.text().startswith("Ready for upload: 0 error(s)")
        assert "SMOKE_OK" in pane.report.codes() and not pane.fix_button.isEnabled()
