"""``inference-gui``: with no command, open the window; with one, run it headless.

Every command module exposes ``register(subparsers)``, which adds its parser and sets
``func(args, ctx) -> int`` as the default; a new command is one module plus one line in COMMANDS.
A command's module is imported only when that command is chosen, so ``--version``, ``--help`` and
light commands never pay for numpy, onnxruntime or Qt (a test checks ``sys.modules``).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from inference_gui import __version__
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

# (name, the one-line help ``--help`` lists); the command's code is the module
# inference_gui.cli.<name> (or the one SHARED_MODULES names), imported only when the command is
# chosen. The module registers the same help line (a test checks).
COMMANDS = (
    ("records", "settings records: list, resolve a feature, sync"),
    ("cache", "list, fetch, remove, verify, evict or import cached model files"),
    ("run", "run a model on text, an image, or a question"),
    ("bench", "time a model's load and runs: median, p90, min, tokens/s, memory"),
    ("screenshot", "save a PNG of the main window on one pane"),
    ("firefox", "a Firefox profile's ML model cache (list, verify, clean) and running in Firefox"),
    ("diagnostics", "versions, ONNX Runtime providers, CPU features and folders in use"),
    ("pack", "demo packs: export features and examples with their files, import offline"),
    ("check", "check a converted model before upload: layout, graphs, tokenizer, card, smoke run"),
    (
        "convert",
        "produce missing dtypes from fp32 as Transformers.js quantizes, or move weights to "
        "external data",
    ),
)
SHARED_MODULES = {"convert": "check"}  # commands registered by another command's module


class LazyCommands(argparse._SubParsersAction):
    """Subcommands whose modules load when chosen: a placeholder parser stands in until then."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.modules: dict[str, str] = {}

    def add_lazy(self, name: str, module: str, help_line: str) -> None:
        self.add_parser(name, help=help_line, add_help=False)
        self.modules[name] = module

    def load(self, name: str) -> None:
        """Swap the placeholders of ``name``'s module for the parsers it registers, with --json."""
        module = self.modules.get(name)
        if module is None:
            return
        names = [n for n, m in self.modules.items() if m == module]
        for each in names:
            del self.modules[each], self._name_parser_map[each]
        self._choices_actions = [a for a in self._choices_actions if a.dest not in names]
        importlib.import_module(module).register(self)
        for each in names:
            add_json_flags(self._name_parser_map[each])

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: Any,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        self.load(values[0])
        super().__call__(parser, namespace, values, option_string)


class Parser(argparse.ArgumentParser):
    """argparse that reports a usage mistake in one line (exit 2) instead of a usage dump."""

    def error(self, message: str) -> NoReturn:
        line = f"{self.prog}: {message}. See '{self.prog} --help'."
        note_usage_error(line)  # for the --json error object
        self.exit(EXIT_USAGE, f"{line}\n")


def build_parser(*, every_command: bool = False) -> Parser:
    """The command line's parser; commands load when parsed, or all now with ``every_command``.

    ``every_command`` is for walks over the whole tree (the --json test); running a command
    needs only the one it names.
    """
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
    parser.add_argument(
        "--firefox-profile",
        metavar="DIR",
        type=Path,
        help="with no command: open the window showing this Firefox profile's model cache "
        "(read-only)",
    )
    sub = parser.add_subparsers(
        dest="command", metavar="COMMAND", parser_class=Parser, action=LazyCommands
    )
    for name, help_line in COMMANDS:
        sub.add_lazy(name, f"inference_gui.cli.{SHARED_MODULES.get(name, name)}", help_line)
    if every_command:
        for name, _ in COMMANDS:
            sub.load(name)
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
        return run_gui(ctx, store, os.environ, flags, problems, args.firefox_profile)

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
