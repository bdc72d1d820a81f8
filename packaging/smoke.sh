#!/usr/bin/env bash
# Smoke test of the built bundle (packaging/build.sh first), as a person without Python would run
# it: from an empty temp folder, with a clean environment (no PYTHONPATH, a fresh HOME), so neither
# the checkout nor an installed inference_gui can be on sys.path. Takes well under a minute.
#   --version; records list --json (the embedded dump); screenshot of the Inference pane after
#   running a fixture example against the repo's test hub (tests/fixtures/hub, a local folder).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
exe="${1:-$repo/dist/inference-gui/inference-gui}"
[[ -x "$exe" ]] || { echo "smoke.sh: no bundle at $exe; run packaging/build.sh first." >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
bundle() {  # the bundle with nothing of this shell's environment but PATH
    env -i HOME="$work/home" PATH=/usr/bin:/bin QT_QPA_PLATFORM=offscreen "$exe" "$@"
}
fail() { echo "smoke.sh: FAIL: $*" >&2; exit 1; }

version="$(bundle --version)"
[[ "$version" =~ ^inference-gui\ [0-9] ]] || fail "--version printed '$version'"
echo "ok  --version: $version"

bundle records list --json >records.json
grep -q '"source": "embedded dump"' records.json || fail "records list did not read the embedded dump"
grep -q '"featureId"' records.json || fail "records list --json has no records"
echo "ok  records list --json: embedded dump, $(grep -c '"featureId"' records.json) records"

bundle --hub "$repo/tests/fixtures/hub" \
    screenshot --pane inference --run-example sentiment --size 1024x640 --output shot.png >run.txt 2>err.txt ||
    fail "screenshot --run-example sentiment: $(cat err.txt run.txt)"
grep -q "^Done in" run.txt || fail "the example printed no result: $(cat run.txt)"
[[ "$(head -c 8 shot.png | od -An -tx1 | tr -d ' \n')" == "89504e470d0a1a0a" ]] || fail "shot.png is no PNG"
echo "ok  screenshot --run-example sentiment: $(head -1 run.txt | cut -c1-100)"

bundle diagnostics | grep -q "(bundle)" || fail "diagnostics does not know it runs from the bundle"
echo "ok  diagnostics: $(bundle diagnostics | grep 'ONNX Runtime')"
echo "smoke.sh: all passed"
