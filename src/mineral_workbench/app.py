"""Entry point: `mineral-workbench [FILE…]` opens the GUI; subcommands run headless."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import APP_NAME, __version__


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    from .cli import COMMANDS, run
    if argv and argv[0] in COMMANDS:
        return run(argv)
    parser = argparse.ArgumentParser(prog="mineral-workbench", description=f"{APP_NAME} (GUI)",
                                     epilog="Headless commands: " + ", ".join(COMMANDS)
                                     + " (see `mineral-workbench COMMAND --help`).")
    parser.add_argument("files", nargs="*", type=Path, help="trade files to open (default: the sample)")
    parser.add_argument("--screenshot", type=Path, metavar="OUT.png",
                        help="render the main window offscreen at 1600x1000 to OUT.png and exit")
    parser.add_argument("--view", help="view to show in the screenshot")
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    args = parser.parse_args(argv)
    try:
        from .gui.launch import run_gui
    except ImportError as exc:  # a broken Qt install must say so plainly
        print(f"error: cannot start the window: {exc}", file=sys.stderr)
        return 1
    return run_gui(args.files, screenshot=args.screenshot, view=args.view)
