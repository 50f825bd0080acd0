"""Column-mapping profiles: how to read a spreadsheet no built-in importer knows (FORMATS.md §7).

A profile says which sheet, which header row, which column plays which role (code, country,
year or year/month columns, value, quantity, unit, flow), what is fixed (flow, measure, scale,
a year or country the sheet leaves out) and how total rows look. It is plain versioned JSON,
so an analyst can read it, the mapping dialog can build it and `import --profile P.json` can
apply it. Profiles are stored one file each in a per-user folder and found again for a new
file by its header signature, so a file saved from the same source next month needs no
mapping.

Conventions (as the analyst sees the sheet): `header_row` and column numbers are 1-based
(column A = 1); a sheet is named, or numbered from 1. A column reference is a header text
(str, matched ignoring case and spacing) or a column number (int).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path

from ..errors import WorkbenchError
from .profile_checks import (COLUMN_ROLES, COUNTRY_SYSTEMS, DEFAULT_TOTAL_PATTERN, FIXED_KEYS,
                             LAYOUTS, PERIOD_ROLES, ROLES, normalize_header, type_problem)
from .profile_checks import problems as profile_problems

__all__ = ["COLUMN_ROLES", "COUNTRY_SYSTEMS", "DEFAULT_TOTAL_PATTERN", "FIXED_KEYS", "LAYOUTS",
           "PERIOD_ROLES", "ROLES", "VERSION", "ColumnRef", "Profile", "ProfileError",
           "ProfileStore", "as_profile", "default_profile_dir", "header_signature",
           "load_profile", "normalize_header", "profile_file_name", "save_profile"]

VERSION = 1
MAX_PROFILE_BYTES = 1024**2

ColumnRef = str | int


class ProfileError(WorkbenchError):
    """A column-mapping profile is malformed or does not fit the file it is applied to.

    `str()` names the profile file or profile, the field and the problem.
    """

    def __init__(self, problem: str, *, field: str | None = None, profile: str | None = None,
                 file: str | Path | None = None):
        self.problem, self.field, self.profile = problem, field, profile
        self.file = str(file) if file is not None else None
        self._show_field = field is not None
        self.problems: list[tuple[str, str]] = [(field or "", problem)]
        super().__init__(self.message())

    def message(self) -> str:
        where = [Path(self.file).name] if self.file else []
        if self.profile:
            where.append(f"profile '{self.profile}'")
        if self.field and self._show_field:
            where.append(f"field '{self.field}'")
        return ": ".join([", ".join(where), self.problem]) if where else self.problem

    def in_file(self, file: str | Path) -> "ProfileError":
        """The same error, naming the profile file it came from."""
        self.file = str(file)
        self.args = (self.message(),)
        return self

    @classmethod
    def from_problems(cls, problems: list[tuple[str, str]], *, profile: str | None = None,
                      file: str | Path | None = None) -> "ProfileError":
        """One error for (field, problem) pairs; `field` is the first one's."""
        if len(problems) == 1:
            return cls(problems[0][1], field=problems[0][0], profile=profile, file=file)
        error = cls(f"{len(problems)} problems: "
                    + "; ".join(f"{where}: {what}" for where, what in problems),
                    profile=profile, file=file)
        error.field = problems[0][0]
        error.problems = list(problems)
        return error


