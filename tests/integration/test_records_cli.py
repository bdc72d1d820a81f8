"""``inference-gui records`` end to end, through the real entry point and a local server."""

from __future__ import annotations

import json

from inference_gui.cli.main import main
from inference_gui.records import INFERENCE_OPTIONS
from tests.paths import REMOTE_SETTINGS

OPTIONS = json.loads((REMOTE_SETTINGS / "ml-inference-options.json").read_text())
BY_FEATURE = {r["featureId"]: r for r in OPTIONS["changes"]}


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_json_shape_from_embedded_dump(capsys):
    code, out, _ = run(capsys, "records", "list", "--json")
    listing = json.loads(out)
    assert code == 0
    assert set(listing) == {
        *("version", "command", "ok", "exit_code"),  # every --json object has these
        *("collection", "source", "timestamp", "records", "problems", "warnings", "signature"),
    }
    assert listing["signature"]["status"] == "unsigned"
    assert "embedded dump" in listing["signature"]["reason"]
    assert listing["collection"] == INFERENCE_OPTIONS and listing["source"] == "embedded dump"
    assert "pdfjs-alt-text" in {r["featureId"] for r in listing["records"]}
    assert listing["problems"] == []


def test_file_source_lists_problems_and_resolves(capsys, tmp_path):
    changes = [dict(r) for r in OPTIONS["changes"]]
    changes[0]["dtype"] = "fp8"
    path = tmp_path / "dev-records.json"
    path.write_text(json.dumps({"data": changes, "timestamp": 7}))
    code, out, _ = run(capsys, "--settings-file", str(path), "records", "list", "--json")
    listing = json.loads(out)
    assert code == 0 and listing["source"] == f"file {path}"
    assert listing["problems"] == [
        {"id": changes[0]["id"], "field": "dtype", "message": listing["problems"][0]["message"]}
    ]
    assert "fp8" in listing["problems"][0]["message"]
    code, out, _ = run(
        capsys, "--settings-file", str(path), "records", "resolve", "tiny-qa", "--json"
    )
    expected = {
        k: v for k, v in BY_FEATURE["tiny-qa"].items() if k not in ("id", "last_modified", "schema")
    }
    resolved = json.loads(out)
    assert (
        code == 0
        and resolved["options"] == expected
        and resolved["record_id"] == (BY_FEATURE["tiny-qa"]["id"])
    )
    assert set(resolved["sources"].values()) == {"record"}


def test_unresolvable_exits_1_with_one_line(capsys):
    code, out, err = run(capsys, "records", "resolve", "no-such-feature")
    assert code == 1 and out == ""
    assert len(err.strip().splitlines()) == 1 and "no-such-feature" in err


def test_sync_then_resolve_from_server(capsys, real_kinto):
    real_kinto.publish(INFERENCE_OPTIONS, OPTIONS["changes"])
    server = ("--settings-server", real_kinto.url)
    code, out, err = run(capsys, *server, "records", "sync")
    # Only ml-inference-options is on this server: the other two report it and exit 1.
    assert code == 1
    assert f"{INFERENCE_OPTIONS}: {len(OPTIONS['changes'])} records" in out
    assert "has no collection ml-onnx-runtime" in err
    code, out, _ = run(capsys, *server, "records", "resolve", "tiny-alt-text", "--json")
    assert code == 0
    assert json.loads(out)["options"]["modelId"] == BY_FEATURE["tiny-alt-text"]["modelId"]
    code, out, _ = run(capsys, *server, "records", "list")
    assert code == 0 and "server unreachable" not in out and "last sync" in out


def test_resolve_text_output_says_where_values_came_from(capsys):
    source = str(REMOTE_SETTINGS / "ml-inference-options.json")
    code, out, _ = run(
        capsys, "--settings-file", source, "records", "resolve", "my-feature", "--task", "fill-mask"
    )
    assert code == 0
    lines = {line.split()[0]: line.split()[-1] for line in out.splitlines()[1:]}
    assert lines["modelId"] == "fallback" and lines["featureId"] == "caller"
    assert BY_FEATURE["tiny-fill-mask"]["modelId"] in out


def test_a_record_without_feature_id_is_valid_and_the_task_fallback_finds_it(capsys, tmp_path):
    """Firefox identifies a record by featureId and, when it has none, by taskName."""
    task_only = {
        "id": "summarize-any",
        "taskName": "summarization",
        "modelId": "tiny/t5",
        "modelRevision": "v1.0.0",
        "dtype": "q8",
    }
    path = tmp_path / "records.json"
    path.write_text(json.dumps({"data": [*OPTIONS["changes"], task_only], "timestamp": 7}))
    settings = ("--settings-file", str(path))
    code, out, _ = run(capsys, *settings, "records", "list", "--json")
    assert code == 0 and json.loads(out)["problems"] == []
    code, out, err = run(
        capsys, *settings, "records", "resolve", "some-feature", "--task", "summarization"
    )
    assert code == 0, err
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines()[1:]}
    assert rows["modelId"] == ["tiny/t5", "fallback"]
    assert rows["featureId"] == ["some-feature", "caller"]
    code, out, err = run(capsys, *settings, "records", "resolve", "some-feature")
    assert code == 1 and "some-feature" in err and "Traceback" not in err


def test_a_record_without_feature_id_resolves_by_its_task_alone(capsys, tmp_path):
    """No FEATURE_ID is needed to resolve such a record: --task (and --model) identify it."""
    task_only = {"id": "summarize-any", "taskName": "summarization", "modelId": "tiny/t5"}
    path = tmp_path / "records.json"
    path.write_text(json.dumps({"data": [*OPTIONS["changes"], task_only], "timestamp": 7}))
    settings = ("--settings-file", str(path))
    code, out, err = run(capsys, *settings, "records", "resolve", "--task", "summarization")
    assert code == 0, err
    assert out.splitlines()[0] == "record summarize-any (matched by taskName)"
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines()[2:]}
    assert rows["modelId"] == ["tiny/t5", "record"] and "featureId" not in rows
    code, out, _ = run(capsys, *settings, "records", "resolve", "--task", "summarization", "--json")
    resolved = json.loads(out)
    assert (resolved["feature"], resolved["record_id"], resolved["matched_by"]) == (
        None,
        "summarize-any",
        "taskName",
    )
    code, out, err = run(capsys, *settings, "records", "resolve", "--json")
    assert code == 2 and json.loads(out)["exit_code"] == 2
    assert "give a FEATURE_ID, or --task" in err and "Traceback" not in err
