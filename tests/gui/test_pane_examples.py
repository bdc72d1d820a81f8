"""Every ready-made example of the repo's test hub runs from the Inference pane to its own view.

An example that loads as the wrong input (a chat as empty text, zero-shot without its labels) or
whose output lands in the JSON fallback fails here, so the examples a person picks first all work.
"""

from __future__ import annotations

import pytest

from inference_gui.engine.workloads import Example, example, examples
from inference_gui.ui.panes.inference.results import output_kind
from tests.gui.inference_support import inference_pane, open_window
from tests.paths import HUB, REMOTE_SETTINGS

TEST_HUB_EXAMPLES = [e for e in examples() if e.hub == "test"]


def test_the_test_hub_examples_cover_every_input_kind() -> None:
    kinds = {e.run_input().kind for e in TEST_HUB_EXAMPLES}
    assert {"text", "qa", "image", "audio", "chat"} <= kinds, kinds
    assert any(e.run_input().labels and e.run_input().texts for e in TEST_HUB_EXAMPLES)


@pytest.mark.parametrize("chosen", TEST_HUB_EXAMPLES, ids=lambda e: e.name)
def test_example_runs_from_the_pane_to_its_result_view(qtbot, chosen: Example) -> None:
    with open_window(qtbot, {"hub": str(HUB)}) as window:
        pane = inference_pane(window)
        pane.run_example(chosen)
        qtbot.waitUntil(lambda: not pane.busy, timeout=60_000)
        assert pane.phase.text().startswith("Done"), pane.phase.text()
        assert pane.inputs.kind == chosen.run_input().kind
        kind = output_kind(chosen.task, chosen.run_input())
        assert kind != "json"
        assert pane.output.currentWidget() is pane.output.views[kind]
        assert pane.raw.toPlainText().strip() not in ("", "null")


def test_an_example_runs_what_its_feature_runs_when_the_records_know_it(qtbot) -> None:
    """'Sentiment' names tiny-sentiment: with the fixture records (which send the feature to
    revision main) it loads main; with records that lack the feature, its own v1.0.0."""
    chosen = next(e for e in TEST_HUB_EXAMPLES if e.name == "sentiment")
    assert (chosen.feature, chosen.revision) == ("tiny-sentiment", "v1.0.0")
    records = str(REMOTE_SETTINGS / "ml-inference-options.json")
    with open_window(qtbot, {"hub": str(HUB), "settings_file": records}) as window:
        pane = inference_pane(window)
        pane.load_example(chosen)
        assert pane.revision.text() == "main"
        assert pane.form.plan is not None and pane.form.plan.record_id is not None
    with open_window(qtbot, {"hub": str(HUB)}) as window:  # embedded records: no tiny features
        pane = inference_pane(window)
        pane.load_example(chosen)
        assert pane.revision.text() == "v1.0.0"


def test_a_preset_of_another_hub_says_which_hub_to_choose(qtbot) -> None:
    """about:inference's presets load from Hugging Face; with the test hub set, loading one says
    so (and nothing is said for the hub's own examples)."""
    preset = example("long-t5-summary")
    with open_window(qtbot, {"hub": str(HUB)}) as window:
        pane = inference_pane(window)
        pane.load_example(example("translate-marian"))
        assert "Preferences" not in pane.phase.text()
        pane.load_example(preset)
        assert pane.phase.text() == preset.hub_note(str(HUB))
        assert "Hugging Face (https://huggingface.co/)" in pane.phase.text()
        assert "choose Hugging Face in Preferences" in pane.phase.text()
        qtbot.waitUntil(lambda: not pane.busy, timeout=60_000)


def test_hub_note_is_empty_on_the_examples_own_hub() -> None:
    preset = example("bert-base-ner")
    assert preset.hub_note("https://huggingface.co") == ""
    assert preset.hub_note("https://huggingface.co/") == ""
    assert "Xenova/bert-base-NER is on Hugging Face" in preset.hub_note(
        "https://model-hub.mozilla.org/"
    )
    assert example("ner").hub_note("https://model-hub.mozilla.org/") == ""  # the test hub's