@dataclass
class Profile:
    """One column mapping. Build it in code or with `from_json`; check it with `problems()`."""
    name: str
    header_row: int = 1
    sheet: str | int | None = None
    columns: dict[str, ColumnRef | list[ColumnRef] | str] = field(default_factory=dict)
    country_system: str = "census"
    flow: str | None = None                  # fixed flow when there is no flow column
    flow_values: dict[str, str] = field(default_factory=dict)   # flow cell text -> flow id
    measure: str = "customs_value"           # what the value (or period) columns hold
    quantity_measure: str = "quantity_1"
    scale: float = 1.0                       # value multiplier to USD (1000 = thousands)
    quantity_scale: float = 1.0
    fixed: dict[str, str | int] = field(default_factory=dict)
    total_pattern: str = DEFAULT_TOTAL_PATTERN   # "" = no total rows
    partner_overrides: dict[str, str] = field(default_factory=dict)  # name -> ISO3/aggregate
    fill_down: list[str] = field(default_factory=list)   # roles whose blank cells repeat above
    hs_edition: str = ""
    delimiter: str | None = None             # CSV only; None = detect
    signature: str = ""                      # header_signature() of the header it was made on
    citation: str = ""
    notes: str = ""

    @property
    def layout(self) -> str:
        if "year_columns" in self.columns:
            return "wide_years"
        if "month_columns" in self.columns:
            return "wide_months"
        return "long"

    def has(self, role: str) -> bool:
        """True when the role is read from a column or fixed by the profile."""
        return role in self.columns or role in self.fixed

    # --- JSON ----------------------------------------------------------------------------------

    def to_json(self) -> dict:
        """A JSON-ready dict, `version` first; `layout` is written for readers, derived on load."""
        data = {"version": VERSION, **asdict(self)}
        data["layout"] = self.layout
        return data

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, data: dict | str) -> "Profile":
        """Profile from a dict or JSON text; ProfileError naming the field when malformed."""
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except json.JSONDecodeError as exc:
                raise ProfileError(f"not valid JSON (line {exc.lineno}: {exc.msg})") from None
        if not isinstance(data, dict):
            raise ProfileError("a profile must be a JSON object")
        data = dict(data)
        name = data.get("name") if isinstance(data.get("name"), str) else None
        version = data.pop("version", None)
        if version != VERSION:
            problem = (f"made by a newer version of the workbench (version {version})"
                       if isinstance(version, int) and version > VERSION
                       else f"unsupported version {version!r} (expected {VERSION})")
            raise ProfileError(problem, field="version", profile=name)
        layout = data.pop("layout", None)
        known = {f.name for f in fields(cls)}
        for key in data:
            if key not in known:
                raise ProfileError(f"unknown field (known: {', '.join(sorted(known))})",
                                   field=key, profile=name)
        if "name" not in data:
            raise ProfileError("missing", field="name")
        if wrong := type_problem(data):
            raise ProfileError(wrong[1], field=wrong[0], profile=name)
        profile = cls(**data)
        if layout is not None and layout != profile.layout:
            raise ProfileError(f"says {layout!r} but the columns make it {profile.layout!r}",
                               field="layout", profile=name)
        return profile

    # --- consistency ---------------------------------------------------------------------------

    def problems(self) -> list[str]:
        """What is wrong with the profile on its own, as `field: problem` lines ([] = fine).

        File-dependent problems (a header that is not there) come from `mapped.validate`.
        """
        return [f"{where}: {what}" for where, what in profile_problems(self)]

    def check(self) -> "Profile":
        """Raise ProfileError listing every problem; return the profile when it has none."""
        found = profile_problems(self)
        if found:
            raise ProfileError.from_problems(found, profile=self.name)
        return self

    def with_header(self, header_cells: list[object]) -> "Profile":
        """A copy whose signature is that of `header_cells` (the row `header_row` names)."""
        return replace(self, signature=header_signature(header_cells))


# --- header signatures -------------------------------------------------------------------------

_YEAR_CELL = re.compile(r"^'?\s*(19|20|21)\d\d(\.0+)?\s*$")


def header_signature(cells: list[object]) -> str:
    """The header row as one comparable string, stable across years: every run of year
    headers (`2022|2023`) becomes `{years}`, so next year's export of the same query matches."""
    names = [normalize_header(c) for c in cells]
    while names and not names[-1]:
        names.pop()
    out: list[str] = []
    for name in names:
        token = "{years}" if _YEAR_CELL.match(name) else name
        if not (token == "{years}" and out and out[-1] == token):
            out.append(token)
    return "|".join(out)


# --- files and the per-user store --------------------------------------------------------------

