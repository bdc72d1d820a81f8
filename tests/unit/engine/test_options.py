from __future__ import annotations

import pytest

from inference_gui.engine import EngineOptions
from inference_gui.errors import EngineError


def test_from_firefox_maps_every_camel_case_key() -> None:
    options = EngineOptions.from_firefox(
        {
            "taskName": "fill-mask",
            "modelId": "org/model",
            "modelRevision": "v1.2.0",
            "dtype": "q4",
            "tokenizerId": "org/tok",
            "tokenizerRevision": "v2.0",
            "processorId": "org/proc",
            "processorRevision": "main",
            "numThreads": 2,
            "timeoutMS": 1500,
            "featureId": "feat",
            "backend": "onnx",
            "kvCacheDtype": None,  # keys Firefox uses for other things are ignored
        }
    )
    assert (options.task, options.model_id, options.revision, options.dtype) == (
        "fill-mask",
        "org/model",
        "v1.2.0",
        "q4",
    )
    assert options.tokenizer_source == ("org/tok", "v2.0")
    assert options.processor_source == ("org/proc", "main")
    assert (options.num_threads, options.timeout_ms, options.feature_id) == (2, 1500, "feat")
    assert EngineOptions.from_firefox(options.to_firefox()) == options


def test_helpers_default_to_the_model_itself() -> None:
    options = EngineOptions(task="fill-mask", model_id="org/model", revision="v1.0.0")
    assert options.tokenizer_source == options.processor_source == ("org/model", "v1.0.0")
    assert options.dtype == "q8"


def test_aliases_become_canonical_task_names() -> None:
    assert EngineOptions(task="sentiment-analysis", model_id="a/b").task == "text-classification"


@pytest.mark.parametrize(
    "values, fragment",
    [
        ({"task": "make-coffee"}, "Unknown task"),
        ({"task": "fill-mask", "model_id": "a/b", "dtype": "q2"}, "Unknown dtype 'q2'"),
        (
            {"task": "fill-mask", "model_id": "a/b", "dtype": {"model": "fp64"}},
            "Unknown dtype 'fp64'",
        ),
        ({"task": "fill-mask", "model_id": "../etc"}, "not a valid model id"),
        ({"task": "fill-mask", "model_id": "a/b", "revision": "../x"}, "revision"),
        ({"task": "fill-mask", "model_id": "a/b", "num_threads": -1}, "numThreads"),
        # 99,999,999 threads got the process killed; 10**20 blamed the model file
        ({"task": "fill-mask", "model_id": "a/b", "num_threads": 10**20}, "0 .automatic. to 1024"),
        ({"task": "fill-mask", "model_id": "a/b", "timeout_ms": 0}, "timeoutMS"),
    ],
)
def test_bad_options_are_refused_with_a_clear_message(values: dict, fragment: str) -> None:
    with pytest.raises(EngineError, match=fragment):
        EngineOptions(**values)


def test_from_firefox_without_a_task_is_refused() -> None:
    with pytest.raises(EngineError, match="no task"):
        EngineOptions.from_firefox({"modelId": "a/b"})


def test_per_file_dtype_map() -> None:
    options = EngineOptions(
        task="text2text-generation",
        model_id="a/b",
        dtype={"encoder_model": "fp32", "decoder_model_merged": "q4"},
    )
    assert options.dtype_for("encoder_model") == "fp32"
    assert options.dtype_for("decoder_model_merged") == "q4"
    assert options.dtype_for("other") == "q8"


def test_key_separates_what_changes_the_loaded_engine_only() -> None:
    base = EngineOptions(task="fill-mask", model_id="a/b", revision="v1.0.0")
    assert base.key() == base.with_(timeout_ms=100, feature_id="x").key()
    assert base.key() != base.with_(dtype="fp16").key()
    assert base.key() != base.with_(revision="v1.1.0").key()
    assert base.key() != base.with_(tokenizer_id="c/d").key()
