"""``inference-gui screenshot``: render the real main window on a pane offscreen and save a PNG."""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path

from inference_gui.context import AppContext
from inference_gui.errors import AppError


def _size(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{2,5})x(\d{2,5})", text)
    if not match:
        raise argparse.ArgumentTypeError(f"size {text!r} is not WIDTHxHEIGHT, e.g. 1200x800")
    return int(match[1]), int(match[2])


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("screenshot", help="save a PNG of the main window on one pane")
    parser.add_argument(
        "--pane", required=True, help="pane to show: records, cache, inference, engines, log, check"
    )
    parser.add_argument("--output", required=True, type=Path, help="PNG file to write")
    parser.add_argument(
        "--size", type=_size, default=(1200, 800), help="window size WxH (1200x800)"
    )
    parser.add_argument(
        "--run-example",
        metavar="NAME",
        help="first run this ready-made example in the Inference pane (e.g. sentiment)",
    )
    parser.add_argument(
        "--compare",
        action="store_true",
        help="with --run-example: compare its dtypes and show the Compare tab",
    )
    parser.add_argument(
        "--benchmark",
        action="store_true",
        help="with --run-example: then benchmark the form's model beside the built-in workloads "
        "and show the Benchmark tab",
    )
    parser.add_argument(
        "--check", type=Path, metavar="DIR", help="first check this model folder (Check pane)"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: AppContext) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from inference_gui.ui.app import application, build_window, render_pane
    from inference_gui.ui.panes import PANE_IDS
    from inference_gui.ui.settings_store import open_store

    if args.pane not in PANE_IDS:
        raise AppError(f"There is no pane {args.pane!r}.", f"Choose one of: {', '.join(PANE_IDS)}.")
    application()
    store, _ = open_store(args.config)
    window = build_window(ctx, store, os.environ, {})
    if args.run_example:
        from inference_gui.ui.panes.inference import play_example

        window.resize(*args.size)
        print(
            play_example(window, args.run_example, compare=args.compare, benchmark=args.benchmark)
        )
    if args.check:
        from inference_gui.ui.panes.check import CheckPane

        pane = window.pane("check")
        assert isinstance(pane, CheckPane)
        pane.check(args.check)
    image = render_pane(window, args.pane, args.size)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(args.output), "PNG"):
        raise AppError(
            f"Could not write {args.output}.", "Check the folder exists and is writable."
        )
    print(f"Saved the {args.pane} pane to {args.output} ({image.width()}x{image.height()}).")
    return 0
