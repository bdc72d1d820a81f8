"""Real processes: one killed mid-download, and two fetching and deleting at the same time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from inference_gui.cache import ModelCache
from inference_gui.cache.download import OVERLAP
from inference_gui.hub import Hub
from tests.paths import HUB
from tests.support.http_hub import serve_hub

ROOT = Path(__file__).resolve().parents[2]
DATA = "onnx/model.onnx_data"
SOURCE = HUB / "tiny" / "bert-external" / "v1.0.0"

FETCH_ONE = """
import sys
from pathlib import Path
from inference_gui.cache import ModelCache
from inference_gui.hub import Hub
cache = ModelCache(Path(sys.argv[1]), 10**9)
cache.fetch(Hub(sys.argv[2]), "tiny/bert-external", "v1.0.0", sys.argv[3])
"""

CHURN = """
import sys, time
from pathlib import Path
from inference_gui.cache import ModelCache
from inference_gui.errors import AppError
from inference_gui.hub import Hub
cache, hub, role = ModelCache(Path(sys.argv[1]), 10**9), Hub(sys.argv[2]), sys.argv[3]
files = ["config.json", "tokenizer.json", "onnx/model.onnx", "onnx/model.onnx_data"]
deadline = time.monotonic() + float(sys.argv[4])
rounds = 0
while time.monotonic() < deadline:
    rounds += 1
    for revision in ("v1.0.0", "main"):
        if role == "fetch":
            for path in files:
                try:
                    shown = cache.fetch(hub, "tiny/bert-sentiment", revision, "config.json")
                    shown = cache.fetch(hub, "tiny/bert-external", "v1.0.0", path)
                    assert shown.stat().st_size > 0
                except FileNotFoundError:
                    pass  # deleted by the other process between fetch and stat: allowed
        else:
            cache.delete(cache.plan_delete(model="tiny/bert-external"))
            cache.delete(cache.plan_delete(model="tiny/bert-sentiment", revision=revision))
print(rounds)
"""


def python(code: str, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        env=env,
        cwd=ROOT,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def wait_for(condition, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.02)


def test_a_process_killed_mid_download_leaves_nothing_that_looks_complete(tmp_path) -> None:
    cache_dir = tmp_path / "cache"
    with serve_hub(HUB) as server:
        server.faults.add("slow", times=1)
        child = python(FETCH_ONE, str(cache_dir), server.url, DATA)

        def parts() -> list[Path]:
            return [p for p in (cache_dir / "tmp").glob("*.part") if p.stat().st_size > 8192]

        wait_for(lambda: (cache_dir / "tmp").is_dir() and bool(parts()))
        child.send_signal(signal.SIGKILL)
        child.wait(10)
        cache = ModelCache(cache_dir, 10**9)
        hub = Hub(server.url)
        assert cache.store.all() == [] and not cache.has(hub, "tiny/bert-external", "v1.0.0", DATA)
        assert list(cache.blobs.blobs.iterdir()) == []
        assert [p for p in cache.blobs.models.rglob("*") if p.is_file()] == []
        assert [f.kind for f in cache.verify().findings] == ["partial"]
        held = parts()[0].stat().st_size
        shown = cache.fetch(hub, "tiny/bert-external", "v1.0.0", DATA)
        # the new process resumed where it died, re-reading a short overlap first
        assert server.requests[-1][2] == f"bytes={held - OVERLAP}-"
    assert shown.read_bytes() == (SOURCE / DATA).read_bytes()
    assert cache.verify().ok
    cache.close()


def test_two_processes_fetching_and_deleting_at_once_leave_a_consistent_cache(tmp_path) -> None:
    cache_dir = tmp_path / "cache"
    hub = Hub(HUB)
    fetcher = python(CHURN, str(cache_dir), str(HUB), "fetch", "3")
    deleter = python(CHURN, str(cache_dir), str(HUB), "delete", "3")
    for child in (fetcher, deleter):
        out, err = child.communicate(timeout=60)
        assert child.returncode == 0, err
        assert int(out) > 1
    cache = ModelCache(cache_dir, 10**9)
    report = cache.verify()
    assert report.ok, report.findings
    for row in cache.store.all():
        assert (
            cache.shown_path(row).read_bytes()
            == (HUB / row.model / row.revision / row.path).read_bytes()
        )
    cache.fetch(hub, "tiny/bert-external", "v1.0.0", "onnx/model.onnx")
    assert cache.verify().ok
    cache.close()
