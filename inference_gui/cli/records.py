"""``inference-gui records``: list a collection, resolve a feature, sync from the server."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from inference_gui.cli import records_status
from inference_gui.cli.output import emit
from inference_gui.context import AppContext
from inference_gui.firefox.rules import firefox_warnings
from inference_gui.records import COLLECTIONS, INFERENCE_OPTIONS, RecordSet

# Columns of the plain-text listing per collection (the JSON output has every field).
COLUMNS: dict[str, tuple[str, ...]] = {
    INFERENCE_OPTIONS: ("featureId", "taskName", "modelId", "modelRevision", "dtype", "backend"),
    "ml-onnx-runtime": ("name", "version", "id"),
    "ml-model-allow-deny-list": ("filter", "urlPrefix", "description"),
}


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("records", help="settings records: list, resolve a feature, sync")
    actions = parser.add_subparsers(dest="records_command", metavar="ACTION", required=True)

    listing = actions.add_parser("list", help="list a collection's records and their problems")
    listing.add_argument("--collection", default=INFERENCE_OPTIONS, choices=COLLECTIONS)
    listing.add_argument("--json", action="store_true", help="print one JSON object")
    listing.set_defaults(func=run_list)

    resolving = actions.add_parser("resolve", help="the options a feature would run with")
    resolving.add_argument(
        "feature_id",
        metavar="FEATURE_ID",
        nargs="?",
        help="the feature; leave it out to resolve a record without featureId by --task",
    )
    resolving.add_argument(
        "--task", help="task to fall back to when the feature has no record (or to resolve by)"
    )
    resolving.add_argument("--model", help="model id to narrow the match")
    resolving.add_argument("--json", action="store_true", help="print the effective options object")
    resolving.set_defaults(func=run_resolve, usage_error=resolving.error)

    syncing = actions.add_parser("sync", help="fetch every collection from the settings server now")
    syncing.add_argument(
        "--clear-backoff",
        action="store_true",
        help="forget the server's Backoff request first (at most an hour) and ask it now",
    )
    syncing.set_defaults(func=run_sync)

    records_status.register(actions)


def _table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows
    )


def _text(value: Any) -> str:
    return "" if value is None else value if isinstance(value, str) else json.dumps(value)


def print_set(result: RecordSet) -> None:
    columns = COLUMNS[result.collection]
    print(f"{result.collection}: {len(result.records)} records, timestamp {result.timestamp}")
    print(f"source: {result.source.describe()}")
    print(result.signature.describe())
    rows = [columns] + [
        tuple(_text(r.get(c)) for c in columns)
        if isinstance(r, dict)
        else (_text(r),) + ("",) * (len(columns) - 1)
        for r in result.records
    ]
    print(_table(rows))
    if result.problems:
        print(f"\n{len(result.problems)} problem(s); these records are skipped:")
        print(
            _table(
                [("id", "field", "problem")] + [(p.id, p.field, p.message) for p in result.problems]
            )
        )
    warnings = _firefox_warnings(result)
    if warnings:
        print(f"\n{len(warnings)} warning(s); these records are used here:")
        print(_table([("id", "field", "warning")] + [(w.id, w.field, w.message) for w in warnings]))


def _firefox_warnings(result: RecordSet) -> list[Any]:
    """Firefox's stricter rules, for inference options only (inference_gui.firefox.rules)."""
    return firefox_warnings(result.records) if result.collection == INFERENCE_OPTIONS else []


def run_list(args: argparse.Namespace, ctx: AppContext) -> int:
    result = ctx.records.load(args.collection)
    if args.json:
        emit(
            args, {**result.to_json(), "warnings": [w.to_json() for w in _firefox_warnings(result)]}
        )
    else:
        print_set(result)
    return 0


def run_resolve(args: argparse.Namespace, ctx: AppContext) -> int:
    if not args.feature_id and not args.task:
        args.usage_error("give a FEATURE_ID, or --task TASK for a record without featureId")
    resolution = ctx.records.resolve(args.feature_id, task_name=args.task, model_id=args.model)
    if args.json:
        emit(
            args,
            {
                "feature": args.feature_id,
                "record_id": resolution.record_id,
                "matched_by": resolution.matched_by,
                "options": resolution.options,
                "sources": resolution.sources,
            },
        )
        return 0
    if resolution.record_id:
        print(f"record {resolution.record_id} (matched by {resolution.matched_by})")
    else:
        print("no record matched: the task and model given are used as they are")
    print(
        _table([("option", "value", "from")] + [(k, _text(v), s) for k, v, s in resolution.rows()])
    )
    return 0


def _fresh(result: RecordSet) -> bool:
    """Synced just now from the server (not a last sync or dump shown because it failed)."""
    return result.source.kind == "server" and not result.source.note


def _synced(result: RecordSet) -> dict[str, Any]:
    return {
        "collection": result.collection,
        "synced": _fresh(result),
        "source": result.source.describe(),
        "timestamp": result.timestamp,
        "records": len(result.records),
        "problems": len(result.problems),
        "signature": result.signature.to_json(),
    }


def run_sync(args: argparse.Namespace, ctx: AppContext) -> int:
    if args.clear_backoff:
        cleared = ctx.records.clear_backoff()
        print("Backoff cleared." if cleared else "No Backoff was pending; cleared nothing.")
    failed = False
    results = ctx.records.sync()
    if args.json:
        emit(args, {"collections": [_synced(r) for r in results]})
    for result in results:
        fresh = _fresh(result)
        failed = failed or not fresh
        print(
            f"{result.collection}: {len(result.records)} records, "
            f"{len(result.problems)} problem(s) — {result.source.describe()}",
            file=sys.stdout if fresh else sys.stderr,
        )
    return 1 if failed else 0
