"""Generation speed: our engine against a bare onnxruntime loop with the same past handling.

For text-generation (<org>/gpt2) and image-to-text (<org>/vit-gpt2-alt-text) models, at fp32 with
one thread, greedy, end-of-sequence disabled so every run makes the same number of
tokens. Both sides run the same sessions (the engine's); the bare loop only builds feeds, runs the
session, takes the argmax and moves ``present.*`` to ``past_key_values.*`` — the least any caller
must do. Reported: time to first token, tokens per second, and our overhead per generated token
(steps after the first), median over repeats, with and without a streaming callback.

    python -m benchmarks.generation_bench [--tokens 64] [--repeats 15] [--hub DIR --org NAME]
                                          [--write]

The default is the fixture hub (org ``tiny``); ``--hub /tmp/real-size-hub --org bench`` runs the
GPT-2 / distilvit-sized models that ``benchmarks/make_real_size_models.py`` builds. ``--write``
puts the table into this benchmark's section of BENCHMARKS.md (fixture and real-size tables each
keep their own place there).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

from benchmarks.engine_bench import HUB, hub_arguments, label_for, write_subsection
from benchmarks.engines import bench_engine
from inference_gui.engine import RunInput
from inference_gui.engine.engine import Engine
from inference_gui.engine.preprocess.image import ImageProcessor, load_image

ROOT = Path(__file__).resolve().parents[1]
IMAGE = ROOT / "tests" / "fixtures" / "inputs" / "red-circle.png"
PROMPT = "The weather today is"
HEADING = "## Generation: engine vs bare onnxruntime loop (issue 7)"


def bare_decode(
    decoder: ort.InferenceSession, first_ids: np.ndarray, tokens: int, extra: dict[str, np.ndarray]
) -> tuple[float, float]:
    """Greedy decoding with the past handled by hand; returns (first step s, later steps s)."""
    inputs = {i.name: i for i in decoder.get_inputs()}
    past = {
        n: np.zeros(
            [1 if d == "batch_size" else d if isinstance(d, int) else 0 for d in i.shape],
            np.float32,
        )
        for n, i in inputs.items()
        if n.startswith("past_key_values.")
    }
    presents = [o.name for o in decoder.get_outputs() if o.name.startswith("present")]
    ids, length, first = first_ids, 0, 0.0
    started = time.perf_counter()
    for step in range(tokens):
        n = ids.shape[1]
        feeds = {"input_ids": ids, **extra, **past}
        if "attention_mask" in inputs:
            feeds["attention_mask"] = np.ones((1, length + n), np.int64)
        if "position_ids" in inputs:
            feeds["position_ids"] = np.arange(length, length + n, dtype=np.int64)[None]
        if "use_cache_branch" in inputs:
            feeds["use_cache_branch"] = np.array([length > 0])
        logits, *values = decoder.run(["logits", *presents], feeds)
        for name, value in zip(presents, values, strict=True):
            key = "past_key_values" + name[len("present") :]
            if not (length and ".encoder." in key):
                past[key] = value
        length += n
        ids = np.argmax(logits[:, -1, :], axis=-1)[:, None].astype(np.int64)
        if step == 0:
            first = time.perf_counter() - started
    return first, time.perf_counter() - started - first


def bare_text_generation(
    engine: Engine, folder: Path, tokens: int
) -> Callable[[], tuple[float, float]]:
    session = sessions(engine)["model"]
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))

    def once() -> tuple[float, float]:
        started = time.perf_counter()
        ids = np.array([tokenizer.encode(PROMPT, add_special_tokens=False).ids], np.int64)
        prep = time.perf_counter() - started
        first, rest = bare_decode(session, ids, tokens, {})
        return prep + first, rest

    return once


def bare_image_to_text(
    engine: Engine, folder: Path, tokens: int
) -> Callable[[], tuple[float, float]]:
    encoder, decoder = sessions(engine)["encoder_model"], sessions(engine)["decoder_model_merged"]
    processor = ImageProcessor(json.loads((folder / "preprocessor_config.json").read_text()))

    def once() -> tuple[float, float]:
        started = time.perf_counter()
        pixels = processor([load_image(IMAGE)])
        hidden = encoder.run(["last_hidden_state"], {"pixel_values": pixels})[0]
        prep = time.perf_counter() - started
        first, rest = bare_decode(
            decoder, np.array([[0]], np.int64), tokens, {"encoder_hidden_states": hidden}
        )
        return prep + first, rest

    return once


def sessions(engine: Engine) -> dict[str, ort.InferenceSession]:
    """The engine's own sessions: the bare loop runs them too, so both sides use the same weights
    in the same memory (two sessions of one file differ by a few percent from run to run)."""
    engine.load()
    return engine._loaded.task.resources.sessions


def ours(
    engine: Engine, run_input: RunInput, tokens: int, stream: bool
) -> Callable[[], tuple[float, float]]:
    call = {"max_new_tokens": tokens, "eos_token_id": []}
    sink: list[Any] = []

    def once() -> tuple[float, float]:
        result = engine.run(run_input, call, stream=sink.append if stream else None)
        t = result.timings_ms
        first = (t["preprocess"] + t["time_to_first_token"]) / 1000
        return first, (t["preprocess"] + t["run"]) / 1000 - first

    return once


def measure(
    fns: list[Callable[[], tuple[float, float]]], repeats: int
) -> list[tuple[float, float]]:
    """Median (first, rest) of each function; they take turns, so load from other processes on
    the machine falls on all of them alike."""
    for fn in fns:
        fn()  # warm-up: session creation, first-run allocations
    samples: list[list[tuple[float, float]]] = [[] for _ in fns]
    for _ in range(repeats):
        for fn, own in zip(fns, samples, strict=True):
            own.append(fn())
    return [
        (statistics.median(s[0] for s in own), statistics.median(s[1] for s in own))
        for own in samples
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=15)
    hub_arguments(parser)
    parser.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    args = parser.parse_args()
    n, org = args.tokens, args.org
    rows = []
    for task, name, run_input, bare in (
        ("text-generation", "gpt2", RunInput.text(PROMPT), bare_text_generation),
        ("image-to-text", "vit-gpt2-alt-text", RunInput.image(IMAGE), bare_image_to_text),
    ):
        model = f"{org}/{name}"
        engine = bench_engine(args.hub / org / name / "v1.0.0", task, "fp32")
        (base_first, base_rest), *results = measure(
            [
                bare(engine, args.hub / org / name / "v1.0.0", n),
                *(ours(engine, run_input, n, stream) for stream in (False, True)),
            ],
            args.repeats,
        )
        for stream, (first, rest) in zip((False, True), results, strict=True):
            per_token, base_per_token = rest / (n - 1), base_rest / (n - 1)
            rows.append(
                (
                    f"{task} {model}" + (" +stream" if stream else ""),
                    base_first * 1000,
                    first * 1000,
                    (n - 1) / base_rest,
                    (n - 1) / rest,
                    (per_token - base_per_token) / base_per_token * 100,
                    (per_token - base_per_token) * 1e6,
                )
            )
    command = f"python -m benchmarks.generation_bench --tokens {n} --repeats {args.repeats}"
    if args.hub != HUB:
        command += f" --hub {args.hub} --org {org}"
    lines = [
        (
            f"`{command}` — fp32, 1 thread, greedy, {n} new tokens, medians. "
            f"{platform.processor() or platform.machine()}, Python {platform.python_version()}, "
            f"onnxruntime {ort.__version__}."
        ),
        "",
        "| case | bare TTFT ms | ours TTFT ms | bare tok/s | ours tok/s | overhead per token |",
        "|---|---|---|---|---|---|",
        *(
            f"| {r[0]} | {r[1]:.2f} | {r[2]:.2f} | {r[3]:.1f} | {r[4]:.1f} | "
            f"{r[5]:+.1f}% ({r[6]:+.0f} µs) |"
            for r in rows
        ),
    ]
    report = "\n".join(lines)
    print(report)
    if args.write:
        write_subsection(HEADING, label_for(org), report)


if __name__ == "__main__":
    main()
