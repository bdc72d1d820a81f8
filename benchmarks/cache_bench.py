"""Model cache speed: listing a large cache, and download throughput against a raw read.

Listing: a synthetic cache of 10,000 files over 200 models and 400 revisions, held both by our
cache (SQLite index + blobs + revision folders) and in huggingface_hub's own layout; we time
``ModelCache.tree()`` against ``huggingface_hub.scan_cache_dir`` on the same files.
Download: a 200 MB file from a local HTTP server, through ``ModelCache.fetch`` (stream, hash,
write, fsync, index) against reading the same URL raw with ``http.client`` (bytes discarded).

    python -m benchmarks.cache_bench [--size-mb 200] [--write]

``--write`` replaces this benchmark's section of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from huggingface_hub import scan_cache_dir

from inference_gui.cache import ModelCache
from inference_gui.hub import Hub

ROOT = Path(__file__).resolve().parents[1]
HEADING = "## Model cache: listing and download (issue 5)"
MODELS, REVISIONS_PER_MODEL, FILES_PER_REVISION = 200, 2, 25


def best_and_median(fn: Callable[[], object], repeats: int) -> tuple[float, float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def build_caches(base: Path) -> tuple[ModelCache, Path]:
    """The same 10,000 files in our cache and in a Hugging Face cache layout."""
    cache = ModelCache(base / "ours", 1 << 40)
    hf = base / "hf"
    for m in range(MODELS):
        repo = hf / f"models--org--model-{m:03d}"
        (repo / "refs").mkdir(parents=True)
        for r in range(REVISIONS_PER_MODEL):
            commit = hashlib.sha1(f"{m}-{r}".encode()).hexdigest()
            revision = f"v1.{r}.0"
            (repo / "refs" / ("main" if r == 0 else f"v{r}")).write_text(commit)
            for f in range(FILES_PER_REVISION):
                data = f"model {m} revision {r} file {f}".encode() * 8
                sha = hashlib.sha256(data).hexdigest()
                path = f"onnx/model_{f:02d}.onnx" if f % 2 else f"file_{f:02d}.json"
                blob = repo / "blobs" / sha
                blob.parent.mkdir(exist_ok=True)
                blob.write_bytes(data)
                link = repo / "snapshots" / commit / path
                link.parent.mkdir(parents=True, exist_ok=True)
                link.symlink_to(os.path.relpath(blob, link.parent))
                temp = cache.blobs.temp_path()
                temp.write_bytes(data)
                cache.add(
                    "bench.example",
                    f"org/model-{m:03d}",
                    revision,
                    path,
                    temp,
                    sha256=sha,
                    size=len(data),
                )
    return cache, hf


def bench_listing(base: Path) -> dict[str, float]:
    cache, hf = build_caches(base)
    tree = cache.tree()
    files = sum(len(r.files) for m in tree.models for r in m.revisions)
    revisions = sum(len(m.revisions) for m in tree.models)
    assert (len(tree.models), revisions, files) == (MODELS, MODELS * REVISIONS_PER_MODEL, 10_000)
    hf_info = scan_cache_dir(hf)
    assert sum(len(rev.files) for repo in hf_info.repos for rev in repo.revisions) == 10_000
    ours_best, ours_median = best_and_median(cache.tree, 7)
    hf_best, hf_median = best_and_median(lambda: scan_cache_dir(hf), 3)
    cache.close()
    return {
        "ours_ms": ours_median * 1000,
        "ours_best_ms": ours_best * 1000,
        "hf_ms": hf_median * 1000,
        "hf_best_ms": hf_best * 1000,
    }


def raw_read(url: str, into: Path | None = None) -> int:
    """Read ``url`` with http.client, discarding the bytes or (``into``) just writing them."""
    host, _, rest = url.removeprefix("http://").partition("/")
    name, _, port = host.partition(":")
    connection = http.client.HTTPConnection(name, int(port))
    connection.request("GET", "/" + rest)
    response = connection.getresponse()
    total = 0
    with open(into or os.devnull, "wb") as out:
        while chunk := response.read1(1 << 20):
            total += len(chunk)
            if into is not None:
                out.write(chunk)
    connection.close()
    return total


# The test hub in its own process, so its thread does not share our interpreter's lock.
SERVER = """
import sys, time
from pathlib import Path
from tests.support.http_hub import serve_hub
with serve_hub(Path(sys.argv[1])) as server:
    print(server.url, flush=True)
    sys.stdin.read()
