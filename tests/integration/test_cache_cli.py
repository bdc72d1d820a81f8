"""``inference-gui cache ...`` end to end, against a local HTTP hub and an isolated cache."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from inference_gui.cli.main import main
from tests.paths import HUB, REMOTE_SETTINGS
from tests.support.http_hub import serve_hub

EMBED = HUB / "tiny" / "bert-embed" / "v1.0.0"


@pytest.fixture
def server():
    with serve_hub(HUB) as running:
        yield running


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def fetch_embed(capsys, server, *args: str) -> tuple[int, str, str]:
    """``cache fetch`` of tiny/bert-embed v1.0.0 from the test hub, with extra arguments."""
    return run(
        capsys,
        "--hub",
        server.url,
        "cache",
        "fetch",
        "--model",
        "tiny/bert-embed",
        "--revision",
        "v1.0.0",
        *args,
    )


def ls_json(capsys) -> dict:
    code, out, _ = run(capsys, "cache", "ls", "--json")
    assert code == 0
    return json.loads(out)


def test_fetch_a_dtype_then_list_as_json(server, capsys) -> None:
    code, out, _ = fetch_embed(capsys, server, "--dtype", "q8", "--task", "feature-extraction")
    assert code == 0 and "Fetched" in out
    data = ls_json(capsys)
    (model,) = data["models"]
    assert model["model"] == "tiny/bert-embed" and model["hub"].startswith("127.0.0.1_")
    files = {f["path"]: f for f in model["revisions"][0]["files"]}
    assert [p for p in files if p.endswith(".onnx")] == ["onnx/model_quantized.onnx"]
    assert files["onnx/model_quantized.onnx"]["dtype"] == "q8"
    assert {p: f["size"] for p, f in files.items()} == {
        p: (EMBED / p).stat().st_size for p in files
    }
    assert data["total_size"] == sum(f["size"] for f in files.values())
    for line in out.splitlines()[:-1]:
        assert Path(line).is_file()


def test_rm_dry_run_confirmation_and_freed_bytes(server, capsys) -> None:
    fetch_embed(capsys, server, "--dtype", "fp16")
    total = ls_json(capsys)["total_size"]
    code, out, _ = run(capsys, "cache", "rm", "--model", "tiny/bert-embed", "--dry-run")
    assert code == 0 and f"({total} bytes)" in out and ls_json(capsys)["total_size"] == total
    code, _, err = run(capsys, "cache", "rm", "--model", "tiny/bert-embed")
    assert code == 1 and "--yes" in err and len(err.strip().splitlines()) == 1
    code, out, _ = run(capsys, "cache", "rm", "--model", "tiny/bert-embed", "--yes")
    assert code == 0 and f"({total} bytes)" in out
    assert (lambda d: (d["total_size"], d["models"]))(ls_json(capsys)) == (0, [])


def test_verify_exit_codes_and_repair(server, capsys) -> None:
    fetch_embed(capsys, server, "--dtype", "q4")
    code, out, _ = run(capsys, "cache", "verify", "--json")
    assert code == 0 and json.loads(out)["ok"]
    blob = next((Path(os.environ["INFERENCE_GUI_CACHE_DIR"]) / "blobs").iterdir())
    blob.write_bytes(b"broken")
    code, out, _ = run(capsys, "cache", "verify", "--json")
    assert code == 1 and [f["kind"] for f in json.loads(out)["findings"]] == ["corrupt"]
    code, out, _ = run(capsys, "cache", "verify", "--repair")
    assert code == 0 and "repaired" in out
    assert run(capsys, "cache", "verify")[0] == 0


def test_import_and_evict(capsys, tmp_path) -> None:
    code, out, _ = run(
        capsys,
        "cache",
        "import",
        str(HUB / "tiny" / "gpt2" / "v1.0.0"),
        "--model",
        "me/gpt2",
        "--revision",
        "v1.0.0",
    )
    assert code == 0 and "Imported" in out
    assert ls_json(capsys)["models"][0]["model"] == "me/gpt2"
    code, out, _ = run(capsys, "cache", "evict", "--unused-days", "0", "--dry-run")
    assert code == 0 and "Would remove me/gpt2 v1.0.0" in out
    code, out, _ = run(capsys, "cache", "evict", "--unused-days", "30")
    assert code == 0 and "Nothing to remove" in out


def test_offline_fetch_makes_no_request_and_fails_in_one_line(server, capsys) -> None:
    code, _, err = run(
        capsys,
        "--offline",
        "--hub",
        server.url,
        "cache",
        "fetch",
        "--model",
        "tiny/bert-embed",
        "--revision",
        "v1.0.0",
    )
    assert code == 1 and "Offline" in err and len(err.strip().splitlines()) == 1
    assert server.requests == []
    _, online, _ = fetch_embed(capsys, server, "--dtype", "q8")
    count = len(online.splitlines()) - 1
    before = len(server.requests)
    code, out, _ = run(
        capsys,
        "--offline",
        "--hub",
        server.url,
        "cache",
        "fetch",
        "--model",
        "tiny/bert-embed",
        "--revision",
        "v1.0.0",
        "--dtype",
        "q8",
    )
    assert code == 0 and f"Fetched {count} files" in out and len(server.requests) == before


def test_bad_names_fail_in_one_line(server, capsys) -> None:
    code, _, err = run(
        capsys, "--hub", server.url, "cache", "fetch", "--model", "../x", "--revision", "v1.0.0"
    )
    assert code == 1 and "model id" in err and server.requests == []


def test_running_an_imported_model_at_a_dtype_it_lacks_names_those_it_has(
    capsys, tmp_path: Path
) -> None:
    import shutil

    folder = tmp_path / "converted"
    shutil.copytree(HUB / "tiny/bert-sentiment/v1.0.0", folder)
    for onnx in (folder / "onnx").glob("*.onnx"):
        if onnx.name != "model_q4.onnx":
            onnx.unlink()
    hub = ["--hub", str(HUB)]
    assert (
        run(
            capsys, *hub, "cache", "import", str(folder), "--model", "me/s", "--revision", "v1.0.0"
        )[0]
        == 0
    )
    task = ["run", "--task", "text-classification", "--model", "me/s", "--revision", "v1.0.0"]
    code, _, err = run(capsys, *hub, *task, "--dtype", "q8", "hi")
    assert code == 1 and len(err.strip().splitlines()) == 1
    assert "has no q8 files" in err and "it has: q4" in err
    assert run(capsys, *hub, *task, "--dtype", "q4", "--json", "hi")[0] == 0


def test_fetching_less_than_asked_is_an_error_that_says_why(server, capsys, tmp_path) -> None:
    """Offline with only q8 cached, ``--dtype fp16`` fetches no model: that is a failure, not
    "Fetched N files" of configs; online, a dtype the hub lacks is named with those it has."""
    code, _, _ = fetch_embed(capsys, server, "--dtype", "q8")
    assert code == 0
    code, out, err = run(
        capsys,
        "--offline",
        "--hub",
        server.url,
        "cache",
        "fetch",
        "--model",
        "tiny/bert-embed",
        "--revision",
        "v1.0.0",
        "--dtype",
        "q8",
        "--dtype",
        "fp16",
    )
    assert code == 1 and "Fetched" not in out
    assert "no complete fp16 files" in err and "has: q8" in err and "offline" in err.lower()
    assert len(err.strip().splitlines()) == 1
    hub = tmp_path / "hub"
    shutil.copytree(EMBED, hub / "tiny" / "bert-embed" / "v1.0.0")
    (hub / "tiny" / "bert-embed" / "v1.0.0" / "onnx" / "model_bnb4.onnx").unlink()
    with serve_hub(hub) as partial:
        code, out, err = fetch_embed(capsys, partial, "--dtype", "bnb4")
    assert code == 1 and "bnb4" in err and "q8" in err and "Fetched" not in out


def test_offline_fetch_from_a_folder_hub_reads_the_folder(capsys) -> None:
    """Offline means no network; a folder hub needs none, so its files are listed and fetched."""
    code, out, err = run(
        capsys,
        "--offline",
        "--hub",
        str(HUB),
        "cache",
        "fetch",
        "--model",
        "tiny/bert-embed",
        "--revision",
        "v1.0.0",
        "--dtype",
        "q8",
    )
    assert code == 0, err
    assert any(line.endswith("onnx/model_quantized.onnx") for line in out.splitlines())


def test_offline_run_from_a_folder_hub_reads_the_folder(capsys) -> None:
    """``run --offline`` over a folder hub runs: the folder needs no network (it used to say the
    folder had no onnx/model*.onnx file)."""
    code, out, err = run(
        capsys,
        "--offline",
        "--hub",
        str(HUB),
        "run",
        "--task",
        "feature-extraction",
        "--model",
        "tiny/bert-embed",
        "--revision",
        "v1.0.0",
        "hello",
        "--json",
    )
    assert code == 0, err
    assert json.loads(out)["output"]["dims"][0] == 1


def test_offline_run_of_an_uncached_dtype_says_offline_and_what_is_cached(server, capsys) -> None:
    fetch_embed(capsys, server, "--dtype", "fp32")
    before = len(server.requests)
    code, _, err = run(
        capsys,
        "--offline",
        "--hub",
        server.url,
        "run",
        "--task",
        "feature-extraction",
        "--model",
        "tiny/bert-embed",
        "--revision",
        "v1.0.0",
        "--dtype",
        "q8",
        "hello",
    )
    assert code == 1 and len(server.requests) == before
    assert "not in the cache, and offline mode is on" in err and "cached dtypes: fp32" in err
    assert "not converted" not in err and len(err.strip().splitlines()) == 1


def _cache_dir() -> Path:
    return Path(os.environ["INFERENCE_GUI_CACHE_DIR"])


def test_a_revision_repair_took_files_from_says_incomplete_until_fetched_again(
    server, capsys
) -> None:
    fetch_embed(capsys, server, "--dtype", "q4")
    onnx = next(
        f
        for f in ls_json(capsys)["models"][0]["revisions"][0]["files"]
        if f["path"].endswith(".onnx")
    )
    (_cache_dir() / "blobs" / onnx["sha256"]).write_bytes(b"broken")
    assert run(capsys, "cache", "verify", "--repair")[0] == 0
    (revision,) = ls_json(capsys)["models"][0]["revisions"]
    assert revision["incomplete"] is True
    assert [m["path"] for m in revision["missing_files"]] == [onnx["path"]]
    assert revision["missing_files"][0]["size"] == onnx["size"]
    assert onnx["path"] not in {f["path"] for f in revision["files"]}
    code, out, _ = run(capsys, "cache", "ls")
    assert code == 0 and f"incomplete: {onnx['path']} (removed by repair: " in out
    fetch_embed(capsys, server, "--dtype", "q4")
    (revision,) = ls_json(capsys)["models"][0]["revisions"]
    assert (revision["incomplete"], revision["missing_files"]) == (False, [])


def test_evict_incomplete_removes_partial_downloads_nobody_resumes(capsys) -> None:
    from inference_gui.cache.download import etag_note

    tmp = _cache_dir() / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    part = tmp / ("ab" * 16 + ".part")
    part.write_bytes(b"x" * 1000)
    etag_note(part).write_text('"etag-1"')
    write = tmp / "half.tmp"
    write.write_bytes(b"y" * 24)
    expected = 1000 + len('"etag-1"') + 24
    code, out, _ = run(capsys, "cache", "evict", "--incomplete", "--dry-run", "--json")
    plan = json.loads(out)
    assert code == 0 and plan["dry_run"] is True and plan["freed_bytes"] == expected
    assert {(Path(r["file"]).name, r["kind"]) for r in plan["remove"]} == {
        (part.name, "download"),
        (write.name, "write"),
    }
    assert part.exists() and etag_note(part).exists() and write.exists()
    code, out, _ = run(capsys, "cache", "evict", "--incomplete")
    assert code == 0 and f"({expected} bytes)" in out
    assert not part.exists() and not etag_note(part).exists() and not write.exists()
    code, out, _ = run(capsys, "cache", "evict", "--incomplete")
    assert code == 0 and "No incomplete downloads" in out


def test_a_revision_lacking_what_a_feature_needs_says_incomplete(capsys, monkeypatch) -> None:
    """tiny-embed-legacy resolves to tiny/bert-embed v1.0.0 at fp32: with only q8 cached, the
    cached revision lacks onnx/model.onnx for it, and says so until that file is fetched."""
    monkeypatch.setenv("INFERENCE_GUI_HUB", str(HUB))
    options = REMOTE_SETTINGS / "ml-inference-options.json"
    monkeypatch.setenv("INFERENCE_GUI_SETTINGS_FILE", str(options))
    fetch = ("cache", "fetch", "--model", "tiny/bert-embed", "--revision", "v1.0.0")
    assert run(capsys, *fetch, "--dtype", "q8")[0] == 0
    (revision,) = ls_json(capsys)["models"][0]["revisions"]
    assert revision["used_by"] == ["tiny-embed-legacy"] and revision["incomplete"] is True
    assert revision["missing_files"] == [
        {
            "path": "onnx/model.onnx",
            "size": None,
            "reason": "needed by tiny-embed-legacy; not cached",
            "removed_at": None,
            "needed_by": ["tiny-embed-legacy"],
        }
    ]
    code, out, _ = run(capsys, "cache", "ls")
    assert code == 0
    assert "used by tiny-embed-legacy" in out
    assert "incomplete: onnx/model.onnx (needed by tiny-embed-legacy; not cached)" in out
    assert run(capsys, *fetch, "--dtype", "fp32")[0] == 0
    (revision,) = ls_json(capsys)["models"][0]["revisions"]
    assert (revision["incomplete"], revision["missing_files"]) == (False, [])
    assert "incomplete" not in run(capsys, "cache", "ls")[1]
