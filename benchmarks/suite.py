"""The performance suite of issue 17: start-up, and ours vs Transformers.js vs bare onnxruntime.

One command; writes its section of BENCHMARKS.md and a JSON report. Never run by CI or the tests
(minutes of work, and it needs Node and a Transformers.js install outside the repo)::

    npm install --prefix /tmp/tjs --ignore-scripts @huggingface/transformers@4.3.1
    python -m benchmarks.suite --hub /tmp/real-size-hub --model bench/minilm-embed \\
        --tjs /tmp/tjs/node_modules [--rounds 3] [--calls 30] [--write]

(``--ignore-scripts``: onnxruntime-node's install script fetches GPU binaries from the network; the
CPU ones ship in the package.) The model is any feature-extraction model of the hub in
Transformers.js layout; ``benchmarks/make_real_size_models.py minilm-embed`` builds an
all-MiniLM-L6-v2-sized one.

Encoders: feature-extraction with mean pooling + normalize, one thread, fp32 and q8; a
13-word sentence (batch 1) and 32 sentences of 3-48 words (batch 32). Per round, each competitor
makes its warm-up calls, then its calls in a block of its own, as a real caller makes them back to
back (the bare session holds its own copy of the weights, and a call of another between two of
ours would evict ours); the blocks' order flips each round, so load from the other processes on
the machine falls on all alike; a round's figure is each one's median, the
report the median of the rounds. "bare" is ``InferenceSession.run`` of a plain session of the same
file (the app's session options, none of the engine's load-time graph edits) on input tokenised
once beforehand, padded as one batch; Transformers.js runs in a Node worker
(benchmarks/tjs_worker.mjs) that times its own pipeline calls.

Generation: greedy, 64 new tokens, time to first token and decode tokens/s on the chat fixture and,
when the hub has them, ``bench/gpt2`` and ``bench/qwen2.5-0.5b-chat`` (``make_real_size_models.py
gpt2 qwen2.5-0.5b-chat``). Memory: RSS after load + one call per dtype, each in a fresh process.
Cache: benchmarks/cache_bench.py's listing (10,000 files vs ``scan_cache_dir``) and download
(127.0.0.1 vs a raw read). Start-up: ``--version`` and ``--help`` as subprocesses, taking turns
with a bare ``python -c pass``, and the window (benchmarks/window_startup.py).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort

from benchmarks.engine_bench import write_subsection
from benchmarks.engines import bare_session, bench_engine
from inference_gui.engine import RunInput
from inference_gui.engine.generation.decoder import Decoder
from inference_gui.engine.session import create_session
from inference_gui.layout import onnx_path

ROOT = Path(__file__).resolve().parents[1]
HEADING = "## Suite: ours vs Transformers.js vs bare onnxruntime, start-up (issue 17)"
SENTENCE = "The quick brown fox jumps over the lazy dog near the river bank."
PROSE = (
    "firefox runs machine learning models locally on your computer while the quick brown fox "
    "jumps over the lazy dog and a long review goes on about the plot the actors and the music"
)
CALL = {"pooling": "mean", "normalize": True}
NEW_TOKENS = 64
# greedy, and exactly NEW_TOKENS tokens on both sides (min_new_tokens holds end-of-sequence back)
GENERATE = {"max_new_tokens": NEW_TOKENS, "min_new_tokens": NEW_TOKENS, "do_sample": False}
PROMPT = "Once upon a time, in a small village by the sea,"
FIXTURE_HUB = ROOT / "tests" / "fixtures" / "hub"
DTYPES = ("fp32", "q8")


def mixed_batch(rows: int = 32, seed: int = 0) -> list[str]:
    """Sentences of 3 to 48 words, fixed by the seed, so every run benches the same batch."""
    rng = random.Random(seed)
    words = PROSE.split()
    lengths = [3, 4, 5, 6, 8, 10, 12, 16, 24, 32, 48]
    return [" ".join(rng.choice(words) for _ in range(rng.choice(lengths))) for _ in range(rows)]


class TjsWorker:
    """A Node process holding one Transformers.js pipeline; ``call`` returns its own timing."""

    def __init__(
        self,
        modules: Path,
        folder: Path,
        dtype: str,
        threads: int,
        task: str = "feature-extraction",
    ) -> None:
        script = Path(__file__).with_name("tjs_worker.mjs")
        self.process = subprocess.Popen(
            ["node", str(script), str(modules), str(folder), task, dtype, str(threads)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.load_ms = float(self._reply()["load_ms"])

    def _reply(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the Transformers.js worker exited; see its error above")
        return json.loads(line)

    def call(
        self,
        texts: list[str],
        options: dict[str, Any] = CALL,
        echo: bool = False,
        ttft: bool = False,
    ) -> dict[str, Any]:
        assert self.process.stdin is not None
        request = {"texts" if len(texts) > 1 else "text": texts if len(texts) > 1 else texts[0]}
        request.update(options=options, echo=echo, ttft=ttft)
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        return self._reply()

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(30)


def interleaved(fns: dict[str, Callable[[], float]], calls: int, warmup: int) -> dict[str, float]:
    """Median ms of each; they take turns call by call. A function returns its own time in ms."""
    for _ in range(warmup):
        for fn in fns.values():
            fn()
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(calls):
        for name, fn in fns.items():
            samples[name].append(fn())
    return {name: statistics.median(values) for name, values in samples.items()}


def rounds_of_blocks(
    blocks: list[dict[str, Callable[[], float]]], rounds: int, calls: int, warmup: int
) -> list[dict[str, float]]:
    """Each round runs every block (its functions interleaved call by call), blocks in turn.

    Competitors that share the caches share a block (generation: ours with and without prompt
    lookup, one engine); one with its own weights (a bare session, Transformers.js in Node) gets
    a block of its own, since its call between two of ours evicts our caches as no real caller's
    would. The block order flips every round.
    """
    result = []
    for index in range(rounds):
        merged: dict[str, float] = {}
        for block in blocks if index % 2 == 0 else blocks[::-1]:
            merged.update(interleaved(block, calls, warmup))
        result.append(merged)
    return result


def timed(fn: Callable[[], object]) -> Callable[[], float]:
    def call() -> float:
        start = time.perf_counter()
        fn()
        return (time.perf_counter() - start) * 1000

    return call


def encoder_rows(args: argparse.Namespace) -> list[dict[str, Any]]:
    org, name = args.model.split("/", 1)
    rows = []
    for dtype in DTYPES:
        folder = args.hub / org / name / args.revision
        engine = bench_engine(folder, "feature-extraction", dtype)
        engine.load()
        session = bare_session(folder, dtype)
        tokenizer = engine._loaded.task.resources.tokenizer
        names = {i.name for i in session.get_inputs()}
        worker = TjsWorker(args.tjs, folder, dtype, 1) if args.tjs else None
        rss = [0]  # Transformers.js's RSS after its calls
        try:
            for texts in ([SENTENCE], mixed_batch()):
                feeds = {k: v for k, v in tokenizer(texts).feeds().items() if k in names}
                cancel = threading.Event()
                inputs = RunInput.text(texts if len(texts) > 1 else texts[0])
                # ours and bare in blocks of their own: the bare session holds its own copy of
                # the weights, and a call of one between two of the other would evict them
                blocks: list[dict[str, Callable[[], float]]] = [
                    {"ours": timed(lambda e=engine, i=inputs, c=cancel: e.run(i, CALL, cancel=c))},
                    {"bare": timed(lambda s=session, f=feeds: s.run(None, f))},
                ]
                if worker is not None:

                    def tjs_call(
                        w: TjsWorker = worker, t: list[str] = texts, most: list[int] = rss
                    ) -> float:
                        reply = w.call(t)
                        most[0] = max(most[0], int(reply["rss"]))
                        return float(reply["ms"])

                    blocks.append({"tjs": tjs_call})
                calls = args.calls if len(texts) == 1 else max(5, args.calls // 4)
                rounds = rounds_of_blocks(blocks, args.rounds, calls, warmup=3)
                row = {
                    "dtype": dtype,
                    "batch": len(texts),
                    "width": int(feeds["input_ids"].shape[1]),
                    **{k: statistics.median(r[k] for r in rounds) for k in rounds[0]},
                    "rounds": rounds,
                }
                row["ours/bare"] = row["ours"] / row["bare"]
                if worker is not None:
                    row["ours/tjs"] = row["ours"] / row["tjs"]
                    row["tjs_rss"] = rss[0]
                rows.append(row)
                print(json.dumps({k: v for k, v in row.items() if k != "rounds"}), flush=True)
        finally:
            if worker is not None:
                worker.close()
    return rows


def bare_run(
    session: ort.InferenceSession, feeds: dict[str, Any], names: list[str]
) -> dict[str, Any]:
    """A decoder run with nothing around it (no guard), for the bare prompt pass."""
    return dict(zip(names, session.run(names, feeds), strict=True))


def generation_call(
    engine: Any, options: dict[str, Any], cancel: threading.Event, firsts: list[float]
) -> Callable[[], float]:
    """One timed generation of ours with ``options``; its time to first token goes to ``firsts``."""

    def call() -> float:
        timings = engine.run(RunInput.text(PROMPT), options, cancel=cancel).timings_ms
        firsts.append(timings["preprocess"] + timings["time_to_first_token"])
        return float(timings["total"])

    return call


def generation_rows(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Greedy generation of NEW_TOKENS tokens, ours vs Transformers.js: time to first token
    (from the call, tokenising and chat template included) and decode tokens/s after it."""
    cases = [(FIXTURE_HUB, "tiny/qwen2-chat")]
    for name in (
        "bench/gpt2",
        "bench/gpt2-full-vocab",
        "bench/qwen2.5-0.5b-chat",
        "bench/qwen2.5-0.5b-chat-full-vocab",
    ):
        if (args.hub / name / args.revision).is_dir():
            cases.append((args.hub, name))
    rows = []
    for hub, model in cases:
        for dtype in DTYPES:
            folder = hub / model / args.revision
            engine = bench_engine(folder, "text-generation", dtype)
            engine.load()
            worker = TjsWorker(args.tjs, folder, dtype, 1, "text-generation") if args.tjs else None
            cancel = threading.Event()
            ttft: dict[str, list[float]] = {"ours": [], "plain": [], "tjs": []}

            def tjs(w: TjsWorker | None = worker, firsts: Any = ttft) -> float:
                assert w is not None
                reply = w.call([PROMPT], GENERATE, ttft=True)
                firsts["tjs"].append(float(reply["ttft_ms"]))
                return float(reply["ms"])

            task = engine._loaded.task
            prompt_ids = np.asarray(task.resources.tokenizer([PROMPT]).input_ids)
            # the file as exported (logits at every position, as Transformers.js runs it)
            exported = Decoder(
                create_session(folder / onnx_path("model", dtype), 1), model, task.resources.config
            )
            # "plain": ours with prompt lookup off (one token per decoder pass, as Transformers.js);
            # "prompt": one bare run of the exported graph on the prompt (empty past), the floor
            # of any engine's time to first token that runs the graph as exported
            blocks: list[dict[str, Callable[[], float]]] = [
                {
                    "prompt": timed(
                        lambda d=exported, i=prompt_ids: d.step(d.start(1), i, bare_run)
                    ),
                    "ours": generation_call(engine, GENERATE, cancel, ttft["ours"]),
                    "plain": generation_call(
                        engine, {**GENERATE, "prompt_lookup_num_tokens": 0}, cancel, ttft["plain"]
                    ),
                }
            ]
            if worker is not None:
                blocks.append({"tjs": tjs})
            try:
                rounds = rounds_of_blocks(blocks, args.rounds, args.generation_calls, warmup=1)
            finally:
                if worker is not None:
                    worker.close()
            row: dict[str, Any] = {"model": model, "dtype": dtype, "new_tokens": NEW_TOKENS}
            row["bare_prompt_ms"] = statistics.median(r["prompt"] for r in rounds)
            for name in (n for n in rounds[0] if n != "prompt"):
                total = statistics.median(r[name] for r in rounds)
                first = statistics.median(ttft[name])
                row[name] = total
                row[f"{name}_ttft"] = first
                row[f"{name}_tok_s"] = (NEW_TOKENS - 1) / ((total - first) / 1000)
            if worker is not None:
                row["tok_s ours/tjs"] = row["ours_tok_s"] / row["tjs_tok_s"]
                row["tok_s plain/tjs"] = row["plain_tok_s"] / row["tjs_tok_s"]
                row["ttft tjs/ours"] = row["tjs_ttft"] / row["ours_ttft"]
                row["ttft tjs/bare prompt"] = row["tjs_ttft"] / row["bare_prompt_ms"]
            row["rounds"] = rounds
            rows.append(row)
            print(json.dumps({k: v for k, v in row.items() if k != "rounds"}), flush=True)
    return rows


