"""``inference-gui run`` with a generative task: text streams as it comes; --json is one object."""

from __future__ import annotations

import json

import pytest

from inference_gui.cli.main import main
from tests.paths import HUB

ARGS = [
    "--hub",
    str(HUB),
    "run",
    "--task",
    "text-generation",
    "--model",
    "tiny/gpt2",
    "--revision",
    "v1.0.0",
    "--dtype",
    "fp32",
    "--options",
    '{"max_new_tokens": 8}',
    "The weather today is",
]


def test_streamed_text_comes_before_the_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(ARGS) == 0
    out = capsys.readouterr().out
    streamed, _, rest = out.partition("\n")
    output = json.loads(rest)
    assert streamed and output[0]["generated_text"] == "The weather today is" + streamed


def test_json_prints_one_object_with_generation_timings(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*ARGS[:-1], "--json", ARGS[-1]]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["output"][0]["generated_text"].startswith("The weather today is")
    assert report["timings_ms"]["tokens_per_second"] > 0


def test_bad_max_new_tokens_is_one_line_and_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    args = [a if a != '{"max_new_tokens": 8}' else '{"max_new_tokens": 0}' for a in ARGS]
    assert main(args) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "max_new_tokens" in err[0]
