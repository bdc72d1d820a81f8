"""Resolution as Firefox's getInferenceOptions: feature, task fallback, ambiguity, overrides."""

import json

import pytest

from inference_gui.config import Settings
from inference_gui.errors import RecordError
from inference_gui.records import INFERENCE_OPTIONS, RecordsService
from inference_gui.records.model import Source
from inference_gui.records.resolve import resolve
from inference_gui.records.service import build_set
from tests.paths import REMOTE_SETTINGS

CHANGES = json.loads((REMOTE_SETTINGS / "ml-inference-options.json").read_text())["changes"]
BY_FEATURE = {r["featureId"]: r for r in CHANGES}


def records(extra=()):
    return build_set(INFERENCE_OPTIONS, CHANGES + list(extra), 1, Source("embedded"))


def test_feature_resolves_to_its_record():
    result = resolve(records(), "tiny-sentiment")
    expected = {
        k: v
        for k, v in BY_FEATURE["tiny-sentiment"].items()
        if k not in ("id", "last_modified", "schema")
    }
    assert result.options == expected
    assert set(result.sources.values()) == {"record"}
    assert result.record_id == BY_FEATURE["tiny-sentiment"]["id"]
    assert result.options["modelRevision"] == "main"


def test_unknown_feature_falls_back_to_task():
    result = resolve(records(), "my-new-feature", task_name="fill-mask")
    source = BY_FEATURE["tiny-fill-mask"]
    assert result.options["modelId"] == source["modelId"]
    assert result.options["featureId"] == "my-new-feature"
    assert result.sources["featureId"] == "caller"
    assert result.sources["modelId"] == "fallback"
    assert result.matched_by == "taskName"


def test_task_ambiguity_names_the_records_and_model_narrows_it():
    # tiny-embed, tiny-embed-legacy and tiny-embed-external all do feature-extraction.
    embedders = [r for r in CHANGES if r["taskName"] == "feature-extraction"]
    assert len(embedders) > 1
    with pytest.raises(RecordError) as caught:
        resolve(records(), task_name="feature-extraction")
    for record in embedders:
        assert record["id"] in caught.value.message
    narrowed = resolve(records(), task_name="feature-extraction", model_id="tiny/bert-external")
    assert narrowed.options["featureId"] == "tiny-embed-external"


def test_duplicate_feature_is_an_error_naming_both():
    twin = {**BY_FEATURE["tiny-ner"], "id": "twin-record"}
    with pytest.raises(RecordError) as caught:
        resolve(records([twin]), "tiny-ner", task_name="token-classification")
    assert (
        "twin-record" in caught.value.message
        and BY_FEATURE["tiny-ner"]["id"] in caught.value.message
    )


def test_invalid_feature_record_is_not_silently_replaced_by_fallback():
    bad = {**BY_FEATURE["tiny-qa"], "id": "bad-qa", "featureId": "broken", "dtype": "q3"}
    with pytest.raises(RecordError) as caught:
        resolve(records([bad]), "broken", task_name="question-answering")
    assert "bad-qa" in caught.value.message and "dtype" in caught.value.message


def test_unresolvable():
    with pytest.raises(RecordError):
        resolve(records(), "nothing-like-it")
    with pytest.raises(RecordError):  # summarization would take Firefox's default model
        resolve(records(), "nothing-like-it", task_name="audio-classification")
    with pytest.raises(RecordError):
        resolve(records())


def test_caller_only_when_task_and_model_given():
    result = resolve(records(), "adhoc", task_name="summarization", model_id="tiny/t5")
    assert result.options == {
        "featureId": "adhoc",
        "taskName": "summarization",
        "modelId": "tiny/t5",
    }
    assert set(result.sources.values()) == {"caller"}


def test_local_overrides_then_caller_win():
    result = resolve(
        records(),
        "tiny-embed",
        local_overrides={"dtype": "fp16", "modelRevision": "v1.0.0"},
        overrides={"dtype": "q4", "numThreads": "2"},
    )
    assert (
        result.options["modelRevision"] == "v1.0.0"
        and result.sources["modelRevision"] == "override"
    )
    assert result.options["dtype"] == "q4" and result.sources["dtype"] == "caller"
    assert result.options["numThreads"] == 2
    assert result.sources["modelId"] == "record"
    with pytest.raises(RecordError):
        resolve(records(), "tiny-embed", overrides={"dtype": "q3"})


TASK_ONLY = {"id": "summarize-any", "taskName": "summarization", "modelId": "tiny/t5"}


def test_a_record_without_feature_id_serves_its_task_directly_and_as_fallback():
    assert records([TASK_ONLY]).problems == ()
    direct = resolve(records([TASK_ONLY]), task_name="summarization")
    assert direct.record_id == "summarize-any" and direct.sources["modelId"] == "record"
    fallback = resolve(records([TASK_ONLY]), "some-feature", task_name="summarization")
    assert fallback.record_id == "summarize-any" and fallback.matched_by == "taskName"
    assert fallback.sources["modelId"] == "fallback"


def test_feature_lists_skip_records_without_a_feature(tmp_path):
    path = tmp_path / "records.json"
    path.write_text(json.dumps({"data": [*CHANGES, TASK_ONLY], "timestamp": 3}))
    settings = Settings(settings_file=str(path), data_dir=tmp_path)
    service = RecordsService(lambda: settings)
    assert service.feature_ids() == sorted(BY_FEATURE)
    with pytest.raises(RecordError) as caught:
        service.resolve("nothing-like-it")
    assert "tiny-sentiment" in caught.value.hint


def test_no_record_and_no_model_takes_firefoxs_default_model_of_the_task():
    """createEngine({taskName}) with no record and no modelId runs DEFAULT_MODELS[taskName]."""
    result = resolve(records(), task_name="summarization")
    assert (result.options["modelId"], result.options["dtype"]) == (
        "Xenova/distilbart-cnn-6-6",
        "q8",
    )
    assert (result.sources["modelId"], result.sources["dtype"]) == ("default", "default")
    assert result.record_id is None and result.matched_by == "none"
    # a feature without records falls back to its task, then to the task's default model
    feature = resolve(records(), "my-new-feature", task_name="image-segmentation")
    assert feature.options["modelId"] == "Xenova/detr-resnet-50-panoptic"
    # the caller's values still win over the default
    fp32 = resolve(records(), task_name="summarization", overrides={"dtype": "fp32"})
    assert (fp32.options["dtype"], fp32.sources["dtype"]) == ("fp32", "caller")


def test_a_task_record_or_a_model_id_comes_before_the_default():
    assert resolve(records(), task_name="fill-mask").options["modelId"] == "tiny/bert-fill-mask"
    named = resolve(records(), task_name="summarization", model_id="a/b")
    assert named.options["modelId"] == "a/b" and "dtype" not in named.options


def test_a_task_without_record_or_default_model_is_refused():
    with pytest.raises(RecordError, match="Firefox has no default model for task 'audio-classi"):
        resolve(records(), task_name="audio-classification")