MEMORY_PROBE = """
import json, sys, threading
from pathlib import Path
import psutil
folder, dtype, kind = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
if kind == "ours":
    from benchmarks.engines import bench_engine
    from inference_gui.engine import RunInput
    engine = bench_engine(folder, "feature-extraction", dtype)
    engine.run(RunInput.text(sys.argv[4]), {"pooling": "mean", "normalize": True})
else:
    import numpy as np, onnxruntime as ort
    from inference_gui.layout import onnx_path
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(str(folder / onnx_path("model", dtype)), options)
    ids = np.ones((1, 27), dtype=np.int64)
    feeds = {"input_ids": ids, "attention_mask": ids, "token_type_ids": 0 * ids}
    session.run(None, {i.name: feeds[i.name] for i in session.get_inputs()})
print(json.dumps({"rss": psutil.Process().memory_info().rss}))
"""


def memory_rows(args: argparse.Namespace, encoders: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """RSS after loading the model and one call, per dtype, each in a fresh process: ours (the
    engine as the app loads it), a bare onnxruntime session of the same file, and Transformers.js
    (its worker's RSS after its calls, from the encoder rows)."""
    folder = args.hub / args.model / args.revision
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    rows = []
    for dtype in DTYPES:
        row: dict[str, Any] = {"dtype": dtype}
        for kind in ("ours", "bare"):
            samples = []
            for _ in range(3):
                out = subprocess.run(
                    [sys.executable, "-c", MEMORY_PROBE, str(folder), dtype, kind, SENTENCE],
                    capture_output=True,
                    text=True,
                    env=env,
                    cwd=ROOT,
                    check=True,
                ).stdout
                samples.append(json.loads(out.strip().splitlines()[-1])["rss"] / 2**20)
            row[f"{kind}_mib"] = statistics.median(samples)
        tjs = [r["tjs_rss"] for r in encoders if r["dtype"] == dtype and "tjs_rss" in r]
        if tjs:
            row["tjs_mib"] = tjs[0] / 2**20
        rows.append(row)
        print(json.dumps(row), flush=True)
    return rows


def cache_rows(size_mb: int, repeats: int) -> dict[str, Any]:
    """The cache benchmark's listing (10,000 files vs scan_cache_dir) and download (127.0.0.1
    server vs a raw read) figures, measured as benchmarks/cache_bench.py does."""
    from benchmarks.cache_bench import bench_download, bench_listing

    with tempfile.TemporaryDirectory(prefix="suite-cache-") as folder:
        base = Path(folder)
        listing = bench_listing(base / "listing")
        download = bench_download(base / "download", size_mb, repeats)
    print(json.dumps({"listing": listing, "download": download}), flush=True)
    return {"listing": listing, "download": download}


def startup_rows(runs: int, bytecode: Path) -> list[dict[str, Any]]:
    """``--version`` and ``--help`` as subprocesses, taking turns with a bare interpreter; the
    app's bytecode is cached in ``bytecode`` as an install has it (the first round writes it)."""
    from benchmarks.window_startup import with_bytecode

    env = {**with_bytecode(os.environ, bytecode), "PYTHONPATH": str(ROOT)}
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "inference-gui --version": [sys.executable, "-m", "inference_gui", "--version"],
        "inference-gui --help": [sys.executable, "-m", "inference_gui", "--help"],
    }
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for command in commands.values():  # writes the bytecode
        subprocess.run(command, capture_output=True, env=env, cwd="/", check=True)
    for _ in range(runs):
        for name, command in commands.items():
            start = time.perf_counter()
            subprocess.run(command, capture_output=True, env=env, cwd="/", check=True)
            samples[name].append((time.perf_counter() - start) * 1000)
    return [
        {"command": name, "median_ms": statistics.median(v), "min_ms": min(v), "max_ms": max(v)}
        for name, v in samples.items()
    ]


