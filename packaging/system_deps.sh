#!/usr/bin/env bash
# Install the Debian packages the workbench needs (Qt's runtime libraries, fonts, venv support).
# Quick and silent when everything is already there; uses apt-get as root, or sudo otherwise.
#   bash packaging/system_deps.sh          # what running the app needs
#   bash packaging/system_deps.sh --test   # plus what the test suite's checks use
set -euo pipefail

packages=(
  python3-venv python3-pip
  # Qt 6 (PySide6) runtime, offscreen and on a desktop (xcb)
  libegl1 libgl1 libopengl0 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libfreetype6
  libglib2.0-0 libdbus-1-3 libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1
  libxcb-image0 libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1
  fonts-dejavu-core fonts-liberation   # Liberation Serif: Times metrics for the PDF memo
)
if [[ "${1:-}" == "--test" ]]; then
  # poppler: PDF text/page checks; LibreOffice: recalculates exported workbooks and opens memos
  packages+=(poppler-utils libreoffice-calc libreoffice-writer fonts-crosextra-carlito fonts-crosextra-caladea)
fi

missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
# A Python that is not Debian's (pyenv, a self-built one) has its own venv and pip.
if python3 -c "import ensurepip, venv" 2>/dev/null; then
  missing=("${missing[@]/python3-venv}"); missing=("${missing[@]/python3-pip}")
fi
read -r -a missing <<< "${missing[*]:-}"
if (( ${#missing[@]} == 0 )); then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "system_deps: not a Debian-family system; install these yourself: ${missing[*]}" >&2
  exit 0
fi
SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  SUDO="sudo"
fi
echo "system_deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
