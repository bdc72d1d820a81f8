"""Comparison maths and the dtype comparison / benchmark runs on the real fixture models."""

from __future__ import annotations

import csv
import io
import json
import math
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest

from inference_gui.engine import EngineOptions, RunInput
from inference_gui.engine.compare import (
    CompareRow,
    DtypeChoice,
    agreement,
    compare_dtypes,
    cosine_similarity,
    dtype_choices,
    edit_distance,
    median,
    p90,
    percentile,
    rows_to_csv,
    rows_to_json,
)
from inference_gui.engine.engine import Engine
from inference_gui.engine.raw_image import RawImage
from inference_gui.engine.sources import FolderFiles, folder_hub
from inference_gui.engine.workloads import example, examples, run_benchmark, workloads
from inference_gui.errors import Cancelled, EngineError
from inference_gui.vocab import DTYPES
from tests.paths import EXPECTED, HUB

EMBED = HUB / "tiny" / "bert-embed" / "v1.0.0"


def test_percentiles_match_numpy() -> None:
    values = [5.0, 1.0, 9.0, 3.0, 7.0, 2.5, 11.0]
    for q in (0, 10, 50, 90, 100):
        assert percentile(values, q) == pytest.approx(float(np.percentile(values, q)))
    assert median([4.0, 1.0]) == 2.5
    assert p90([1.0]) == 1.0
    with pytest.raises(ValueError):
        median([])


def test_cosine_and_edit_distance() -> None:
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=16), rng.normal(size=16)
    expected = float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))
    assert cosine_similarity(a.tolist(), b.tolist()) == pytest.approx(expected)
    assert cosine_similarity([0.0, 0.0], [0.0, 0.0]) == 1.0
    assert edit_distance("kitten", "sitting") == 3
    assert edit_distance("", "abc") == 3
    assert edit_distance("same", "same") == 0


def _expected(name: str) -> dict:
    return json.loads((EXPECTED / f"{name}.json").read_text())


def test_agreement_of_embeddings_is_the_cosine_of_the_fixture_outputs() -> None:
    results = _expected("tiny__bert-embed__v1.0.0")["results"]
    fp32, q4 = results["fp32"]["outputs"]["text-0"], results["q4"]["outputs"]["text-0"]
    found = agreement(q4, fp32)
    a, b = np.array(q4["data"]).ravel(), np.array(fp32["data"]).ravel()
    assert found.kind == "cosine"
    assert found.value == pytest.approx(float(a @ b / np.linalg.norm(a) / np.linalg.norm(b)))
    assert agreement(fp32, fp32).value == pytest.approx(1.0)


def test_agreement_of_classifications_compares_top_labels_and_scores() -> None:
    reference = [{"label": "NEGATIVE", "score": 0.5}, {"label": "POSITIVE", "score": 0.3}]
    same = agreement(
        [{"label": "NEGATIVE", "score": 0.45}, {"label": "POSITIVE", "score": 0.4}], reference
    )
    assert same.kind == "top-label" and same.agrees and same.value == pytest.approx(0.05)
    other = agreement([{"label": "POSITIVE", "score": 0.6}], reference)
    assert not other.agrees and "different top label (POSITIVE)" in other.text
    masks = [{"token_str": "capital", "score": 0.2, "sequence": "x"}]
    assert agreement(masks, masks).agrees


def test_agreement_of_text_is_exact_match_or_edit_distance() -> None:
    assert (
        agreement([{"generated_text": "hello"}], [{"generated_text": "hello"}]).text
        == "exact match"
    )
    off = agreement(
        {"answer": "the station", "score": 0.1}, {"answer": "the stations", "score": 0.2}
    )
    assert off.kind == "text" and off.value == 1 and not off.agrees


