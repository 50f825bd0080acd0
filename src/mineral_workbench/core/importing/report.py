"""What an import did, for the analyst and for `import --json` (DESIGN §5)."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from pathlib import Path

DATAWEB_CITATION = (
    "Compiled using the USITC DataWeb from official U.S. merchandise trade statistics of the "
    "U.S. Census Bureau, accessed {date}."
)


@dataclass
class Checksum:
    """The file's own total (e.g. DataWeb's `Total:` row) against the sum of rows kept."""
    expected: float
    found: float
    ok: bool
    tolerance: float = 0.5

    @classmethod
    def compare(cls, expected: float, found: float, tolerance: float = 0.5) -> "Checksum":
        return cls(expected=float(expected), found=float(found),
                   ok=abs(float(expected) - float(found)) <= tolerance, tolerance=tolerance)


@dataclass
class ImportReport:
    file: str
    sha256: str
    format: str = ""
    layout: str = ""
    flow: str = "unknown"
    measures: list[str] = field(default_factory=list)
    primary_measure: str = ""
    scale: float = 1.0
    years: list[int] = field(default_factory=list)
    rows_read: int = 0
    rows_kept: int = 0
    #: reason -> 1-based row numbers (as the analyst sees them) of rows not kept as data
    rows_dropped: dict[str, list[int]] = field(default_factory=dict)
    total_usd: float = 0.0
    checksum: Checksum | None = None
    #: per-measure checksums where a file has several measure sheets
    checksums: dict[str, Checksum] = field(default_factory=dict)
    unmapped_codes: list[dict] = field(default_factory=list)      # {code, value_usd}
    unmapped_partners: list[dict] = field(default_factory=list)   # {partner, value_usd}
    aggregate_partners: list[dict] = field(default_factory=list)  # {partner, code, value_usd}
    warnings: list[str] = field(default_factory=list)
    citation: str = ""
    query_parameters: dict[str, str] = field(default_factory=dict)
    download_date: str | None = None
    sheets: list[str] = field(default_factory=list)
    encoding: str = ""           # text formats: the codec used to decode the file
    hs_editions: list[str] = field(default_factory=list)   # e.g. ["HTS"], ["H5", "H6"]

    def drop(self, reason: str, row: int) -> None:
        self.rows_dropped.setdefault(reason, []).append(int(row))

    def to_json(self) -> dict:
        data = asdict(self)
        data["rows_dropped"] = {
            reason: {"count": len(rows), "rows": rows[:200], "truncated": len(rows) > 200}
            for reason, rows in self.rows_dropped.items()
        }
        data["file"] = self.file
        return data

    def to_dict(self) -> dict:
        """Everything, losslessly (workspace files); `to_json` is the shorter CLI shape."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "ImportReport":
        known = {f for f in cls.__dataclass_fields__}
        data = {k: v for k, v in data.items() if k in known}
        if data.get("checksum"):
            data["checksum"] = Checksum(**data["checksum"])
        data["checksums"] = {k: Checksum(**v) for k, v in (data.get("checksums") or {}).items()}
        return cls(**data)


def file_sha256(path: str | Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()
