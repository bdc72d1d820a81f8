"""``inference-gui bench`` end to end over the fixture hub: the figures the Compare view shows."""

from __future__ import annotations

import json

import pytest

from inference_gui.cli.main import main
from inference_gui.engine import EngineOptions, RunInput, create_engine
from inference_gui.engine.compare import measure_engine
from inference_gui.engine.sources import folder_hub
from tests.paths import HUB

MODEL = ("--model", "tiny/bert-embed", "--revision", "v1.0.0")


def bench(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--hub", str(HUB), "bench", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_figures_of_an_encoder(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = bench(
        capsys, "--task", "feature-extraction", *MODEL, "--dtype", "fp32", "--runs", "4",
        "--warmup", "0", "--batch", "3", "--threads", "1", "--json", "a short text",
    )  # fmt: skip
    assert code == 0
    figures = json.loads(out)
    assert (figures["task"], figures["dtype"], figures["batch"]) == (
        "feature-extraction",
        "fp32",
        3,
    )
    assert (figures["runs"], figures["threads"]) == (4, 1)
    assert 0 < figures["min_ms"] <= figures["median_ms"] <= figures["p90_ms"]
    assert figures["load_ms"] > 0 and figures["rss_bytes"] > 10_000_000
    assert figures["tokens_per_second"] is None


def test_generation_reports_tokens_per_second(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = bench(
        capsys, "--task", "text-generation", "--model", "tiny/gpt2", "--revision", "v1.0.0",
        "--runs", "2", "--options", '{"max_new_tokens": 5}', "hello",
    )  # fmt: skip
    assert code == 0
    assert "2 runs: median" in out and " tok/s; RSS " in out


def test_warmup_runs_are_made_but_not_timed() -> None:
    """One code path for Compare and bench: load timed, warm-ups untimed, then the timed runs."""
    engine = create_engine(
        EngineOptions(task="feature-extraction", model_id="tiny/bert-embed", revision="v1.0.0"),
        folder_hub(HUB),
    )
    measured = measure_engine(engine, RunInput.text("hi"), None, 3, warmup=2)
    assert engine.runs == 5 and len(measured.times_ms) == 3
    assert measured.load_ms > 0 and measured.first.output["dims"][0] == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--batch", "0"), "give 1 or more"),
        (("--runs", "x"), "'x' is not a whole number"),
    ],
)
def test_bad_counts_are_one_line_usage_errors(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], message: str
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        bench(capsys, "--task", "feature-extraction", *MODEL, *args)
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and message in err and len(err.strip().splitlines()) == 1


def test_a_task_without_text_input_needs_one(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = bench(
        capsys, "--task", "image-classification", "--model", "tiny/vit-classifier",
        "--revision", "v1.0.0",
    )  # fmt: skip
    assert code == 1 and "--image PATH" in err
