"""``--json`` on every command: one JSON object per call, on stdout, with a format version.

Commands with a result of their own hand it to :func:`emit`; the object is that result plus
``version`` (:data:`JSON_VERSION`, raised only when a field changes meaning or goes away) and
``command``. A command with nothing more to say than its text gets the generic object
``{"version", "command", "ok", "exit_code", "messages"}`` from :func:`run_as_json` (or
``"result"``: the JSON a command printed itself), and a failure
``{"version", "command", "ok": false, "exit_code", "error": {"message", "hint"}}``. Exit codes are
0 (ok), 1 (failed), 2 (bad usage). The fields are documented in docs/cli-json.md.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
from collections.abc import Callable
from typing import Any

from inference_gui.errors import AppError

JSON_VERSION = 1
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
_PAYLOAD = "_json_payload"
_usage_error = [""]  # the last usage mistake argparse reported (set by the CLI's parser)
_ENVELOPE = frozenset({"version", "command", "ok", "exit_code", "error", "messages", "result"})


def command_name(args: argparse.Namespace) -> str:
    """``cache rm``, ``records status``, ``run``... from the parsed arguments."""
    parts = [args.command]
    sub = next((v for k, v in vars(args).items() if k.endswith("_command") and v), None)
    return " ".join(p for p in (*parts, sub) if p)


def note_usage_error(message: str) -> None:
    """Remember a usage mistake, so a ``--json`` call can put it in its error object."""
    _usage_error[0] = message


def last_usage_error() -> str:
    return _usage_error[0]


def emit(args: argparse.Namespace, payload: dict[str, Any]) -> None:
    """Hand over a command's result; it is printed once the command returns, with its exit code."""
    setattr(args, _PAYLOAD, payload)


def error_payload(exc: AppError | str, code: int) -> dict[str, Any]:
    message, hint = (exc.message, exc.hint) if isinstance(exc, AppError) else (exc, "")
    return {"ok": False, "exit_code": code, "error": {"message": message, "hint": hint}}


def document(command: str, payload: dict[str, Any]) -> str:
    return json.dumps({"version": JSON_VERSION, "command": command, **payload}, indent=2)


def run_as_json(args: argparse.Namespace, func: Callable[[], int]) -> int:
    """Run a command under ``--json`` and print its one object: its result (or, when it has none,
    its text lines as ``messages``) with ``ok`` and ``exit_code``; an AppError becomes the error
    object (its line still goes to stderr), exit 1."""
    with contextlib.redirect_stdout(io.StringIO()) as text:
        try:
            code = func()
        except AppError as exc:
            code, payload = EXIT_FAILED, error_payload(exc, EXIT_FAILED)
            print(f"inference-gui: {exc}", file=sys.stderr)
        except SystemExit as exc:  # a usage mistake found by the command, or its own message
            if isinstance(
                exc.code, str
            ):  # SystemExit("...") exits 1 with that line, as Python does
                print(exc.code, file=sys.stderr)
                code, payload = EXIT_FAILED, error_payload(exc.code, EXIT_FAILED)
            elif exc.code == EXIT_USAGE:  # argparse already printed its line on stderr
                code, payload = EXIT_USAGE, error_payload(last_usage_error(), EXIT_USAGE)
            else:
                raise
        else:
            payload = {
                "ok": code == EXIT_OK,
                "exit_code": code,
                **(getattr(args, _PAYLOAD, None) or _printed(text.getvalue())),
            }
    print(document(command_name(args), payload))
    return code


def _printed(text: str) -> dict[str, Any]:
    """What a command without a result of its own printed: its JSON document as ``result``
    (commands that print JSON themselves: an object's fields at the top level unless they would
    clash with the common fields, else under ``result``), or its text lines as ``messages``."""
    try:
        printed = json.loads(text)
    except ValueError:
        return {"messages": [line for line in text.splitlines() if line.strip()]}
    if isinstance(printed, dict) and not set(printed) & _ENVELOPE:
        return printed  # an object keeps its fields at the top, as emit() results do
    return {"result": printed}


def add_json_flags(parser: argparse.ArgumentParser) -> None:
    """Give every leaf command a ``--json`` flag (those that declare their own keep it)."""
    subparsers = [
        a for a in parser._actions if isinstance(a, argparse._SubParsersAction)
    ]  # argparse has no public way to walk its tree
    if not subparsers:
        if not any("--json" in a.option_strings for a in parser._actions):
            parser.add_argument("--json", action="store_true", help="print one JSON object")
        return
    for action in subparsers:
        for child in dict.fromkeys(action.choices.values()):
            add_json_flags(child)
