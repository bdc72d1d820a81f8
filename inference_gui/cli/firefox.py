"""``inference-gui firefox``: a real Firefox's ML model cache and ML engine.

``ls``, ``profiles`` and ``verify`` read a profile without writing to it; ``rm`` cleans one through
Firefox's own API; ``run`` runs a model in a headless Firefox beside ours. Thin over
:mod:`inference_gui.firefox`, the same core the Firefox profile window uses.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from inference_gui.cli.records_status import print_statuses
from inference_gui.cli.run import call_options, report, run_input, run_request
from inference_gui.context import AppContext
from inference_gui.engine.compare import agreement
from inference_gui.firefox.beside import find_install, run_plan
from inference_gui.firefox.clean import remove_model
from inference_gui.firefox.profile_cache import ProfileCache, read_profile_cache
from inference_gui.firefox.profiles_ini import list_profiles
from inference_gui.firefox.snapshot import ProfileError
from inference_gui.firefox.verify import cache_reference, hub_reference, verify_profile
from inference_gui.format import human_bytes
from inference_gui.status import READY, feature_statuses
from inference_gui.vocab import DTYPES


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "firefox",
        help="a Firefox profile's ML model cache (list, verify, clean) and running in Firefox",
    )
    commands = parser.add_subparsers(dest="firefox_command", metavar="ACTION", required=True)

    profiles = commands.add_parser("profiles", help="the Firefox profiles listed in profiles.ini")
    profiles.add_argument("--json", action="store_true", help="print JSON")
    profiles.set_defaults(func=run_profiles)

    ls = commands.add_parser(
        "ls", help="models, revisions and files in a profile's model cache, with tasks and engines"
    )
    _profile_argument(ls)
    ls.add_argument("--json", action="store_true", help="print JSON")
    ls.set_defaults(func=run_ls)

    verify = commands.add_parser(
        "verify", help="SHA-256 of each cached file against our cache's index or the hub"
    )
    _profile_argument(verify)
    verify.add_argument(
        "--against",
        choices=("cache", "hub"),
        default="cache",
        help="compare with our model cache (default) or with the configured hub's files",
    )
    verify.add_argument("--json", action="store_true", help="print JSON")
    verify.set_defaults(func=run_verify)

    status = commands.add_parser(
        "status",
        help="records vs profile: per feature, what it would need and whether the profile holds it",
    )
    _profile_argument(status)
    status.add_argument("feature_ids", nargs="*", metavar="FEATURE_ID", help="default: all")
    status.add_argument("--json", action="store_true", help="print JSON")
    status.set_defaults(func=run_status)

    rm = commands.add_parser(
        "rm",
        help="remove a model from a profile's cache through Firefox's own ModelHub "
        "(starts a headless Firefox on the profile; refused while Firefox runs on it)",
    )
    rm.add_argument("--profile", type=Path, metavar="DIR", required=True, help="profile folder")
    rm.add_argument(
        "--model", required=True, metavar="M", help="host/org/name as `ls` shows it, or org/name"
    )
    rm.add_argument("--revision", metavar="R", help="only this revision (default: every one)")
    _firefox_argument(rm)
    rm.add_argument("--json", action="store_true", help="print JSON")
    rm.set_defaults(func=run_rm)

    run = commands.add_parser(
        "run",
        help="run a model in a headless Firefox, served from our cache or a folder, beside ours",
        description="Starts a headless Firefox on a fresh temporary profile with a local model "
        "hub and Remote Settings, runs the model with createEngine/engine.run, runs it with our "
        "engine too and prints both outputs, timings and their agreement. Exit status 1 when "
        "they disagree.",
    )
    source = run.add_mutually_exclusive_group(required=True)
    source.add_argument("--feature", metavar="F", help="feature id, resolved through the records")
    source.add_argument("--task", metavar="T", help="task name (with --model or --folder)")
    run.add_argument("--model", metavar="M", help="model id (org/name)")
    run.add_argument("--folder", metavar="DIR", type=Path, help="a converted model's folder")
    run.add_argument("--revision", metavar="R", help="model revision (default: main)")
    run.add_argument("--dtype", metavar="D", help=f"quantization: {', '.join(DTYPES)}")
    run.add_argument("--options", metavar="JSON", help="pipeline options, e.g. '{\"top_k\": 3}'")
    run.add_argument("--question", metavar="Q", help="question-answering: the question")
    run.add_argument("--context", metavar="C", help="question-answering: the context")
    _firefox_argument(run)
    run.add_argument(
        "--wasm",
        type=Path,
        metavar="FILE",
        help="the onnxruntime-web WASM to serve (default: fetched once with npm, the version "
        "this Firefox's omni.ja names)",
    )
    run.add_argument("texts", metavar="INPUT", nargs="*", help="input text; several are a batch")
    run.add_argument("--json", action="store_true", help="print one JSON object")
    # The input kinds of `run` that Firefox cannot take (images are read from URLs only).
    run.set_defaults(func=run_in_firefox, image=[], audio=[], messages=None, labels=[])


def _firefox_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--firefox", metavar="PATH", help="Firefox binary (default: firefox-esr or firefox)"
    )


def _profile_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="profile folder (default: the default profile in profiles.ini)",
    )


def _profile(args: argparse.Namespace) -> ProfileCache:
    folder = args.profile
    if folder is None:
        found = list_profiles()
        if not found:
            raise ProfileError(
                "No Firefox profiles.ini found for this user.", "Pass --profile DIR."
            )
        folder = found[0].path
    return read_profile_cache(folder)


def _when(value: object) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "-"  # type: ignore[attr-defined]


def run_profiles(args: argparse.Namespace, ctx: AppContext) -> int:
    found = list_profiles()
    if args.json:
        rows = [{"name": p.name, "path": str(p.path), "default": p.is_default} for p in found]
        print(json.dumps(rows, indent=2))
        return 0
    if not found:
        print("No Firefox profiles found (no profiles.ini for this user).")
    for p in found:
        print(f"{'*' if p.is_default else ' '} {p.name:<24} {p.path}")
    return 0


def run_status(args: argparse.Namespace, ctx: AppContext) -> int:
    """Our records' features against the profile's cache; exit 1 when a named one is not ready."""
    cache = _profile(args)
    statuses = feature_statuses(ctx, args.feature_ids or None, profile=cache)
    if args.json:
        print(
            json.dumps({"profile": str(cache.profile), "features": [s.to_json() for s in statuses]})
        )
    else:
        print(f"Firefox profile {cache.profile}: {cache.lock.detail}")
        print_statuses(statuses)
    return 1 if args.feature_ids and any(s.state != READY for s in statuses) else 0


def run_ls(args: argparse.Namespace, ctx: AppContext) -> int:
    cache = _profile(args)
    if args.json:
        print(json.dumps(cache.to_json(), indent=2))
        return 0
    print(f"Firefox profile {cache.profile}: {cache.lock.detail}")
    for warning in cache.warnings:
        print(f"warning: {warning}")
    if not cache.models:
        print("Its model cache is empty.")
    for model in cache.models:
        print(f"{model.hub_model}  {human_bytes(model.size)}")
        for revision in model.revisions:
            print(
                f"  {revision.revision}  {human_bytes(revision.size)}  last used "
                f"{_when(revision.last_used)}  updated {_when(revision.last_updated)}"
            )
            for f in revision.files:
                uses = f"tasks {', '.join(f.tasks) or '-'}; engines {', '.join(f.engines) or '-'}"
                gone = "  (bytes missing)" if f.missing else ""
                print(f"    {human_bytes(f.size):>10}  {f.path}  [{uses}]{gone}")
    for model_id, revision_id, path in cache.stray_records:
        print(f"stray record (no headers, no bytes): {model_id}@{revision_id} {path}")
    for f in cache.unrecorded:
        print(f"unrecorded: {f.path} {human_bytes(f.size or 0)}")
    if cache.runtime_files:
        runtime = sum(f.size or 0 for f in cache.runtime_files)
        print(f"Runtime files: {len(cache.runtime_files)}, {human_bytes(runtime)}")
    print(f"Total: {len(cache.files)} files, {human_bytes(cache.total_size)}")
    return 0


def run_verify(args: argparse.Namespace, ctx: AppContext) -> int:
    cache = _profile(args)
    reference = cache_reference(ctx.cache) if args.against == "cache" else hub_reference(ctx.hub)
    checks = verify_profile(cache, reference)
    if args.json:
        print(json.dumps([c.to_json() for c in checks], indent=2))
    else:
        for c in checks:
            print(f"{c.status:<8} {c.model}@{c.revision} {c.path}: {c.detail}")
        counts = {
            s: sum(c.status == s for c in checks) for s in ("ok", "differs", "missing", "size")
        }
        print(
            f"Checked {len(checks)} files against the {args.against}: {counts['ok']} identical, "
            f"{counts['differs']} differ, {counts['missing'] + counts['size']} damaged, "
            f"{len(checks) - sum(counts.values())} not in the {args.against}."
        )
    return 1 if any(c.status in ("differs", "missing", "size") for c in checks) else 0


def run_rm(args: argparse.Namespace, ctx: AppContext) -> int:
    result = remove_model(args.profile, args.model, args.revision, firefox=args.firefox)
    if args.json:
        print(json.dumps(result.to_json(), indent=2))
        return 0
    which = f"{result.model}@{result.revision}" if result.revision else f"{result.model}"
    for revision, path in result.removed:
        print(f"removed  {revision}  {path}")
    for revision, path in result.remaining:
        print(f"kept     {revision}  {path}  (Firefox still lists it)")
    print(
        f"Firefox removed {len(result.removed)} files of {which}: "
        f"{human_bytes(result.before.total_size)} -> {human_bytes(result.after.total_size)}, "
        f"{human_bytes(result.bytes_freed)} freed."
    )
    return 0


def run_in_firefox(args: argparse.Namespace, ctx: AppContext) -> int:
    plan = ctx.runs.plan(run_request(args))
    inputs = run_input(args)
    pipeline = call_options(args.options)
    install = find_install(args.firefox)
    theirs = run_plan(ctx, plan, inputs, pipeline, install, wasm=args.wasm).first
    ours = ctx.runs.run(plan, inputs, pipeline)
    agree = agreement(theirs.output, ours.output)
    if args.json:
        ours_report = report(ours, plan.options, ours.output)
        print(
            json.dumps(
                {
                    "firefox": theirs.to_json(),
                    "ours": ours_report,
                    "agreement": {"agrees": agree.agrees, "kind": agree.kind, "text": agree.text},
                },
                ensure_ascii=False,
            )
        )
    else:
        print(json.dumps(theirs.output, ensure_ascii=False, indent=2))
        print(
            f"{theirs.firefox}: load {theirs.load_ms:.1f} ms, run {theirs.run_ms:.1f} ms; ours: "
            + ", ".join(
                f"{k} {v:.1f} ms"
                for k, v in ours.timings_ms.items()
                if v and k != "tokens_per_second"
            )
        )
        print(f"Agreement with ours ({plan.options.dtype_label}): {agree.text}")
    return 0 if agree.agrees else 1
