"""``--json`` everywhere: every subcommand accepts it and prints one JSON object with a version.

The subcommands are found by walking the argparse tree, so a new command is covered the day it is
added; its required arguments come from ``VALUES`` (a new required argument must be added there).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from inference_gui.cli.main import build_parser, main
from inference_gui.cli.output import JSON_VERSION
from tests.paths import HUB, REMOTE_SETTINGS

SETTINGS = str(REMOTE_SETTINGS / "ml-inference-options.json")
EMBED = HUB / "tiny" / "bert-embed" / "v1.0.0"


def leaves(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    """(command words, parser) for every command that runs (has no subcommands)."""
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        yield path, parser
    for action in subs:
        for name, child in action.choices.items():
            yield from leaves(child, (*path, name))


def values(tmp_path: Path) -> dict[str, list[str]]:
    """A valid value for each required argument (by dest), chosen to finish fast and offline."""
    return {
        "model": ["--model", "tiny/bert-embed"],
        "revision": ["--revision", "v1.0.0"],
        "folder": [str(EMBED)],
        "task": ["--task", "feature-extraction"],  # run's required source group
        "output": ["--output", str(tmp_path / "shot.png")],
        "profile": ["--profile", str(tmp_path / "no-such-profile")],  # firefox rm: fails, exit 1
        "out": [str(tmp_path / "empty.zip")],  # pack export without a feature: fails, exit 1
        "pack": [str(tmp_path / "no-such-pack.zip")],  # pack import: fails, exit 1
    }


COMMANDS = sorted(path for path, _ in leaves(build_parser(every_command=True)))


def required_args(parser: argparse.ArgumentParser, given: dict[str, list[str]]) -> list[str]:
    out: list[str] = []
    for action in parser._actions:
        if action.required and action.nargs != "*":
            assert action.dest in given, f"add a value for {action.dest} to VALUES"
            out += given[action.dest]
    for group in parser._mutually_exclusive_groups:
        if group.required:
            out += next(given[a.dest] for a in group._group_actions if a.dest in given)
    return out


def test_the_walk_finds_every_command():
    assert {" ".join(p) for p in COMMANDS} >= {
        "records list",
        "records resolve",
        "records sync",
        "records status",
        "cache ls",
        "cache fetch",
        "cache rm",
        "cache verify",
        "cache evict",
        "cache import",
        "run",
    }


@pytest.mark.parametrize("words", COMMANDS, ids=" ".join)
def test_every_command_prints_one_json_object(words, tmp_path, capsys):
    parser = dict(leaves(build_parser(every_command=True)))[words]
    if words == ("screenshot",):
        pytest.skip("opens the window: covered by the GUI tests, which need a display")
    extra = ["--dry-run"] if words in (("cache", "rm"), ("cache", "evict")) else []
    if words == ("check",):
        extra = [str(EMBED), "--no-smoke"]
    if words == ("records", "resolve"):  # FEATURE_ID is optional (--task alone will do)
        extra = ["tiny-embed"]
    if words == ("run",):
        extra = ["--folder", str(EMBED), "--dtype", "fp32", "hello"]
    argv = [
        "--offline",
        "--hub",
        str(HUB),
        "--settings-file",
        SETTINGS,
        *words,
        *required_args(parser, values(tmp_path)),
        *extra,
        "--json",
    ]
    code = main(argv)
    out = capsys.readouterr().out
    document = json.loads(out)  # one object, nothing else on stdout
    assert isinstance(document, dict)
    assert document["version"] == JSON_VERSION and document["command"] == " ".join(words)
    assert code in (0, 1) and document["ok"] is (code == 0) and document["exit_code"] == code
    if words in (("run",), ("cache", "ls"), ("records", "list"), ("records", "status")):
        assert code == 0, document  # these have all they need here: they must succeed


def test_a_failure_is_a_json_error_object_with_exit_1(capsys):
    code = main(["--offline", "cache", "fetch", "--model", "a/b", "--revision", "v1", "--json"])
    captured = capsys.readouterr()
    document = json.loads(captured.out)
    assert code == 1 and document["ok"] is False and document["exit_code"] == 1
    assert "offline" in document["error"]["message"].lower() and document["error"]["hint"]
    assert captured.err.count("\n") == 1  # the one line on stderr stays


def test_bad_usage_is_exit_2_and_still_json(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["cache", "rm", "--json"])
    document = json.loads(capsys.readouterr().out)
    assert exited.value.code == 2 and document["exit_code"] == 2
    assert "one of the arguments" in document["error"]["message"]


def test_a_command_that_exits_with_a_message_still_prints_json(capsys):
    code = main(["check", "--json"])  # neither DIR nor --model: SystemExit("...") in the command
    captured = capsys.readouterr()
    document = json.loads(captured.out)
    assert code == 1 and document["exit_code"] == 1 and "give DIR" in document["error"]["message"]
    assert "give DIR" in captured.err


def test_a_command_without_its_own_result_reports_its_lines(capsys):
    code = main(["records", "sync", "--json"])  # no server configured: fails with its reason
    document = json.loads(capsys.readouterr().out)
    assert code == 1 and "No settings server" in document["error"]["message"]
