"""Mineral Exposure Workbench: US import exposure to processed critical minerals, offline."""

# A literal, not importlib.metadata: looking the version up costs 0.15-0.4 s at every start.
# tests/test_packaging.py keeps it equal to pyproject.toml's.
__version__ = "0.1.0"

APP_NAME = "Mineral Exposure Workbench"
