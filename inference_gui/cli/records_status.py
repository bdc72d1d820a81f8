"""``inference-gui records status``: per feature, what it would run and whether it is cached."""

from __future__ import annotations

import argparse

from inference_gui.cli.output import emit
from inference_gui.context import AppContext
from inference_gui.format import human_bytes
from inference_gui.status import CACHED, MISSING, READY, FeatureStatus, feature_statuses


def register(actions: argparse._SubParsersAction) -> None:
    status = actions.add_parser(
        "status", help="per feature: the model it would run and the state of each file in the cache"
    )
    status.add_argument("feature_ids", nargs="*", metavar="FEATURE_ID", help="default: all")
    status.add_argument("--json", action="store_true", help="print one JSON object")
    status.set_defaults(func=run_status)


def run_status(args: argparse.Namespace, ctx: AppContext) -> int:
    """Exit 1 when a feature named on the command line cannot run from the cache as it stands."""
    statuses = feature_statuses(ctx, args.feature_ids or None)
    if args.json:
        emit(args, {"features": [s.to_json() for s in statuses]})
    else:
        print_statuses(statuses)
    named_not_ready = args.feature_ids and any(s.state != READY for s in statuses)
    return 1 if named_not_ready else 0


def print_statuses(statuses: list[FeatureStatus]) -> None:
    """One line per feature, then what keeps it from being ready (also for ``firefox status``)."""
    for s in statuses:
        what = f"{s.model}@{s.revision} {s.dtype}" if s.model else ""
        print(f"{s.feature}: {s.state}  {what}  {human_bytes(s.cached_bytes)} cached".rstrip())
        if s.error:
            print(f"  {s.error}")
        for note in s.notes:
            print(f"  {note}")
        for f in s.files if s.state != MISSING else ():  # all missing: the line says it
            if f.state != CACHED and (f.required or f.state != MISSING):
                detail = f" ({f.detail})" if f.detail else ""
                print(f"  {f.state:<10} {f.model}@{f.revision} {f.path}{detail}")
