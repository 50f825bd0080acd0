"""The start-up path (`launch.create_window` in a fresh process): pandas and the core come in
before Qt, and the garbage collector, paused while the window is built, runs again after."""

import subprocess
import sys

STARTUP = """
import gc, sys
from mineral_workbench.gui.launch import create_window
app, window = create_window(interactive=False, theme=False)
order = list(sys.modules)
print("collecting", gc.isenabled(), "frozen", gc.get_freeze_count() > 0)
print("pandas before Qt", order.index("pandas") < order.index("PySide6"))
print("core before Qt", order.index("mineral_workbench.core.analysis") < order.index("PySide6"))
window.analysis_shown.connect(lambda analysis: (print("shown", len(analysis.result.minerals)), app.quit()))
window.load_failed.connect(lambda error: (print("failed", error), app.quit()))
app.exec()
window.shutdown()
"""


def test_a_fresh_start_imports_the_core_before_qt_and_collects_garbage_again():
    proc = subprocess.run([sys.executable, "-c", STARTUP], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["collecting True frozen True", "pandas before Qt True",
                                        "core before Qt True", "shown 47"]


def test_a_process_that_paused_the_collector_keeps_it_paused():
    code = "import gc; gc.disable()\n" + STARTUP
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == "collecting False frozen True"
