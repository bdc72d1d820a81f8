"""``inference-gui pack``: demo packs, exported on a connected machine and imported offline.

Thin over :mod:`inference_gui.packs`, the same core the main window's File -> Import demo pack
uses.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from inference_gui.cli.output import emit
from inference_gui.context import AppContext
from inference_gui.format import human_bytes
from inference_gui.packs import export_pack, import_pack
from inference_gui.vocab import DTYPES


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "pack", help="demo packs: export features and examples with their files, import offline"
    )
    commands = parser.add_subparsers(dest="pack_command", metavar="ACTION", required=True)
    export = commands.add_parser(
        "export", help="write the records, examples and model files of features into a zip"
    )
    export.add_argument("out", type=Path, metavar="OUT.zip", help="the pack to write")
    export.add_argument(
        "--feature", action="append", default=[], metavar="F", help="a feature id (repeatable)"
    )
    export.add_argument(
        "--example", action="append", default=[], metavar="E", help="an example name (repeatable)"
    )
    export.add_argument(
        "--dtype",
        action="append",
        default=[],
        metavar="D",
        help="also pack the files of this dtype (repeatable; each feature's and example's own "
        f"dtype is always packed): {', '.join(DTYPES)}",
    )
    export.add_argument("--json", action="store_true", help="print one JSON object")
    export.set_defaults(func=run_export)
    imp = commands.add_parser(
        "import", help="verify a pack's files and install them and its records (works offline)"
    )
    imp.add_argument("pack", type=Path, metavar="PACK.zip", help="the pack to import")
    imp.add_argument("--json", action="store_true", help="print one JSON object")
    imp.set_defaults(func=run_import)


def run_export(args: argparse.Namespace, ctx: AppContext) -> int:
    summary = export_pack(ctx, args.out, args.feature, args.example, dtypes=args.dtype)
    emit(args, summary.to_json())
    print(
        f"Wrote {summary.path}: {len(summary.features)} feature(s), {len(summary.examples)} "
        f"example(s), {summary.files} files ({human_bytes(summary.bytes)})."
    )
    return 0


def run_import(args: argparse.Namespace, ctx: AppContext) -> int:
    summary = import_pack(ctx, args.pack)
    emit(args, summary.to_json())
    what = ", ".join(summary.features + summary.examples) or "nothing"
    print(
        f"Imported {summary.path.name}: {summary.files} files ({human_bytes(summary.bytes)}); "
        f"ready offline: {what}.",
        file=sys.stdout,
    )
    return 0
