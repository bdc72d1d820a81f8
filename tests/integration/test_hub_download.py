"""Downloads against a real HTTP server on 127.0.0.1, including its fault modes."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from inference_gui.cache import ModelCache
from inference_gui.cache.download import OVERLAP, Retry
from inference_gui.errors import CacheError, Cancelled, HubError
from inference_gui.hub import Hub
from inference_gui.jobs import Progress
from tests.paths import HUB
from tests.support.http_hub import HubServer, serve_hub

MODEL, REV = "tiny/bert-external", "v1.0.0"
DATA = "onnx/model.onnx_data"
SOURCE = HUB / "tiny" / "bert-external" / "v1.0.0"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def server() -> Iterator[HubServer]:
    with serve_hub(HUB) as running:
        yield running


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[ModelCache]:
    opened = ModelCache(tmp_path / "cache", 10**9, retry=Retry(attempts=4, base_delay=0.01))
    yield opened
    opened.close()


def entry(cache: ModelCache, path: str = DATA):
    rows = [r for r in cache.store.all() if r.path == path]
    return rows[0] if rows else None


def test_fetch_streams_hashes_and_shows_external_data_beside_its_graph(server, cache) -> None:
    hub = Hub(server.url)
    seen: list[Progress] = []
    graph = cache.fetch(hub, MODEL, REV, "onnx/model.onnx", used_by="task:feature-extraction")
    data = cache.fetch(hub, MODEL, REV, DATA, progress=seen.append)
    assert data.read_bytes() == (SOURCE / DATA).read_bytes()
    assert data.parent == graph.parent and data.name == "model.onnx_data"
    assert entry(cache).sha256 == sha(SOURCE / DATA)
    assert entry(cache, "onnx/model.onnx").used_by == ("task:feature-extraction",)
    assert seen[-1].done == seen[-1].total == (SOURCE / DATA).stat().st_size
    assert cache.has(hub, MODEL, REV, DATA)


def test_body_cut_midway_resumes_with_range_for_only_the_missing_bytes(server, cache) -> None:
    """… plus a short overlap re-read, which checks the bytes held are still the hub's."""
    server.faults.add("cut", times=1)
    shown = cache.fetch(Hub(server.url), MODEL, REV, DATA)
    size = (SOURCE / DATA).stat().st_size
    ranges = [r for m, p, r in server.requests if p.endswith(DATA)]
    assert ranges == [None, f"bytes={size // 2 - OVERLAP}-"]
    assert server.body_bytes_sent == size + OVERLAP
    assert sha(shown) == sha(SOURCE / DATA)


@pytest.mark.parametrize("fault", ["error500", "reset", "bad_length"])
def test_transient_faults_are_retried_and_the_result_is_intact(server, cache, fault) -> None:
    server.faults.add(fault, times=1)
    shown = cache.fetch(Hub(server.url), MODEL, REV, DATA)
    assert sha(shown) == sha(SOURCE / DATA) == entry(cache).sha256
    assert server.count("GET") >= 2


def test_server_ignoring_range_restarts_cleanly(server, cache) -> None:
    server.faults.add("cut", times=1)
    server.faults.add("ignore_range", times=None)
    shown = cache.fetch(Hub(server.url), MODEL, REV, DATA)
    assert sha(shown) == sha(SOURCE / DATA)


def test_persistent_5xx_gives_up_with_a_clear_error_and_no_entry(server, cache) -> None:
    server.faults.add("error500", times=None)
    with pytest.raises(HubError, match="failed 4 times"):
        cache.fetch(Hub(server.url), MODEL, REV, DATA)
    assert cache.store.all() == []


def test_cancel_on_a_slow_server_leaves_no_entry_then_resumes(server, cache) -> None:
    server.faults.add("slow", times=1)
    cancel = threading.Event()

    def progress(p: Progress) -> None:
        if p.done > 16_000:
            cancel.set()

    with pytest.raises(Cancelled):
        cache.fetch(Hub(server.url), MODEL, REV, DATA, progress=progress, cancel=cancel)
    assert entry(cache) is None and not cache.has(Hub(server.url), MODEL, REV, DATA)
    assert list(cache.blobs.blobs.iterdir()) == []
    shown = cache.fetch(Hub(server.url), MODEL, REV, DATA)
    assert sha(shown) == sha(SOURCE / DATA)
    assert server.requests[-1][2] is not None  # the second attempt asked only for the rest


