"""``inference-gui run`` with a generative task: text streams as it comes; --json is one object."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from inference_gui.cli.main import main
from tests.paths import EXPECTED, HUB

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


CHAT_ARGS = [
    "--hub",
    str(HUB),
    "run",
    "--task",
    "text-generation",
    "--model",
    "tiny/qwen2-chat",
    "--revision",
    "v1.0.0",
    "--dtype",
    "fp32",
    "--options",
    '{"max_new_tokens": 8, "do_sample": false}',
    "--json",
]
CHAT_REFERENCE = json.loads((EXPECTED / "tiny__qwen2-chat__v1.0.0.json").read_text())


@pytest.mark.parametrize("from_stdin", [False, True])
def test_messages_from_a_file_or_standard_input(
    from_stdin: bool,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    messages = json.dumps(CHAT_REFERENCE["inputs"]["chat-0"])
    source = tmp_path / "chat.json"
    source.write_text(messages, encoding="utf-8")
    if from_stdin:
        monkeypatch.setattr("sys.stdin", io.StringIO(messages))
    assert main([*CHAT_ARGS, "--messages", "-" if from_stdin else str(source)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["output"] == CHAT_REFERENCE["results"]["fp32"]["outputs"]["chat-0"]


@pytest.mark.parametrize(
    "content, message",
    [
        ("[{'role': 'user'}]", "is not valid JSON"),
        ('{"role": "user", "content": "hi"}', "not a non-empty list of messages"),
    ],
)
def test_bad_messages_file_is_one_line(
    content: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "chat.json"
    source.write_text(content, encoding="utf-8")
    assert main([*CHAT_ARGS, "--messages", str(source)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]


def test_messages_and_text_together_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*CHAT_ARGS, "--messages", "-", "a prompt"]) == 1
    assert "Give one kind of input" in capsys.readouterr().err
