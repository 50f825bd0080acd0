#!/usr/bin/env bash
# Smoke-test a built one-folder bundle (Linux): it runs from its own folder alone and reaches
# no network. build_bundle.sh runs it; run it alone on a bundle copied elsewhere:
#   bash packaging/smoke_test_bundle.sh /path/to/mineral-workbench
# With the path of the same version's installed `mineral-workbench` as a second argument, the
# bundle's outputs and window images must equal the installed app's, byte for byte.
# Checks: --version; reference/scenarios/import/analyze (--json, --csv) on the bundled sample; bad input
# exits 2; the window starts offscreen and keeps running; --screenshot renders 1600x1000
# (offscreen, and on xcb under Xvfb when xvfb-run exists); no QtNetwork/Flight/remote-storage
# file inside; no AF_INET/AF_INET6 socket under strace (where strace can see syscalls); the same
# output with no network interface at all (unshare -n, where allowed).
set -euo pipefail

bundle=$(cd "${1:?usage: smoke_test_bundle.sh BUNDLE_DIR [INSTALLED_mineral-workbench]}" && pwd)
reference=${2:-}   # the same version installed in a venv: outputs and window images must match
here=$(cd "$(dirname "$0")" && pwd)
cli="$bundle/mineral-workbench-cli"
gui="$bundle/mineral-workbench"
sample="$bundle/_internal/mineral_workbench/sample_data/sample_dataweb_imports_2020_2024.xlsx"
expected_version=$(sed -n 's/^version *= *"\(.*\)"/\1/p' "$here/../pyproject.toml" | head -1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

ok()   { printf '  ok    %s\n' "$1"; }
fail() { printf '  FAIL  %s\n' "$1"; failures=$((failures + 1)); }
# A clean environment: no venv, no PYTHONPATH, a throwaway home; the bundle must need none of it.
run() { (cd "$work" && env -i HOME="$work/home" PATH=/usr/bin:/bin LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen "$@"); }
png_size() { python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read(24); assert d[:8]==b"\x89PNG\r\n\x1a\n"; print("%dx%d" % struct.unpack(">II", d[16:24]))' "$1"; }

echo "smoke test: $bundle"
[[ -x "$cli" && -x "$gui" ]] && ok "both executables present" || fail "executables missing"

out=$(run "$cli" --version)
[[ "$out" == "Mineral Exposure Workbench $expected_version" ]] && ok "--version: $out" || fail "--version printed '$out'"

run "$cli" reference --json > "$work/reference.json" && python3 -m json.tool "$work/reference.json" >/dev/null \
  && ok "reference --json" || fail "reference --json"
run "$cli" scenarios --json > "$work/scenarios.json" && python3 -m json.tool "$work/scenarios.json" >/dev/null \
  && ok "scenarios --json" || fail "scenarios --json"
run "$cli" import "$sample" --json > "$work/import.json" && python3 -m json.tool "$work/import.json" >/dev/null \
  && ok "import SAMPLE --json" || fail "import SAMPLE --json"
if run "$cli" analyze --json > "$work/analyze.json" \
   && python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert {"minerals","sectors","defense","inputs"} <= set(d) and d["minerals"]' "$work/analyze.json"; then
  ok "analyze --json on the sample ($(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["minerals"]))' "$work/analyze.json") minerals)"
else
  fail "analyze --json"
fi
run "$cli" analyze "$sample" --csv > "$work/analyze.csv" && [[ $(wc -l < "$work/analyze.csv") -gt 2 ]] \
  && ok "analyze SAMPLE --csv ($(wc -l < "$work/analyze.csv") lines)" || fail "analyze --csv"
status=0; run "$cli" analyze "$work/missing.xlsx" --json > /dev/null 2> "$work/err.txt" || status=$?
[[ $status -eq 2 ]] && ok "bad input exits 2: $(head -1 "$work/err.txt")" || fail "bad input exit status $status"

# Qt's offscreen plugin says "does not support propagateSizeHints()"; anything else on stderr
# (a logged traceback, "charts failed", a missing plugin) means part of the window is broken.
complaints() { grep -vE 'propagateSizeHints' "$1" | grep -iE 'traceback|error|fail|cannot|could not|not available' || true; }
for exe in "$cli" "$gui"; do
  name=$(basename "$exe")
  if run "$exe" --screenshot "$work/$name.png" 2> "$work/$name.err" \
     && [[ $(png_size "$work/$name.png") == 1600x1000 && -z $(complaints "$work/$name.err") ]]; then
    ok "$name --screenshot (offscreen, 1600x1000, nothing logged)"
  else
    fail "$name --screenshot: $(complaints "$work/$name.err" | head -3)"
  fi
done

status=0; run timeout 8 "$gui" > "$work/gui.log" 2>&1 || status=$?
if [[ $status -eq 124 ]] && ! grep -qiE "error|could not|failed|traceback" "$work/gui.log"; then
  ok "window starts offscreen and runs its event loop (stopped after 8 s)"
else
  fail "window start: exit $status; $(head -3 "$work/gui.log")"
fi

if command -v xvfb-run >/dev/null; then
  if (cd "$work" && env -i HOME="$work/home" PATH=/usr/bin:/bin LANG=C.UTF-8 QT_QPA_PLATFORM=xcb \
        xvfb-run -a -s "-screen 0 1920x1200x24" "$gui" --screenshot "$work/xcb.png") > "$work/xcb.log" 2>&1 \
     && [[ $(png_size "$work/xcb.png") == 1600x1000 ]]; then
    ok "xcb platform plugin under Xvfb (--screenshot)"
  else
    fail "xcb under Xvfb: $(head -3 "$work/xcb.log")"
  fi
else
  echo "  skip  xcb under Xvfb (xvfb-run not installed)"
fi

if [[ -n "$reference" ]]; then
  same=0; differ=""
  for args in "--version" "reference --json" "scenarios --json" "import $sample --json" "analyze --json" "analyze $sample --csv"; do
    # shellcheck disable=SC2086
    if cmp -s <(run "$cli" $args 2>&1) <(run "$reference" $args 2>&1); then same=$((same + 1)); else differ+=" [$args]"; fi
  done
  for view in minerals sectors defense; do
    run "$gui" --screenshot "$work/b-$view.png" --view "$view" 2>/dev/null || true
    run "$reference" --screenshot "$work/r-$view.png" --view "$view" 2>/dev/null || true
    if cmp -s "$work/b-$view.png" "$work/r-$view.png"; then same=$((same + 1)); else differ+=" [screenshot $view]"; fi
  done
  [[ -z "$differ" ]] && ok "identical to the installed app: 6 command outputs and 3 window images" \
    || fail "bundle differs from the installed app in:$differ"
fi

forbidden=$(cd "$bundle" && find . \( -iname '*Qt6Network*' -o -iname 'QtNetwork*' -o -path '*plugins/tls*' \
  -o -path '*plugins/networkinformation*' -o -iname '*WebEngine*' -o -iname '*Qt6Qml*' -o -iname '*Qt6Quick*' \
  -o -iname 'libarrow_flight*' -o -iname '_s3fs*' -o -iname '_gcsfs*' -o -iname '_azurefs*' \) | sort)
[[ -z "$forbidden" ]] && ok "no QtNetwork, QML/WebEngine, Arrow Flight or remote-storage files" \
  || fail "network-capable files present: $forbidden"

# strace shows every socket the process opens, Qt's C++ side included; some sandboxes hide
# syscalls from it, so a canary that must show up decides whether its silence means anything.
strace_works() {
  strace -f -qq -e trace=socket -o "$work/canary.log" python3 -c 'import socket; socket.socket().close()' 2>/dev/null \
    && grep -q 'socket(' "$work/canary.log"
}
if command -v strace >/dev/null && strace_works; then
  : > "$work/strace.all"
  for args in "--version" "reference --json" "import $sample --json" "analyze --json" "--screenshot $work/s.png"; do
    # shellcheck disable=SC2086
    run strace -f -qq -e trace=socket,connect,sendto,sendmsg -o "$work/strace.log" "$cli" $args > /dev/null 2>&1 || true
    cat "$work/strace.log" >> "$work/strace.all"
  done
  inet=$(grep -E 'AF_INET|AF_INET6|sin_port|sin6_port' "$work/strace.all" || true)
  calls=$(grep -cE '(socket|connect|sendto|sendmsg)\(' "$work/strace.all" || true)
  local_ipc=$(grep -c 'AF_UNIX' "$work/strace.all" || true)
  [[ -z "$inet" ]] && ok "strace: no AF_INET/AF_INET6 socket in 5 commands ($calls socket calls, $local_ipc of them AF_UNIX)" \
    || fail "strace saw internet sockets: $(head -3 <<< "$inet")"
else
  echo "  skip  strace check (strace missing, or it cannot see syscalls in this sandbox)"
fi

# In a network namespace of its own the machine has no network at all: same output, same image.
if unshare -n true 2>/dev/null; then
  run unshare -n "$cli" analyze --json > "$work/analyze-nonet.json" \
    && run unshare -n "$cli" --screenshot "$work/nonet.png" \
    && cmp -s "$work/analyze.json" "$work/analyze-nonet.json" \
    && ok "no network namespace (unshare -n): analyze --json identical, screenshot renders" \
    || fail "run without any network interface differs or fails"
else
  echo "  skip  unshare -n check (needs root or user namespaces)"
fi

if (( failures )); then
  echo "smoke test FAILED: $failures check(s)"
  exit 1
fi
echo "smoke test passed"
