"""The log tells the story: each fetch, run, verify, deletion and sync leaves an Info line.

Run through the real entry point, which logs into the app's log file (the Log pane shows the same
records through its handler on the root logger; see the Records pane test).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from inference_gui.cli.main import main
from inference_gui.records import INFERENCE_OPTIONS
from tests.paths import HUB, REMOTE_SETTINGS
from tests.support.http_hub import serve_hub

OPTIONS = json.loads((REMOTE_SETTINGS / "ml-inference-options.json").read_text())
MODEL = ("--model", "tiny/bert-embed", "--revision", "v1.0.0", "--dtype", "q8")


@pytest.fixture
def hub_url():
    with serve_hub(HUB) as running:
        yield running.url


def info_lines(capsys, *argv: str) -> list[str]:
    """Run one command; the Info lines it added to the log file."""
    log_file = Path(os.environ["INFERENCE_GUI_LOG_DIR"]) / "inference-gui.log"
    before = log_file.read_text() if log_file.exists() else ""
    code = main(list(argv))
    _, err = capsys.readouterr()
    assert code == 0, err
    added = log_file.read_text()[len(before) :]
    return [line.split(": ", 1)[1] for line in added.splitlines() if " INFO " in line]


def test_fetch_run_verify_delete_each_leave_an_info_line(capsys, hub_url) -> None:
    fetched = info_lines(capsys, "--hub", hub_url, "cache", "fetch", *MODEL)
    assert any(
        re.fullmatch(
            rf"fetched onnx/model_quantized.onnx of tiny/bert-embed at v1.0.0 from \S+: "
            rf"{(HUB / 'tiny/bert-embed/v1.0.0/onnx/model_quantized.onnx').stat().st_size} bytes "
            r"in [\d.]+ s",
            line,
        )
        for line in fetched
    ), fetched
    ran = info_lines(capsys, "--hub", hub_url, "run", "--task", "feature-extraction", *MODEL, "hi")
    [run_line] = [line for line in ran if line.startswith("ran ")]
    assert run_line.startswith("ran feature-extraction on tiny/bert-embed@v1.0.0, dtype q8: ")
    assert re.search(r"\b\w+ [\d.]+ ms\b", run_line) and "memory" in run_line
    verified = info_lines(capsys, "cache", "verify")
    assert any(line.startswith("verified the cache: ") for line in verified), verified
    total = json.loads((main(["cache", "ls", "--json"]), capsys.readouterr().out)[1])["total_size"]
    deleted = info_lines(capsys, "cache", "rm", "--model", "tiny/bert-embed", "--yes")
    assert any(
        line.startswith("deleted ") and line.endswith(f", {total} bytes freed") for line in deleted
    ), deleted


def test_repair_logs_each_finding(capsys, hub_url) -> None:
    info_lines(capsys, "--hub", hub_url, "cache", "fetch", *MODEL)
    blob = next((Path(os.environ["INFERENCE_GUI_CACHE_DIR"]) / "blobs").iterdir())
    blob.write_bytes(b"broken")
    repaired = info_lines(capsys, "cache", "verify", "--repair")
    assert repaired[0].startswith("repaired the cache: ") and "1 findings" in repaired[0]
    assert repaired[1].lstrip().startswith("corrupt ")


def test_sync_leaves_an_info_line_per_collection(capsys, real_kinto) -> None:
    real_kinto.publish(INFERENCE_OPTIONS, OPTIONS["changes"])
    code = main(["--settings-server", real_kinto.url, "records", "sync"])
    capsys.readouterr()
    assert code == 1  # the other collections are not on this server
    log_file = Path(os.environ["INFERENCE_GUI_LOG_DIR"]) / "inference-gui.log"
    lines = [line for line in log_file.read_text().splitlines() if " INFO " in line]
    assert any(
        f"synced {INFERENCE_OPTIONS} from {real_kinto.url}: {len(OPTIONS['changes'])} records"
        in line
        for line in lines
    )
    assert any("synced ml-onnx-runtime" in line and "has no collection" in line for line in lines)
