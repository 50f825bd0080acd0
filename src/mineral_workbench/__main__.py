"""`python -m mineral_workbench` behaves exactly like the `mineral-workbench` command."""

import sys

from mineral_workbench.app import main

if __name__ == "__main__":
    sys.exit(main())
