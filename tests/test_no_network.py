"""Proof of no network: every command gives identical results with the network blocked.

Each CLI command and the GUI smoke test (`--screenshot`) run twice as subprocesses, as an
analyst runs them: once plainly, once with a `sitecustomize` injected through PYTHONPATH that
replaces every way Python opens a connection or resolves a name with a function that logs the
attempt and raises. The outputs (stdout, stderr, exit status, the PNG) must be identical and
the log empty. A static check keeps network modules out of the source altogether. Qt's own
network stack cannot be reached either: no module imports QtNetwork, and the PyInstaller
bundle leaves it out (packaging/smoke_test_bundle.sh checks the built bundle at OS level).
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import mineral_workbench
from mineral_workbench.core.resources import sample_workbook

PACKAGE_DIR = Path(mineral_workbench.__file__).resolve().parent

SITECUSTOMIZE = '''
"""Injected by tests/test_no_network.py: log and refuse every network attempt."""
import os, socket

_LOG = os.environ["MW_NETWORK_LOG"]
with open(os.environ["MW_NETWORK_ARMED"], "a") as _armed:
    _armed.write(f"{os.getpid()}\\n")


def _refuse(name):
    def refuse(*args, **kwargs):
        with open(_LOG, "a") as log:
            log.write(f"{os.getpid()} {name} {args!r:.200}\\n")
        raise OSError(101, f"network blocked by test_no_network ({name})")
    return refuse


for _name in ("connect", "connect_ex", "sendto", "sendmsg"):
    setattr(socket.socket, _name, _refuse("socket.socket." + _name))
for _name in ("create_connection", "getaddrinfo", "gethostbyname", "gethostbyname_ex",
              "gethostbyaddr", "getnameinfo", "getfqdn"):
    setattr(socket, _name, _refuse("socket." + _name))
'''

SAMPLE = sample_workbook()
# (name, arguments); "{png}" and "{out}" become the run's own screenshot path and output folder.
COMMANDS = [
    ("version", ["--version"]),
    ("reference", ["reference"]),
    ("reference-json", ["reference", "--json"]),
    ("scenarios", ["scenarios"]),
    ("scenarios-json", ["scenarios", "--json"]),
    ("import-json", ["import", str(SAMPLE), "--json"]),
    ("analyze-json", ["analyze", "--json"]),
    ("analyze-csv", ["analyze", str(SAMPLE), "--csv"]),
    ("analyze-options", ["analyze", str(SAMPLE), "--years", "2021-2022", "--group", "nato", "--json"]),
    ("analyze-scenario", ["analyze", "--scenario", "cn_ga_ge_licensing_2023", "--json"]),
    ("analyze-csv-dir", ["analyze", "--csv-dir", "{out}"]),
    ("gui-screenshot", ["--screenshot", "{png}"]),
]

# Top-level modules (or dotted prefixes) that open network connections.
NETWORK_MODULES = (
    "socket", "ssl", "requests", "httpx", "urllib3", "aiohttp", "websocket", "websockets",
    "urllib.request", "http.client", "http.server", "ftplib", "smtplib", "imaplib", "poplib",
    "xmlrpc", "socketserver", "webbrowser", "asyncio", "PySide6.QtNetwork", "PySide6.QtNetworkAuth",
    "PySide6.QtWebEngineCore", "PySide6.QtWebEngineWidgets", "PySide6.QtWebSockets",
    "PySide6.QtHttpServer", "PySide6.QtWebChannel", "PySide6.QtWebView",
)


def _run(name: str, args: list[str], folder: Path, blocked: bool) -> dict:
    folder.mkdir(parents=True)
    env = dict(os.environ)
    env.update({"QT_QPA_PLATFORM": "offscreen",
                # A settings folder per run, so one run cannot change what the next one shows.
                "XDG_CONFIG_HOME": str(folder / "config"), "XDG_DATA_HOME": str(folder / "data"),
                "XDG_CACHE_HOME": str(folder / "cache"),
                "MINERAL_WORKBENCH_SETTINGS_DIR": str(folder / "settings")})
    # Absolute entries: the run's working folder is its own (a source checkout uses PYTHONPATH=src).
    env["PYTHONPATH"] = os.pathsep.join(str(Path(p).resolve()) for p in
                                        env.get("PYTHONPATH", "").split(os.pathsep) if p)
    if blocked:
        hook_dir = folder / "hook"
        hook_dir.mkdir()
        (hook_dir / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(hook_dir), env.get("PYTHONPATH")]))
        env["MW_NETWORK_LOG"] = str(folder / "network.log")
        env["MW_NETWORK_ARMED"] = str(folder / "armed.log")
    png, out = folder / "window.png", folder / "out"
    argv = [a.replace("{png}", str(png)).replace("{out}", str(out)) for a in args]
    proc = subprocess.run([sys.executable, "-m", "mineral_workbench", *argv], capture_output=True,
                          text=True, timeout=240, env=env, cwd=folder)
    return {"name": name, "returncode": proc.returncode, "stdout": proc.stdout,
            "stderr": proc.stderr, "png": png.read_bytes() if png.exists() else None,
            "files": {p.name: p.read_bytes() for p in sorted(out.glob("*"))} if out.is_dir() else {},
            "network_log": (folder / "network.log").read_text() if (folder / "network.log").exists() else "",
            "armed": (folder / "armed.log").exists()}


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[tuple[str, bool], dict]:
    """Every command, plain and blocked, two at a time (each run is its own process)."""
    root = tmp_path_factory.mktemp("no_network")
    jobs = [(name, args, root / f"{name}-{'blocked' if blocked else 'plain'}", blocked)
            for name, args in COMMANDS for blocked in (False, True)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda job: _run(*job), jobs))
    return {(r["name"], job[3]): r for r, job in zip(results, jobs)}


@pytest.mark.parametrize("name", [name for name, _ in COMMANDS])
def test_command_is_identical_with_the_network_blocked(runs, name):
    plain, blocked = runs[(name, False)], runs[(name, True)]
    assert plain["returncode"] == 0, plain["stderr"]
    assert blocked["armed"], "the socket blocker was not loaded in the blocked run"
    assert blocked["network_log"] == "", f"network access attempted:\n{blocked['network_log']}"
    assert blocked["returncode"] == plain["returncode"]
    assert blocked["stdout"] == plain["stdout"]
    assert blocked["stderr"] == plain["stderr"]
    assert blocked["png"] == plain["png"]
    assert blocked["files"] == plain["files"]


def test_the_commands_produce_real_output(runs):
    assert runs[("version", False)]["stdout"].startswith("Mineral Exposure Workbench ")
    assert '"minerals"' in runs[("analyze-json", False)]["stdout"]
    assert runs[("analyze-csv", False)]["stdout"].count("\n") > 10
    assert {"minerals.csv", "sectors.csv", "defense.csv"} <= set(runs[("analyze-csv-dir", False)]["files"])
    png = runs[("gui-screenshot", False)]["png"]
    assert png is not None and png.startswith(b"\x89PNG") and len(png) > 20_000


def test_the_blocker_catches_a_connection():
    """The injected hook itself works: a deliberate connection is logged and refused."""
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
        env = dict(os.environ, PYTHONPATH=str(folder), MW_NETWORK_LOG=str(folder / "net.log"),
                   MW_NETWORK_ARMED=str(folder / "armed.log"))
        code = ("import socket, urllib.request\n"
                "for call in (lambda: socket.create_connection(('127.0.0.1', 9)),\n"
                "             lambda: socket.getaddrinfo('localhost', 443),\n"
                "             lambda: urllib.request.urlopen('http://127.0.0.1:9/', timeout=1)):\n"
                "    try: call()\n"
                "    except OSError: pass\n")
        subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=60)
        log = (folder / "net.log").read_text()
    assert "socket.create_connection" in log and "socket.getaddrinfo" in log
    assert log.count("\n") >= 3


def _imported_names(tree: ast.AST) -> list[str]:
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
            names += [f"{node.module}.{alias.name}" for alias in node.names]
        elif (isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", ""))
              in ("import_module", "__import__") and node.args
              and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            names.append(node.args[0].value)
    return names


def _is_network(name: str) -> bool:
    return any(name == mod or name.startswith(mod + ".") for mod in NETWORK_MODULES)


def test_no_module_of_the_app_imports_a_network_module():
    files = sorted(PACKAGE_DIR.rglob("*.py"))
    assert len(files) > 20
    offenders = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        names = _imported_names(ast.parse(text, filename=str(path)))
        offenders += [f"{path.relative_to(PACKAGE_DIR)}: {name}" for name in names if _is_network(name)]
        offenders += [f"{path.relative_to(PACKAGE_DIR)}: mentions {qt}" for qt in
                      ("QtNetwork", "QtWebEngine", "QtWebSockets", "QNetworkAccessManager") if qt in text]
    assert offenders == []


def test_the_static_check_recognises_network_imports():
    tree = ast.parse("import socket\nfrom urllib import request\nfrom PySide6 import QtNetwork\n"
                     "import http.client as hc\nimportlib.import_module('requests')\n"
                     "from PySide6.QtWidgets import QWidget\nimport urllib.parse\n")
    found = sorted(n for n in _imported_names(tree) if _is_network(n))
    assert found == ["PySide6.QtNetwork", "http.client", "requests", "socket", "urllib.request"]
