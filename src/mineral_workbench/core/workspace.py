"""The analyst's workspace in one `.mwb` file that never loses work (issue 5).

A `.mwb` is a zip holding `workspace.json` (schema version, sources with their SHA-256 and
import settings, options, scenarios, memo drafts, view state), `data/trade.parquet` (the
imported rows, so the workspace opens when the source files have moved) and `reference/`
(the reference tables in use, so it reopens identically after the bundled reference is
updated). No pickle, no eval: JSON, CSV and Parquet only. Saving is atomic: a temp file in
the same folder, flushed and fsynced, then renamed over the old one.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from .analysis import AnalysisOptions, LoadedData, rebuild_cube
from .errors import InputError
from .importing.report import ImportReport
from .reference import Reference, default_root, load_reference
from .scenario import Scenario
from .tradeframe import COLUMNS, LABEL, TEXT, validate_tradeframe

SCHEMA_VERSION = 1
SUFFIX = ".mwb"
_MAX_MEMBER_BYTES = 4 * 1024**3
_MAX_JSON_BYTES = 64 * 1024**2


@dataclass
class Workspace:
    frame: pd.DataFrame
    reports: list[ImportReport]
    options: AnalysisOptions = AnalysisOptions()
    priority: list[str] = field(default_factory=list)
    scenarios: list[Scenario] = field(default_factory=list)
    active_scenario: str | None = None
    memo_drafts: dict = field(default_factory=dict)
    view_state: dict = field(default_factory=dict)
    mapping_edits: dict = field(default_factory=dict)
    source_paths: dict[str, str] = field(default_factory=dict)   # sha256 -> path relative to the .mwb
    reference_root: Path | None = None          # None: the bundled reference
    saved_with: str = ""
    _reference_dir: tempfile.TemporaryDirectory | None = field(default=None, repr=False)

    @classmethod
    def from_loaded(cls, loaded: LoadedData, options: AnalysisOptions = AnalysisOptions(),
                    scenarios: list[Scenario] | None = None) -> "Workspace":
        return cls(frame=loaded.frame, reports=list(loaded.reports), options=options,
                   priority=list(loaded.priority), scenarios=list(scenarios or []))

    def reference(self) -> Reference:
        return load_reference(self.reference_root)

    def to_loaded(self) -> LoadedData:
        reference = self.reference()
        loaded = LoadedData(frame=self.frame, reports=list(self.reports), cube=None,  # type: ignore[arg-type]
                            priority=list(self.priority),
                            reference=None if self.reference_root is None else reference)
        return rebuild_cube(loaded, reference)


def save_workspace(workspace: Workspace, path: str | Path) -> Path:
    """Write atomically: the previous file stays intact until the new one is complete."""
    from .. import __version__  # noqa: PLC0415
    path = Path(path)
    if path.suffix.lower() != SUFFIX:
        path = path.with_suffix(SUFFIX)
    reference = workspace.reference()
    document = {
        "schema_version": SCHEMA_VERSION,
        "saved_with": f"mineral-workbench {__version__}",
        "saved_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "sources": [{"file": Path(r.file).name, "sha256": r.sha256, "format": r.format,
                     "path": _relative(workspace.source_paths.get(r.sha256) or r.file, path.parent),
                     "report": r.to_dict()} for r in workspace.reports],
        "options": {"years": list(workspace.options.years) if workspace.options.years else None,
                    "group": workspace.options.group, "nir_year": workspace.options.nir_year,
                    "top_n": workspace.options.top_n, "weights": dict(workspace.options.weights)},
        "priority": workspace.priority,
        "scenarios": [s.to_json() for s in workspace.scenarios],
        "active_scenario": workspace.active_scenario,
        "memo_drafts": workspace.memo_drafts,
        "view_state": workspace.view_state,
        "mapping_edits": workspace.mapping_edits,
        "reference": {name: {"edition": t.edition, "as_of": t.as_of}
                      for name, t in reference.tables.items()},
    }
    buffer = io.BytesIO()
    import pyarrow as pa  # noqa: PLC0415 - imported when used: it is slow and start-up needs none
    import pyarrow.parquet as pq  # noqa: PLC0415

    pq.write_table(pa.Table.from_pandas(workspace.frame, preserve_index=False), buffer,
                   compression="zstd")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                archive.writestr("workspace.json", json.dumps(document, indent=1, ensure_ascii=False,
                                                              default=str))
                archive.writestr(zipfile.ZipInfo("data/trade.parquet"), buffer.getvalue(),
                                 compress_type=zipfile.ZIP_STORED)
                for file in sorted(reference.root.iterdir()):
                    if file.is_file() and file.suffix in (".csv", ".json", ".md"):
                        archive.write(file, f"reference/{file.name}")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
        _fsync_dir(path.parent)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return path


def load_workspace(path: str | Path) -> Workspace:
    """Open a `.mwb`; a damaged or foreign file ends in one clear InputError."""
    path = Path(path)
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise InputError(path, "file not found") from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(path, f"not a workbench workspace (.mwb): {exc}") from None
    with archive:
        names = {info.filename: info for info in archive.infolist()}
        for info in names.values():
            if info.filename.startswith(("/", "..")) or ".." in Path(info.filename).parts \
                    or info.file_size > _MAX_MEMBER_BYTES:
                raise InputError(path, f"workspace member {info.filename!r} is not allowed")
        if "workspace.json" not in names or "data/trade.parquet" not in names:
            raise InputError(path, "not a workbench workspace (.mwb): workspace.json or data missing")
        if names["workspace.json"].file_size > _MAX_JSON_BYTES:
            raise InputError(path, "workspace.json is implausibly large")
        import pyarrow as pa  # noqa: PLC0415 - imported when used: slow, and start-up needs none
        import pyarrow.parquet as pq  # noqa: PLC0415

        try:
            document = migrate(json.loads(archive.read("workspace.json")), path)
            frame = pq.read_table(io.BytesIO(archive.read("data/trade.parquet"))).to_pandas()
        except (ValueError, pa.ArrowException, KeyError) as exc:
            raise InputError(path, f"the workspace is damaged: {exc}") from None
        reference_dir = _extract_reference(archive, names)
    frame = frame.astype({c: (TEXT if d == LABEL else d) for c, d in COLUMNS.items()})[list(COLUMNS)]
    frame = frame.astype({c: LABEL for c, d in COLUMNS.items() if d == LABEL})
    try:
        validate_tradeframe(frame)
        reports = [ImportReport.from_dict(s["report"]) for s in document["sources"]]
        scenarios = [Scenario.from_json(s) for s in document.get("scenarios", [])]
    except Exception as exc:  # noqa: BLE001 - any malformed part is one clear message
        raise InputError(path, f"the workspace is damaged: {exc}") from None
    opts = document.get("options", {})
    options = AnalysisOptions(years=tuple(opts["years"]) if opts.get("years") else None,
                              group=opts.get("group", "foreign_adversaries"),
                              nir_year=int(opts.get("nir_year", 2024)), top_n=int(opts.get("top_n", 10)),
                              weights=tuple((opts.get("weights") or dict(AnalysisOptions().weights)).items()))
    root = None if reference_dir is None else Path(reference_dir.name)
    return Workspace(frame=frame, reports=reports, options=options,
                     priority=list(document.get("priority", [])), scenarios=scenarios,
                     active_scenario=document.get("active_scenario"),
                     memo_drafts=document.get("memo_drafts", {}), view_state=document.get("view_state", {}),
                     mapping_edits=document.get("mapping_edits", {}),
                     source_paths={s["sha256"]: str((path.parent / s["path"]).resolve())
                                   for s in document["sources"] if s.get("path")},
                     reference_root=root, saved_with=document.get("saved_with", ""),
                     _reference_dir=reference_dir)


def migrate(document: dict, path: Path) -> dict:
    """Bring an older workspace document up to SCHEMA_VERSION (one step per version)."""
    version = document.get("schema_version")
    if not isinstance(version, int):
        raise InputError(path, "workspace.json has no schema_version")
    if version > SCHEMA_VERSION:
        raise InputError(path, f"saved by a newer workbench (schema {version}; this one reads up "
                               f"to {SCHEMA_VERSION}): update the workbench to open it")
    while version < SCHEMA_VERSION:
        document = MIGRATIONS[version](document)
        version = document["schema_version"]
    return document


#: schema_version N -> function returning the document at version N + 1
MIGRATIONS: dict[int, callable] = {}


def _extract_reference(archive: zipfile.ZipFile, names: dict) -> tempfile.TemporaryDirectory | None:
    """The workspace's own reference tables, unless they equal the bundled ones byte for byte."""
    members = [n for n in names if n.startswith("reference/") and n.count("/") == 1 and n != "reference/"]
    if not members:
        return None
    bundled = default_root()
    if all((bundled / n.split("/", 1)[1]).is_file()
           and (bundled / n.split("/", 1)[1]).read_bytes() == archive.read(n) for n in members):
        return None
    folder = tempfile.TemporaryDirectory(prefix="mwb-reference-")
    for name in members:
        (Path(folder.name) / name.split("/", 1)[1]).write_bytes(archive.read(name))
    return folder


