"""Each malformed record is reported with the field at fault; the others stay usable."""

import json

import pytest

from inference_gui.errors import RecordError
from inference_gui.records import ALLOW_DENY, INFERENCE_OPTIONS, ONNX_RUNTIME
from inference_gui.records.model import Source
from inference_gui.records.service import build_set
from inference_gui.records.shapes import parse_document
from inference_gui.records.validate import validate
from tests.paths import REMOTE_SETTINGS


def fixture_changes(collection):
    return json.loads((REMOTE_SETTINGS / f"{collection}.json").read_text())["changes"]


def test_fixture_collections_are_clean():
    assert validate(INFERENCE_OPTIONS, fixture_changes(INFERENCE_OPTIONS)) == []
    assert validate(ONNX_RUNTIME, fixture_changes(ONNX_RUNTIME)) == []


def good_record(**changes):
    record = dict(fixture_changes(INFERENCE_OPTIONS)[0])
    record.update(changes)
    return {k: v for k, v in record.items() if v is not None}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"modelId": "no-org"}, "modelId"),
        ({"modelId": "a/../b"}, "modelId"),
        ({"modelRevision": "latest"}, "modelRevision"),
        ({"tokenizerRevision": "1.0-beta"}, "tokenizerRevision"),
        ({"dtype": "q2"}, "dtype"),
        ({"taskName": "make-coffee"}, "taskName"),
        ({"numThreads": "4"}, "numThreads"),
        ({"numThreads": True}, "numThreads"),
        ({"numThreads": 0}, "numThreads"),
        ({"numThreads": 10**30}, "numThreads"),
        ({"numThreads": 1e30}, "numThreads"),
        ({"timeoutMS": 0}, "timeoutMS"),
        ({"timeoutMS": 2**31}, "timeoutMS"),
        ({"last_modified": -1}, "last_modified"),
        ({"schema": 2**53}, "schema"),
        ({"featureId": ""}, "featureId"),
        ({"taskName": None}, "taskName"),
        ({"modelId": None}, "modelId"),
        ({"processorId": 12}, "processorId"),
        ({"last_modified": "yesterday"}, "last_modified"),
    ],
)
def test_each_malformation_names_its_field(changes, field):
    bad = good_record(id="bad", **changes)
    problems = validate(INFERENCE_OPTIONS, [bad])
    assert [(p.id, p.field) for p in problems] == [("bad", field)]


def test_bad_records_are_listed_and_skipped_the_rest_usable():
    records = fixture_changes(INFERENCE_OPTIONS)
    records[1] = {**records[1], "dtype": "fp64"}
    records[2] = {**records[2], "featureId": records[3]["featureId"]}
    records.append("not an object")
    records.append({"featureId": "no-id", "taskName": "fill-mask", "modelId": "a/b"})
    result = build_set(INFERENCE_OPTIONS, records, 1, Source("embedded"))
    found = {(p.id, p.field) for p in result.problems}
    assert found == {
        (records[1]["id"], "dtype"),
        (records[2]["id"], "featureId"),
        (records[3]["id"], "featureId"),
        (f"#{len(records) - 2}", "(record)"),
        (f"#{len(records) - 1}", "id"),
    }
    assert len(result.records) == len(records)
    usable_ids = {r["id"] for r in result.usable()}
    assert usable_ids == {r["id"] for i, r in enumerate(records[:-2]) if i not in (1, 2, 3)}


def test_unknown_fields_are_kept():
    record = good_record(futureOption={"x": 1})
    result = build_set(INFERENCE_OPTIONS, [record], 1, Source("embedded"))
    assert result.problems == ()
    assert result.usable()[0]["futureOption"] == {"x": 1}


def test_runtime_attachment_paths_are_checked():
    record = dict(fixture_changes(ONNX_RUNTIME)[0])
    record["attachment"] = {**record["attachment"], "location": "../../etc/passwd"}
    assert [p.field for p in validate(ONNX_RUNTIME, [record])] == ["attachment"]
    record["attachment"] = {**record["attachment"], "location": "ok/x.wasm", "hash": "abc"}
    assert [p.field for p in validate(ONNX_RUNTIME, [record])] == ["attachment"]
    assert [p.field for p in validate(ONNX_RUNTIME, [{**record, "version": "5"}])] == [
        "version",
        "attachment",
    ]


def test_allow_deny_fields():
    good = {"id": "a", "filter": "ALLOW", "urlPrefix": "https://x/"}
    assert validate(ALLOW_DENY, [good]) == []
    problems = validate(ALLOW_DENY, [{"id": "b", "filter": "MAYBE", "urlPrefix": "ftp://x/"}])
    assert [p.field for p in problems] == ["filter", "urlPrefix"]


def test_both_document_shapes_parse_and_garbage_is_refused():
    dump = {"data": [{"id": "a"}], "timestamp": 5}
    changeset = {
        "changes": [{"id": "a"}, {"id": "b", "deleted": True}],
        "timestamp": 6,
        "metadata": {},
    }
    assert parse_document(dump, where="x") == ([{"id": "a"}], 5)
    assert parse_document(changeset, where="x") == ([{"id": "a"}], 6)
    for bad in ([], {"records": []}, {"data": {}}, {"data": [], "timestamp": "now"}):
        with pytest.raises(RecordError):
            parse_document(bad, where="x")


@pytest.mark.parametrize(
    ("changes", "words"),
    [({"numThreads": 10**30}, "1 to 1,024"), ({"timeoutMS": 10**12}, "or -1")],
)
def test_out_of_range_numbers_say_the_range(changes, words):
    [problem] = validate(INFERENCE_OPTIONS, [good_record(id="big", **changes)])
    assert "out of range" in problem.message and words in problem.message
    assert validate(INFERENCE_OPTIONS, [good_record(numThreads=1024, timeoutMS=-1)]) == []


def test_runtime_attachment_size_is_bounded():
    record = dict(fixture_changes(ONNX_RUNTIME)[0])
    record["attachment"] = {**record["attachment"], "size": 2**60}
    assert [p.field for p in validate(ONNX_RUNTIME, [record])] == ["attachment"]


def test_a_shared_id_names_the_other_record_by_position():
    first, second = good_record(id="dup"), good_record(id="dup", featureId="other")
    problems = validate(INFERENCE_OPTIONS, [first, second])
    assert [(p.id, p.field, p.message) for p in problems] == [
        ("dup", "id", "'dup' is also used by record #1"),
        ("dup", "id", "'dup' is also used by record #0"),
    ]
    twins = validate(INFERENCE_OPTIONS, [good_record(id="a"), good_record(id="b")])
    assert [p.message for p in twins if p.field == "featureId"][0].endswith("used by record b")


def test_a_huge_value_is_quoted_in_part():
    [problem] = validate(INFERENCE_OPTIONS, [good_record(id="huge", modelId="x" * 10_000_000)])
    assert problem.field == "modelId" and len(problem.message) < 200
    assert "10,000,000 characters" in problem.message
