"""Demo packs end to end: export on a "connected" machine, import and run on one with no network.

The two machines are two cache and data folders; the first reads the repo's test hub and its
records file, the second is offline with the default hub and the embedded records (which know
none of the tiny features), so only the pack can make the feature run there.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from inference_gui.cli.main import main
from tests.paths import HUB, REMOTE_SETTINGS

OPTIONS_FILE = REMOTE_SETTINGS / "ml-inference-options.json"


def cli(capsys, home: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--cache-dir", str(home / "cache"), "--data-dir", str(home / "data"), *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def pack(tmp_path, capsys) -> Path:
    out = tmp_path / "demo.zip"
    connected = ["--hub", str(HUB), "--settings-file", str(OPTIONS_FILE)]
    code, _, err = cli(
        capsys,
        tmp_path / "a",
        *connected,
        "pack",
        "export",
        str(out),
        "--feature",
        "tiny-sentiment",
        "--example",
        "ner",
    )
    assert code == 0, err
    return out


def run_sentiment(capsys, home: Path, *flags: str) -> tuple[int, str, str]:
    return cli(capsys, home, *flags, "run", "--feature", "tiny-sentiment", "--json", "Lovely!")


def test_a_pack_makes_a_feature_run_offline_with_the_same_output(pack, tmp_path, capsys) -> None:
    connected = ["--hub", str(HUB), "--settings-file", str(OPTIONS_FILE)]
    code, out, _ = run_sentiment(capsys, tmp_path / "a", *connected)
    assert code == 0
    there = json.loads(out)["output"]
    laptop = tmp_path / "b"
    assert run_sentiment(capsys, laptop, "--offline")[0] == 1  # unknown feature before the pack
    code, out, err = cli(capsys, laptop, "--offline", "pack", "import", str(pack), "--json")
    assert code == 0, err
    summary = json.loads(out)
    assert summary["features"] == ["tiny-sentiment"] and summary["examples"] == ["ner"]
    with zipfile.ZipFile(pack) as z:
        manifest = json.loads(z.read("manifest.json"))
    assert summary["files"] == len(manifest["files"]) and summary["bytes"] > 0
    code, out, err = run_sentiment(capsys, laptop, "--offline")
    assert code == 0, err
    assert json.loads(out)["output"] == there


def test_an_example_packed_alone_runs_its_features_revision_offline(tmp_path, capsys) -> None:
    """'sentiment' shows tiny-sentiment, which the fixture records send to main (the example's
    own fallback is v1.0.0): the pack brings the feature's record, so offline the example runs
    main, as it did where it was packed; --dtype adds a dtype's files beside the record's."""
    out = tmp_path / "example.zip"
    connected = ["--hub", str(HUB), "--settings-file", str(OPTIONS_FILE)]
    args = ["pack", "export", str(out), "--example", "sentiment", "--dtype", "fp32", "--json"]
    code, printed, err = cli(capsys, tmp_path / "a", *connected, *args)
    assert code == 0, err
    assert json.loads(printed)["dtypes"] == ["fp32"]
    with zipfile.ZipFile(out) as z:
        manifest = json.loads(z.read("manifest.json"))
    assert [r["featureId"] for r in manifest["records"]] == ["tiny-sentiment"]
    graphs = {f["path"] for f in manifest["files"] if f["path"].startswith("onnx/")}
    assert graphs == {"onnx/model_quantized.onnx", "onnx/model.onnx"}  # q8 (the record's), fp32
    assert {f["revision"] for f in manifest["files"]} == {"main"}
    run = ["run", "--example", "sentiment", "--json"]
    code, printed, err = cli(capsys, tmp_path / "a", *connected, *run)
    assert code == 0, err
    there = json.loads(printed)
    laptop = tmp_path / "b"
    assert cli(capsys, laptop, "--offline", *run)[0] == 1  # v1.0.0 is not cached there
    assert cli(capsys, laptop, "--offline", "pack", "import", str(out))[0] == 0
    for dtype in ([], ["--dtype", "fp32"]):
        code, printed, err = cli(capsys, laptop, "--offline", *run, *dtype)
        assert code == 0, err
        here = json.loads(printed)
        assert here["engine"]["revision"] == "main"
        if not dtype:
            assert here["output"] == there["output"]
    code, _, err = cli(capsys, laptop, "--offline", *run, "--dtype", "q4")
    assert code == 1 and "not in the cache" in err


def _rewrite(pack: Path, change) -> None:
    """Rewrite ``pack`` entry by entry, letting ``change(name, data)`` alter or add entries."""
    with zipfile.ZipFile(pack) as z:
        entries = [(i.filename, z.read(i)) for i in z.infolist()]
    with zipfile.ZipFile(pack, "w") as z:
        for name, data in change(entries):
            z.writestr(name, data)


def test_a_tampered_file_refuses_the_whole_pack(pack, tmp_path, capsys) -> None:
    def tamper(entries):
        for name, data in entries:
            yield name, (data[:-1] + b"!" if name.endswith("tokenizer.json") else data)

    _rewrite(pack, tamper)
    laptop = tmp_path / "b"
    code, _, err = cli(capsys, laptop, "--offline", "pack", "import", str(pack))
    assert code == 1 and "does not match its SHA-256" in err and len(err.strip().splitlines()) == 1
    code, out, _ = cli(capsys, laptop, "cache", "ls", "--json")
    assert json.loads(out)["models"] == []  # nothing installed, not even the intact files
    assert run_sentiment(capsys, laptop, "--offline")[0] == 1


@pytest.mark.parametrize("name", ["../../evil.txt", "/etc/evil", "files/tiny/x/v1/..\\evil"])
def test_an_entry_that_would_escape_is_refused(pack, tmp_path, capsys, name: str) -> None:
    _rewrite(pack, lambda entries: [*entries, (name, b"x")])
    code, _, err = cli(capsys, tmp_path / "b", "--offline", "pack", "import", str(pack))
    assert code == 1 and "would land outside its folder" in err
    assert not (tmp_path / "evil.txt").exists()


def test_not_a_pack_is_one_clear_line(tmp_path, capsys) -> None:
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a zip")
    code, _, err = cli(capsys, tmp_path / "b", "pack", "import", str(junk))
    assert code == 1 and "cannot be read as a zip" in err and len(err.strip().splitlines()) == 1


def _edit_manifest(pack: Path, edit) -> None:
    def change(entries):
        for name, data in entries:
            yield name, (json.dumps(edit(json.loads(data))) if name == "manifest.json" else data)

    _rewrite(pack, change)


def test_a_malformed_file_entry_is_one_clear_line(pack, tmp_path, capsys) -> None:
    def drop_hash(manifest):
        del manifest["files"][0]["sha256"]
        return manifest

    _edit_manifest(pack, drop_hash)
    code, _, err = cli(capsys, tmp_path / "b", "pack", "import", str(pack))
    assert code == 1 and "malformed file entry" in err and len(err.strip().splitlines()) == 1


def test_a_file_larger_than_its_manifest_says_is_refused(pack, tmp_path, capsys) -> None:
    """Extraction stops past the declared size (a zip bomb does not fill the disk first)."""

    def shrink(manifest):
        big = max(manifest["files"], key=lambda f: f["size"])
        big["size"] = 10
        return manifest

    _edit_manifest(pack, shrink)
    laptop = tmp_path / "b"
    code, _, err = cli(capsys, laptop, "pack", "import", str(pack))
    assert code == 1 and "does not match its SHA-256" in err
    assert not list((laptop / "cache").rglob("*.tmp"))  # the staged files are gone


def test_a_manifest_path_that_would_escape_is_refused(pack, tmp_path, capsys) -> None:
    def escape(manifest):
        manifest["files"][0]["path"] = "../../../evil.txt"
        return manifest

    _edit_manifest(pack, escape)
    code, _, err = cli(capsys, tmp_path / "b", "pack", "import", str(pack))
    assert code == 1 and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "evil.txt").exists()