"""


@contextmanager
def server_process(root: Path) -> Iterator[str]:
    child = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(root)],
        cwd=ROOT,
        text=True,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        yield child.stdout.readline().strip()  # type: ignore[union-attr]
    finally:
        child.stdin.close()  # type: ignore[union-attr]
        child.wait(10)


def bench_download(base: Path, size_mb: int) -> dict[str, float]:
    hub_root = base / "hub"
    target = hub_root / "org" / "big" / "v1.0.0" / "onnx" / "model.onnx_data"
    target.parent.mkdir(parents=True)
    with target.open("wb") as out:
        for _ in range(size_mb):
            out.write(os.urandom(1 << 20))
    size = target.stat().st_size
    expected = hashlib.sha256(target.read_bytes()).hexdigest()
    raw_times, written_times, ours_times = [], [], []
    with server_process(hub_root) as hub_url:
        url = hub_url + "org/big/v1.0.0/onnx/model.onnx_data"
        for attempt in range(3):
            start = time.perf_counter()
            assert raw_read(url) == size
            raw_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            assert raw_read(url, base / "raw-copy") == size
            written_times.append(time.perf_counter() - start)
            (base / "raw-copy").unlink()
            folder = base / f"cache-{attempt}"
            cache = ModelCache(folder, 1 << 40)
            start = time.perf_counter()
            shown = cache.fetch(Hub(hub_url), "org/big", "v1.0.0", "onnx/model.onnx_data")
            ours_times.append(time.perf_counter() - start)
            assert cache.store.all()[0].sha256 == expected and shown.stat().st_size == size
            cache.close()
            shutil.rmtree(folder)
    raw, written, ours = min(raw_times), min(written_times), min(ours_times)
    return {
        "size_mb": size / 1e6,
        "raw_mbps": size / raw / 1e6,
        "ours_mbps": size / ours / 1e6,
        "written_mbps": size / written / 1e6,
        "ratio": raw / ours,
        "written_ratio": written / ours,
    }


def report(listing: dict[str, float], download: dict[str, float]) -> str:
    speedup = listing["hf_ms"] / listing["ours_ms"]
    listing_met = listing["ours_ms"] < 100 and speedup >= 5
    download_met = download["ratio"] >= 0.9
    rows = [
        (
            "list 10,000 files / 200 models / 400 revisions (median of 7; scan: of 3)",
            f"{listing['ours_ms']:.1f} ms",
            f"scan_cache_dir {listing['hf_ms']:.1f} ms",
            f"{speedup:.1f}x faster",
            f"< 100 ms and >= 5x: {'met' if listing_met else 'NOT met'}",
        ),
        (
            f"download {download['size_mb']:.0f} MB from 127.0.0.1 (best of 3)",
            f"{download['ours_mbps']:.0f} MB/s",
            f"raw http.client read {download['raw_mbps']:.0f} MB/s",
            f"{download['ratio'] * 100:.0f}% of raw",
            f">= 90%: {'met' if download_met else 'NOT met'}",
        ),
        (
            "same download",
            f"{download['ours_mbps']:.0f} MB/s",
            f"raw read written to a file (no hash, no fsync) {download['written_mbps']:.0f} MB/s",
            f"{download['written_ratio'] * 100:.0f}% of it",
            "(floor set by the disk)",
        ),
    ]
    notes = (
        "Ours lists from the SQLite index (one query for files, one for usage links) and builds "
        "the tree; scan_cache_dir walks and stats every snapshot symlink and blob. Our download "
        "streams, hashes (SHA-256), writes, fsyncs, moves the file into place and indexes it; the "
        "raw read discards the bytes. The server runs in its own process on the same CPUs. The gap "
        "is the work a raw read skips: SHA-256 (~1.5 GB/s here), writing, and the fsync that makes "
        "a crash unable to leave a complete-looking file; a reader thread feeding a hash-and-write "
        "thread (with and without periodic fdatasync) was measured no faster on this machine, so "
        "the single loop stays. 90% of a read that discards its bytes is not reached."
    )
    return "\n".join(
        [
            HEADING,
            "",
            f"`python -m benchmarks.cache_bench --write` — {platform.machine()}, Python "
            f"{platform.python_version()}, {os.cpu_count()} CPUs; temp folder on the local disk.",
            "",
            "| measure | ours | reference | result | target |",
            "|---|---|---|---|---|",
            *("| " + " | ".join(row) + " |" for row in rows),
            "",
            notes,
            "",
        ]
    )


def write_section(text: str) -> None:
    path = ROOT / "BENCHMARKS.md"
    current = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"{re.escape(HEADING)}\n.*?(?=\n## |\Z)", re.DOTALL)
    if pattern.search(current):
        current = pattern.sub(lambda _m: text.rstrip("\n") + "\n", current)
    else:
        current = current.rstrip("\n") + "\n\n" + text
    path.write_text(current, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=200, help="download size in MB (200)")
    parser.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cache-bench-") as folder:
        base = Path(folder)
        listing = bench_listing(base / "listing")
        download = bench_download(base / "download", args.size_mb)
    text = report(listing, download)
    print(text)
    if args.write:
        write_section(text)


if __name__ == "__main__":
    main()
