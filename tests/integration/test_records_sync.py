"""Syncing from the real Remote Settings server (Kinto), and every way a server can fail.

The happy paths run against real Kinto (``real_kinto``); faults it cannot be made to produce,
and the requests the client sends, use the imitation (``server``).
"""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from typing import Any

import pytest

from inference_gui.config import Settings
from inference_gui.errors import RecordError
from inference_gui.records import COLLECTIONS, INFERENCE_OPTIONS, ONNX_RUNTIME, RecordsService
from inference_gui.records.server import USER_AGENT
from tests.paths import REMOTE_SETTINGS
from tests.support.kinto_server import serve_kinto
from tests.support.real_kinto import RealKinto

OPTIONS = json.loads((REMOTE_SETTINGS / "ml-inference-options.json").read_text())
RUNTIME = json.loads((REMOTE_SETTINGS / "ml-onnx-runtime.json").read_text())


@pytest.fixture
def server():
    with serve_kinto({INFERENCE_OPTIONS: OPTIONS, ONNX_RUNTIME: RUNTIME}) as kinto:
        yield kinto


def service_for(url: str, data_dir: Path, **extra) -> RecordsService:
    settings = Settings(settings_server=url, data_dir=data_dir, **extra)
    return RecordsService(lambda: settings, timeout=0.5)


def feature_ids(record_set) -> set[str]:
    return {r["featureId"] for r in record_set.usable()}


def published(kinto: RealKinto, tmp_path: Path) -> dict[str, Any]:
    """The fixture options on the real server, and the empty wasm as a real kinto-attachment."""
    kinto.publish(INFERENCE_OPTIONS, OPTIONS["changes"])
    wasm = RUNTIME["changes"][0]
    upload = tmp_path / wasm["attachment"]["filename"]
    upload.write_bytes((REMOTE_SETTINGS / "attachments" / f"{wasm['id']}.wasm").read_bytes())
    kinto.publish(ONNX_RUNTIME, [wasm])
    return kinto.attach(ONNX_RUNTIME, wasm["id"], upload, "application/wasm")


def test_good_sync_from_the_real_server(real_kinto, tmp_path):
    uploaded = published(real_kinto, tmp_path)
    service = service_for(real_kinto.url, tmp_path)
    options, runtime = service.sync((INFERENCE_OPTIONS, ONNX_RUNTIME))
    assert feature_ids(options) == {r["featureId"] for r in OPTIONS["changes"]}
    assert options.timestamp == real_kinto.timestamp(INFERENCE_OPTIONS)
    assert options.source.kind == "server" and options.source.note == ""
    assert "last sync" in options.source.describe() and not options.problems
    # The attachment as kinto-attachment describes it: the hash and size of the bytes uploaded.
    [record] = runtime.usable()
    assert not runtime.problems and record["attachment"] == uploaded["attachment"]
    assert record["attachment"]["hash"] == RUNTIME["changes"][0]["attachment"]["hash"]
    assert record["attachment"]["size"] == 8
    assert record["attachment"]["location"].startswith(f"main-workspace/{ONNX_RUNTIME}/")
    # A fresh service (a restart) reads the stored sync: the emptied server is not consulted.
    real_kinto.reset()
    again = service_for(real_kinto.url, tmp_path).load(INFERENCE_OPTIONS)
    assert feature_ids(again) == feature_ids(options) and again.source.note == ""


def test_request_shape_expected_and_user_agent(server, tmp_path):
    """What the client sends, which only the imitation records: ``_expected`` and User-Agent."""
    service_for(server.url, tmp_path).sync((INFERENCE_OPTIONS, ONNX_RUNTIME))
    paths = [(p, q) for p, q, _ in server.requests]
    assert paths[0] == ("/v1/buckets/monitor/collections/changes/changeset", {"_expected": "0"})
    assert (
        f"/v1/buckets/main/collections/{INFERENCE_OPTIONS}/changeset",
        {"_expected": str(OPTIONS["timestamp"])},
    ) in paths
    assert all(h.get("User-Agent") == USER_AGENT for _, _, h in server.requests)


