"""A hub that lies, stalls or never answers: nothing wrong is stored, nothing hangs.

Each test names the attack it replays (issue 11). The server is the real test hub
(:mod:`tests.support.http_hub`) with its faults switched on; bounds on time are generous and only
prove "does not hang" (these waits used to last a minute or more, or forever).
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from inference_gui.cache import ModelCache
from inference_gui.cache.download import Retry
from inference_gui.cli.main import main
from inference_gui.errors import CacheError, Cancelled, HubError
from inference_gui.hub import Hub
from tests.paths import HUB
from tests.support.http_hub import HubServer, serve_hub

MODEL, REV = "tiny/bert-external", "v1.0.0"
DATA = "onnx/model.onnx_data"
SOURCE = HUB / "tiny" / "bert-external" / "v1.0.0"
NO_HANG = 10.0  # seconds; every wait below used to take a minute or more


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def server() -> Iterator[HubServer]:
    with serve_hub(HUB) as running:
        yield running


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[ModelCache]:
    opened = ModelCache(tmp_path / "cache", 10**9, retry=Retry(attempts=3, base_delay=0.01))
    yield opened
    opened.close()


def within(seconds: float, work: Callable[[], object]) -> BaseException | object:
    """Run ``work`` on a thread; its result or exception, failing the test if it runs too long."""
    outcome: list[object] = []

    def target() -> None:
        try:
            outcome.append(work())
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            outcome.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still waiting after {seconds} s"
    return outcome[0]


# -- 1. data integrity ----------------------------------------------------------------------------
def test_body_without_length_closed_early_is_not_complete(server, cache) -> None:
    """No Content-Length, connection closed half-way: the HEAD size shows it is short."""
    server.faults.add("no_length", times=None, method="GET")
    server.faults.add("cut", times=1)
    shown = cache.fetch(Hub(server.url), MODEL, REV, DATA)
    assert shown.read_bytes() == (SOURCE / DATA).read_bytes()


def test_a_get_announcing_fewer_bytes_than_the_listing_is_refused(server, capsys) -> None:
    server.faults.add("short_length", times=None, method="GET", path="model_quantized.onnx")
    code, _, err = fetch_cli(capsys, server, "--dtype", "q8")
    assert code == 1 and "model_quantized.onnx" in err and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err
    assert not [r for r in ls_files(capsys) if r.endswith("model_quantized.onnx")]


def test_a_listing_size_the_download_does_not_match_is_refused(server, capsys) -> None:
    server.faults.add("bad_length", times=None, method="HEAD", path="config.json")
    code, _, err = fetch_cli(capsys, server, "--dtype", "q8")
    assert code == 1 and "config.json" in err
    assert not [f for f in ls_files(capsys) if f.endswith("config.json")]


def test_a_short_answer_once_is_retried_into_an_intact_file(server, capsys) -> None:
    server.faults.add("short_length", times=1, method="GET", path="model_quantized.onnx")
    code, out, err = fetch_cli(capsys, server, "--dtype", "q8")
    assert code == 0, err
    onnx = next(Path(line) for line in out.splitlines() if line.endswith("model_quantized.onnx"))
    expected = HUB / "tiny" / "bert-embed" / "v1.0.0" / "onnx" / "model_quantized.onnx"
    assert onnx.read_bytes() == expected.read_bytes()


def test_the_size_limit_holds_while_streaming_a_body_of_unknown_length(server, tmp_path) -> None:
    server.faults.add("no_length", times=None)  # neither GET nor HEAD says how big
    small = ModelCache(tmp_path / "small", limit_bytes=100_000)
    with pytest.raises(CacheError, match="limit"):
        small.fetch(Hub(server.url), MODEL, REV, DATA)
    assert small.store.all() == [] and list(small.blobs.blobs.iterdir()) == []
    assert [p for p in small.blobs.tmp.rglob("*") if p.is_file() and p.suffix != ".lock"] == []
    small.close()


def test_a_resume_after_content_changed_under_the_same_etag_does_not_splice(tmp_path) -> None:
    root = tmp_path / "hub"
    folder = root / "acme" / "m" / "v1.0.0"
    folder.mkdir(parents=True)
    first, second = os.urandom(300_000), os.urandom(300_000)
    (folder / "model.bin").write_bytes(first)
    (tmp_path / "other.bin").write_bytes(second)
    with serve_hub(root) as server:
        server.faults.add("cut", times=1)
        once = ModelCache(tmp_path / "cache", 10**9, retry=Retry(attempts=1))
        with pytest.raises(HubError, match="partial download is kept"):
            once.fetch(Hub(server.url), "acme/m", "v1.0.0", "model.bin")
        once.close()
        server.swap("/acme/m/v1.0.0/model.bin", tmp_path / "other.bin")
        cache = ModelCache(tmp_path / "cache", 10**9)
        shown = cache.fetch(Hub(server.url), "acme/m", "v1.0.0", "model.bin")
        cache.close()
    assert sha(shown.read_bytes()) == sha(second)


def test_verify_checks_the_content_of_revision_folder_copies_and_repairs_them(
    server, cache
) -> None:
    shown = cache.fetch(Hub(server.url), MODEL, REV, "onnx/model.onnx")
    good = shown.read_bytes()
    shown.unlink()
    shown.write_bytes(bytes(len(good)))  # same size, other bytes, a new inode
    report = cache.verify()
    assert not report.ok and [f.kind for f in report.findings] == ["corrupt"]
    assert cache.verify(repair=True).repaired
    assert shown.read_bytes() == good and cache.verify().ok


def test_verify_skips_rehashing_unchanged_files_unless_asked_for_a_full_check(
    server, cache
) -> None:
    blob_path = cache.fetch(Hub(server.url), MODEL, REV, "onnx/model.onnx")
    old = time.time() - 3600
    os.utime(blob_path, (old, old))  # long unchanged: not racily fresh
    first = cache.verify()
    assert first.ok and first.hashed_bytes == blob_path.stat().st_size
    assert cache.verify().hashed_bytes == 0
    with blob_path.open("r+b") as handle:  # bit rot that keeps size, inode and mtime
        handle.write(b"\xff")
    os.utime(blob_path, (old, old))
    assert cache.verify().ok  # the fast path trusts the unchanged stamp …
    full = cache.verify(full=True)  # … and a full check does not
    assert [f.kind for f in full.findings] == ["corrupt"]


def test_a_truncated_index_is_rebuilt_from_blobs_and_folders_not_deleted(
    server, tmp_path, capsys
) -> None:
    code, _, err = fetch_cli(capsys, server, "--dtype", "q8")
    assert code == 0, err
    imported = tmp_path / "mine"
    imported.mkdir()
    (imported / "config.json").write_text('{"only": "copy"}')
    # not a model (config only): the import's model check would refuse it, so it is forced
    imp = ["cache", "import", str(imported), "--model", "me/m", "--revision", "v1.0.0", "--force"]
    assert main(imp) == 0
    capsys.readouterr()
    before = ls_files(capsys)
    index = Path(os.environ["INFERENCE_GUI_CACHE_DIR"]) / "index.sqlite"
    for leftover in index.parent.glob("index.sqlite-*"):
        leftover.unlink()
    index.write_bytes(b"")
    code, out, _ = run_cli(capsys, "cache", "verify")
    assert code == 1 and "unindexed" in out and "would be re-indexed" in out
    code, out, _ = run_cli(capsys, "cache", "verify", "--repair")
    assert code == 0
    assert ls_files(capsys) == before
    assert run_cli(capsys, "cache", "verify")[0] == 0


# -- 4. hangs and cancel --------------------------------------------------------------------------
def test_a_one_byte_drip_fails_in_bounded_time_with_a_clear_message(server, cache) -> None:
    server.faults.add("drip", times=None)
    server.faults.drip_delay = 0.5
    hub = Hub(server.url, timeout=1.0)
    outcome = within(NO_HANG, lambda: cache.fetch(hub, MODEL, REV, DATA))
    assert isinstance(outcome, HubError) and "too slowly" in outcome.message
    assert cache.store.all() == []


def test_cancel_is_prompt_while_the_hub_drips(server, cache) -> None:
    server.faults.add("drip", times=None)
    cancel = threading.Event()
    threading.Timer(0.5, cancel.set).start()
    outcome = within(NO_HANG, lambda: cache.fetch(Hub(server.url), MODEL, REV, DATA, cancel=cancel))
    assert isinstance(outcome, Cancelled)


def test_cancel_is_prompt_while_the_hub_never_answers(server, cache) -> None:
    server.faults.add("hang", times=None)
    cancel = threading.Event()
    threading.Timer(0.5, cancel.set).start()
    outcome = within(NO_HANG, lambda: cache.fetch(Hub(server.url), MODEL, REV, DATA, cancel=cancel))
    assert isinstance(outcome, Cancelled)


def test_a_hub_that_never_answers_is_named_and_given_up_on(server, cache) -> None:
    server.faults.add("hang", times=None)
    waiting: list[str] = []
    hub = Hub(server.url, timeout=1.0)
    hub.notify = waiting.append
    outcome = within(NO_HANG, lambda: hub.list_files(MODEL, REV))
    assert isinstance(outcome, HubError)
    assert "did not answer" in outcome.message and "127.0.0.1" in outcome.message
    assert server.count("HEAD") < 20  # the first silence is believed: no 50 probes x 3 tries
    assert waiting and "waiting for 127.0.0.1" in waiting[0].lower()


@pytest.mark.parametrize(
    "what",
    [
        ["cache", "fetch", "--model", MODEL, "--revision", REV, "--dtype", "fp32"],
        # run: the first fetch is config.json, read through a helper that takes no cancel event
        ["run", "--task", "feature-extraction", "--model", MODEL, "--revision", REV, "hi"],
    ],
    ids=["fetch", "run"],
)
def test_ctrl_c_ends_a_cli_fetch_promptly_and_quietly_even_twice(server, tmp_path, what) -> None:
    server.faults.add("drip", times=None, method="GET")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    command = [sys.executable, "-m", "inference_gui", "--hub", server.url, *what]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    while server.count("GET") == 0 and process.poll() is None:
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=NO_HANG)
    assert process.returncode == 130
    assert "Traceback" not in err and err.strip().splitlines() == ["inference-gui: interrupted."]


# -- 5. probes are retried like downloads ---------------------------------------------------------
def test_one_500_on_a_head_probe_does_not_fail_the_fetch(server, capsys) -> None:
    server.faults.add("error500", times=1, method="HEAD", path="config.json")
    code, out, err = fetch_cli(capsys, server, "--dtype", "q8")
    assert code == 0, err
    assert any(line.endswith("config.json") for line in out.splitlines())


# -- helpers --------------------------------------------------------------------------------------
def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def fetch_cli(capsys, server: HubServer, *args: str) -> tuple[int, str, str]:
    return run_cli(
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


def ls_files(capsys) -> list[str]:
    import json

    code, out, _ = run_cli(capsys, "cache", "ls", "--json")
    assert code == 0
    return sorted(
        f"{m['hub']}/{m['model']}/{r['revision']}/{f['path']}"
        for m in json.loads(out)["models"]
        for r in m["revisions"]
        for f in r["files"]
    )
