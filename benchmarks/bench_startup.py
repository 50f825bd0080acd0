"""Start-up time: process start → window shown with the bundled sample's results (issue 4).

Each measurement is a fresh process, timed from the parent: from spawning it until it prints
that the first analysis is on screen (`MainWindow.analysis_shown`: every table filled and the
chart on show drawn). The same run measures the bare import of PySide6 + pandas + pyqtgraph
(the floor any such app pays, in its cheapest order: pandas first) and reports the start-up
as a ratio to it. Target: under 1.5 s on the development machine. The CPU seconds each
process used up to its mark are shown too: on a busy machine they stay comparable when the
wall clock does not.

    python benchmarks/bench_startup.py [--runs 5] [--no-bytecode-cache]

The processes run from compiled bytecode, as an installed workbench does (pip and the
PyInstaller bundle ship .pyc files): it is written once by the warm-up run to a temporary
cache (PYTHONPYCACHEPREFIX), never into the source tree. `--no-bytecode-cache` instead
compiles the workbench's modules from source in every run when PYTHONDONTWRITEBYTECODE is
set and no __pycache__ exists (as in a development shell).

Runs offscreen when there is no display; settings go to a temporary folder, so the analyst's
own layout and recent files are neither used nor touched.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# pandas before Qt: PySide6 reads the source of every module imported after it (its
# __feature__ hook), so this order is the cheapest way to import the three.
BARE_IMPORTS = """
import pandas, PySide6.QtWidgets, pyqtgraph
import time
print("IMPORTED", time.process_time(), flush=True)
"""
APP = """
import sys, time
from mineral_workbench.gui.launch import create_window
app, window = create_window()
window.show()
print("WINDOW", time.process_time(), flush=True)
def shown(_analysis):
    print("SHOWN", time.process_time(), flush=True)
    # after the clock: the tables hold rows and the chart on show has drawn this analysis
    chart, charts = window.charts.current_chart(), window.charts
    if (window.minerals.model.rowCount() == 0 or chart is None
            or not charts.is_current(charts.current_id()) or getattr(chart, "_stale", False)):
        print("FAILED the window was not filled when it said so", flush=True)
    window.shutdown()
    app.quit()
window.analysis_shown.connect(shown)
window.load_failed.connect(lambda error: (print("FAILED", error, flush=True), app.exit(1)))
sys.exit(app.exec())
"""


def _env(settings_dir: str, pycache: str | None = None) -> dict:
    env = dict(os.environ)
    if pycache is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = pycache
    src = str(ROOT / "src")
    env["PYTHONPATH"] = src + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["MINERAL_WORKBENCH_SETTINGS_DIR"] = settings_dir
    if sys.platform.startswith("linux") and not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")
    return env


def time_process(code: str, env: dict, marks=()) -> dict[str, float]:
    """Seconds from spawn to each printed mark (and to exit, as 'exit'); a mark printed with
    the process's CPU seconds also gives 'MARK cpu'."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    seen: dict[str, float] = {}
    for line in proc.stdout:
        words = line.split()
        word = words[0] if words else ""
        if word in marks and word not in seen:
            seen[word] = time.perf_counter() - started
            if len(words) > 1:
                seen[f"{word} cpu"] = float(words[1])
        if word == "FAILED":
            proc.kill()
            raise RuntimeError(line.strip())
    proc.wait()
    seen["exit"] = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"exit {proc.returncode}: {proc.stderr.read()[-2000:]}")
    missing = [m for m in marks if m not in seen]
    if missing:
        raise RuntimeError(f"never printed {missing}")
    return seen


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-bytecode-cache", action="store_true",
                        help="do not give the processes a bytecode cache (see above)")
    args = parser.parse_args()
    names = ("python -c pass", "import PySide6 + pandas + pyqtgraph", "window shown (empty)",
             "window shown with data")
    rows: dict[str, list[float]] = {name: [] for name in names}
    cpu: dict[str, list[float]] = {name: [] for name in names[1:]}
    with tempfile.TemporaryDirectory() as settings_dir:
        pycache = None if args.no_bytecode_cache else str(Path(settings_dir) / "pycache")
        env = _env(settings_dir, pycache)
        time_process(APP, env, ("SHOWN",))  # warm the file and bytecode caches; not counted
        time_process(BARE_IMPORTS, env, ("IMPORTED",))
        for _ in range(args.runs):  # interleaved, so drift hits every measure alike
            rows["python -c pass"].append(time_process("pass", env)["exit"])
            bare = time_process(BARE_IMPORTS, env, ("IMPORTED",))
            rows["import PySide6 + pandas + pyqtgraph"].append(bare["IMPORTED"])
            cpu["import PySide6 + pandas + pyqtgraph"].append(bare["IMPORTED cpu"])
            marks = time_process(APP, env, ("WINDOW", "SHOWN"))
            rows["window shown (empty)"].append(marks["WINDOW"])
            rows["window shown with data"].append(marks["SHOWN"])
            cpu["window shown (empty)"].append(marks["WINDOW cpu"])
            cpu["window shown with data"].append(marks["SHOWN cpu"])
    floor = statistics.median(rows["import PySide6 + pandas + pyqtgraph"])
    platform = env.get("QT_QPA_PLATFORM") or "display"
    print(f"start-up of the workbench on the bundled sample, {args.runs} runs each "
          f"(Python {sys.version.split()[0]}, Qt platform {platform}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}, "
          f"{'no bytecode cache' if pycache is None else 'compiled bytecode'})")
    print(f"{'measure':<40}{'median s':>10}{'min s':>9}{'max s':>9}{'× imports':>11}{'CPU s':>8}")
    for name, values in rows.items():
        median = statistics.median(values)
        used = f"{statistics.median(cpu[name]):>8.3f}" if name in cpu else ""
        print(f"{name:<40}{median:>10.3f}{min(values):>9.3f}{max(values):>9.3f}"
              f"{median / floor:>11.2f}{used}")
    total = statistics.median(rows["window shown with data"])
    verdict = "meets" if total < 1.5 else "misses"
    print(f"\nwindow shown with data: {total:.2f} s, {total / floor:.2f}× the bare imports "
          f"({verdict} the 1.5 s target)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
