"""``inference-gui firefox ls|verify|profiles`` on the captured profile."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from inference_gui.cli.main import main
from tests.paths import FIXTURES, HUB

PROFILE = str(FIXTURES / "firefox-profile")


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_ls_prints_models_revisions_files_uses_and_totals(capsys) -> None:
    code, out, _ = run(capsys, "firefox", "ls", "--profile", PROFILE)
    assert code == 0
    assert "localhost/tiny/bert-sentiment  213.4 KiB" in out
    assert (
        "754 B  config.json  [tasks text-classification, zero-shot-classification; "
        "engines fixture-sentiment, fixture-zero-shot]" in out
    )
    assert "Firefox is not running" in out and "Total: 6 files, 215.2 KiB" in out


def test_ls_json_is_the_core_listing(capsys) -> None:
    code, out, _ = run(capsys, "firefox", "ls", "--profile", PROFILE, "--json")
    data = json.loads(out)
    assert code == 0 and data["total_size"] == 220318 and data["database_version"] == 6
    assert [m["model"] for m in data["models"]] == ["tiny/bert-embed", "tiny/bert-sentiment"]


def test_verify_against_the_hub_passes_and_exits_zero(capsys) -> None:
    code, out, _ = run(
        capsys, "--hub", str(HUB), "firefox", "verify", "--profile", PROFILE, "--against", "hub"
    )
    assert code == 0 and "6 identical, 0 differ, 0 damaged" in out


def test_a_missing_profile_is_one_line_and_exit_one(capsys, tmp_path: Path) -> None:
    code, out, err = run(capsys, "firefox", "ls", "--profile", str(tmp_path / "nope"))
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "does not exist" in err


@pytest.mark.skipif(sys.platform != "linux", reason="profiles.ini location is per OS")
def test_profiles_lists_the_users_profiles_ini(
    capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / ".config"))
    root = tmp_path / ".mozilla/firefox"
    root.mkdir(parents=True)
    (root / "profiles.ini").write_text("[Profile0]\nName=main\nIsRelative=1\nPath=p.main\n")
    code, out, _ = run(capsys, "firefox", "profiles", "--json")
    assert code == 0 and json.loads(out)["result"] == [  # a list goes under "result"
        {"name": "main", "path": str((root / "p.main").resolve()), "default": False}
    ]


def test_status_holds_the_records_against_what_the_profile_holds(capsys) -> None:
    """Records vs profile: the profile cached tiny/bert-embed's configs at v1.1.0 (the record's
    revision) but not its graph, and tiny/bert-sentiment at v1.0.0 while the record says main."""
    records = str(FIXTURES / "remote-settings" / "ml-inference-options.json")
    code, out, _ = run(
        capsys, "--settings-file", records, "--hub", str(HUB),
        "firefox", "status", "--profile", PROFILE, "tiny-embed", "tiny-sentiment", "--json",
    )  # fmt: skip
    assert code == 1  # named features that are not ready
    features = {f["feature"]: f for f in json.loads(out)["features"]}
    embed = {f["path"]: f["state"] for f in features["tiny-embed"]["files"]}
    assert embed["config.json"] == "cached" and embed["onnx/model_quantized.onnx"] == "missing"
    sentiment = features["tiny-sentiment"]
    assert any("moved tiny/bert-sentiment to main" in n for n in sentiment["notes"])
    assert {f["state"] for f in sentiment["files"]} >= {"stale"}