def test_404_and_403_name_the_file_revision_and_model(server, cache) -> None:
    with pytest.raises(
        HubError, match=r"onnx/nope\.onnx is not in revision v1\.0\.0 of model tiny/bert-external"
    ):
        cache.fetch(Hub(server.url), MODEL, REV, "onnx/nope.onnx")
    server.faults.add("forbidden", times=1)
    with pytest.raises(HubError, match="refused access"):
        cache.fetch(Hub(server.url), MODEL, REV, DATA)
    assert cache.store.all() == []


def test_offline_makes_no_request_and_names_the_missing_file(server, cache) -> None:
    with pytest.raises(CacheError, match=r"onnx/model\.onnx_data of tiny/bert-external.*offline"):
        cache.fetch(Hub(server.url), MODEL, REV, DATA, offline=True)
    cache.fetch(Hub(server.url), MODEL, REV, DATA)
    before = server.count()
    assert cache.fetch(Hub(server.url, offline=True), MODEL, REV, DATA).is_file()
    assert server.count() == before


def test_pinned_revision_is_served_with_no_request_and_touches_last_used(server, cache) -> None:
    cache.fetch(Hub(server.url), MODEL, REV, DATA)
    first = entry(cache).last_used
    before = server.count()
    cache.fetch(Hub(server.url), MODEL, REV, DATA, used_by="feature:tiny-embed-external")
    assert server.count() == before
    assert entry(cache).last_used > first
    assert entry(cache).used_by == ("feature:tiny-embed-external",)


def test_main_is_revalidated_by_etag_and_falls_back_to_the_cache_when_unreachable(cache) -> None:
    with serve_hub(HUB) as server:
        shown = cache.fetch(Hub(server.url), "tiny/bert-sentiment", "main", "config.json")
        cache.fetch(Hub(server.url), "tiny/bert-sentiment", "main", "config.json")
        assert server.count("GET") == 2 and server.body_bytes_sent == shown.stat().st_size
        url = server.url
    assert cache.fetch(Hub(url), "tiny/bert-sentiment", "main", "config.json") == shown


def test_main_changed_upstream_is_downloaded_again(tmp_path, cache) -> None:
    root = tmp_path / "hub"
    target = root / "tiny" / "m" / "main" / "config.json"
    target.parent.mkdir(parents=True)
    target.write_text('{"v": 1}')
    with serve_hub(root) as server:
        assert (
            cache.fetch(Hub(server.url), "tiny/m", "main", "config.json").read_text() == '{"v": 1}'
        )
        target.write_text('{"v": 22}')
        shown = cache.fetch(Hub(server.url), "tiny/m", "main", "config.json")
    assert shown.read_text() == '{"v": 22}'
    assert len(list(cache.blobs.blobs.iterdir())) == 1  # the old content is gone


def test_size_limit_is_checked_before_any_byte_is_written(server, tmp_path) -> None:
    small = ModelCache(tmp_path / "small", limit_bytes=100_000)
    with pytest.raises(CacheError, match="limit"):
        small.fetch(Hub(server.url), MODEL, REV, DATA)
    assert [p for p in small.blobs.tmp.rglob("*.part")] == []
    assert [p for p in small.blobs.tmp.glob("*") if p.is_file()] == []
    assert small.store.all() == [] and list(small.blobs.blobs.iterdir()) == []
    small.close()


def test_local_folder_hub_and_converter_output_without_revision(tmp_path, cache) -> None:
    assert cache.fetch(Hub(HUB), MODEL, REV, DATA).read_bytes() == (SOURCE / DATA).read_bytes()
    converted = tmp_path / "out" / "acme" / "conv"
    (converted / "onnx").mkdir(parents=True)
    (converted / "config.json").write_text("{}")
    (converted / "onnx" / "model.onnx").write_bytes(b"graph")
    hub = Hub(tmp_path / "out")
    assert [f.path for f in hub.list_files("acme/conv", "v1.0.0")] == [
        "config.json",
        "onnx/model.onnx",
    ]
    assert cache.fetch(hub, "acme/conv", "v1.0.0", "onnx/model.onnx").read_bytes() == b"graph"
