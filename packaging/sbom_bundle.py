#!/usr/bin/env python3
"""Narrow an environment SBOM to what a PyInstaller bundle really holds, and add its native parts.

Run by make_sbom with the BUILD venv's Python (so `packages_distributions()` sees that venv):
    python sbom_bundle.py --env-sbom build-env.cdx.json --work WORK --out bundle.cdx.json \
        --licenses-md bundle-extra-licenses.md

* Python packages: a distribution stays when one of its top-level modules or folders is in
  the bundle (PyInstaller's TOCs in WORK list every module and file); PyInstaller itself
  stays as the bootloader the executables are made of. Build-only tools (pip, setuptools,
  altgraph, the hooks) drop out.
* Native libraries PyInstaller copied from the build machine (outside site-packages) become
  components of their Debian package (purl pkg:deb/debian/NAME@VERSION), with the sha256 of
  each copied file; the Python runtime becomes a `cpython` component.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import platform
import re
import subprocess
import sys
import sysconfig
from importlib.metadata import packages_distributions
from pathlib import Path

BOOTLOADER = {"pyinstaller"}


def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read_toc(path: Path) -> list[tuple]:
    """Entries (name, source, typecode) of a PyInstaller TOC file (a Python literal)."""
    def find(node):
        if isinstance(node, list) and node and isinstance(node[0], tuple) and len(node[0]) == 3:
            return node
        if isinstance(node, (list, tuple)):
            for item in node:
                found = find(item)
                if found:
                    return found
        return []
    return find(ast.literal_eval(path.read_text(encoding="utf-8")))


def bundle_contents(work: Path) -> tuple[set[str], list[tuple]]:
    """Top-level module/folder names in the bundle, and its COLLECT entries."""
    collect = read_toc(next(work.glob("COLLECT-*.toc")))
    tops = {entry[0].split(".")[0] for toc in work.glob("PYZ-*.toc") for entry in read_toc(toc)}
    for dest, _src, kind in collect:
        first = Path(dest).parts[0]
        tops.add(first.split(".")[0] if kind == "EXTENSION" else first)
    return tops, collect


def sha256(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def dpkg_owner(path: str) -> tuple[str, str] | None:
    """(package, version) of the Debian package that installed `path`, if any."""
    for candidate in dict.fromkeys([path, str(Path(path).resolve())]):
        try:
            out = subprocess.run(["dpkg-query", "-S", candidate], capture_output=True, text=True)
        except FileNotFoundError:
            return None
        if out.returncode == 0:
            package = out.stdout.split(":")[0].strip()
            version = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", package],
                                     capture_output=True, text=True).stdout.strip()
            return package, version
    return None


def debian_licence(package: str) -> str:
    """The License: short names of the package's machine-readable (DEP-5) copyright file."""
    copyright_file = Path("/usr/share/doc") / package.split(":")[0] / "copyright"
    pointer = f"see /usr/share/doc/{package.split(':')[0]}/copyright"
    if not copyright_file.is_file():
        return pointer
    text = copyright_file.read_text(errors="replace")
    if not text.startswith("Format:"):
        return pointer
    found = [name.strip() for name in re.findall(r"^License:[ \t]*(\S.*)$", text, re.M)]
    names = list(dict.fromkeys(name for name in found if len(name) <= 60))
    if not names:
        return pointer
    return ", ".join(names[:6]) + (f" and {len(names) - 6} more ({pointer})" if len(names) > 6 else "")


def debian_arch() -> str:
    try:
        return subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True).stdout.strip()
    except FileNotFoundError:
        return platform.machine()


def native_components(collect: list[tuple], site_packages: list[str]) -> tuple[list[dict], list[list[str]]]:
    """Components for shared libraries copied from the build machine, grouped by Debian package."""
    packages: dict[str, dict] = {}
    rows = []
    for dest, src, kind in collect:
        if kind != "BINARY" or any(src.startswith(sp) for sp in site_packages):
            continue
        owner = dpkg_owner(src)
        name, version = owner if owner else (Path(src).name, "unknown")
        key = f"deb:{name}" if owner else f"file:{name}"
        if key not in packages:
            licence = debian_licence(name) if owner else "unknown (not from a Debian package)"
            component = {
                "type": "library", "bom-ref": key, "name": name, "version": version,
                "description": "native library copied into the bundle from the build machine",
                "licenses": [{"license": {"name": licence}}],
                "properties": [],
            }
            if owner:
                component["purl"] = f"pkg:deb/debian/{name.split(':')[0]}@{version}?arch={debian_arch()}"
            packages[key] = component
            rows.append([name, version, licence, "Debian package" if owner else "file"])
        packages[key]["properties"].append(
            {"name": "bundle:file", "value": f"_internal/{dest} sha256:{sha256(src)}"})
    return list(packages.values()), rows


def cpython_component() -> dict:
    version = platform.python_version()
    return {"type": "application", "bom-ref": "cpython", "name": "cpython", "version": version,
            "description": "Python runtime and standard library inside the bundle",
            "licenses": [{"license": {"id": "PSF-2.0"}}],
            "purl": f"pkg:generic/cpython@{version}",
            "properties": [{"name": "build:executable", "value": sys.executable}]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--env-sbom", type=Path, required=True)
    parser.add_argument("--work", type=Path, required=True, help="PyInstaller work folder of the build")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--licenses-md", type=Path, required=True)
    args = parser.parse_args(argv)

    bom = json.loads(args.env_sbom.read_text(encoding="utf-8"))
    tops, collect = bundle_contents(args.work)
    present = {norm(dist) for top, dists in packages_distributions().items() if top in tops for dist in dists}
    present |= BOOTLOADER
    kept = [c for c in bom.get("components", []) if norm(c["name"]) in present]
    dropped = sorted(c["name"] for c in bom.get("components", []) if norm(c["name"]) not in present)
    for component in kept:
        if norm(component["name"]) in BOOTLOADER:
            component["description"] = "bootloader of the bundle's executables (the build tool itself is not inside)"
    site_packages = sorted({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]})
    natives, rows = native_components(collect, site_packages)
    bom["components"] = kept + [cpython_component()] + natives
    refs = {c.get("bom-ref") for c in bom["components"]} | {bom["metadata"]["component"].get("bom-ref")}
    bom["dependencies"] = [
        {**dep, "dependsOn": [r for r in dep.get("dependsOn", []) if r in refs]}
        for dep in bom.get("dependencies", []) if dep["ref"] in refs]
    bom["metadata"].setdefault("properties", []).append(
        {"name": "bundle:left-out-of-bundle", "value": ", ".join(dropped) or "none"})
    args.out.write_text(json.dumps(bom, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    lines = ["| Name | Version | License | Kind |", "|---|---|---|---|",
             f"| cpython | {platform.python_version()} | PSF-2.0 | Python runtime |"]
    lines += [f"| {' | '.join(row)} |" for row in sorted(rows)]
    args.licenses_md.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"bundle SBOM: {len(kept)} Python packages, {len(natives)} native packages; "
          f"left out (build tools): {', '.join(dropped) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