def test_dtype_choices_list_sizes_and_missing_files(tmp_path: Path) -> None:
    choices = dtype_choices(
        FolderFiles(EMBED), "feature-extraction", lambda p: (EMBED / p).stat().st_size
    )
    assert [c.dtype for c in choices] == list(DTYPES)
    assert all(c.available for c in choices)
    q8 = next(c for c in choices if c.dtype == "q8")
    assert q8.size_bytes == (EMBED / "onnx" / "model_quantized.onnx").stat().st_size
    copy = tmp_path / "embed"
    shutil.copytree(EMBED, copy)
    (copy / "onnx" / "model_fp16.onnx").unlink()
    choices = dtype_choices(FolderFiles(copy, "copy"), "feature-extraction", lambda p: 1)
    fp16 = next(c for c in choices if c.dtype == "fp16")
    assert not fp16.available and "copy has no onnx/model_fp16.onnx" in fp16.reason


def test_external_data_counts_in_the_size() -> None:
    root = HUB / "tiny" / "bert-external" / "v1.0.0"
    choices = dtype_choices(
        FolderFiles(root), "feature-extraction", lambda p: (root / p).stat().st_size
    )
    fp32 = next(c for c in choices if c.dtype == "fp32")
    onnx = root / "onnx"
    assert (
        fp32.size_bytes
        == (onnx / "model.onnx").stat().st_size + (onnx / "model.onnx_data").stat().st_size
    )


def _engine_for(dtype: str) -> Engine:
    return Engine(
        EngineOptions("feature-extraction", "tiny/bert-embed", "v1.0.0", dtype), folder_hub(HUB)
    )


def test_compare_three_dtypes_against_fp32() -> None:
    choices = [
        DtypeChoice("q8", 10, True),
        DtypeChoice("fp32", 20, True),
        DtypeChoice("fp16", 15, True),
        DtypeChoice("bnb4", None, False, "no onnx/model_bnb4.onnx"),
    ]
    text = _expected("tiny__bert-embed__v1.0.0")["inputs"]["text-0"]
    rows = compare_dtypes(
        _engine_for, choices, RunInput.text(text), {"pooling": "mean", "normalize": True}, 3
    )
    assert [r.dtype for r in rows] == ["fp32", "q8", "fp16", "bnb4"]
    fp32, q8 = rows[0], rows[1]
    assert fp32.agreement is not None and fp32.agreement.value == pytest.approx(1.0)
    assert q8.runs == 3 and q8.median_ms > 0 and q8.p90_ms >= q8.median_ms and q8.load_ms > 0
    expected = _expected("tiny__bert-embed__v1.0.0")["results"]
    want = agreement(
        expected["q8"]["outputs"]["text-0"], expected["fp32"]["outputs"]["text-0"]
    ).value
    assert q8.agreement is not None and q8.agreement.value == pytest.approx(want, abs=1e-3)
    assert rows[3].error == "no onnx/model_bnb4.onnx"
    parsed = list(csv.DictReader(io.StringIO(rows_to_csv(rows))))
    assert [p["dtype"] for p in parsed] == ["fp32", "q8", "fp16", "bnb4"]
    exported = json.loads(rows_to_json(rows, {"model": "tiny/bert-embed", "task": "x"}))
    assert exported["context"]["model"] == "tiny/bert-embed"
    assert exported["rows"][1]["runs"] == 3 and isinstance(exported["rows"][1]["median_ms"], float)
    assert exported["rows"][1]["agreement_kind"] == "cosine"


def test_compare_stops_when_cancelled() -> None:
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        compare_dtypes(
            _engine_for, [DtypeChoice("fp32", 1, True)], RunInput.text("hi"), {}, 1, cancel=cancel
        )


