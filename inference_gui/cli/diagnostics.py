"""``inference-gui diagnostics``: versions, runtime, CPU features and folders, for bug reports.

The same report as Help -> About (both come from :mod:`inference_gui.diagnostics`); the CLI never
loads Qt for it, so the Qt line names the installed PySide6 and says Qt is not loaded.
"""

from __future__ import annotations

import argparse

from inference_gui import diagnostics
from inference_gui.context import AppContext
from inference_gui.preferences_file import preferences_path


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "diagnostics", help="versions, ONNX Runtime providers, CPU features and folders in use"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: AppContext) -> int:
    report = diagnostics.collect(ctx.settings, preferences_path(args.config))
    print(diagnostics.as_json(report) if args.json else diagnostics.as_text(report))
    return 0
