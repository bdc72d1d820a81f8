"""``inference-gui cache``: list, fetch, remove, verify, evict and import model files.

Thin over :class:`inference_gui.cache.ModelCache`, the same API the Cache pane uses.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

from inference_gui.cache import IMPORTED_HUB
from inference_gui.cache.operations import DeletePlan
from inference_gui.cache.store import DamagedIndex, set_aside
from inference_gui.cli.check import refuse_broken
from inference_gui.cli.output import emit
from inference_gui.context import AppContext
from inference_gui.errors import AppError, CacheError
from inference_gui.format import human_bytes
from inference_gui.hub import RemoteFile
from inference_gui.jobs import Progress
from inference_gui.layout import describe_gaps, dtype_gaps, dtypes_present, select_dtypes
from inference_gui.status import (
    cache_listing,
    cache_use,
    feature_delete_plan,
    referenced_revisions,
)
from inference_gui.vocab import DTYPES


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "cache", help="list, fetch, remove, verify, evict or import cached model files"
    )
    commands = parser.add_subparsers(dest="cache_command", metavar="ACTION", required=True)

    ls = commands.add_parser("ls", help="models, revisions and files in the cache, with sizes")
    ls.add_argument("--json", action="store_true", help="print JSON")
    ls.set_defaults(func=run_ls)

    fetch = commands.add_parser("fetch", help="download a model revision's files into the cache")
    fetch.add_argument("--model", required=True, help="model id, org/name")
    fetch.add_argument("--revision", required=True, help="revision, e.g. v1.0.0 or main")
    fetch.add_argument(
        "--dtype",
        action="append",
        choices=DTYPES,
        default=[],
        help="quantization to fetch (repeatable); without it, every file",
    )
    fetch.add_argument("--task", help="record the files as used by this task")
    fetch.set_defaults(func=run_fetch)

    rm = commands.add_parser(
        "rm", help="remove cached files (bytes go only when nothing else uses them)"
    )
    target = rm.add_mutually_exclusive_group(required=True)
    target.add_argument("--model", help="model id (optionally narrowed with --revision and --file)")
    target.add_argument("--feature", help="everything used by this feature id")
    target.add_argument("--task", help="everything used by this task")
    target.add_argument("--all", action="store_true", help="the whole cache")
    rm.add_argument("--revision", help="only this revision (with --model)")
    rm.add_argument("--file", help="only this file path (with --model and --revision)")
    rm.add_argument("--dry-run", action="store_true", help="say what would go, change nothing")
    rm.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    rm.set_defaults(func=run_rm)

    verify = commands.add_parser(
        "verify",
        help="re-hash every file; report missing, corrupt, unindexed, orphaned, partial",
    )
    verify.add_argument(
        "--repair",
        action="store_true",
        help="recover what can be (re-index, restore, re-link), remove only what cannot",
    )
    verify.add_argument(
        "--full",
        action="store_true",
        help="re-read every file, even those unchanged since the last verify",
    )
    verify.add_argument("--json", action="store_true", help="print JSON")
    verify.set_defaults(func=run_verify)

    evict = commands.add_parser(
        "evict",
        help="remove revisions no feature resolves to now, unused for N days "
        "(--unused-days 0: every revision no record uses), or incomplete downloads",
    )
    which = evict.add_mutually_exclusive_group()
    which.add_argument(
        "--unused-days", type=float, default=30.0, metavar="N", help="days unused (30)"
    )
    which.add_argument(
        "--incomplete",
        action="store_true",
        help="instead, remove partial downloads nobody is resuming (a fetch would resume them)",
    )
    evict.add_argument("--dry-run", action="store_true", help="say what would go, change nothing")
    evict.set_defaults(func=run_evict)

    imp = commands.add_parser("import", help="import a local model folder as a model and revision")
    imp.add_argument("folder", type=Path, metavar="DIR", help="folder laid out like the repo")
    imp.add_argument("--model", required=True, help="model id to file it under, org/name")
    imp.add_argument("--revision", required=True, help="revision to file it under, e.g. v1.0.0")
    imp.add_argument(
        "--force", action="store_true", help="import even when the model check finds errors"
    )
    imp.set_defaults(func=run_import)


def _when(epoch: float) -> str:
    return datetime.fromtimestamp(epoch).strftime("%Y-%m-%d %H:%M")


def run_ls(args: argparse.Namespace, ctx: AppContext) -> int:
    if args.json:
        emit(args, cache_listing(ctx))
        return 0
    use = cache_use(ctx)
    tree = use.tree
    if not tree.models:
        print(f"The cache at {ctx.settings.cache_dir} is empty.")
        return 0
    if use.users_error:
        print(f"Which features use each file now is unknown: {use.users_error}")
    for model in tree.models:
        print(f"{model.model}  ({model.hub})  {human_bytes(model.size)}")
        for revision in model.revisions:
            now = sorted(
                {
                    name
                    for (m, r, _), names in (use.users or {}).items()
                    if (m, r) == (model.model, revision.revision)
                    for name in names
                }
            )
            used = f"  used by {', '.join(now)}" if now else ""
            if revision.used_by:
                used += f"  last used by {', '.join(revision.used_by)}"
            note = f"  {revision.incomplete_note()}" if revision.incomplete else ""
            print(
                f"  {revision.revision}  {human_bytes(revision.size)}  last used "
                f"{_when(revision.last_used)}{used}{note}"
            )
            for f in revision.files:
                print(f"    {human_bytes(f.size):>10}  {f.dtype or '-':<6} {f.path}")
    print(f"Total on disk: {human_bytes(tree.total_size)} of {human_bytes(ctx.cache.limit_bytes)}")
    return 0


class _Printer:
    """A live progress line on stderr when it is a terminal (stdout keeps only the results)."""

    def __init__(self) -> None:
        self.live = sys.stderr.isatty()

    def __call__(self, p: Progress) -> None:
        if not self.live:
            return
        rate = p.extra.get("rate", 0)
        print(
            f"\r{p.detail}: {human_bytes(p.extra.get('file_done', p.done))} "
            f"— total {human_bytes(p.done)} of {human_bytes(p.total)} ({human_bytes(rate)}/s)   ",
            end="",
            file=sys.stderr,
            flush=True,
        )


def run_fetch(args: argparse.Namespace, ctx: AppContext) -> int:
    hub, cache = ctx.hub, ctx.cache
    hub.notify = lambda line: print(f"inference-gui: {line}", file=sys.stderr)
    offline = ctx.settings.offline and not hub.is_local  # a folder hub needs no network
    if offline:  # no listing request: what is cached is all there is
        cached = cache.store.select(model=args.model, revision=args.revision)
        if not cached:
            raise CacheError(
                f"Offline mode is on and nothing of {args.model} at {args.revision} is cached.",
                "Turn offline mode off to download it.",
            )
        listed = [RemoteFile(r.path, r.size) for r in cached]
    else:
        listed = hub.list_files(args.model, args.revision)
    files = select_dtypes(listed, args.dtype)
    _check_dtypes_found(args, listed, offline, hub.host)
    used_by = f"task:{args.task}" if args.task else None
    printer = _Printer()
    paths = cache.fetch_many(
        hub,
        args.model,
        args.revision,
        files,
        progress=printer,
        used_by=used_by,
        offline=ctx.settings.offline,
    )
    if printer.live:
        print(file=sys.stderr)
    emit(
        args,
        {
            "model": args.model,
            "revision": args.revision,
            "files": [str(p) for p in paths],
            "total_size": cache.total_size(),
        },
    )
    for path in paths:
        print(path)
    files_word = "file" if len(paths) == 1 else "files"
    print(
        f"Fetched {len(paths)} {files_word} of {args.model} at {args.revision}; the cache now "
        f"holds {human_bytes(cache.total_size())}."
    )
    return 0


def _check_dtypes_found(
    args: argparse.Namespace, listed: list[RemoteFile], offline: bool, host: str
) -> None:
    """Fetching less than asked is a failure, said with its reason: each dtype asked for needs an
    ONNX file for every graph of the model, and offline (where the cache is the whole list) some
    complete model must be cached."""
    found = dtypes_present(listed)
    gaps = dtype_gaps(listed, args.dtype)
    if listed and not gaps and (found or not offline):
        return
    asked = ", ".join(gaps) or "model"
    lacking = f" (missing {describe_gaps(gaps)})" if gaps else ""
    has = f" (it has: {', '.join(sorted(found))})" if found else ""
    if offline:
        raise CacheError(
            f"Offline mode is on and no complete {asked} files of {args.model} at "
            f"{args.revision} are cached{lacking}{has}, so nothing more can be fetched.",
            "Turn offline mode off to download them.",
        )
    raise CacheError(
        f"{args.model} at {args.revision} has no complete {asked} files on {host}{lacking}{has}.",
        "Ask for a dtype it has." if found else "Check the model id and revision.",
    )


def _show_plan(plan: DeletePlan, verb: str) -> None:
    for row in plan.remove:
        print(f"{verb} {row.model} {row.revision} {row.path} ({human_bytes(row.size)})")
    for row in plan.unlink:
        print(
            f"Kept {row.model} {row.revision} {row.path}: others use it too, so only the tag goes"
        )


def _confirm(plan: DeletePlan, yes: bool) -> bool:
    if yes:
        return True
    if not sys.stdin.isatty():
        raise AppError(
            "Removing needs confirmation.", "Add --yes, or use --dry-run to see what would go."
        )
    answer = input(
        f"Remove {len(plan.remove)} files, freeing {human_bytes(plan.freed_bytes)}? [y/N] "
    )
    return answer.strip().lower() in ("y", "yes")


def _run_plan(
    args: argparse.Namespace, ctx: AppContext, plan: DeletePlan, *, dry_run: bool, yes: bool
) -> int:
    emit(args, {"dry_run": True, **plan.to_json()})  # replaced below once something is removed
    if plan.empty:
        print(f"Nothing to remove for {plan.description}.")
        return 0
    if dry_run:
        _show_plan(plan, "Would remove")
        why = plan.why_nothing_freed()
        print(
            f"Would free {human_bytes(plan.freed_bytes)} ({plan.freed_bytes} bytes)"
            + (f": {why}." if why else ".")
        )
        return 0
    if not _confirm(plan, yes):
        print("Nothing removed.")
        return 0
    done = ctx.cache.delete(plan)
    emit(args, {"dry_run": False, **done.to_json()})
    _show_plan(done, "Removed")
    print(
        f"Freed {human_bytes(done.freed_bytes)} ({done.freed_bytes} bytes); removed "
        f"{len(done.remove)} files."
    )
    return 0


def run_rm(args: argparse.Namespace, ctx: AppContext) -> int:
    if (args.revision or args.file) and not args.model:
        raise AppError("--revision and --file narrow --model.", "Add --model org/name.")
    if args.file and not args.revision:
        raise AppError("--file needs --revision.", "Add --revision, e.g. --revision v1.0.0.")
    if args.feature:
        plan = feature_delete_plan(ctx, args.feature)
    elif args.task:
        plan = ctx.cache.plan_delete(used_by=f"task:{args.task}")
    else:
        plan = ctx.cache.plan_delete(
            model=args.model, revision=args.revision, path=args.file, everything=args.all
        )
    return _run_plan(args, ctx, plan, dry_run=args.dry_run, yes=args.yes)


def run_evict(args: argparse.Namespace, ctx: AppContext) -> int:
    if args.incomplete:
        return _evict_incomplete(args, ctx)
    if args.unused_days < 0:
        raise AppError("--unused-days must be 0 or more.")
    plan = ctx.cache.plan_evict(args.unused_days, referenced_revisions(ctx))
    return _run_plan(args, ctx, plan, dry_run=args.dry_run, yes=True)


def _evict_incomplete(args: argparse.Namespace, ctx: AppContext) -> int:
    found = ctx.cache.evict_incomplete(dry_run=args.dry_run)
    freed = sum(f.size for f in found)
    emit(
        args,
        {
            "dry_run": args.dry_run,
            "description": "incomplete downloads",
            "freed_bytes": freed,
            "remove": [{"file": str(f.path), "kind": f.kind, "size": f.size} for f in found],
        },
    )
    if not found:
        print("No incomplete downloads to remove.")
        return 0
    verb = "Would remove" if args.dry_run else "Removed"
    for f in found:
        print(f"{verb} {f.path}: {f.detail}")
    print(f"{'Would free' if args.dry_run else 'Freed'} {human_bytes(freed)} ({freed} bytes).")
    return 0


def run_verify(args: argparse.Namespace, ctx: AppContext) -> int:
    try:
        cache = ctx.cache
    except DamagedIndex:
        if not args.repair:
            raise
        moved = set_aside(ctx.settings.cache_dir / "index.sqlite")
        print(f"The damaged index was set aside as {moved}; rebuilding it from the cached files.")
        cache = ctx.cache
    report = cache.verify(repair=args.repair, full=args.full)
    if args.json:
        emit(args, report.to_json())
    else:
        for f in report.findings:
            print(f"{f.kind:<9} {f.location}: {f.detail}; {f.outcome}")
        print(
            f"Checked {report.checked_files} files ({human_bytes(report.checked_bytes)}): "
            + (
                "all intact."
                if report.ok
                else f"{len(report.findings)} problems"
                + (", repaired." if report.repaired else "; run with --repair to fix them.")
            )
        )
    return 0 if report.ok or report.repaired else 1


def run_import(args: argparse.Namespace, ctx: AppContext) -> int:
    if not args.force:
        refuse_broken(args.folder)
    paths = ctx.cache.import_folder(args.folder, args.model, args.revision)
    folder = ctx.cache.blobs.revision_dir(IMPORTED_HUB, args.model, args.revision)
    emit(
        args,
        {
            "model": args.model,
            "revision": args.revision,
            "folder": str(folder),
            "files": len(paths),
        },
    )
    print(f"Imported {len(paths)} files as {args.model} at {args.revision} into {folder}.")
    return 0
