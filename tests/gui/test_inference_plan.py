"""The Inference pane runs the plan it was given: the record's helper ids and exact values stay,
only what the person edited changes."""

from __future__ import annotations

from tests.gui.inference_support import choose_feature, inference_pane, open_window
from tests.paths import HUB, REMOTE_SETTINGS


def test_a_features_tokenizer_and_timeout_survive_a_run_and_an_edit(qtbot, tmp_path) -> None:
    flags = {
        "hub": str(HUB),
        "settings_file": str(REMOTE_SETTINGS / "ml-inference-options.json"),
        "data_dir": str(tmp_path),
    }
    with open_window(qtbot, flags) as window:
        overrides = window.ctx.app.records.overrides
        overrides.set("tiny-embed", "tokenizerRevision", "v1.0.0")  # the model is at v1.1.0
        overrides.set("tiny-embed", "timeoutMS", 20_500)
        pane = inference_pane(window)
        choose_feature(qtbot, pane, "tiny-embed", "tiny/bert-embed")
        options = pane.engine_options()
        assert (options.revision, options.tokenizer_id, options.tokenizer_revision) == (
            "v1.1.0",
            "tiny/bert-embed",
            "v1.0.0",
        )
        assert options.timeout_ms == 20_500
        pane.dtypes.combo.setCurrentIndex(pane.dtypes.combo.findData("fp32"))  # a person's edit
        pane.inputs.text.setPlainText("Hello")
        pane.run_button.click()
        qtbot.waitUntil(lambda: "Done in" in pane.phase.text(), timeout=30_000)
        console = pane.console.toPlainText()
        assert "tiny/bert-embed@v1.0.0/tokenizer.json" in console, console
        edited = pane.engine_options()
        assert (edited.dtype, edited.tokenizer_revision, edited.timeout_ms) == (
            "fp32",
            "v1.0.0",
            20_500,
        )
