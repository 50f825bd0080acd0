"""Suite-wide set-up: headless Qt, no network, isolated settings, real-sample discovery."""

from __future__ import annotations

import os
import socket
from pathlib import Path

# Qt aborts the whole process without a display; set the platform before any Qt import.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")

import pytest  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[1]
REAL_SAMPLES = REPO_ROOT.parent / "shared" / "real_samples"


class NetworkBlocked(AssertionError):
    """A test (or the code it drives) tried to open a network connection."""


def _refuse(*_args, **_kwargs):
    raise NetworkBlocked("network access attempted: the workbench must work offline")


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """Any socket connection fails the test: the workbench runs on air-gapped machines."""
    monkeypatch.setattr(socket.socket, "connect", _refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", _refuse)
    monkeypatch.setattr(socket, "create_connection", _refuse)
    monkeypatch.setattr(socket, "getaddrinfo", _refuse)


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path_factory, monkeypatch):
    """Point every settings/config location at a temp dir so tests never touch real ones."""
    home = tmp_path_factory.mktemp("settings")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("MINERAL_WORKBENCH_SETTINGS_DIR", str(home / "mw"))


@pytest.fixture
def real_samples() -> Path:
    """The folder of real public export files; skip when this checkout has none beside it."""
    if not REAL_SAMPLES.is_dir():
        pytest.skip(f"{REAL_SAMPLES} is absent")
    return REAL_SAMPLES
