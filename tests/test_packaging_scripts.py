"""Fast checks of the delivery files in packaging/ (the builds themselves are run by hand).

The spec parses and names files that exist; the scripts are executable and parse; the
desktop entry validates; the Windows version info and the icon set match their sources; the
SBOM lists every dependency; and the app renders the same window and numbers when the
modules the bundle leaves out cannot be imported.
"""

from __future__ import annotations

import ast
import configparser
import importlib.machinery
import importlib.util
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"
ICONS = ROOT / "icons"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SHELL_SCRIPTS = ["build_bundle.sh", "smoke_test_bundle.sh", "check_offline_install", "make_sbom",
                 "install_desktop_entry.sh"]
PYTHON_SCRIPTS = ["make_wheelhouse", "install_offline", "make_icons.py", "make_version_info.py",
                  "sbom_bundle.py"]



def _load_script(name: str):
    """Import a script of packaging/ as a module (some have no .py suffix)."""
    path = PACKAGING / name
    loader = importlib.machinery.SourceFileLoader(name.replace(".", "_"), str(path))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def _spec_constants() -> dict:
    tree = ast.parse((PACKAGING / "mineral_workbench.spec").read_text(encoding="utf-8"))
    constants = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                constants[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                pass
    return constants


def _spec_excludes() -> list[str]:
    c = _spec_constants()
    return ([f"PySide6.{m}" for m in c["QT_UNUSED"]] + c["NETWORK_STDLIB"] + c["OTHER_UNUSED"]
            + c["PYARROW_UNUSED"])


def test_spec_parses_and_leaves_out_the_network():
    text = (PACKAGING / "mineral_workbench.spec").read_text(encoding="utf-8")
    ast.parse(text)
    excludes = _spec_excludes()
    for module in ("PySide6.QtNetwork", "PySide6.QtWebEngineCore", "PySide6.QtQml", "PySide6.QtQuick",
                   "PySide6.QtMultimedia", "Qt3DCore", "tkinter", "matplotlib", "IPython",
                   "urllib.request", "http.client", "pyarrow._flight", "pyarrow._s3fs"):
        assert any(e == module or e.endswith("." + module) for e in excludes), module
    plugins = _spec_constants()["QT_PLUGINS"]
    assert {"platforms", "imageformats", "iconengines", "styles"} <= set(plugins)
    assert {"xcb", "offscreen", "windows", "cocoa"} <= set(plugins["platforms"])
    assert "svg" in plugins["imageformats"] and "svgicon" in plugins["iconengines"]
    assert "Network" in _spec_constants()["QT_LIBS_UNUSED"]
    for name in ("resources", "icons", "sample_data"):
        assert f'"{name}"' in text
    assert "bundle_entry.py" in text and (PACKAGING / "bundle_entry.py").is_file()
    assert "windows_version_info.txt" in text and "app.ico" in text and "app.icns" in text


@pytest.mark.parametrize("name", SHELL_SCRIPTS + PYTHON_SCRIPTS[:2])
def test_scripts_are_executable_and_parse(name):
    path = PACKAGING / name
    assert os.access(path, os.X_OK), f"{name} is not executable"
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("#!/usr/bin/env "), first
    if "bash" in first:
        subprocess.run(["bash", "-n", str(path)], check=True, timeout=30)
    else:
        compile(path.read_text(encoding="utf-8"), str(path), "exec")


@pytest.mark.parametrize("name", PYTHON_SCRIPTS[2:] + ["bundle_entry.py"])
def test_helper_modules_compile(name):
    path = PACKAGING / name
    compile(path.read_text(encoding="utf-8"), str(path), "exec")


def test_install_offline_picks_this_machines_lock(tmp_path):
    install_offline = _load_script("install_offline")
    tag = f"cp{sys.version_info.major}{sys.version_info.minor}"
    lock = tmp_path / f"requirements-{install_offline.platform_key()}-{tag}.txt"
    (tmp_path / "requirements-win_amd64-cp399.txt").write_text("")
    with pytest.raises(SystemExit, match="no lock for this machine"):
        install_offline.default_lock(tmp_path)
    lock.write_text("")
    assert install_offline.default_lock(tmp_path) == lock
    env = install_offline.offline_env()
    assert env["PIP_CONFIG_FILE"] == os.devnull
    assert not [k for k in env if k.startswith("PIP_") and k not in ("PIP_CONFIG_FILE", "PIP_DISABLE_PIP_VERSION_CHECK")]


def test_install_offline_refuses_a_damaged_wheelhouse(tmp_path):
    install_offline = _load_script("install_offline")
    (tmp_path / "a.whl").write_bytes(b"wheel")
    good = "6b3d3ae1b0d4ab0e6a1f1a8a0dc8ab5c5f8e1f6e0f5a4b0e3f6d1e8a0b2c4d6e"
    (tmp_path / "SHA256SUMS").write_text(f"{good}  a.whl\n")
    with pytest.raises(SystemExit, match="damaged or missing"):
        install_offline.verify_checksums(tmp_path)
    import hashlib
    (tmp_path / "SHA256SUMS").write_text(f"{hashlib.sha256(b'wheel').hexdigest()}  a.whl\n")
    install_offline.verify_checksums(tmp_path)


def test_make_wheelhouse_targets_and_wheel_names():
    make_wheelhouse = _load_script("make_wheelhouse")
    assert set(make_wheelhouse.PLATFORMS) == {"linux_x86_64", "win_amd64", "macos_arm64", "macos_x86_64"}
    assert "manylinux_2_34_x86_64" in make_wheelhouse.PLATFORMS["linux_x86_64"]  # PySide6 6.10 needs it
    assert make_wheelhouse.wheel_name_version("PySide6_Essentials-6.10.3-cp39-abi3-win_amd64.whl") == \
        ("pyside6-essentials", "6.10.3")
    assert make_wheelhouse.wheel_name_version("python_calamine-0.9.1-cp311-cp311-macosx_11_0_arm64.whl") == \
        ("python-calamine", "0.9.1")


def test_desktop_entry_validates():
    path = PACKAGING / "mineral-workbench.desktop"
    if shutil.which("desktop-file-validate"):
        proc = subprocess.run(["desktop-file-validate", str(path)], capture_output=True, text=True, timeout=30)
        assert proc.returncode == 0 and "error" not in proc.stdout, proc.stdout + proc.stderr
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str
    parser.read(path, encoding="utf-8")
    entry = parser["Desktop Entry"]
    assert entry["Type"] == "Application" and entry["Name"] == "Mineral Exposure Workbench"
    assert entry["Exec"].split()[0] == "mineral-workbench" and entry["Icon"] == "mineral-workbench"
    assert entry["Terminal"] == "false" and entry["Categories"].endswith(";")


def test_windows_version_info_matches_pyproject():
    make_version_info = _load_script("make_version_info.py")
    text = (PACKAGING / "windows_version_info.txt").read_text(encoding="utf-8")
    assert text == make_version_info.render(), "run: python3 packaging/make_version_info.py"
    version = PYPROJECT["project"]["version"]
    # Evaluate it as PyInstaller does, with stand-ins for its classes.
    record = {}
    def stub(kind):
        return lambda *a, **k: record.setdefault(kind, []).append((a, k)) or kind
    names = ("VSVersionInfo", "FixedFileInfo", "StringFileInfo", "StringTable", "StringStruct",
             "VarFileInfo", "VarStruct")
    eval(compile(text, "windows_version_info.txt", "eval"), {n: stub(n) for n in names})  # noqa: S307
    strings = dict(args for args, _ in record["StringStruct"])
    assert strings["ProductVersion"] == strings["FileVersion"] == version
    assert strings["ProductName"] == "Mineral Exposure Workbench"
    assert record["FixedFileInfo"][0][1]["filevers"][:3] == make_version_info.version_tuple(version)[:3]


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_icon_set_png_sizes_ico_and_icns():
    assert (ICONS / "app.svg").is_file()
    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        assert _png_size((ICONS / f"app-{size}.png").read_bytes()) == (size, size)
    ico = (ICONS / "app.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", ico[:6])
    assert (reserved, kind) == (0, 1) and count >= 6
    sizes = set()
    for i in range(count):
        width, height, _c, _r, _p, _b, length, offset = struct.unpack("<BBBBHHII", ico[6 + 16 * i: 22 + 16 * i])
        png = ico[offset: offset + length]
        sizes.add(_png_size(png)[0])
        assert _png_size(png)[0] == (width or 256)
    assert {16, 32, 48, 256} <= sizes
    icns = (ICONS / "app.icns").read_bytes()
    assert icns[:4] == b"icns" and struct.unpack(">I", icns[4:8])[0] == len(icns)


def test_qt_reads_the_icon_files():
    from PySide6.QtGui import QImage
    assert QImage(str(ICONS / "app.ico")).width() in (16, 24, 32, 48, 64, 128, 256)
    assert QImage(str(ICONS / "app-256.png")).width() == 256


def test_sbom_lists_every_dependency():
    sbom_dir = PACKAGING / "sbom"
    documents = sorted(sbom_dir.glob("*.cdx.json"))
    assert documents, "no SBOM: run packaging/make_sbom"
    def norm(name):
        return re.sub(r"[-_.]+", "-", name).lower()
    declared = {norm(re.split(r"[<>=!~;\[ ]", dep)[0]) for dep in PYPROJECT["project"]["dependencies"]}
    for path in documents:
        bom = json.loads(path.read_text(encoding="utf-8"))
        assert bom["bomFormat"] == "CycloneDX" and bom["specVersion"].startswith("1.")
        names = {norm(c["name"]) for c in bom["components"]}
        missing = declared - names
        assert not missing, f"{path.name} lacks {sorted(missing)}: run packaging/make_sbom"
    licences = (sbom_dir / "licenses.md").read_text(encoding="utf-8").lower()
    assert all(name in licences.replace("_", "-") for name in declared)
    assert sum(p.stat().st_size for p in sbom_dir.iterdir()) < 2_000_000  # text, kept small


# --- the bundle's exclusions do not change what the app shows ----------------------------

BLOCKER = '''
"""Injected by tests/test_packaging_scripts.py: the modules the bundle leaves out are absent."""
import importlib.abc, json, os, sys

_EXCLUDED = json.loads(os.environ["MW_EXCLUDED_MODULES"])


class _Absent(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if any(name == e or name.startswith(e + ".") for e in _EXCLUDED):
            raise ModuleNotFoundError(f"No module named {name!r} (left out of the bundle)", name=name)
        return None


sys.meta_path.insert(0, _Absent())
'''


def _run_app(args: list[str], folder: Path, excluded: list[str] | None) -> tuple:
    folder.mkdir(parents=True)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(folder / "config"),
               MINERAL_WORKBENCH_SETTINGS_DIR=str(folder / "settings"))
    paths = [str(Path(p).resolve()) for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    if excluded is not None:
        (folder / "hook").mkdir()
        (folder / "hook" / "sitecustomize.py").write_text(BLOCKER, encoding="utf-8")
        paths.insert(0, str(folder / "hook"))
        env["MW_EXCLUDED_MODULES"] = json.dumps(excluded)
    env["PYTHONPATH"] = os.pathsep.join(paths)
    argv = [a.replace("{png}", str(folder / "w.png")) for a in args]
    proc = subprocess.run([sys.executable, "-m", "mineral_workbench", *argv], capture_output=True,
                          text=True, timeout=240, env=env, cwd=folder)
    png = (folder / "w.png").read_bytes() if (folder / "w.png").exists() else None
    return proc.returncode, proc.stdout, proc.stderr, png


def test_app_is_unchanged_without_the_modules_the_bundle_excludes(tmp_path):
    # PyQt5/PyQt6/PySide2 are absent anyway; blocking them here would not mimic the bundle.
    excluded = [m for m in _spec_excludes() if m not in ("PyQt5", "PyQt6", "PySide2")]
    jobs = [(args, tmp_path / f"{i}-{mode}", excluded if mode == "bundle" else None)
            for i, args in enumerate((["--screenshot", "{png}"], ["analyze", "--json"]))
            for mode in ("plain", "bundle")]
    with ThreadPoolExecutor(max_workers=2) as pool:
        shot_plain, shot_bundle, json_plain, json_bundle = pool.map(lambda job: _run_app(*job), jobs)
    assert shot_plain[0] == 0, shot_plain[2]
    assert shot_bundle[:3] == shot_plain[:3]
    assert shot_bundle[3] == shot_plain[3], "the window differs without the excluded modules"
    assert json_bundle == json_plain
