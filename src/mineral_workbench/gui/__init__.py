"""The Qt desktop window. Everything Qt lives under this package; the core never imports it.

`run_gui(files, screenshot=, view=)` is the entry point the CLI calls.
"""

from __future__ import annotations

__all__ = ["run_gui"]


def __getattr__(name: str):
    if name == "run_gui":  # imported on demand so `import mineral_workbench.gui` stays cheap
        from .launch import run_gui

        return run_gui
    raise AttributeError(name)
