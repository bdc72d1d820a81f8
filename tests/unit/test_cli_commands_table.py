"""The lazily loaded command table agrees with the parsers its modules register."""

from __future__ import annotations

import argparse

import pytest

from inference_gui.cli.main import COMMANDS, build_parser


@pytest.mark.parametrize(("name", "help_line"), COMMANDS)
def test_table_help_is_the_modules_own(name: str, help_line: str) -> None:
    """``--help`` lists the table's line; the module registers the same one when loaded."""
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    commands.load(name)
    listed = {a.dest: a.help for a in commands._choices_actions}
    assert listed[name] == help_line
    assert sorted(listed) == sorted(c[0] for c in COMMANDS)  # loading keeps one entry per command
    assert commands.choices[name].prog == f"inference-gui {name}"


def test_chosen_command_gets_its_full_parser() -> None:
    args = build_parser().parse_args(["records", "list"])
    assert args.command == "records" and args.records_command == "list"
    assert callable(args.func)


def test_a_loaded_command_gets_the_json_flag() -> None:
    """--json on every command, also on those loaded on use."""
    args = build_parser().parse_args(["diagnostics", "--json"])
    assert args.json is True
