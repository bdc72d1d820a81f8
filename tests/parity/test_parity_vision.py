"""The vision tasks against Transformers.js 4.3.1's outputs, for every repo, dtype and input.

What is compared, and the bounds (measured on this machine, then widened for other CPUs):

* zero-shot-image-classification: labels exact, scores within the dtype's bound, ranked-list ties
  within twice the bound in either order (``support.assert_matches``).
* object-detection and zero-shot-object-detection (tiny/owlvit-detector): detections matched by
  label and box; boxes ±1 px (corners are truncated to integers, so a 1e-6 move can cross one), with
  ``percentage`` ±1 px of the 48 px side. A detection whose score is within the bound of the
  threshold (or, when ``top_k`` cut the list, of the last score kept) may be there or not: whether
  it passes is no decision the reference can make for another CPU. OWL-ViT's sigmoid scores are
  dense (many within 0.1 of each other), so its threshold 0.565 was chosen >= 0.0068 away from every
  score of every dtype; measured here: the same detections in the same order at every dtype,
  scores and fractional boxes within 3e-7 (fp16 1.4e-5, q4f16 1.1e-4).
* image-segmentation: the same labels, each label's pixel count within a few pixels (a pixel on a
  boundary of the bilinearly upsampled logits is a near-tie by construction, see the fixtures'
  README); mask sizes exact and each mask's mean = 255 x its share of the image.
* depth-estimation: ``predicted_depth`` within the bound; the 0..255 depth image's mean and 8x8 grid
  within what that bound can move a value after stretching to 0..255 (plus 1 for the truncation).
* image-feature-extraction: the tensor within the bound.
* background-removal and image-to-image (an RGBA / RGB image): size and channels exact; its mean
  and 8x8 grid within 1 grey level (4 for the dynamically quantized dtypes) and its count of
  non-zero values within 0.1% (1%): a value on a rounding boundary may move one level. Measured:
  modnet-matting identical bytes at every dtype but q8 / int8 / uint8 (3 values of 7168 one
  level apart); swin2sr-upscaler means and grids within 0.02 (q4f16 1 grey level in one cell),
  non-zero counts within 1.

Bounds per dtype: fp32 / q4 / bnb4 1e-4 (measured <= 2e-6; detr-detector image-0, which DETR resizes
48x40 -> 64x53, was 1.0e-3 off until the bilinear resize's weights summed to 4096 as libvips's do:
now 2.4e-7); fp16 / q4f16 2e-3 (half-precision reductions ordered differently: measured <= 7.1e-4,
depth); depth maps' bounds scale with the map's largest value (GLPN's reach its max_depth 10: fp16 /
q4f16 measured 3.9e-3 there); q8 / int8 / uint8 are dynamically quantized (ConvInteger /
MatMulInteger round differently per CPU and onnxruntime build): measured up to 0.046 (dpt-depth,
vit-features image-1) and 0.016 on detection scores, boxes up to 3 px apart and one extra
near-threshold detection; bounds 0.1 for tensors, 0.03 for scores, boxes ±4 px, segmentation counts
within 1% of the image. Labels are exact: the fixtures' smallest decision margins (detection
0.147 logit over all dtypes, zero-shot rankings) are far above what these bounds allow.
"""

from __future__ import annotations

from typing import Any

import pytest

from inference_gui.engine.raw_image import jsonable
from tests.parity.support import Case, assert_matches, cases, engine_for

TASKS = {
    "object-detection",
    "zero-shot-object-detection",
    "image-segmentation",
    "zero-shot-image-classification",
    "depth-estimation",
    "image-feature-extraction",
    "background-removal",
    "image-to-image",
}
CASES = list(cases(TASKS))
REPOS = {
    "object-detection": {"tiny/detr-detector", "tiny/yolos-detector"},
    "zero-shot-object-detection": {"tiny/owlvit-detector"},
    "image-segmentation": {"tiny/segformer-seg"},
    "zero-shot-image-classification": {"tiny/clip-zeroshot", "tiny/siglip-zeroshot"},
    "depth-estimation": {"tiny/dpt-depth", "tiny/glpn-depth"},
    "image-feature-extraction": {"tiny/vit-features", "tiny/dinov2-features"},
    "background-removal": {"tiny/modnet-matting"},
    "image-to-image": {"tiny/swin2sr-upscaler"},
}
DYNAMIC = ("q8", "int8", "uint8")
HALF = ("fp16", "q4f16")


def tensor_tolerance(case: Case) -> float:
    if case.dtype in DYNAMIC:
        return 0.1
    return 2e-3 if case.dtype in HALF else 1e-4


def score_tolerance(case: Case) -> float:
    if case.dtype in DYNAMIC:
        return 0.03
    return 2e-3 if case.dtype in HALF else 1e-4