def test_examples_and_workloads_are_well_formed() -> None:
    assert {e.task for e in examples()} >= {
        "feature-extraction",
        "text-classification",
        "image-classification",
    }
    for e in examples():
        if e.hub == "test":
            assert (HUB / e.model_id / e.revision).is_dir(), e.name
        assert e.engine_options.task == e.task  # building it validates ids and dtype
        assert e.run_input().kind in ("text", "image", "qa", "chat", "audio"), e.name
    assert example("qa").run_input().kind == "qa"
    assert example("chat").run_input().chats and example("zero-shot").run_input().labels
    assert example("transcribe").run_input().audios[0].name == "chirp.wav"
    with pytest.raises(EngineError, match="There is no example 'nope'"):
        example("nope")
    assert {w.name for w in workloads()} >= {"ner-small", "embeddings-many", "image-to-text"}


def test_benchmark_times_creation_init_and_run() -> None:
    many = next(w for w in workloads() if w.name == "embeddings-many")
    engines: list[Engine] = []

    def engine_for(_workload, options) -> Engine:
        engines.append(Engine(options, folder_hub(HUB)))
        return engines[-1]

    [row] = run_benchmark([many], engine_for, 2)
    assert row.error == "" and row.iterations == 2
    assert row.init_median_ms > 0 and row.run_median_ms > 0 and row.run_p90_ms >= row.run_median_ms
    assert row.source == "tiny/bert-embed@v1.0.0" and row.rss_bytes > 0
    assert row.tokens_per_second is None  # not a generation
    # a fresh engine per iteration, run once each (no warm-up), unloaded after its run
    assert [(e.runs, e.status) for e in engines] == [(1, "unloaded")] * 2


def test_benchmark_of_a_generation_reports_tokens_per_second() -> None:
    text = next(w for w in workloads() if w.example.task == "image-to-text")
    [row] = run_benchmark([text], lambda _w, o: Engine(o, folder_hub(HUB)), 1)
    assert row.error == "" and row.tokens_per_second and row.tokens_per_second > 0


def test_a_failing_workload_is_a_row_with_its_error(tmp_path: Path) -> None:
    many = next(w for w in workloads() if w.name == "embeddings-many")
    ner = next(w for w in workloads() if w.name == "ner-small")
    empty_hub = folder_hub(tmp_path)  # holds no model: loading fails
    rows = run_benchmark(
        [many, ner], lambda w, o: Engine(o, empty_hub if w is many else folder_hub(HUB)), 1
    )
    assert rows[0].iterations == 0 and "tiny/bert-embed" in rows[0].error
    assert rows[0].source == "tiny/bert-embed@v1.0.0"
    assert rows[1].error == "" and rows[1].iterations == 1  # the next workload still runs


def test_about_inference_presets_are_examples() -> None:
    """The presets about:inference offers, by model, task and dtype."""
    presets = {(e.model_id, e.task, e.dtype) for e in examples() if e.hub == "huggingface"}
    assert presets == {
        ("onnx-community/Qwen2.5-0.5B-Instruct", "text-generation", "q8"),
        ("HuggingFaceTB/SmolLM2-360M-Instruct", "text-generation", "q4"),
        ("Xenova/all-MiniLM-L6-v2", "feature-extraction", "q8"),
        ("mozilla/distilvit", "image-to-text", "q8"),
        ("Xenova/bert-base-NER", "token-classification", "q8"),
        ("Xenova/long-t5-tglobal-base-16384-book-summary", "summarization", "q8"),
        ("Xenova/mobilebert-uncased-mnli", "zero-shot-classification", "q8"),
    }
    assert example("qwen2.5-chat").run_input().kind == "chat"


@pytest.mark.parametrize("name", ["chat", "zero-shot"])
def test_fixture_examples_of_the_new_tasks_run(name: str) -> None:
    chosen = example(name)
    engine = Engine(chosen.engine_options, folder_hub(HUB))
    output = engine.run(chosen.run_input(), chosen.options).output
    if name == "chat":
        assert output[0]["generated_text"][-1]["role"] == "assistant"
    else:
        assert sorted(output["labels"]) == sorted(chosen.input["labels"])