def markdown(
    encoders: list[dict[str, Any]],
    generation: list[dict[str, Any]],
    startup: list[dict[str, Any]],
    meta: dict,
    extra: dict[str, Any],
) -> str:
    lines = [
        f"`{meta['command']}` — {meta['machine']}, {meta['cpus']} CPUs, load average "
        f"{meta['load']} at the start; Python {meta['python']}, onnxruntime {meta['onnxruntime']}; "
        f"Transformers.js {meta['tjs'] or 'not run'}. Medians of {meta['rounds']} interleaved "
        "rounds; one thread.",
        "",
        "| model, dtype, batch (padded width) | Transformers.js | ours | bare run | ours / TJS "
        "| ours / bare |",
        "|---|---|---|---|---|---|",
    ]
    for r in encoders:
        tjs = f"{r['tjs']:.2f} ms" if "tjs" in r else "-"
        ratio = f"{r['ours/tjs']:.2f}" if "ours/tjs" in r else "-"
        lines.append(
            f"| {meta['model']} {r['dtype']}, {r['batch']} ({r['width']}) | {tjs} | "
            f"{r['ours']:.2f} ms | {r['bare']:.2f} ms | {ratio} | {r['ours/bare']:.2f} |"
        )
    lines += [
        "",
        f"| generation, {NEW_TOKENS} new tokens, greedy | TJS TTFT | our TTFT | exported "
        "graph's prompt pass | TJS tok/s | our tok/s | ours, lookup off: tok/s | TTFT TJS / "
        "ours | TTFT TJS / prompt pass | tok/s ours / TJS | lookup off / TJS |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for g in generation:
        cells = [
            f"{g['model']} {g['dtype']}",
            f"{g['tjs_ttft']:.1f} ms" if "tjs" in g else "-",
            f"{g['ours_ttft']:.1f} ms",
            f"{g['bare_prompt_ms']:.1f} ms",
            f"{g['tjs_tok_s']:.0f}" if "tjs" in g else "-",
            f"{g['ours_tok_s']:.0f}",
            f"{g['plain_tok_s']:.0f}",
        ]
        for key in ("ttft tjs/ours", "ttft tjs/bare prompt", "tok_s ours/tjs", "tok_s plain/tjs"):
            cells.append(f"{g[key]:.2f}" if key in g else "-")
        lines.append("| " + " | ".join(cells) + " |")
    if extra.get("memory"):
        lines += [
            "",
            f"| RSS after load + one call, {meta['model']} | Transformers.js | ours | bare "
            "onnxruntime session |",
            "|---|---|---|---|",
        ]
        for m in extra["memory"]:
            tjs = f"{m['tjs_mib']:.0f} MiB" if "tjs_mib" in m else "-"
            lines.append(
                f"| {m['dtype']} | {tjs} | {m['ours_mib']:.0f} MiB | {m['bare_mib']:.0f} MiB |"
            )
    if extra.get("cache"):
        li, dl = extra["cache"]["listing"], extra["cache"]["download"]
        lines += [
            "",
            "| cache | ours | reference | ratio |",
            "|---|---|---|---|",
            f"| list 10,000 files (median; best) | {li['ours_ms']:.1f} ms; "
            f"{li['ours_best_ms']:.1f} ms | scan_cache_dir {li['hf_ms']:.1f} ms; "
            f"{li['hf_best_ms']:.1f} ms | "
            f"{li['hf_ms'] / li['ours_ms']:.1f}x faster |",
            f"| download {dl['size_mb']:.0f} MB from 127.0.0.1 (median; best of "
            f"{dl['repeats']}) | {dl['ours_mbps']:.0f}; {dl['ours_best_mbps']:.0f} MB/s | raw "
            f"read {dl['raw_mbps']:.0f}; {dl['raw_best_mbps']:.0f} MB/s | {dl['ratio']:.0%}; "
            f"{dl['best_ratio']:.0%} of raw (SHA-256 alone: {dl['sha256_mbps']:.0f} MB/s) |",
        ]
    lines += ["", "| start-up | median | min | max |", "|---|---|---|---|"]
    lines += [
        f"| `{s['command']}` | {s['median_ms']:.0f} ms | {s['min_ms']:.0f} ms | "
        f"{s.get('max_ms', float('nan')):.0f} ms |"
        for s in startup
    ]
    window = extra.get("window")
    if window:
        labels = {
            "window shown": "window shown",
            "window painted (records, cache)": "window painted (records, cache)",
            "first result": f"first result, launch to shown ({meta['model']} q8, cached)",
        }
        for name, label in labels.items():
            w = window[name]
            lines.append(
                f"| {label} | {w['median_ms']:.0f} ms | {w['min_ms']:.0f} ms | "
                f"{w['max_ms']:.0f} ms |"
            )
        stack = window["model stack imported on the GUI thread before shown"]
        lines.append(
            "",
        )
        lines.append(
            "Model stack imported on the GUI thread before the window is shown: "
            + (", ".join(stack) if stack else "none")
            + "."
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hub", type=Path, default=Path("/tmp/real-size-hub"))
    parser.add_argument("--model", default="bench/minilm-embed", help="org/name in the hub")
    parser.add_argument("--revision", default="v1.0.0")
    parser.add_argument("--tjs", type=Path, help="node_modules holding @huggingface/transformers")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--calls", type=int, default=30, help="timed calls per round (batch 1)")
    parser.add_argument("--generation-calls", type=int, default=5, help="per round")
    parser.add_argument("--startup-runs", type=int, default=15)
    parser.add_argument("--window-runs", type=int, default=7, help="window start-ups (0: skip)")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--cache-mb", type=int, default=200, help="download size (0: skip cache)")
    parser.add_argument("--cache-repeats", type=int, default=5)
    parser.add_argument("--write", action="store_true", help="update BENCHMARKS.md + the JSON")
    parser.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "suite-report.json")
    args = parser.parse_args()
    if args.tjs is not None and shutil.which("node") is None:
        parser.error("--tjs needs node on PATH")
    tjs_version = None
    if args.tjs is not None:
        package = args.tjs / "@huggingface" / "transformers" / "package.json"
        tjs_version = json.loads(package.read_text(encoding="utf-8"))["version"]
    meta = {
        "command": " ".join(["python -m benchmarks.suite", *sys.argv[1:]]),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "load": ", ".join(f"{x:.1f}" for x in os.getloadavg()),
        "python": platform.python_version(),
        "onnxruntime": ort.__version__,
        "tjs": tjs_version,
        "model": args.model,
        "rounds": args.rounds,
    }
    encoders = encoder_rows(args)
    generation = generation_rows(args)
    with tempfile.TemporaryDirectory() as bytecode:
        startup = startup_rows(args.startup_runs, Path(bytecode))
    extra: dict[str, Any] = {}
    if args.window_runs:
        from benchmarks.window_startup import measure, measure_first_result

        extra["window"] = measure(args.window_runs)
        folder = args.hub / args.model / args.revision
        extra["window"]["first result"] = measure_first_result(
            args.window_runs, folder, "bench/first-result", "q8"
        )
    if not args.skip_memory:
        extra["memory"] = memory_rows(args, encoders)
    if args.cache_mb:
        extra["cache"] = cache_rows(args.cache_mb, args.cache_repeats)
    text = markdown(encoders, generation, startup, meta, extra)
    print(text)
    if args.write:
        write_subsection(HEADING, args.model, text)
        report = {
            "meta": meta,
            "encoders": encoders,
            "generation": generation,
            "startup": startup,
            **extra,
        }
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
