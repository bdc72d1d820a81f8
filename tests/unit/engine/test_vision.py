"""The vision tasks' own rules: size rules of image processors, bad input, and the CLI's
``--label``, compact images, ``--save-images`` and similarity. Parity with Transformers.js is in
``tests/parity/test_parity_vision.py``."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from inference_gui.cli.main import main
from inference_gui.engine import RunInput
from inference_gui.engine.preprocess.geometry import Geometry
from inference_gui.engine.preprocess.image import ImageProcessor
from inference_gui.engine.raw_image import RawImage, jsonable
from inference_gui.engine.similarity import pairwise_similarity
from inference_gui.errors import EngineError
from tests.paths import EXPECTED, HUB, INPUTS
from tests.unit.engine.conftest import fixture_engine

SCENE = INPUTS / "shapes-scene.png"


def test_size_divisibility_rounds_each_side_down_to_a_multiple() -> None:
    processor = ImageProcessor({"size": {"shortest_edge": 50}, "size_divisibility": 32})
    assert processor.output_size(100, 75) == (64, 32)  # 66x50 -> multiples of 32
    assert ImageProcessor({"size_divisor": 32}).output_size(70, 20) == (64, 32)  # at least one


def test_dpt_keep_aspect_ratio_scales_as_little_as_possible_to_a_multiple() -> None:
    config = {"size": {"width": 32, "height": 32}, "keep_aspect_ratio": True}
    processor = ImageProcessor({**config, "ensure_multiple_of": 8})
    assert processor.output_size(48, 40) == (40, 32)  # fits the height: 38.4 -> 40
    assert ImageProcessor(config).output_size(48, 40) == (32, 32)  # no multiple: plain size


def test_padding_is_zeros_at_the_bottom_and_right_after_normalising() -> None:
    pixels = np.ones((30, 20, 3), dtype=np.float32)
    padded = Geometry(size_divisibility=16, do_pad=True).pad(pixels)
    assert padded.shape == (32, 32, 3)
    assert padded[:30, :20].min() == 1 and padded[30:].max() == 0 and padded[:, 20:].max() == 0
    inferred = Geometry.of({"do_pad": True, "size": {"width": 40, "height": 36}})
    assert inferred.pad(pixels).shape == (36, 40, 3)
    with pytest.raises(EngineError, match="larger than pad_size"):
        Geometry(do_pad=True, pad_size=16).pad(pixels)


def test_bad_size_rules_are_named() -> None:
    with pytest.raises(EngineError, match="size_divisibility"):
        ImageProcessor({"size_divisibility": 0})
    with pytest.raises(EngineError, match="ensure_multiple_of"):
        ImageProcessor({"ensure_multiple_of": "8"})


@pytest.mark.parametrize(
    ("task", "model"),
    [
        ("zero-shot-image-classification", "clip-zeroshot"),
        ("zero-shot-object-detection", "owlvit-detector"),
    ],
)
def test_zero_shot_image_tasks_need_candidate_labels(task: str, model: str) -> None:
    engine = fixture_engine(task, model)
    with pytest.raises(EngineError, match="needs candidate labels, and got none"):
        engine.run(RunInput.image(SCENE))
    with pytest.raises(EngineError, match="one is empty"):
        engine.run(RunInput.zero_shot_image(SCENE, ["sun", " "]))


def test_zero_shot_detection_options_and_several_images() -> None:
    """threshold and top_k as Transformers.js reads them; several images: one list each, as the
    same images run one by one."""
    engine = fixture_engine("zero-shot-object-detection", "owlvit-detector")
    labels = ["sun", "car"]
    scene = engine.run(RunInput.zero_shot_image(SCENE, labels), {"threshold": 0.6}).output
    assert scene and all(d["score"] > 0.6 for d in scene)
    assert [d["score"] for d in scene] == sorted((d["score"] for d in scene), reverse=True)
    top = engine.run(RunInput.zero_shot_image(SCENE, labels), {"threshold": 0.6, "top_k": 2})
    assert top.output == scene[:2]
    both = engine.run(
        RunInput.zero_shot_image([SCENE, INPUTS / "red-circle.png"], labels), {"threshold": 0.6}
    ).output
    circle = engine.run(
        RunInput.zero_shot_image(INPUTS / "red-circle.png", labels), {"threshold": 0.6}
    )
    assert both == [scene, circle.output]
    for bad in ({"top_k": -1}, {"top_k": "2"}, {"threshold": "high"}):
        with pytest.raises(EngineError, match=f"option {next(iter(bad))}="):
            engine.run(RunInput.zero_shot_image(SCENE, labels), bad)


def test_detection_and_segmentation_take_one_image_at_a_time() -> None:
    for task, model in (
        ("object-detection", "detr-detector"),
        ("image-segmentation", "segformer-seg"),
    ):
        with pytest.raises(EngineError, match="one image at a time"):
            fixture_engine(task, model).run(RunInput.image([SCENE, SCENE]))


def test_a_model_of_the_wrong_kind_is_refused_with_a_clear_message() -> None:
    with pytest.raises(EngineError, match="does not produce predicted_depth"):
        fixture_engine("depth-estimation", "vit-features").run(RunInput.image(SCENE))
    with pytest.raises(EngineError, match="not per-pixel"):
        fixture_engine("image-segmentation", "detr-detector").run(RunInput.image(SCENE))
    with pytest.raises(EngineError, match="subtask='panoptic' is not one of semantic"):
        fixture_engine("image-segmentation", "segformer-seg").run(
            RunInput.image(SCENE), {"subtask": "panoptic"}
        )


def test_tiny_and_non_image_inputs(tmp_path: Path) -> None:
    """A 1x1 image is enlarged as Transformers.js would (DETR to its 48 px shortest edge) and
    gives boxes in its own 1x1 frame; a file that is no image is named."""
    dot = tmp_path / "dot.png"
    Image.new("RGB", (1, 1), (200, 10, 10)).save(dot)
    output = fixture_engine("object-detection", "detr-detector").run(
        RunInput.image(dot), {"threshold": 0.0, "percentage": False}
    )
    assert output.output and all(
        set(d["box"]) == {"xmin", "ymin", "xmax", "ymax"} for d in output.output
    )
    junk = tmp_path / "junk.png"
    junk.write_text("not an image")
    with pytest.raises(EngineError, match="is not an image that can be read"):
        fixture_engine("depth-estimation", "dpt-depth").run(RunInput.image(junk))


def test_raw_image_compact_form_follows_the_fixtures_definition() -> None:
    pixels = np.zeros((10, 12, 1), dtype=np.uint8)
    pixels[:5, :6] = 255
    compact = RawImage(pixels).compact()
    assert compact["sha256"] == hashlib.sha256(pixels.tobytes()).hexdigest()
    assert compact["nonzero"] == 30 and compact["mean"] == 63.75
    assert compact["grid8x8"][0][0] == 255 and compact["grid8x8"][7][7] == 0
    # rows 0..0 of cell row 0 (floor(10/8) = 1), columns 0..0 (floor(12/8) = 1)
    assert len(compact["grid8x8"]) == 8 and all(len(row) == 8 for row in compact["grid8x8"])


def test_similarity_is_cosine_of_the_first_token() -> None:
    tensor = {"dims": [2, 2, 2], "data": [[[3, 4], [9, 9]], [[4, 3], [0, 1]]]}
    assert pairwise_similarity(tensor) == [[1.0, 0.96], [0.96, 1.0]]


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict, str]:
    code = main(["--hub", str(HUB), "run", "--revision", "v1.0.0", "--dtype", "fp32", *args])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if code == 0 else {}), err


def test_cli_zero_shot_labels_match_transformers_js(capsys: pytest.CaptureFixture[str]) -> None:
    data = json.loads((EXPECTED / "tiny__clip-zeroshot__v1.0.0.json").read_text())
    zsi = data["inputs"]["zsi-2"]
    labels = [arg for label in zsi["candidate_labels"] for arg in ("--label", label)]
    code, report, _ = run_cli(
        capsys, "--task", "zero-shot-image-classification", "--model", "tiny/clip-zeroshot",
        "--image", str(INPUTS.parent / zsi["image"]), *labels, "--json",
    )  # fmt: skip
    assert code == 0
    expected = data["results"]["fp32"]["outputs"]["zsi-2"]
    assert [r["label"] for r in report["output"]] == [r["label"] for r in expected]


def test_cli_writes_masks_compactly_and_as_pngs(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, report, _ = run_cli(
        capsys, "--task", "image-segmentation", "--model", "tiny/segformer-seg",
        "--image", str(SCENE), "--save-images", str(tmp_path), "--json",
    )  # fmt: skip
    assert code == 0
    for item in report["output"]:
        mask = item["mask"]
        assert mask["type"] == "RawImage" and (mask["width"], mask["height"]) == (64, 48)
        saved = np.asarray(Image.open(mask["png"]))
        assert hashlib.sha256(saved.tobytes()).hexdigest() == mask["sha256"]
    assert len(list(tmp_path.glob("*.png"))) == len(report["output"])


def test_cli_similarity_of_several_images(capsys: pytest.CaptureFixture[str]) -> None:
    code, report, _ = run_cli(
        capsys, "--task", "image-feature-extraction", "--model", "tiny/vit-features",
        "--image", str(SCENE), "--image", str(INPUTS / "red-circle.png"), "--json",
    )  # fmt: skip
    assert code == 0
    assert report["output"]["dims"] == [2, 17, 64]
    matrix = report["similarity"]
    assert matrix[0][0] == pytest.approx(1) and matrix[0][1] == matrix[1][0] < 0.99
    assert jsonable(report["output"]) == report["output"]


def test_cli_refuses_a_save_folder_that_is_missing(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--task", "depth-estimation", "--model", "tiny/dpt-depth", "--image", str(SCENE)]
    code = main(["--hub", str(HUB), "run", *args, "--save-images", "/nonexistent/x"])
    assert code != 0
    assert "--save-images /nonexistent/x is not a folder" in capsys.readouterr().err


def test_swin2sr_pads_to_a_multiple_by_mirroring_without_repeating_the_edge() -> None:
    """Swin2SRImageProcessor.pad_image: pad_size is a multiple, the padding mirrors the image
    (numpy's reflect: row 5 of a 5-row image is row 3); a side already a multiple is left."""
    pixels = np.arange(5 * 16 * 1, dtype=np.float32).reshape(5, 16, 1)
    geometry = Geometry.of(
        {"do_pad": True, "pad_size": 8, "image_processor_type": "Swin2SRImageProcessor"}
    )
    padded = geometry.pad(pixels)
    assert padded.shape == (8, 16, 1)
    assert np.array_equal(padded[5], pixels[3]) and np.array_equal(padded[7], pixels[1])
    assert np.array_equal(padded[:5], pixels)
    # a generic processor reads the same pad_size as the padded size itself
    assert Geometry.of({"do_pad": True, "pad_size": 8}).pad(pixels[:, :8]).shape == (8, 8, 1)


def test_background_removal_keeps_the_pixels_and_adds_the_matte_as_alpha(tmp_path: Path) -> None:
    """The RGB values are the input's, untouched; the alpha is the matte; several images give
    one RGBA image each, as each alone; a grey image is made RGB first."""
    engine = fixture_engine("background-removal", "modnet-matting")
    circle = INPUTS / "red-circle.png"
    alone = engine.run(RunInput.image(circle)).output
    assert isinstance(alone, RawImage) and alone.channels == 4
    assert np.array_equal(alone.pixels[:, :, :3], np.asarray(Image.open(circle).convert("RGB")))
    assert np.count_nonzero(alone.pixels[:, :, 3] < 255) > 0
    both = engine.run(RunInput.image([circle, SCENE])).output
    assert [b.compact() for b in both] == [
        alone.compact(),
        engine.run(RunInput.image(SCENE)).output.compact(),
    ]
    grey = tmp_path / "grey.png"
    Image.open(circle).convert("L").save(grey)
    assert engine.run(RunInput.image(grey)).output.channels == 4


def test_image_to_image_returns_the_padded_image_upscaled() -> None:
    engine = fixture_engine("image-to-image", "swin2sr-upscaler")
    out = engine.run(RunInput.image(INPUTS / "red-circle.png")).output  # 48x40, padded to 48x48
    assert isinstance(out, RawImage) and (out.width, out.height, out.channels) == (96, 96, 3)


def test_image_output_tasks_refuse_models_of_another_kind() -> None:
    with pytest.raises(EngineError, match="not one alpha matte per image"):
        fixture_engine("background-removal", "segformer-seg").run(RunInput.image(SCENE))
    with pytest.raises(EngineError, match="reconstruction"):
        fixture_engine("image-to-image", "dpt-depth").run(RunInput.image(SCENE))


def test_cli_saves_a_cut_out_with_its_transparency(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, report, _ = run_cli(
        capsys, "--task", "background-removal", "--model", "tiny/modnet-matting",
        "--image", str(SCENE), "--save-images", str(tmp_path), "--json",
    )  # fmt: skip
    assert code == 0
    image = report["output"]
    assert image["type"] == "RawImage" and image["channels"] == 4
    saved = Image.open(image["png"])
    assert saved.mode == "RGBA" and saved.size == (64, 48)
    assert hashlib.sha256(np.asarray(saved).tobytes()).hexdigest() == image["sha256"]