def test_first_load_syncs_and_unchanged_collection_is_not_refetched(server, tmp_path):
    service = service_for(server.url, tmp_path)
    assert feature_ids(service.load()) == {r["featureId"] for r in OPTIONS["changes"]}
    server.requests.clear()
    service.sync((INFERENCE_OPTIONS,))
    assert [p for p, _, _ in server.requests] == [
        "/v1/buckets/monitor/collections/changes/changeset"
    ]


def test_new_server_data_replaces_the_old(real_kinto, tmp_path):
    real_kinto.publish(INFERENCE_OPTIONS, OPTIONS["changes"])
    service = service_for(real_kinto.url, tmp_path)
    [first] = service.sync((INFERENCE_OPTIONS,))
    for record in OPTIONS["changes"][2:]:
        real_kinto.delete(INFERENCE_OPTIONS, record["id"])
    [result] = service.sync((INFERENCE_OPTIONS,))
    assert feature_ids(result) == {r["featureId"] for r in OPTIONS["changes"][:2]}
    assert result.timestamp > first.timestamp
    assert service.load().timestamp == real_kinto.timestamp(INFERENCE_OPTIONS)


def test_backoff_is_honoured(server, tmp_path):
    service = service_for(server.url, tmp_path)
    server.fault = "backoff"
    [first] = service.sync((INFERENCE_OPTIONS,))
    assert (
        first.source.note == ""
    )  # the answer itself is good; the backoff applies to the next sync
    server.fault = None
    server.requests.clear()
    [second] = service_for(server.url, tmp_path).sync((INFERENCE_OPTIONS,))
    assert server.requests == []
    assert "Backoff" in second.source.note
    assert feature_ids(second) == feature_ids(first)


def test_server_json_error_is_surfaced(server, tmp_path):
    server.fault = "error500"
    [result] = service_for(server.url, tmp_path).sync((INFERENCE_OPTIONS,))
    assert result.source.kind == "embedded"
    assert "HTTP 500" in result.source.note and "errno 999" in result.source.note
    assert "A programmatic error occured" in result.source.note


def test_invalid_json_falls_back_to_last_sync(server, tmp_path):
    service = service_for(server.url, tmp_path)
    service.sync((INFERENCE_OPTIONS,))
    server.fault = "invalid_json"
    [result] = service.sync((INFERENCE_OPTIONS,))
    assert result.source.kind == "server" and "not valid JSON" in result.source.note
    assert feature_ids(result) == {r["featureId"] for r in OPTIONS["changes"]}


def test_timeout(server, tmp_path):
    server.fault = "slow"
    server.slow_seconds = 1.5
    [result] = service_for(server.url, tmp_path).sync((INFERENCE_OPTIONS,))
    assert "did not answer within 0.5 s" in result.source.note
    assert result.source.note.startswith("never synced; server unreachable")


def test_server_gone_mid_session_falls_back_to_last_sync(server, tmp_path):
    service = service_for(server.url, tmp_path)
    service.sync()
    server.stop()
    results = service.sync()
    options = results[COLLECTIONS.index(INFERENCE_OPTIONS)]
    assert options.source.kind == "server"
    assert "server unreachable" in options.source.describe()
    assert "last sync" in options.source.describe()
    assert feature_ids(options) == {r["featureId"] for r in OPTIONS["changes"]}
    assert service.resolve("tiny-ner").options["modelId"] == "tiny/bert-ner"
    # The allow/deny list was never on this server: the embedded dump, saying why.
    allow = results[COLLECTIONS.index("ml-model-allow-deny-list")]
    assert allow.source.kind == "embedded" and "never synced" in allow.source.note


