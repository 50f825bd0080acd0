"""Mineral Exposure Workbench: US import exposure to processed critical minerals, offline."""

from importlib.metadata import PackageNotFoundError, version as _version

try:
    __version__ = _version("mineral-workbench")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.1.0"

APP_NAME = "Mineral Exposure Workbench"