def _relative(target: str, base: Path) -> str:
    try:
        return os.path.relpath(Path(target).resolve(), base.resolve())
    except ValueError:  # another drive on Windows
        return str(Path(target).resolve())


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def load_inputs(paths, *, priority=None, profile=None, profiles=None, progress=None, cancel=None
                ) -> tuple[LoadedData, Workspace | None, Reference]:
    """Trade files and at most one workspace, as the CLI accepts them anywhere it takes files.

    A workspace brings its own rows, reference tables and scenarios; trade files given beside
    it are added to its sources (overlaps resolved as usual). `profile` / `profiles`: see
    `load_sources`.
    """
    from .analysis import load_sources  # noqa: PLC0415
    paths = [Path(p) for p in paths]
    spaces = [p for p in paths if p.suffix.lower() == SUFFIX]
    if len(spaces) > 1:
        raise InputError(spaces[1], "give at most one workspace (.mwb) at a time")
    if not spaces:
        loaded = load_sources(paths, priority=priority, profile=profile, profiles=profiles,
                              progress=progress, cancel=cancel)
        return loaded, None, load_reference()
    workspace = load_workspace(spaces[0])
    reference = workspace.reference()
    others = [p for p in paths if p != spaces[0]]
    if others:
        extra = load_sources(others, profile=profile, profiles=profiles, progress=progress,
                             cancel=cancel, reference=reference)
        known = {r.sha256 for r in workspace.reports}
        new = [r for r in extra.reports if r.sha256 not in known]
        from .tradeframe import concat_tradeframes  # noqa: PLC0415
        workspace.frame = concat_tradeframes(
            [workspace.frame, extra.frame[extra.frame["source_id"].isin([r.sha256 for r in new])]])
        workspace.reports += new
    if priority:
        workspace.priority = list(priority) + workspace.priority
    loaded = workspace.to_loaded()
    return loaded, workspace, reference
