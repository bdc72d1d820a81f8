"""``inference-gui firefox``: a real Firefox profile's ML model cache, read-only.

Thin over :mod:`inference_gui.firefox`, the same core the Firefox profile window uses.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from inference_gui.context import AppContext
from inference_gui.firefox.profile_cache import ProfileCache, read_profile_cache
from inference_gui.firefox.profiles_ini import list_profiles
from inference_gui.firefox.snapshot import ProfileError
from inference_gui.firefox.verify import cache_reference, hub_reference, verify_profile
from inference_gui.format import human_bytes


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "firefox", help="inspect a Firefox profile's ML model cache (read-only)"
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
