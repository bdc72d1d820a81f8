"""Encoder overhead: our ``Engine.run`` against a bare ``InferenceSession.run`` on the same file.

Both run in the same process.

For feature-extraction (<org>/bert-embed, mean pooling + normalize) and text-classification
(<org>/bert-sentiment, top_k 3), at fp32 and q8 with one thread, a short and a model-maximum
input (as many tokens as the tokenizer's ``model_max_length``: 128 for the fixtures). The bare
side runs the engine's own session on input that was tokenised once beforehand; ours tokenises,
runs (guarded, with a cancel event as the GUI passes), and post-processes every call; the two take
turns. Reported: median per-call latency of each and our overhead.

    python -m benchmarks.engine_bench [--calls 300] [--hub DIR --org NAME] [--write]

The default is the fixture hub (org ``tiny``); ``--hub /tmp/real-size-hub --org bench`` runs the
BERT-base-sized models that ``benchmarks/make_real_size_models.py`` builds. ``--write`` puts the
table into this benchmark's section of BENCHMARKS.md (the fixture and real-size tables each keep
their own place there).
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

from benchmarks.engines import bare_session, bench_engine
from inference_gui.engine import RunInput
from inference_gui.engine.preprocess.text import TextTokenizer

ROOT = Path(__file__).resolve().parents[1]
HUB = ROOT / "tests" / "fixtures" / "hub"
HEADING = "## Encoders: engine run vs bare onnxruntime run (issue 6)"
SHORT = "The quick brown fox jumps over the lazy dog."
SENTENCE = "firefox runs machine learning models locally on your computer"
CASES = (
    ("feature-extraction", "bert-embed", {"pooling": "mean", "normalize": True}),
    ("text-classification", "bert-sentiment", {"top_k": 3}),
)


def medians_ms(fns: list[Callable[[], object]], calls: int) -> list[float]:
    """Median call time of each function; they take turns, so load from other processes on the
    machine falls on all of them alike."""
    for _ in range(max(3, calls // 10)):  # warm-up: first-run allocations
        for fn in fns:
            fn()
    samples: list[list[float]] = [[] for _ in fns]
    for _ in range(calls):
        for fn, own in zip(fns, samples, strict=True):
            start = time.perf_counter()
            fn()
            own.append((time.perf_counter() - start) * 1000)
    return [statistics.median(own) for own in samples]


def long_text(tokenizer: TextTokenizer) -> str:
    """SENTENCE repeated until the tokenizer's limit is passed, where it truncates."""
    limit = tokenizer.model_max_length or 128
    text = SENTENCE
    while len(tokenizer([text], truncation=False).input_ids[0]) <= limit:
        text = f"{text} {text}"
    return text


def measure(
    hub: Path, org: str, task: str, model: str, call: dict, dtype: str, long: bool, calls: int
) -> dict:
    engine = bench_engine(hub / org / model / "v1.0.0", task, dtype)
    engine.load()
    tokenizer = engine._loaded.task.resources.tokenizer
    text = long_text(tokenizer) if long else SHORT
    encoded = tokenizer([text])
    session = bare_session(hub / org / model / "v1.0.0", dtype)
    names = {i.name for i in session.get_inputs()}
    feeds = {k: v for k, v in encoded.feeds().items() if k in names}
    cancel = threading.Event()
    inputs = RunInput.text(text)
    bare, ours = medians_ms(
        [lambda: session.run(None, feeds), lambda: engine.run(inputs, call, cancel=cancel)], calls
    )
    return {
        "case": f"{org}/{model} {task} {dtype} {encoded.input_ids.shape[1]} tokens",
        "bare": bare,
        "ours": ours,
        "overhead": (ours - bare) / bare * 100,
    }


def table(rows: list[dict], command: str, calls: int) -> str:
    lines = [
        (
            f"`{command}` — medians of {calls} calls, one thread. {platform.machine()}, Python "
            f"{platform.python_version()}, onnxruntime {ort.__version__}."
        ),
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


def write_subsection(heading: str, label: str, text: str) -> None:
    """Put ``text`` under ``### label`` inside the BENCHMARKS.md section ``heading``, replacing
    that subsection only, so the section's prose and its other tables stay as written."""
    path = ROOT / "BENCHMARKS.md"
    current = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    block = f"### {label}\n\n{text.strip()}\n"
    if heading not in current:
        current = current.rstrip("\n") + f"\n\n{heading}\n\n"
    start = current.index(heading)
    section_end = current.find("\n## ", start + len(heading))
    section_end = len(current) if section_end < 0 else section_end + 1
    section = current[start:section_end]
    old = re.search(rf"^### {re.escape(label)}\n.*?(?=^### |\Z)", section, re.DOTALL | re.MULTILINE)
    if old:
        section = (
            section[: old.start()]
            + block
            + ("\n" if old.end() < len(section) else "")
            + section[old.end() :]
        )
    else:
        section = section.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(current[:start] + section + current[section_end:], encoding="utf-8")


def hub_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--hub", type=Path, default=HUB, help="hub folder (default: fixtures)")
    parser.add_argument("--org", default="tiny", help="org of the models in it (default: tiny)")


def label_for(org: str) -> str:
    return "fixture models" if org == "tiny" else f"real-size models ({org})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    hub_arguments(parser)
    parser.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    args = parser.parse_args()
    rows = [
        measure(args.hub, args.org, task, model, call, dtype, long, args.calls)
        for task, model, call in CASES
        for dtype in ("fp32", "q8")
        for long in (False, True)
    ]
    command = f"python -m benchmarks.engine_bench --calls {args.calls}"
    if args.hub != HUB:
        command += f" --hub {args.hub} --org {args.org}"
    report = table(rows, command, args.calls)
    print(report)
    if args.write:
        write_subsection(HEADING, label_for(args.org), report)


if __name__ == "__main__":
    main()
