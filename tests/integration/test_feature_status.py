"""``records status``: per feature, what it would run and each file's state in the cache."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from inference_gui.cache import ModelCache
from inference_gui.cli.main import main
from tests.paths import HUB, REMOTE_SETTINGS
from tests.support.http_hub import serve_hub

OPTIONS = json.loads((REMOTE_SETTINGS / "ml-inference-options.json").read_text())
BY_FEATURE = {r["featureId"]: r for r in OPTIONS["changes"]}


@pytest.fixture
def server():
    with serve_hub(HUB) as running:
        yield running


def records_file(tmp_path: Path, *features: str) -> str:
    path = tmp_path / "records.json"
    path.write_text(json.dumps({"data": [BY_FEATURE[f] for f in features], "timestamp": 1}))
    return str(path)


def cli(capsys, *args: str) -> tuple[int, str]:
    code = main(list(args))
    out, _ = capsys.readouterr()
    return code, out


def fetch(capsys, hub: str, model: str, revision: str, dtype: str) -> None:
    code, _ = cli(
        capsys, "--hub", hub, "cache", "fetch", "--model", model, "--revision", revision,
        "--dtype", dtype,
    )  # fmt: skip
    assert code == 0


def status(capsys, hub: str, settings: str, *features: str) -> tuple[int, dict]:
    code, out = cli(
        capsys, "--hub", hub, "--settings-file", settings, "records", "status", "--json", *features
    )
    return code, {f["feature"]: f for f in json.loads(out)["features"]}


def test_ready_stale_and_the_sentence_that_says_the_record_moved(server, capsys, tmp_path):
    settings = records_file(tmp_path, "tiny-embed", "tiny-embed-legacy")
    fetch(capsys, server.url, "tiny/bert-embed", "v1.0.0", "fp32")
    code, by = status(capsys, server.url, settings)
    assert code == 0
    legacy, embed = by["tiny-embed-legacy"], by["tiny-embed"]
    assert legacy["state"] == "ready" and (legacy["model"], legacy["revision"]) == (
        "tiny/bert-embed",
        "v1.0.0",
    )
    assert {f["path"]: f["state"] for f in legacy["files"] if f["required"]} == {
        "config.json": "cached",
        "onnx/model.onnx": "cached",
        "tokenizer.json": "cached",
    }
    assert legacy["cached_bytes"] == sum(
        (HUB / "tiny/bert-embed/v1.0.0" / f["path"]).stat().st_size
        for f in legacy["files"]
        if f["state"] == "cached"
    )
    assert embed["state"] == "stale" and embed["revision"] == "v1.1.0"
    config = next(f for f in embed["files"] if f["path"] == "config.json")
    assert config["other_revisions"] == ["v1.0.0"]
    assert embed["notes"][-1] == (
        "the record moved tiny/bert-embed to v1.1.0; v1.0.0 is cached and still used by "
        "tiny-embed-legacy"
    )
    # without the legacy record nothing uses v1.0.0 any more, and the status says so
    only_new = records_file(tmp_path, "tiny-embed")
    code, by = status(capsys, server.url, only_new, "tiny-embed")
    assert code == 1  # a named feature that is not ready
    assert by["tiny-embed"]["notes"][-1].endswith("v1.0.0 is cached and no longer used")


def test_corrupt_and_incomplete_files_are_told_apart(server, capsys, tmp_path):
    settings = records_file(tmp_path, "tiny-embed-legacy")
    fetch(capsys, server.url, "tiny/bert-embed", "v1.0.0", "fp32")
    cache = ModelCache(tmp_path / "app-home" / "cache", 1 << 40)
    rows = {r.path: r for r in cache.store.all()}
    cache.blobs.blob(rows["tokenizer.json"].sha256).unlink()
    part = cache.part_path(rows["config.json"].hub, "tiny/bert-embed", "v1.0.0", "onnx/model.onnx")
    with cache.store.transaction() as db:
        db.execute("DELETE FROM files WHERE path = 'onnx/model.onnx'")
    part.parent.mkdir(parents=True, exist_ok=True)
    part.write_bytes(b"x" * 10)
    cache.close()
    _, by = status(capsys, server.url, settings)
    states = {f["path"]: (f["state"], f["size"]) for f in by["tiny-embed-legacy"]["files"]}
    assert states["tokenizer.json"][0] == "corrupt"
    assert states["onnx/model.onnx"] == ("incomplete", 10)
    assert states["config.json"][0] == "cached"
    assert by["tiny-embed-legacy"]["state"] == "corrupt"


def test_a_feature_that_cannot_resolve_reports_its_error(server, capsys, tmp_path):
    settings = records_file(tmp_path, "tiny-embed")
    code, by = status(capsys, server.url, settings, "no-such-feature")
    assert code == 1
    assert by["no-such-feature"]["state"] == "error"
    assert "no-such-feature" in by["no-such-feature"]["error"]


def test_text_output_says_what_is_missing(server, capsys, tmp_path):
    settings = records_file(tmp_path, "tiny-embed")
    fetch(capsys, server.url, "tiny/bert-embed", "v1.1.0", "q8")
    code, out = cli(capsys, "--hub", server.url, "--settings-file", settings, "records", "status")
    assert code == 0
    assert out.splitlines()[0].startswith("tiny-embed: ready  tiny/bert-embed@v1.1.0 q8")


def test_cache_listing_says_who_uses_a_file_now_and_who_used_it(server, capsys, tmp_path):
    settings = records_file(tmp_path, "tiny-embed")
    fetch(capsys, server.url, "tiny/bert-embed", "v1.0.0", "q8")
    code, _ = cli(
        capsys, "--hub", server.url, "cache", "fetch", "--model", "tiny/bert-embed",
        "--revision", "v1.1.0", "--dtype", "q8", "--task", "feature-extraction",
    )  # fmt: skip
    assert code == 0
    code, out = cli(
        capsys, "--hub", server.url, "--settings-file", settings, "cache", "ls", "--json"
    )
    assert code == 0
    listing = json.loads(out)
    assert listing["used_by_error"] is None
    revisions = {r["revision"]: r for r in listing["models"][0]["revisions"]}
    new, old = revisions["v1.1.0"], revisions["v1.0.0"]
    assert new["used_by"] == ["tiny-embed"] and new["last_used_by"] == ["task:feature-extraction"]
    assert old["used_by"] == [] and old["last_used_by"] == []
    files = {f["path"]: f for f in new["files"]}
    assert files["onnx/model_quantized.onnx"]["used_by"] == ["tiny-embed"]
    assert files["special_tokens_map.json"]["used_by"] == []  # cached; the engine never loads it


def test_evict_zero_days_removes_only_the_revision_no_record_uses(server, capsys, tmp_path):
    settings = records_file(tmp_path, "tiny-embed")
    fetch(capsys, server.url, "tiny/bert-embed", "v1.0.0", "q8")
    fetch(capsys, server.url, "tiny/bert-embed", "v1.1.0", "q8")
    base = ("--hub", server.url, "--settings-file", settings, "cache")
    code, out = cli(capsys, *base, "evict", "--unused-days", "0", "--dry-run")
    assert code == 0
    assert {line.split()[3] for line in out.splitlines() if line.startswith("Would remove")} == {
        "v1.0.0"
    }
    code, out = cli(capsys, *base, "evict", "--unused-days", "0")
    assert code == 0
    _, by = status(capsys, server.url, settings)
    assert by["tiny-embed"]["state"] == "ready"
    code, out = cli(capsys, *base, "ls", "--json")
    assert [r["revision"] for r in json.loads(out)["models"][0]["revisions"]] == ["v1.1.0"]


def test_rm_feature_removes_what_it_resolves_to_now_even_untagged(server, capsys, tmp_path):
    """Files fetched without a usage tag still go with ``--feature``: the records say who uses
    them. What another feature resolves to, and what the engine never loads, stay."""
    settings = records_file(tmp_path, "tiny-embed", "tiny-embed-legacy")
    fetch(capsys, server.url, "tiny/bert-embed", "v1.1.0", "q8")
    fetch(capsys, server.url, "tiny/bert-embed", "v1.0.0", "fp32")
    base = ("--hub", server.url, "--settings-file", settings)
    _, by = status(capsys, server.url, settings, "tiny-embed")
    needed = {f["path"]: f["size"] for f in by["tiny-embed"]["files"] if f["state"] == "cached"}
    code, out = cli(capsys, *base, "cache", "rm", "--feature", "tiny-embed", "--dry-run", "--json")
    plan = json.loads(out)
    assert code == 0 and plan["dry_run"]
    assert {(r["revision"], r["path"]) for r in plan["remove"]} == {("v1.1.0", p) for p in needed}
    # config and tokenizer files have the same bytes at v1.0.0, which stays: only the graph frees.
    freed = needed["onnx/model_quantized.onnx"]
    assert plan["freed_bytes"] == freed
    assert {(s["path"], s["kept_by"]["revision"]) for s in plan["shared"]} == {
        (p, "v1.0.0") for p in needed if p != "onnx/model_quantized.onnx"
    }
    code, out = cli(capsys, *base, "cache", "rm", "--feature", "tiny-embed", "--yes")
    assert code == 0 and f"({freed} bytes)" in out
    _, by = status(capsys, server.url, settings)
    assert by["tiny-embed-legacy"]["state"] == "ready"  # the other feature's files stayed
    assert by["tiny-embed"]["state"] != "ready"
    code, out = cli(capsys, *base, "cache", "ls", "--json")
    left = {
        (r["revision"], f["path"])
        for r in json.loads(out)["models"][0]["revisions"]
        for f in r["files"]
    }
    assert ("v1.1.0", "special_tokens_map.json") in left  # cached, but the engine never loads it