def test_classifier_agreement_carries_kl_divergence_and_batches_say_min_and_mean() -> None:
    import math

    ref = [[{"label": "A", "score": 0.8}, {"label": "B", "score": 0.2}]] * 2
    out = [
        [{"label": "A", "score": 0.8}, {"label": "B", "score": 0.2}],
        [{"label": "A", "score": 0.6}, {"label": "B", "score": 0.4}],
    ]
    found = agreement(out, ref)
    want_kl = 0.8 * math.log(0.8 / 0.6) + 0.2 * math.log(0.2 / 0.4)
    assert found.kind == "top-label" and found.agrees and found.inputs == 2
    assert found.kl == pytest.approx(want_kl) and found.value == pytest.approx(0.2)
    assert found.mean == pytest.approx(0.1)
    assert "same top label 2/2" in found.text and "max 0.2000, mean 0.1000 over 2" in found.text
    single = agreement([{"label": "A", "score": 0.7}], [{"label": "A", "score": 0.8}])
    assert single.kl is None and "KL" not in single.text  # one label is no distribution


def test_embedding_batches_report_the_lowest_and_mean_cosine() -> None:
    ref = {"type": "float32", "dims": [2, 2], "data": [[1.0, 0.0], [0.0, 1.0]]}
    out = {"type": "float32", "dims": [2, 2], "data": [[1.0, 0.0], [1.0, 1.0]]}
    found = agreement(out, ref)
    assert found.value == pytest.approx(math.sqrt(0.5)) and found.inputs == 2
    assert found.mean == pytest.approx((1 + math.sqrt(0.5)) / 2)
    assert found.text.startswith("cosine min 0.7071, mean 0.8536 over 2")


def test_text_batches_count_edit_distances() -> None:
    ref = [[{"generated_text": "hello"}], [{"generated_text": "world"}]]
    out = [[{"generated_text": "hello"}], [{"generated_text": "word"}]]
    found = agreement(out, ref)
    assert (found.value, found.mean) == (1.0, 0.5) and not found.agrees
    assert agreement(ref, ref).text == "exact match, all 2"


def test_csv_export_keeps_numbers_and_the_context_on_every_line() -> None:
    rows = [CompareRow("fp32", 1000, 1.5, 2.25, 3.0, 10, 5)]
    text = rows_to_csv(rows, {"model": "tiny/m", "revision": "v1", "options": {"top_k": 2}})
    line = next(csv.DictReader(io.StringIO(text)))
    assert line["median_ms"] == "2.25" and line["model"] == "tiny/m"
    assert json.loads(line["options"]) == {"top_k": 2}


def _mask(rows: list[list[int]]) -> RawImage:
    return RawImage(np.array(rows, dtype=np.uint8)[:, :, None])


def test_agreement_of_images_is_pixel_agreement_with_the_same_labels() -> None:
    reference = [
        {"score": None, "label": "sky", "mask": _mask([[255, 255], [0, 0]])},
        {"score": None, "label": "road", "mask": _mask([[0, 0], [255, 255]])},
    ]
    one_pixel_off = [
        {"score": None, "label": "sky", "mask": _mask([[255, 255], [255, 0]])},
        {"score": None, "label": "road", "mask": _mask([[0, 0], [255, 255]])},
    ]
    same = agreement(reference, reference)
    assert (same.kind, same.agrees, same.value) == ("pixels", True, 1.0)
    off = agreement(one_pixel_off, reference)
    assert off.value == pytest.approx(0.75) and not off.agrees and off.inputs == 2
    assert off.mean == pytest.approx(0.875)
    lost = agreement(reference[:1], reference)
    assert not lost.agrees and "missing road" in lost.text
    depth = {"predicted_depth": None, "depth": _mask([[10, 20], [30, 40]])}
    near = {"predicted_depth": None, "depth": _mask([[10, 20], [30, 42]])}
    assert agreement(near, depth).value == pytest.approx(1 - 0.5 / 255)
    assert agreement(near, depth).agrees