def save_profile(profile: Profile, path: str | Path) -> Path:
    """Write a checked profile as JSON, atomically (temp file, flush, rename)."""
    profile.check()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".profile-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(profile.dumps())
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def load_profile(path: str | Path) -> Profile:
    """Read and check a profile file; ProfileError naming the file and field when it is bad."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_PROFILE_BYTES:
            raise ProfileError("too large to be a column-mapping profile", file=path)
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ProfileError(f"cannot read the profile: {exc.strerror or exc}", file=path) from None
    except UnicodeDecodeError:
        raise ProfileError("not UTF-8 text: not a profile", file=path) from None
    try:
        return Profile.from_json(text).check()
    except ProfileError as exc:
        raise exc.in_file(path) from None


def as_profile(profile: Profile | dict | str | Path) -> Profile:
    """Accept a Profile, its JSON dict, or the path of a profile file."""
    if isinstance(profile, Profile):
        return profile
    if isinstance(profile, dict):
        return Profile.from_json(profile)
    if isinstance(profile, (str, Path)):
        return load_profile(profile)
    raise ProfileError(f"expected a profile, its JSON or its file path, not {type(profile).__name__}")


def default_profile_dir() -> Path:
    """$MINERAL_WORKBENCH_SETTINGS_DIR/profiles, else $XDG_CONFIG_HOME (or ~/.config)/
    mineral-workbench/profiles. Not created until a profile is saved."""
    settings = os.environ.get("MINERAL_WORKBENCH_SETTINGS_DIR")
    if settings:
        return Path(settings) / "profiles"
    config = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(config) / "mineral-workbench" / "profiles"


def profile_file_name(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")[:60]
    return f"{slug or 'profile'}.json"


class ProfileStore:
    """The analyst's saved profiles: one JSON file each in `folder` (no Qt, no QSettings)."""

    def __init__(self, folder: str | Path | None = None):
        self.folder = Path(folder) if folder is not None else default_profile_dir()
        self.errors: list[str] = []      # unreadable files met by the last `profiles()`

    def path_for(self, name: str) -> Path:
        return self.folder / profile_file_name(name)

    def save(self, profile: Profile) -> Path:
        """Save (or replace) the profile of that name; returns its file."""
        return save_profile(profile, self.path_for(profile.name))

    def load(self, name: str) -> Profile:
        return load_profile(self.path_for(name))

    def delete(self, name: str) -> bool:
        path = self.path_for(name)
        existed = path.exists()
        path.unlink(missing_ok=True)
        return existed

    def profiles(self) -> list[Profile]:
        """Every readable profile, by name; broken files are listed in `errors`, not raised."""
        self.errors = []
        found = []
        for path in sorted(self.folder.glob("*.json")) if self.folder.is_dir() else []:
            try:
                found.append(load_profile(path))
            except ProfileError as exc:
                self.errors.append(str(exc))
        return sorted(found, key=lambda p: p.name.casefold())

    def names(self) -> list[str]:
        return [p.name for p in self.profiles()]

    def match(self, header_cells: list[object]) -> Profile | None:
        """The saved profile made on a header like this one, or None."""
        signature = header_signature(header_cells)
        return next((p for p in self.profiles() if p.signature and p.signature == signature), None)

    def match_file(self, path: str | Path) -> Profile | None:
        """The saved profile that fits `path`: same header signature on the profile's sheet,
        at its header row or, when title rows above it changed, at another of the first 30
        rows (the copy returned then has that header row). None when nothing fits."""
        from .grid import read_grid  # noqa: PLC0415 - the store itself needs no file reading

        grids: dict[object, object] = {}
        for profile in self.profiles():
            if not profile.signature:
                continue
            key = (profile.sheet, profile.delimiter)
            if key not in grids:
                try:
                    grids[key] = read_grid(path, profile.sheet, max_rows=30,
                                           delimiter=profile.delimiter)
                except WorkbenchError:
                    grids[key] = None
            if grids[key] is None:
                continue
            head = grids[key].head(30)
            rows = [profile.header_row - 1] + [i for i in range(len(head)) if i != profile.header_row - 1]
            for i in rows:
                if i < len(head) and header_signature(head[i]) == profile.signature:
                    return profile if i == profile.header_row - 1 else replace(profile, header_row=i + 1)
        return None
