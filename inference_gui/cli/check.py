"""``inference-gui check``: the pre-flight check of a converted model, and ``--fix``.

Prints the findings grouped by file (or, with ``--json``, the list and a summary); exits 0 when
there is no error, 1 otherwise. The same :mod:`inference_gui.check` core serves the Check view.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from inference_gui.context import AppContext
from inference_gui.errors import CheckError
from inference_gui.vocab import DTYPES

if TYPE_CHECKING:
    from inference_gui.check import Report

# The check core is imported when a check runs: it loads onnx (about a second), which no other
# command should pay for at start-up.


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "check",
        help="check a converted model before upload: layout, graphs, tokenizer, card, smoke run",
        description="Exit status 0 when no error is found, 1 otherwise.",
    )
    parser.add_argument("folder", nargs="?", type=Path, metavar="DIR", help="the model folder")
    parser.add_argument("--model", metavar="M", help="check a hub model instead (org/name)")
    parser.add_argument("--revision", metavar="R", help="the hub model's revision (with --model)")
    parser.add_argument("--task", metavar="T", help="the task (default: from config.json)")
    parser.add_argument(
        "--dtype", action="append", choices=DTYPES, default=[], help="check only this dtype"
    )
    parser.add_argument("--json", action="store_true", help="print the findings as JSON")
    parser.add_argument("--no-smoke", action="store_true", help="skip the smoke run")
    parser.add_argument(
        "--fix", action="store_true", help="apply the fixes the findings offer, then check again"
    )
    parser.set_defaults(func=run_check)

    convert = sub.add_parser(
        "convert",
        help="produce missing dtypes from fp32 as Transformers.js quantizes, or move weights to "
        "external data",
        description="Files are written aside first and moved in only when all succeeded. "
        "q4/q4f16 need: pip install 'inference-gui[convert]'.",
    )
    convert.add_argument("folder", type=Path, metavar="DIR", help="the model folder")
    convert.add_argument(
        "--dtypes", type=_dtype_list, default=[], metavar="D[,D...]", help="dtypes to produce"
    )
    convert.add_argument(
        "--external-data",
        action="store_true",
        help="keep weights in <file>_data (and say so in config.json)",
    )
    convert.set_defaults(func=run_convert)


def _dtype_list(text: str) -> list[str]:
    from inference_gui.check.convert import QUANTIZERS

    dtypes = [d.strip() for d in text.split(",") if d.strip()]
    bad = [d for d in dtypes if d not in QUANTIZERS]
    if bad:
        raise argparse.ArgumentTypeError(
            f"cannot produce {', '.join(bad)} (choose from {', '.join(QUANTIZERS)})"
        )
    return dtypes


def run_convert(args: argparse.Namespace, ctx: AppContext) -> int:
    if not args.dtypes and not args.external_data:
        raise CheckError("Nothing to do.", "Give --dtypes D[,D...] and/or --external-data.")
    from inference_gui.check.convert import convert

    written = convert(args.folder, args.dtypes, args.external_data)
    for path in written:
        print(f"Wrote {path}")
    print(f"{len(written)} file(s) written." if written else "Every asked file is already there.")
    return 0


def checked_folder(args: argparse.Namespace, ctx: AppContext) -> Path:
    if args.model:
        if args.folder is not None or not args.revision:
            raise SystemExit(
                "inference-gui check: give either DIR, or --model with --revision. "
                "See 'inference-gui check --help'."
            )
        from inference_gui.check.sources import hub_folder

        return hub_folder(ctx, args.model, args.revision, args.dtype)
    if args.folder is None:
        raise SystemExit(
            "inference-gui check: give DIR or --model. See 'inference-gui check --help'."
        )
    return args.folder


def run_report(args: argparse.Namespace, ctx: AppContext, folder: Path) -> Report:
    from inference_gui.check import check_folder
    from inference_gui.check.smoke import smoke_run

    def smoke(report: Report, base: str) -> tuple[list, list]:
        return smoke_run(ctx.runs, report.folder, report.task or "", args.dtype, base)

    return check_folder(folder, args.task, args.dtype, None if args.no_smoke else smoke)


def run_check(args: argparse.Namespace, ctx: AppContext) -> int:
    folder = checked_folder(args, ctx)
    report = run_report(args, ctx, folder)
    changed: list[tuple[str, str]] = []
    if args.fix and report.renames():
        from inference_gui.check.fixes import apply_renames

        changed = apply_renames(folder, report.renames())
        report = run_report(args, ctx, folder)
    if args.json:
        print(json.dumps({**report.as_dict(), "fixed": [list(c) for c in changed]}, indent=2))
    else:
        for old, new in changed:
            print(f"Renamed {old} -> {new}")
        if args.fix and not changed:
            print("Nothing to fix automatically.")
        print(render(report))
    return 1 if report.has_errors else 0


def render(report: Report) -> str:
    """The report for a terminal: dtype matrix, findings by file, summary."""
    lines = [f"Checked {report.folder} as {report.task or 'an unknown task'}."]
    if report.matrix:
        width = max(len(b) for b in report.matrix) + 2
        lines.append(" " * width + " ".join(f"{d:<6}" for d in DTYPES))
        for base, row in report.matrix.items():
            marks = " ".join(f"{'yes' if row[d] else '-':<6}" for d in DTYPES)
            lines.append(f"{base:<{width}}{marks}")
    for file, findings in report.by_file().items():
        lines.append(file or "(folder)")
        lines += [f"  {f.line(with_file=False)}" for f in findings]
    summary = report.summary()
    lines.append(
        f"{summary['error']} error(s), {summary['warning']} warning(s), {summary['info']} note(s)."
    )
    return "\n".join(lines)


def refuse_broken(folder: Path) -> None:
    """Before an import: print the check's errors and refuse a folder that has any (the caller
    offers ``--force``). No smoke run: the graphs are still opened once each."""
    from inference_gui.check import check_folder

    report = check_folder(folder)
    if not report.has_errors:
        return
    for finding in report.findings:
        if finding.severity == "error":
            print(f"  {finding.line()}", file=sys.stderr)
    count = report.summary()["error"]
    raise CheckError(
        f"{folder} does not pass the model check ({count} error(s) above); nothing was imported.",
        "Fix them (inference-gui check DIR --fix fixes renames), or import anyway with --force.",
    )
