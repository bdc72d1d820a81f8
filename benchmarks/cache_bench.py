"""Model cache speed: listing a large cache, and download throughput against a raw read.

Listing: a synthetic cache of 10,000 files over 200 models and 400 revisions, held both by our
cache (SQLite index + blobs + revision folders) and in huggingface_hub's own layout; we time
``ModelCache.tree()`` against ``huggingface_hub.scan_cache_dir`` on the same files.
Download: a 200 MB file from a local HTTP server, through ``ModelCache.fetch`` (stream, hash,
write, fsync, index) against reading the same URL raw with ``http.client`` (bytes discarded, same
1 MiB ``readinto`` buffer). One server process serves every run; a warm-up read puts the file in
the page cache; the three kinds of run are interleaved, repeated, and reported as median and best.
Beside them, single-core SHA-256 speed: no download that hashes every byte can beat it.

    python -m benchmarks.cache_bench [--size-mb 200] [--repeats 7] [--download-only] [--write]

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
from inference_gui.cache.blobs import CHUNK
from inference_gui.hub import Hub

ROOT = Path(__file__).resolve().parents[1]
HEADING = "## Model cache: listing and download (issue 5)"
MODELS, REVISIONS_PER_MODEL, FILES_PER_REVISION = 200, 2, 25
NOTES = (
    "Ours lists from the SQLite index (one query for files, one for usage links) and builds the "
    "tree; scan_cache_dir walks and stats every snapshot symlink and blob. Our download reads into "
    "four reused 1 MiB buffers while a helper thread hashes (SHA-256) and writes the previous one, "
    "asks the kernel to start writeback every 16 MiB (sync_file_range) so the closing fsync finds "
    "little left to do, then moves the file into place and indexes it; the raw read discards the "
    "bytes. The server runs in its own process on the same CPUs. No download that hashes every "
    "byte can be faster than one core hashes (the last row: SHA-256 of one stream cannot be split "
    "across cores), so wherever that row is under 90% of the raw read, 90% is out of reach; on "
    "top of the hash our download copies every byte into the page cache (the middle row), and with "
    "2 CPUs shared by the server, the reader, the hash-and-write thread and any other job (see the "
    "load average), the threads overlap only as far as a CPU is free. The raw read itself swings "
    "between about 1.0 and 2.0 GB/s from run to run, hence both median and best: pinned with "
    "sched_setaffinity it reads 1.5-2.0 GB/s when the server and the reader share one CPU (the "
    "copied bytes stay in that CPU's cache) and 1.0-1.2 GB/s when they run on different CPUs, and "
    "the scheduler puts them together mostly when another job holds the other CPU, which is just "
    "when our threads cannot overlap; the ratio is therefore lowest when the machine is busiest. "
    "In five back-to-back pairs of runs "
    "within the hour (medians of 7, load average 1.7-2.6 from other jobs), the previous single "
    "loop (read, write, hash, fsync at the end) measured 374, 525, 477, 509 and 636 MB/s and this "
    "pipeline 619, 936, 530, 623 and 923 MB/s: 11% to 78% faster in every pair. "
    "Measured and dropped: 4 MiB buffers, separate hash and write threads (no faster on 2 CPUs), "
    "periodic fdatasync instead of sync_file_range (no faster than no hint at all)."
)


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
    buffer = bytearray(CHUNK)
    view = memoryview(buffer)
    total = 0
    with open(into or os.devnull, "wb") as out:
        while count := response.readinto(buffer):
            total += count
            if into is not None:
                out.write(view[:count])
    connection.close()
    return total


def sha256_speed(megabytes: int = 256) -> float:
    """Bytes per second one core hashes in CHUNK-sized updates (best of 3)."""
    chunk = os.urandom(CHUNK)
    best = float("inf")
    for _ in range(3):
        digest = hashlib.sha256()
        start = time.perf_counter()
        for _ in range(megabytes):
            digest.update(chunk)
        best = min(best, time.perf_counter() - start)
    return megabytes * CHUNK / best


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


def bench_download(base: Path, size_mb: int, repeats: int) -> dict[str, float]:
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
        assert raw_read(url) == size  # warm-up: server file in the page cache, server code hot
        for attempt in range(repeats):
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
    result = {"size_mb": size / 1e6, "repeats": repeats, "sha256_mbps": sha256_speed() / 1e6}
    for name, times in (("raw", raw_times), ("written", written_times), ("ours", ours_times)):
        result[f"{name}_mbps"] = size / statistics.median(times) / 1e6
        result[f"{name}_best_mbps"] = size / min(times) / 1e6
    result["ratio"] = result["ours_mbps"] / result["raw_mbps"]
    result["best_ratio"] = result["ours_best_mbps"] / result["raw_best_mbps"]
    result["written_ratio"] = result["ours_mbps"] / result["written_mbps"]
    result["sha256_ratio"] = result["sha256_mbps"] / result["raw_mbps"]
    return result


def report(listing: dict[str, float] | None, download: dict[str, float], load: float) -> str:
    rows = []
    if listing is not None:
        speedup = listing["hf_ms"] / listing["ours_ms"]
        listing_met = listing["ours_ms"] < 100 and speedup >= 5
        rows.append(
            (
                "list 10,000 files / 200 models / 400 revisions (median of 7; scan: of 3)",
                f"{listing['ours_ms']:.1f} ms",
                f"scan_cache_dir {listing['hf_ms']:.1f} ms",
                f"{speedup:.1f}x faster",
                f"< 100 ms and >= 5x: {'met' if listing_met else 'NOT met'}",
            )
        )
    d = download
    rows += [
        (
            f"download {d['size_mb']:.0f} MB from 127.0.0.1, median (best) of {d['repeats']:.0f}",
            f"{d['ours_mbps']:.0f} ({d['ours_best_mbps']:.0f}) MB/s",
            f"raw http.client read {d['raw_mbps']:.0f} ({d['raw_best_mbps']:.0f}) MB/s",
            f"{d['ratio'] * 100:.0f}% ({d['best_ratio'] * 100:.0f}%) of raw",
            f">= 90%: {'met' if d['ratio'] >= 0.9 else 'NOT met'}",
        ),
        (
            "same download",
            f"{d['ours_mbps']:.0f} MB/s",
            f"raw read written to a file (no hash, no fsync) {d['written_mbps']:.0f} MB/s",
            f"{d['written_ratio'] * 100:.0f}% of it",
            "",
        ),
        (
            "SHA-256 on one core (hashlib, 1 MiB updates)",
            f"{d['sha256_mbps']:.0f} MB/s",
            f"raw read {d['raw_mbps']:.0f} MB/s",
            f"{d['sha256_ratio'] * 100:.0f}% of raw",
            "ceiling for any download that hashes every byte",
        ),
    ]
    return "\n".join(
        [
            HEADING,
            "",
            (
                f"`python -m benchmarks.cache_bench --write` — {platform.machine()}, Python "
                f"{platform.python_version()}, {os.cpu_count()} CPUs, load average {load:.2f} at "
                "the start; temp folder on the local disk."
            ),
            "",
            "| measure | ours | reference | result | target |",
            "|---|---|---|---|---|",
            *("| " + " | ".join(row) + " |" for row in rows),
            "",
            NOTES,
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
    parser.add_argument("--repeats", type=int, default=7, help="runs of each download kind (7)")
    parser.add_argument("--download-only", action="store_true", help="skip the listing benchmark")
    parser.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    args = parser.parse_args()
    if args.write and args.download_only:
        parser.error("--write needs the whole benchmark; drop --download-only")
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="cache-bench-") as folder:
        base = Path(folder)
        listing = None if args.download_only else bench_listing(base / "listing")
        download = bench_download(base / "download", args.size_mb, args.repeats)
    text = report(listing, download, load)
    print(text)
    if args.write:
        write_section(text)


if __name__ == "__main__":
    main()
