"""The core never imports Qt or pyqtgraph, so the CLI and batch users run headless."""

import ast
import subprocess
import sys
from pathlib import Path

import mineral_workbench.core as core

FORBIDDEN = ("PySide6", "shiboken6", "PyQt5", "PyQt6", "pyqtgraph", "qtpy")
CORE_DIR = Path(core.__file__).parent


def test_no_module_under_core_imports_qt():
    offenders = []
    for path in CORE_DIR.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []


def test_running_the_core_loads_no_qt_module():
    code = ("import sys; from mineral_workbench.core.analysis import analyze_files; "
            "from mineral_workbench.core.resources import sample_workbook; "
            "analyze_files([sample_workbook()]); "
            f"bad = [m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}]; "
            "print(bad); sys.exit(1 if bad else 0)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
