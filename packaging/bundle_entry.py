"""Entry point of both bundle executables: the same `main` as the installed commands.

`mineral-workbench` (windowed) and `mineral-workbench-cli` (console) differ only in how the
operating system starts them; a windowed Windows program has no standard output.
"""

import sys

if __name__ == "__main__":
    # A frozen app has no `python -c`: the legacy .xls reader re-enters the executable itself
    # with this flag, to read the file in a child process (calamine's .xls reader can abort).
    if "--legacy-xls-worker" in sys.argv:
        from mineral_workbench.core.importing.legacy_ole import worker_main
        sys.exit(worker_main())
    from mineral_workbench.app import main
    sys.exit(main())
