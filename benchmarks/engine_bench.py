"""Encoder overhead: our ``Engine.run`` against a bare ``InferenceSession.run``, same file, same process.

For feature-extraction (tiny/bert-embed, mean pooling + normalize) and text-classification
(tiny/bert-sentiment, top_k 3), at fp32 and q8 with one thread, a short and a model-maximum (128
token) input. The bare side runs a session created with the same options on input that was
tokenised once beforehand; ours tokenises, runs (guarded, with a cancel event as the GUI passes),
and post-processes every call. Reported: median per-call latency of each and our overhead.

    python -m benchmarks.engine_bench [--calls 300] [--write]

``--write`` replaces this benchmark's section of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import platform
import re
import statistics
import threading
import time
from collections.abc import Callable
from pathlib import Path

import onnxruntime as ort

from inference_gui.engine import EngineOptions, RunInput, create_engine
from inference_gui.engine.session import create_session
from inference_gui.engine.sources import folder_hub

ROOT = Path(__file__).resolve().parents[1]
HUB = ROOT / "tests" / "fixtures" / "hub"
HEADING = "## Encoders: engine run vs bare onnxruntime run (issue 6)"
SHORT = "The quick brown fox jumps over the lazy dog."
LONG = " ".join(["firefox runs machine learning models locally on your computer"] * 20)
CASES = (
    ("feature-extraction", "bert-embed", {"pooling": "mean", "normalize": True}),
    ("text-classification", "bert-sentiment", {"top_k": 3}),
)


def median_ms(fn: Callable[[], object], calls: int) -> float:
    for _ in range(20):
        fn()
    samples = []
    for _ in range(calls):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def measure(task: str, model: str, call: dict, dtype: str, text: str, calls: int) -> dict:
    options = EngineOptions(
        task=task, model_id=f"tiny/{model}", revision="v1.0.0", dtype=dtype, num_threads=1
    )
    engine = create_engine(options, folder_hub(HUB))
    engine.load()
    tokenizer = engine._loaded.task.resources.tokenizer  # noqa: SLF001 - same tokenizer, once
    encoded = tokenizer([text])
    path = HUB / "tiny" / model / "v1.0.0" / [f for f in engine.files if f.startswith("onnx/")][0]
    session: ort.InferenceSession = create_session(path, 1)
    names = {i.name for i in session.get_inputs()}
    feeds = {k: v for k, v in encoded.feeds().items() if k in names}
    cancel = threading.Event()
    inputs = RunInput.text(text)
    bare = median_ms(lambda: session.run(None, feeds), calls)
    ours = median_ms(lambda: engine.run(inputs, call, cancel=cancel), calls)
    return {
        "case": f"{task} {dtype} {encoded.input_ids.shape[1]} tokens",
        "bare": bare,
        "ours": ours,
        "overhead": (ours - bare) / bare * 100,
    }


def table(rows: list[dict], calls: int) -> str:
    lines = [
        HEADING,
        "",
        f"`python -m benchmarks.engine_bench --calls {calls}` — medians of {calls} calls, one "
        f"thread. {platform.machine()}, Python {platform.python_version()}, onnxruntime "
        f"{ort.__version__}.",
        "",
        "| case | bare run ms | our run ms | overhead |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {r['case']} | {r['bare']:.3f} | {r['ours']:.3f} | {r['overhead']:+.1f}% "
        f"(+{(r['ours'] - r['bare']) * 1000:.0f} µs) |"
        for r in rows
    ]
    return "\n".join(lines) + "\n"


def write_section(text: str) -> None:
    path = ROOT / "BENCHMARKS.md"
    current = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"{re.escape(HEADING)}\n.*?(?=\n## |\Z)", re.S)
    if pattern.search(current):
        current = pattern.sub(lambda _m: text.rstrip("\n") + "\n", current)
    else:
        current = current.rstrip("\n") + "\n\n" + text
    path.write_text(current, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    args = parser.parse_args()
    rows = [
        measure(task, model, call, dtype, text, args.calls)
        for task, model, call in CASES
        for dtype in ("fp32", "q8")
        for text in (SHORT, LONG)
    ]
    report = table(rows, args.calls)
    print(report)
    if args.write:
        write_section(report)


if __name__ == "__main__":
    main()
