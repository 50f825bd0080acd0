#!/usr/bin/env bash
# Add the workbench to the Linux desktop menu for the current user (no root needed):
#   bash install_desktop_entry.sh /opt/mineral-workbench/mineral-workbench          # the bundle
#   bash install_desktop_entry.sh ~/mineral-workbench-venv/bin/mineral-workbench    # a venv install
#   bash install_desktop_entry.sh --remove
# Installs mineral-workbench.desktop (Exec = that executable) and the icon set into
# ${XDG_DATA_HOME:-~/.local/share}/{applications,icons/hicolor}.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
data=${XDG_DATA_HOME:-$HOME/.local/share}
apps="$data/applications"
hicolor="$data/icons/hicolor"
sizes=(16 24 32 48 64 128 256 512)

if [[ "${1:-}" == "--remove" ]]; then
  rm -f "$apps/mineral-workbench.desktop" "$hicolor/scalable/apps/mineral-workbench.svg"
  for n in "${sizes[@]}"; do rm -f "$hicolor/${n}x${n}/apps/mineral-workbench.png"; done
  echo "removed the desktop entry"
  exit 0
fi

exe=$(realpath "${1:?usage: install_desktop_entry.sh PATH/TO/mineral-workbench | --remove}")
[[ -x "$exe" ]] || { echo "not an executable: $exe" >&2; exit 2; }
bin_dir=$(dirname "$exe")
if [[ -d "$bin_dir/_internal/mineral_workbench/icons" ]]; then       # PyInstaller bundle
  icons="$bin_dir/_internal/mineral_workbench/icons"
else                                                                 # venv install
  icons=$("$bin_dir/python" -c 'from mineral_workbench.core.resources import data_dir; print(data_dir("icons"))')
fi
desktop="$here/mineral-workbench.desktop"
[[ -f "$desktop" ]] || desktop="$bin_dir/mineral-workbench.desktop"

mkdir -p "$apps" "$hicolor/scalable/apps"
for n in "${sizes[@]}"; do
  mkdir -p "$hicolor/${n}x${n}/apps"
  cp "$icons/app-$n.png" "$hicolor/${n}x${n}/apps/mineral-workbench.png"
done
cp "$icons/app.svg" "$hicolor/scalable/apps/mineral-workbench.svg"
case "$exe" in *[\"\`\$\\\|]*) echo "please use a folder whose path has no \" \` \$ \\ or |: $exe" >&2; exit 2 ;; esac
sed -e "s|^Exec=mineral-workbench|Exec=\"$exe\"|" -e "s|^TryExec=mineral-workbench|TryExec=$exe|" \
  "$desktop" > "$apps/mineral-workbench.desktop"
command -v update-desktop-database >/dev/null && update-desktop-database -q "$apps" || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$hicolor" || true
echo "installed $apps/mineral-workbench.desktop (Exec=$exe)"
