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
makes its warm-up calls, then ours and bare take turns call by call, and Transformers.js runs its
calls between those blocks (the order flips each round), so load from the other processes on the
machine falls on all alike; a round's figure is each one's median, the
report the median of the rounds. "bare" is ``InferenceSession.run`` of the engine's own session
on input tokenised once beforehand, padded as one batch; Transformers.js runs in a Node worker
(benchmarks/tjs_worker.mjs) that times its own pipeline calls. Start-up: ``--version`` and
``--help`` as subprocesses, taking turns with a bare ``python -c pass``.
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
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import onnxruntime as ort

from benchmarks.engine_bench import write_subsection
from benchmarks.engines import bench_engine
from inference_gui.engine import RunInput

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
        self, texts: list[str], options: dict[str, Any] = CALL, echo: bool = False
    ) -> dict[str, Any]:
        assert self.process.stdin is not None
        request = {"texts" if len(texts) > 1 else "text": texts if len(texts) > 1 else texts[0]}
        self.process.stdin.write(json.dumps({**request, "options": options, "echo": echo}) + "\n")
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

    The in-process competitors share a block; Transformers.js, in another process, gets its own,
    since a Node call between two of ours evicts our caches as no real caller's would. The block
    order flips every round.
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
        engine = bench_engine(args.hub / org / name / args.revision, "feature-extraction", dtype)
        engine.load()
        session: ort.InferenceSession = engine._loaded.task.resources.sessions["model"]
        tokenizer = engine._loaded.task.resources.tokenizer
        names = {i.name for i in session.get_inputs()}
        worker = (
            TjsWorker(args.tjs, args.hub / org / name / args.revision, dtype, 1)
            if args.tjs
            else None
        )
        try:
            for texts in ([SENTENCE], mixed_batch()):
                feeds = {k: v for k, v in tokenizer(texts).feeds().items() if k in names}
                cancel = threading.Event()
                inputs = RunInput.text(texts if len(texts) > 1 else texts[0])
                blocks: list[dict[str, Callable[[], float]]] = [
                    {
                        "ours": timed(
                            lambda e=engine, i=inputs, c=cancel: e.run(i, CALL, cancel=c)
                        ),
                        "bare": timed(lambda s=session, f=feeds: s.run(None, f)),
                    }
                ]
                if worker is not None:
                    blocks.append({"tjs": lambda w=worker, t=texts: float(w.call(t)["ms"])})
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
                rows.append(row)
                print(json.dumps({k: v for k, v in row.items() if k != "rounds"}), flush=True)
        finally:
            if worker is not None:
                worker.close()
    return rows


def generation_rows(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Tokens per second of a greedy generation, ours vs Transformers.js, whole calls timed."""
    cases = [(FIXTURE_HUB, "tiny/qwen2-chat")]
    if (args.hub / "bench" / "gpt2" / args.revision).is_dir():
        cases.append((args.hub, "bench/gpt2"))
    rows = []
    for hub, model in cases:
        for dtype in DTYPES:
            engine = bench_engine(hub / model / args.revision, "text-generation", dtype)
            engine.load()
            folder = hub / model / args.revision
            worker = TjsWorker(args.tjs, folder, dtype, 1, "text-generation") if args.tjs else None
            cancel = threading.Event()
            blocks: list[dict[str, Callable[[], float]]] = [
                {
                    "ours": timed(
                        lambda e=engine, c=cancel: e.run(RunInput.text(PROMPT), GENERATE, cancel=c)
                    )
                }
            ]
            if worker is not None:
                blocks.append({"tjs": lambda w=worker: float(w.call([PROMPT], GENERATE)["ms"])})
            try:
                rounds = rounds_of_blocks(blocks, args.rounds, args.generation_calls, warmup=1)
            finally:
                if worker is not None:
                    worker.close()
            row: dict[str, Any] = {"model": model, "dtype": dtype, "new_tokens": NEW_TOKENS}
            for name in rounds[0]:
                ms = statistics.median(r[name] for r in rounds)
                row[name] = ms
                row[f"{name}_tok_s"] = NEW_TOKENS / (ms / 1000)
            if worker is not None:
                row["tok_s ours/tjs"] = row["ours_tok_s"] / row["tjs_tok_s"]
            row["rounds"] = rounds
            rows.append(row)
            print(json.dumps({k: v for k, v in row.items() if k != "rounds"}), flush=True)
    return rows


def startup_rows(runs: int) -> list[dict[str, Any]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "inference-gui --version": [sys.executable, "-m", "inference_gui", "--version"],
        "inference-gui --help": [sys.executable, "-m", "inference_gui", "--help"],
    }
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            start = time.perf_counter()
            subprocess.run(command, capture_output=True, env=env, cwd="/", check=True)
            samples[name].append((time.perf_counter() - start) * 1000)
    return [
        {"command": name, "median_ms": statistics.median(v), "min_ms": min(v)}
        for name, v in samples.items()
    ]


def markdown(
    encoders: list[dict[str, Any]],
    generation: list[dict[str, Any]],
    startup: list[dict[str, Any]],
    meta: dict,
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
        f"| generation, {NEW_TOKENS} new tokens, greedy | Transformers.js | ours "
        "| tok/s ours / TJS |",
        "|---|---|---|---|",
    ]
    for g in generation:
        tjs = f"{g['tjs']:.0f} ms ({g['tjs_tok_s']:.0f} tok/s)" if "tjs" in g else "-"
        ratio = f"{g['tok_s ours/tjs']:.2f}" if "tok_s ours/tjs" in g else "-"
        lines.append(
            f"| {g['model']} {g['dtype']} | {tjs} | {g['ours']:.0f} ms "
            f"({g['ours_tok_s']:.0f} tok/s) | {ratio} |"
        )
    lines += ["", "| start-up | median | min |", "|---|---|---|"]
    lines += [
        f"| `{s['command']}` | {s['median_ms']:.0f} ms | {s['min_ms']:.0f} ms |" for s in startup
    ]
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
    startup = startup_rows(args.startup_runs)
    text = markdown(encoders, generation, startup, meta)
    print(text)
    if args.write:
        write_subsection(HEADING, args.model, text)
        report = {
            "meta": meta,
            "encoders": encoders,
            "generation": generation,
            "startup": startup,
        }
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
