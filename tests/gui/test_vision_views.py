"""The vision result views: what the Inference pane's output view draws for each image task."""

from __future__ import annotations

import pytest

from inference_gui.engine import RunInput
from inference_gui.engine.similarity import pairwise_similarity
from inference_gui.ui.panes.inference.results import OutputView
from tests.parity.support import core_output
from tests.paths import INPUTS

SCENE = INPUTS / "shapes-scene.png"


@pytest.fixture
def view(qtbot):  # type: ignore[no-untyped-def]
    widget = OutputView()
    qtbot.addWidget(widget)
    widget.resize(800, 500)
    widget.show()
    return widget


def test_detections_are_drawn_as_labelled_boxes(view: OutputView) -> None:
    run_input = RunInput.image(SCENE)
    output = core_output(
        "object-detection", "tiny/detr-detector", "fp32", run_input, {"threshold": 0.35}
    )
    view.show_output("object-detection", output, run_input)
    assert view.currentWidget() is view.overlay
    assert [(label, round(score, 4)) for label, score, _ in view.overlay.boxes] == [
        (d["label"], round(d["score"], 4)) for d in output
    ]
    first = output[0]["box"]
    assert view.overlay.boxes[0][2].left() == first["xmin"]
    assert not view.overlay.grab().isNull()


def test_masks_get_one_translucent_layer_and_legend_entry_per_label(view: OutputView) -> None:
    run_input = RunInput.image(SCENE)
    output = core_output("image-segmentation", "tiny/segformer-seg", "fp32", run_input, {})
    view.show_output("image-segmentation", output, run_input)
    assert len(view.overlay.layers) == len(output) == len(view.overlay.legend)
    assert [text.split()[0] for text, _ in view.overlay.legend] == [s["label"] for s in output]
    layer = view.overlay.layers[0]
    assert (layer.width(), layer.height()) == (64, 48)


def test_depth_is_shown_as_a_colour_map_beside_the_image(view: OutputView) -> None:
    run_input = RunInput.image(SCENE)
    output = core_output("depth-estimation", "tiny/dpt-depth", "fp32", run_input, {})
    view.show_output("depth-estimation", output, run_input)
    side = view.overlay.side
    assert side is not None and (side.width(), side.height()) == (64, 48)


def test_zero_shot_scores_are_bars_and_several_images_a_similarity_matrix(view: OutputView) -> None:
    zero_shot = RunInput.zero_shot_image(SCENE, ["sun", "road"])
    output = core_output(
        "zero-shot-image-classification", "tiny/clip-zeroshot", "fp32", zero_shot, {}
    )
    view.show_output("zero-shot-image-classification", output, zero_shot)
    assert [label for label, _ in view.scores.items()] == [r["label"] for r in output]
    images = RunInput.image([SCENE, INPUTS / "red-circle.png"])
    features = core_output("image-feature-extraction", "tiny/vit-features", "fp32", images, {})
    view.show_output("image-feature-extraction", features, images)
    assert view.currentWidget() is view.image_features
    assert view.image_features.map.matrix == pairwise_similarity(features)
    assert view.image_features.map.labels == ["shapes-scene.png", "red-circle.png"]


def test_a_cut_out_is_shown_beside_the_input_over_a_checkerboard(view: OutputView) -> None:
    run_input = RunInput.image(SCENE)
    output = core_output("background-removal", "tiny/modnet-matting", "fp32", run_input, {})
    view.show_output("background-removal", output, run_input)
    overlay = view.overlay
    assert view.currentWidget() is overlay and overlay.side_checkered
    side = overlay.side
    assert side is not None and (side.width(), side.height()) == (64, 48)
    corner = side.pixelColor(0, 0)
    assert corner.alpha() == output.pixels[0, 0, 3]  # the matte is the alpha that is drawn
    assert "transparent" in overlay.legend[-1][0]
    # painted: where the cut-out is fully transparent the checkerboard shows through
    shot = overlay.grab().toImage()
    assert not shot.isNull()


def test_an_upscaled_image_is_shown_beside_the_input_with_both_sizes(view: OutputView) -> None:
    run_input = RunInput.image(INPUTS / "red-circle.png")
    output = core_output("image-to-image", "tiny/swin2sr-upscaler", "fp32", run_input, {})
    view.show_output("image-to-image", output, run_input)
    overlay = view.overlay
    assert not overlay.side_checkered
    assert [text for text, _ in overlay.legend] == ["input 48\u00d740", "result 96\u00d796"]


def test_a_batch_of_images_has_a_chooser_for_the_one_drawn(view: OutputView) -> None:
    images = [SCENE, INPUTS / "red-circle.png"]
    run_input = RunInput.image(images)
    output = core_output("background-removal", "tiny/modnet-matting", "fp32", run_input, {})
    view.show_output("background-removal", output, run_input)
    overlay = view.overlay
    assert overlay.chooser.isVisible() and overlay.chooser.count() == 2
    assert overlay.side is not None and overlay.side.width() == 64
    overlay.chooser.setCurrentIndex(1)
    assert (overlay.side.width(), overlay.side.height()) == (48, 40)
    assert (overlay.base.width(), overlay.base.height()) == (48, 40)
    single = RunInput.image(SCENE)
    view.show_output("background-removal", output[0], single)
    assert not overlay.chooser.isVisible()
