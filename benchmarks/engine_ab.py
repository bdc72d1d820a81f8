"""Before/after of ``Engine.run`` at batch 1: another commit's engine vs this tree's vs bare.

Machine noise on a shared 2-core box moves a ratio measured in separate runs by more than a
change to the per-call overhead does, so both engines run in one process: the other commit's
``inference_gui`` is extracted with ``git archive`` into a temporary folder and renamed
``inference_gui_base`` (its imports rewritten), and the two engines and a bare
``InferenceSession.run`` of the unedited file on pre-tokenised input take turns call by call,
in rotating order (the code that ran just before a call changes its cost). Reported per dtype:
medians of each round's medians, ours / bare before and after, after / before, with the spread
(min-max over rounds)::

    python -m benchmarks.engine_ab --hub /tmp/real-size-hub --model bench/minilm-embed \\
        [--base main] [--rounds 9] [--calls 60]
"""

from __future__ import annotations

import argparse
import importlib
import io
import json
import re
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.engines import bare_session
from benchmarks.suite import CALL, SENTENCE

ROOT = Path(__file__).resolve().parents[1]
BASE = "inference_gui_base"


def extract_base(ref: str) -> Path:
    """``inference_gui`` at ``ref`` as package ``inference_gui_base`` in a temporary folder."""
    tar = subprocess.run(
        ["git", "archive", ref, "inference_gui"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    folder = Path(tempfile.mkdtemp(prefix="engine-ab-"))
    with tarfile.open(fileobj=io.BytesIO(tar)) as archive:
        archive.extractall(folder, filter="data")
    (folder / "inference_gui").rename(folder / BASE)
    for path in (folder / BASE).rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"\binference_gui(?=[.\s])", BASE, text), encoding="utf-8")
    return folder


def engine_of(package: str, folder: Path, dtype: str) -> tuple[Any, Any]:
    """A loaded feature-extraction engine of ``package``, planned by its run service."""
    config = importlib.import_module(f"{package}.config")
    context = importlib.import_module(f"{package}.context")
    service = importlib.import_module(f"{package}.run_service")
    home = Path(tempfile.mkdtemp(prefix="engine-ab-home-"))
    ctx = context.AppContext(config.Settings(cache_dir=home / "c", data_dir=home / "d", threads=1))
    request = service.RunRequest(task="feature-extraction", folder=folder, dtype=dtype, threads=1)
    engine = ctx.runs.engine(ctx.runs.plan(request), fresh=True)
    engine.load()
    return engine, importlib.import_module(f"{package}.engine").RunInput


def rounds_rotating(
    fns: dict[str, Callable[[], object]], rounds: int, calls: int
) -> list[dict[str, float]]:
    """Each round: warm-ups, then ``calls`` turns in rotating order; each one's median ms."""
    result = []
    for _ in range(rounds):
        for _ in range(3):
            for fn in fns.values():
                fn()
        samples: dict[str, list[float]] = {name: [] for name in fns}
        order = list(fns)
        for _ in range(calls):
            order = order[1:] + order[:1]
            for name in order:
                start = time.perf_counter()
                fns[name]()
                samples[name].append((time.perf_counter() - start) * 1000)
        result.append({name: statistics.median(v) for name, v in samples.items()})
    return result


def ratio(rounds: list[dict[str, float]], top: str, bottom: str) -> dict[str, Any]:
    values = [r[top] / r[bottom] for r in rounds]
    return {
        "median": round(statistics.median(values), 3),
        "spread": [round(min(values), 3), round(max(values), 3)],
    }


def measure(folder: Path, dtype: str, rounds: int, calls: int) -> dict[str, Any]:
    after, run_input = engine_of("inference_gui", folder, dtype)
    before, base_input = engine_of(BASE, folder, dtype)
    session = bare_session(folder, dtype)
    names = {i.name for i in session.get_inputs()}
    tokenizer = after._loaded.task.resources.tokenizer
    feeds = {k: v for k, v in tokenizer([SENTENCE]).feeds().items() if k in names}
    cancel = threading.Event()
    ours, theirs = run_input.text(SENTENCE), base_input.text(SENTENCE)
    medians = rounds_rotating(
        {
            "before": lambda: before.run(theirs, CALL, cancel=cancel),
            "after": lambda: after.run(ours, CALL, cancel=cancel),
            "bare": lambda: session.run(None, feeds),
        },
        rounds,
        calls,
    )
    return {
        "dtype": dtype,
        **{k: round(statistics.median(r[k] for r in medians), 3) for k in medians[0]},
        "before/bare": ratio(medians, "before", "bare"),
        "after/bare": ratio(medians, "after", "bare"),
        "after/before": ratio(medians, "after", "before"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hub", type=Path, default=Path("/tmp/real-size-hub"))
    parser.add_argument("--model", default="bench/minilm-embed", help="org/name in the hub")
    parser.add_argument("--revision", default="v1.0.0")
    parser.add_argument("--base", default="main", help="the commit to compare with")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--calls", type=int, default=60)
    args = parser.parse_args()
    sys.path.insert(0, str(extract_base(args.base)))
    folder = args.hub / args.model / args.revision
    for dtype in ("fp32", "q8"):
        print(json.dumps(measure(folder, dtype, args.rounds, args.calls)), flush=True)


if __name__ == "__main__":
    main()