def test_missing_collection_is_reported(real_kinto, tmp_path):
    real_kinto.publish(INFERENCE_OPTIONS, OPTIONS["changes"])
    [result] = service_for(real_kinto.url, tmp_path).sync(("ml-model-allow-deny-list",))
    assert "has no collection ml-model-allow-deny-list" in result.source.note


def test_malformed_records_from_server(real_kinto, tmp_path):
    broken = copy.deepcopy(OPTIONS)
    broken["changes"][0]["modelRevision"] = "v1"
    broken["changes"][1]["numThreads"] = "eight"
    real_kinto.publish(INFERENCE_OPTIONS, broken["changes"])
    [result] = service_for(real_kinto.url, tmp_path).sync((INFERENCE_OPTIONS,))
    assert {(p.id, p.field) for p in result.problems} == {
        (broken["changes"][0]["id"], "modelRevision"),
        (broken["changes"][1]["id"], "numThreads"),
    }
    assert len(result.usable()) == len(broken["changes"]) - 2


def test_offline_uses_last_sync_without_requests(server, tmp_path):
    service_for(server.url, tmp_path).sync((INFERENCE_OPTIONS,))
    server.requests.clear()
    offline = service_for(server.url, tmp_path, offline=True)
    result = offline.load()
    assert server.requests == [] and result.source.note == "offline"
    with pytest.raises(RecordError):
        offline.sync()
    fresh = service_for(server.url, tmp_path / "elsewhere", offline=True).load()
    assert fresh.source.kind == "embedded" and "offline" in fresh.source.note


def test_last_sync_is_written_atomically(real_kinto, tmp_path):
    real_kinto.publish(INFERENCE_OPTIONS, OPTIONS["changes"])
    service_for(real_kinto.url, tmp_path).sync((INFERENCE_OPTIONS,))
    files = [p for p in (tmp_path / "records").rglob("*") if p.is_file()]
    assert files and not [p for p in files if p.name.endswith(".tmp")]
    stored = [json.loads(p.read_text()) for p in files if p.name == f"{INFERENCE_OPTIONS}.json"]
    served = real_kinto.request(
        "GET", f"/buckets/main/collections/{INFERENCE_OPTIONS}/changeset?_expected=1"
    )
    assert stored[0]["changes"] == served["changes"] and stored[0]["synced_at"] <= time.time()


@pytest.mark.parametrize("monitor_too", [True, False])
def test_an_older_server_answer_keeps_the_newer_data_and_says_so(server, tmp_path, monitor_too):
    """The server's timestamp going backwards (a restored backup, a stale CDN node) must not
    silently replace newer data: the last good sync stays and the result says why."""
    service = service_for(server.url, tmp_path)
    [first] = service.sync((INFERENCE_OPTIONS,))
    older = copy.deepcopy(OPTIONS)
    older["changes"] = older["changes"][:3]
    older["timestamp"] -= 1000
    server.set_collection(INFERENCE_OPTIONS, older)
    if not monitor_too:  # the monitor still says "newer", only the changeset is older
        server.monitor_override = {INFERENCE_OPTIONS: OPTIONS["timestamp"] + 5}
    [result] = service.sync((INFERENCE_OPTIONS,))
    assert feature_ids(result) == feature_ids(first) and result.timestamp == OPTIONS["timestamp"]
    assert "older" in result.source.note and str(older["timestamp"]) in result.source.note
    reloaded = service_for(server.url, tmp_path, offline=True).load(INFERENCE_OPTIONS)
    assert reloaded.timestamp == OPTIONS["timestamp"] and len(reloaded.records) == len(
        first.records
    )
    # The way out the note names, for a server reset on purpose: delete the last sync.
    Path(result.source.note.split("delete ")[1].split(" and sync")[0]).unlink()
    server.monitor_override = {}
    [adopted] = service.sync((INFERENCE_OPTIONS,))
    assert adopted.timestamp == older["timestamp"] and adopted.source.note == ""
