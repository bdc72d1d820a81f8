"""``inference-gui``: with no command, open the window; with one, run it headless.

Every command module exposes ``register(subparsers)``, which adds its parser and sets
``func(args, ctx) -> int`` as the default; a new command is one module plus one line in COMMANDS.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from inference_gui import __version__
from inference_gui.cli import cache, check, diagnostics, firefox, records, run, screenshot
from inference_gui.cli.output import (
    EXIT_USAGE,
    add_json_flags,
    command_name,
    document,
    error_payload,
    last_usage_error,
    note_usage_error,
    run_as_json,
)
from inference_gui.config import OPTIONS, ensure_folders, load_settings
from inference_gui.context import AppContext
from inference_gui.errors import AppError
from inference_gui.logsetup import setup_logging
from inference_gui.preferences_file import read_preferences_file

COMMANDS = (records, cache, run, screenshot, firefox, diagnostics, check)


class Parser(argparse.ArgumentParser):
    """argparse that reports a usage mistake in one line (exit 2) instead of a usage dump."""

    def error(self, message: str) -> NoReturn:
        line = f"{self.prog}: {message}. See '{self.prog} --help'."
        note_usage_error(line)  # for the --json error object
        self.exit(EXIT_USAGE, f"{line}\n")


def build_parser() -> Parser:
    env_lines = "\n".join(f"  {o.env:<34} {o.help}" for o in OPTIONS)
    parser = Parser(
        prog="inference-gui",
        description="Inspect settings records and the model cache, and run ONNX inference as the "
        "platform would. With no command, opens the main window.",
        epilog="Settings come from, in increasing precedence: defaults, Preferences (stored with "
        f"QSettings), environment variables, then flags.\n\nEnvironment variables:\n{env_lines}\n"
        "  INFERENCE_GUI_CONFIG               preferences file to use instead of the default",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    for option in OPTIONS:
        if option.flag is None:
            continue
        if option.key == "offline":
            parser.add_argument(option.flag, action="store_true", default=None, help=option.help)
        else:
            parser.add_argument(
                option.flag,
                dest=option.key,
                metavar=option.key.split("_")[-1].upper(),
                help=f"{option.help} (env {option.env})",
            )
    parser.add_argument(
        "--config", metavar="FILE", help="preferences file (env INFERENCE_GUI_CONFIG)"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for command in COMMANDS:
        command.register(sub)
    for command_parser in dict.fromkeys(sub.choices.values()):
        add_json_flags(command_parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    wants_json = "--json" in (sys.argv[1:] if argv is None else argv)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        if exc.code == EXIT_USAGE and wants_json:
            print(document("", error_payload(last_usage_error(), EXIT_USAGE)))
        raise
    flags: dict[str, Any] = {o.key: getattr(args, o.key, None) for o in OPTIONS if o.flag}
    stored, problems = read_preferences_file(args.config)
    settings, setting_problems = load_settings(stored, os.environ, flags)
    problems += setting_problems
    problems += ensure_folders(settings)
    setup_logging(settings.log_dir, logging.DEBUG if args.verbose else logging.INFO)
    ctx = AppContext(settings)

    if args.command is None:
        from inference_gui.ui.app import run_gui
        from inference_gui.ui.settings_store import open_store

        store, _ = open_store(args.config)  # the same file; its problems are in ``problems``
        return run_gui(ctx, store, os.environ, flags, problems)

    if problems:
        for problem in problems:
            print(f"inference-gui: {problem}", file=sys.stderr)
        if getattr(args, "json", False):
            print(document(command_name(args), error_payload("; ".join(problems), EXIT_USAGE)))
        return EXIT_USAGE
    try:
        if getattr(args, "json", False):
            return run_as_json(args, lambda: args.func(args, ctx))
        code = args.func(args, ctx)
        sys.stdout.flush()  # inside the try, so a reader that went away is handled below
        return code
    except AppError as exc:
        print(f"inference-gui: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not interrupt cleanup
        print("inference-gui: interrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` or a pager that quit: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    finally:
        ctx.close()