def test_every_vision_fixture_is_covered() -> None:
    """Every task and every repo at all eight dtypes take part, so a filtering slip cannot empty
    the test (the repos of each task are the architectures it must run)."""
    assert {c.task for c in CASES} == TASKS
    repos: dict[str, set[str]] = {}
    for case in CASES:
        repos.setdefault(case.task, set()).add(case.model)
    assert repos == REPOS
    for model in {c.model for c in CASES}:
        assert len([c for c in CASES if c.model == model]) == 8, model


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_matches_transformers_js(case: Case) -> None:
    engine = engine_for(case)
    try:
        for input_id, expected in case.outputs.items():
            options = case.options_for(input_id)
            actual = jsonable(engine.run(case.run_input(input_id), options).output)
            where = f"{case.id}/{input_id}"
            COMPARE[case.task](case, actual, expected, options, where)
    finally:
        engine.unload()


def _zero_shot(case: Case, actual: Any, expected: Any, options: dict, where: str) -> None:
    assert_matches(actual, expected, score_tolerance(case), where)


def _features(case: Case, actual: Any, expected: Any, options: dict, where: str) -> None:
    assert_matches(actual, expected, tensor_tolerance(case), where)


def _detections(case: Case, actual: Any, expected: Any, options: dict, where: str) -> None:
    tol = score_tolerance(case)
    pixels = 4 if case.dtype in DYNAMIC else 1
    box_tol = pixels / 48 if options.get("percentage") else pixels
    threshold = options["threshold"]
    if options.get("top_k") is not None and len(expected) == options["top_k"]:
        threshold = expected[-1]["score"]  # the list was cut there, not at the threshold
    unmatched = list(actual)
    for item in expected:
        match = next(
            (
                a
                for a in unmatched
                if a["label"] == item["label"]
                and all(abs(a["box"][k] - v) <= box_tol for k, v in item["box"].items())
            ),
            None,
        )
        if match is None:
            assert item["score"] - threshold <= tol, f"{where}: missing {item}; got {actual}"
            continue
        unmatched.remove(match)
        assert abs(match["score"] - item["score"]) <= tol, f"{where}: {match} vs {item}"
        if not options.get("percentage"):
            assert all(isinstance(v, int) for v in match["box"].values()), f"{where}: {match}"
    for extra in unmatched:
        assert abs(extra["score"] - threshold) <= tol, f"{where}: unexpected {extra}"
    if case.dtype not in DYNAMIC:
        assert len(actual) == len(expected), f"{where}: {actual} != {expected}"


def _masks(case: Case, actual: Any, expected: Any, options: dict, where: str) -> None:
    first = expected[0]["mask"]
    area = first["width"] * first["height"]
    allowed = area // 100 if case.dtype in DYNAMIC else 3
    for item in actual:
        mask = item["mask"]
        assert item["score"] is None
        assert (mask["width"], mask["height"], mask["channels"]) == (
            first["width"],
            first["height"],
            1,
        ), where
        assert mask["mean"] == pytest.approx(255 * mask["nonzero"] / area, abs=1e-6), where
    ours = {a["label"]: a["mask"]["nonzero"] for a in actual}
    theirs = {e["label"]: e["mask"]["nonzero"] for e in expected}
    for label in ours.keys() | theirs.keys():
        got, want = ours.get(label, 0), theirs.get(label, 0)
        assert abs(got - want) <= allowed, f"{where}: {label} has {got} pixels, not {want}"
    assert sum(ours.values()) == area, f"{where}: the masks do not partition the image"


def _depth(case: Case, actual: Any, expected: Any, options: dict, where: str) -> None:
    values = [v for row in expected["predicted_depth"]["data"] for v in row]
    # relative to the map's scale: GLPN's depths reach max_depth (10), DPT's stay near 1
    tol = tensor_tolerance(case) * max(1.0, max(abs(v) for v in values))
    assert_matches(actual["predicted_depth"], expected["predicted_depth"], tol, where)
    grey = 255 * 2 * tol / (max(values) - min(values)) + 1
    ours, theirs = actual["depth"], expected["depth"]
    for key in ("width", "height", "channels", "bytes_per_value"):
        assert ours[key] == theirs[key], f"{where}.depth.{key}"
    assert abs(ours["mean"] - theirs["mean"]) <= grey, f"{where}.depth.mean"
    assert_matches(ours["grid8x8"], theirs["grid8x8"], grey, f"{where}.depth.grid8x8")


def _images(case: Case, actual: Any, expected: Any, options: dict, where: str) -> None:
    dynamic = case.dtype in DYNAMIC
    levels = 4 if dynamic else 1
    for key in ("type", "width", "height", "channels", "bytes_per_value"):
        assert actual[key] == expected[key], f"{where}.{key}: {actual[key]} != {expected[key]}"
    values = expected["width"] * expected["height"] * expected["channels"]
    assert abs(actual["mean"] - expected["mean"]) <= levels, f"{where}.mean"
    assert_matches(actual["grid8x8"], expected["grid8x8"], levels, f"{where}.grid8x8")
    allowed = values // 100 if dynamic else values // 1000 + 1
    assert abs(actual["nonzero"] - expected["nonzero"]) <= allowed, f"{where}.nonzero"


COMPARE = {
    "zero-shot-image-classification": _zero_shot,
    "image-feature-extraction": _features,
    "object-detection": _detections,
    "zero-shot-object-detection": _detections,
    "image-segmentation": _masks,
    "depth-estimation": _depth,
    "background-removal": _images,
    "image-to-image": _images,
}
