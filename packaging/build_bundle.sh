#!/usr/bin/env bash
# Build the one-folder bundle with PyInstaller in a fresh build venv, smoke-test it, archive it.
#   bash packaging/build_bundle.sh                          # installs from the package registry
#   bash packaging/build_bundle.sh --wheelhouse DIR         # app + dependencies from a wheelhouse
#                                                           # (exact locked versions; PyInstaller
#                                                           # still comes from the registry)
# Environment: PYTHON (default python3; needs its shared libpython, as Debian's and pyenv's
# have), BUILD_ROOT (default /tmp/mineral-workbench-bundle; everything lands there, nothing
# in the repository). Prints and writes BUILD_ROOT/bundle-report.txt: sizes and times.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-python3}
root=${BUILD_ROOT:-/tmp/mineral-workbench-bundle}
wheelhouse=""
while (( $# )); do
  case "$1" in
    --wheelhouse) wheelhouse=$(cd "$2" && pwd); shift 2 ;;
    *) echo "usage: build_bundle.sh [--wheelhouse DIR]" >&2; exit 2 ;;
  esac
done
version=$(sed -n 's/^version *= *"\(.*\)"/\1/p' "$repo/pyproject.toml" | head -1)
arch=$(uname -m)
venv="$root/venv"; dist="$root/dist"; work="$root/work"
bundle="$dist/mineral-workbench"
archive="$dist/mineral-workbench-$version-linux-$arch.tar.gz"
now() { date +%s.%N; }
secs() { python3 -c "print(f'{$2 - $1:.0f}')"; }

"$python" "$repo/packaging/make_version_info.py" --check
rm -rf "$venv" "$dist" "$work"
mkdir -p "$root"

t0=$(now)
echo "== build venv ($("$python" --version)) in $venv"
"$python" -m venv "$venv"
pip=("$venv/bin/python" -m pip --disable-pip-version-check --quiet)
if [[ -n "$wheelhouse" ]]; then
  tag=$("$venv/bin/python" -c 'import sys; print(f"cp{sys.version_info[0]}{sys.version_info[1]}")')
  PIP_CONFIG_FILE=/dev/null "${pip[@]}" install --no-index --find-links "$wheelhouse" --require-hashes \
    -r "$wheelhouse/requirements-linux_$arch-$tag.txt"
else
  "${pip[@]}" install "$repo"
fi
"${pip[@]}" install "pyinstaller>=6.10,<7"
t1=$(now)

echo "== pyinstaller $("$venv/bin/pyinstaller" --version)"
(cd "$repo" && "$venv/bin/pyinstaller" --noconfirm --clean --log-level WARN \
   --distpath "$dist" --workpath "$work" packaging/mineral_workbench.spec)
cp "$repo/packaging/mineral-workbench.desktop" "$repo/packaging/install_desktop_entry.sh" "$bundle/"
t2=$(now)

echo "== smoke test"
bash "$repo/packaging/smoke_test_bundle.sh" "$bundle" "$venv/bin/mineral-workbench"
t3=$(now)

echo "== archive"
tar -C "$dist" -czf "$archive" mineral-workbench
t4=$(now)

size_mib=$(du -sm "$bundle" | cut -f1)
files=$(find "$bundle" -type f | wc -l)
archive_mib=$(python3 -c "import os,sys; print(f'{os.path.getsize(sys.argv[1]) / 2**20:.0f}')" "$archive")
report=$(cat <<EOF
bundle:        $bundle
python:        $("$venv/bin/python" --version 2>&1), PyInstaller $("$venv/bin/pyinstaller" --version)
size:          $size_mib MiB on disk, $files files
archive:       $archive ($archive_mib MiB)
venv + install: $(secs "$t0" "$t1") s
pyinstaller:   $(secs "$t1" "$t2") s
smoke test:    $(secs "$t2" "$t3") s
archive:       $(secs "$t3" "$t4") s
largest parts: $(cd "$bundle/_internal" && du -sm -- * | sort -rn | head -6 | awk '{printf "%s %s MiB; ", $2, $1}')
EOF
)
echo "$report" | tee "$root/bundle-report.txt"
