#!/usr/bin/env bash
# Install a built bundle for the current user, in the XDG folders (no root needed):
#   $XDG_DATA_HOME/inference-gui/app/        the bundle (default XDG_DATA_HOME: ~/.local/share)
#   $XDG_DATA_HOME/applications/             inference-gui.desktop, Exec pointing at the bundle
#   $XDG_DATA_HOME/icons/hicolor/*/apps/     the icon, 16-512 px and scalable
#   $XDG_DATA_HOME/metainfo/                 AppStream metainfo
#   ~/.local/bin/inference-gui               a link, so the command works in a terminal
# Usage: install.sh [BUNDLE]   (default: dist/inference-gui, made by build.sh)
#        install.sh --uninstall
set -euo pipefail
data="${XDG_DATA_HOME:-$HOME/.local/share}"
app="$data/inference-gui/app"
bin="$HOME/.local/bin/inference-gui"
metainfo="org.inference_gui.InferenceGui.metainfo.xml"

refresh_caches() {  # desktop environments pick up new entries without these, only later
    command -v update-desktop-database >/dev/null && update-desktop-database -q "$data/applications" || true
    command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$data/icons/hicolor" || true
}

if [[ "${1:-}" == "--uninstall" ]]; then
    rm -rf "$data/inference-gui" "$data/applications/inference-gui.desktop" "$data/metainfo/$metainfo"
    find "$data/icons/hicolor" -path '*/apps/inference-gui.*' -delete 2>/dev/null || true
    [[ -L "$bin" ]] && rm -f "$bin"
    refresh_caches
    echo "Uninstalled Inference GUI from $data"
    exit 0
fi

bundle="${1:-$(dirname "$0")/../dist/inference-gui}"
share="$bundle/_internal/share"
if [[ ! -x "$bundle/inference-gui" || ! -d "$share" ]]; then
    echo "install.sh: no bundle at $bundle; build it with packaging/build.sh first." >&2
    exit 1
fi
mkdir -p "$data/inference-gui" "$data/applications" "$data/metainfo" "$(dirname "$bin")"
rm -rf "$app.new" && cp -a "$bundle" "$app.new" && rm -rf "$app" && mv "$app.new" "$app"
sed -e "s|^Exec=.*|Exec=\"$app/inference-gui\"|" -e "/^Exec=/a TryExec=$app/inference-gui" \
    "$share/applications/inference-gui.desktop" >"$data/applications/inference-gui.desktop"
cp -a "$share/icons/." "$data/icons/"
cp "$share/metainfo/$metainfo" "$data/metainfo/"
ln -sfn "$app/inference-gui" "$bin"
refresh_caches
echo "Installed Inference GUI in $app (menu entry, icon, and $bin)"
