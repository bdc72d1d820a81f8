#!/usr/bin/env bash
# One-folder desktop build: dist/inference-gui/inference-gui, with no Python needed on the target.
#
# Installs its own tools: a throwaway venv in build/venv gets PyInstaller and the app itself
# (a regular, non-editable install, so the bundle is made from what pip installs, not from the
# checkout). Nothing installed by hand is used. Run from anywhere; takes a few minutes.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
export PIP_DISABLE_PIP_VERSION_CHECK=1
venv="build/venv"
if [[ ! -x "$venv/bin/python" ]]; then
    python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip
# pyinstaller: the freezer; its hooks know PySide6, numpy, onnxruntime and tokenizers.
"$venv/bin/python" -m pip install --quiet "pyinstaller>=6.10" "$repo"
rm -rf build/icons
"$venv/bin/python" packaging/render_icons.py build/icons >/dev/null
# From inside build/, so the checkout's inference_gui cannot shadow the installed one.
(cd build && venv/bin/python -m PyInstaller --noconfirm --clean \
    --workpath pyinstaller --distpath "$repo/dist" "$repo/packaging/inference-gui.spec")
bundle="dist/inference-gui"
# PyInstaller links each Qt library into _internal/ too; drop the links to libraries the spec
# left out (see linked_closure there), which would otherwise dangle.
find "$bundle" -xtype l -delete
# Debug symbols are a tenth of the bundle. PyInstaller's own strip option also strips the
# auditwheel-patched copies in *.libs/ (numpy's OpenBLAS), which then fail to load: skip those.
find "$bundle" -path '*.libs' -prune -o -type f \( -name '*.so' -o -name '*.so.*' \) -print0 |
    xargs -0 strip --strip-unneeded
echo "Built $bundle/inference-gui ($(du -sh "$bundle" | cut -f1))"
