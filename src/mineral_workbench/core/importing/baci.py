"""CEPII BACI CSV (`BACI_HS17_Y2023_V202501.csv`) -> TradeFrame + ImportReport.

BACI is world trade reconciled from both sides' declarations (mirror flows): `t` year, `i`
exporter, `j` importer, `k` HS6 product, `v` value in **thousands** of USD, **FOB**, `q`
quantity in **tonnes** (missing in ~2% of rows). The workbench keeps the flows into the
United States (`j` = USA's BACI number, 842) as `imports_general` with the exporter as
partner: `fob_value` (primary, v x 1,000) and `quantity` (unit `t`). A year file has about
ten million rows, so it is streamed in Arrow batches and filtered on `j` before any other
column is looked at. `k` is text; a code that lost its leading zero (`71320`) is re-padded.
Country names and ISO3 codes come from `country_codes_V*.csv` beside the file
(baci_countries). Rows are CSV lines (header = line 1).
"""

from __future__ import annotations

import codecs
import hashlib
import io
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ..errors import InputError, OperationCancelled
from ..tradeframe import build_tradeframe
from .baci_countries import (CountryTable, bundled_table, find_table, is_country_table_header,
                             partners, read_table)
from .dataweb_common import ImportCancelled
from .report import ImportReport
from .textfile import decode_head, sniff_encoding

FORMAT = "baci_csv"
LABEL = "CEPII BACI CSV"
COLUMNS = ("t", "i", "j", "k", "v", "q")
US_CODE = 842
BLOCK_BYTES = 1 << 22
EDITIONS = {"92": "H0", "96": "H1", "02": "H2", "07": "H3", "12": "H4", "17": "H5", "22": "H6"}
CITATION = ("Gaulier, G. and Zignago, S. (2010). BACI: International Trade Database at the "
            "Product-Level. The 1994-2007 Version. CEPII Working Paper 2010-23 ({file}).")
VALUE_NOTE = ("BACI values are FOB, reconciled from exporters' and importers' declarations "
              "(mirror flows), in thousands of USD (multiplied by 1,000 here): they are not "
              "US-reported customs values")

ProgressFn = Callable[[float, str], None]
CancelFn = Callable[[], bool]


def _header_cells(head: bytes) -> tuple[list[str], int]:
    """Header cells (lower case, quotes and spaces stripped) and the header's line index."""
    lines = decode_head(head).splitlines()
    for index, line in enumerate(lines):
        if line.strip():
            return [c.strip().strip('"').strip().lower() for c in line.split(",")], index
    return [], 0


def sniff(path: str | Path, head: bytes) -> bool:
    """A `t,i,j,k,v,q` header, or BACI's country table (so that read() can explain it)."""
    cells, _ = _header_cells(head)
    return sorted(cells) == sorted(COLUMNS) or is_country_table_header(cells)


def read(path: str | Path, *, progress: ProgressFn | None = None,
         cancel: CancelFn | None = None) -> tuple[pd.DataFrame, ImportReport]:
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            head = handle.read(65536)
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(path, f"cannot read the file: {exc.strerror or exc}") from None
    cells, header_index = _header_cells(head)
    if is_country_table_header(cells):
        raise InputError(path, "this is BACI's country table, not trade data; put it beside "
                               "the BACI data file (BACI_HS*_Y*_V*.csv) and import that")
    if sorted(cells) != sorted(COLUMNS):
        raise InputError(path, "not a BACI trade file: the header must be t,i,j,k,v,q")
    if cancel is not None and cancel():
        raise ImportCancelled("import cancelled")
    try:
        return _read(path, cells, header_index, head, size, progress, cancel)
    except (InputError, OperationCancelled):
        raise
    except Exception as exc:  # noqa: BLE001 - bad input must end in InputError, never a crash
        detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise InputError(path, f"cannot read the BACI file: {type(exc).__name__}: "
                               f"{detail}") from None


def _read(path: Path, cells: list[str], header_index: int, head: bytes, size: int,
          progress, cancel) -> tuple[pd.DataFrame, ImportReport]:
    sha256, ascii_only = _hash_and_check(path)
    report = ImportReport(file=str(path), sha256=sha256, format=FORMAT,
                          layout="baci", flow="imports_general", scale=1000.0,
                          primary_measure="fob_value", encoding=sniff_encoding(head) or "utf-8",
                          citation=CITATION.format(file=path.name))
    table = _country_table(path, report)
    us = table.code_of("USA", US_CODE)
    kept, n_rows, bad_lines = _stream(path, cells, header_index, head, size, str(us),
                                      ascii_only, progress, cancel)
    report.rows_read = n_rows + len(bad_lines)
    if kept["replaced"]:
        report.warnings.append(f"{kept['replaced']} bytes are not valid {report.encoding} "
                               "text and were replaced (their rows may be dropped below)")
    for line, width in bad_lines:
        report.drop(f"{width} fields where the header has 6", line)
    if bad_lines:
        report.warnings.append(f"{len(bad_lines)} lines do not have 6 fields and were not read")
    report.warnings.append(f"{n_rows - len(kept['j'])} of {n_rows} rows are flows into other "
                           f"importers and were not read (the US is importer {us})")
    if len(kept["j"]) == 0:
        raise InputError(path, f"no flows into the United States (BACI importer {us}) in this "
                               "file")
    frame = _assemble(path, report, kept, table)
    if progress is not None:
        progress(1.0, "done")
    return frame, report


def _country_table(path: Path, report: ImportReport) -> CountryTable:
    found = find_table(path, report.warnings)
    if found is None:
        report.warnings.append("no country_codes_V*.csv beside the file: the bundled BACI "
                               "code table (ISO 3166 numeric plus BACI's own numbers) is used")
        return bundled_table()
    report.warnings.append(f"countries from {found.name}")
    return read_table(found)


def _hash_and_check(path: Path) -> tuple[str, bool]:
    """SHA-256 of the file and whether it is plain ASCII (as BACI writes it), in one pass."""
    digest, ascii_only = hashlib.sha256(), True
    with open(path, "rb") as handle:
        while block := handle.read(1 << 22):
            digest.update(block)
            ascii_only = ascii_only and block.isascii()
    return digest.hexdigest(), ascii_only


def _stream(path: Path, cells: list[str], header_index: int, head: bytes, size: int,
            us: str, ascii_only: bool, progress, cancel) -> tuple[dict[str, object], int, list]:
    """Read in Arrow batches, keeping only rows whose importer `j` is the US.

    Single-threaded, so that a malformed line is reported with its line number; plain ASCII
    (every real BACI file) goes to Arrow as is, anything else through `_Utf8Stream`.
    """
    bad: list[tuple[int | None, int]] = []

    def set_aside(row) -> str:
        bad.append((row.number, row.actual_columns))
        return "skip"

    stream = None if ascii_only else _Utf8Stream(path, sniff_encoding(head) or "utf-8")
    reader = pacsv.open_csv(
        stream if stream is not None else str(path),
        read_options=pacsv.ReadOptions(column_names=cells, skip_rows=header_index + 1,
                                       use_threads=False, block_size=BLOCK_BYTES),
        parse_options=pacsv.ParseOptions(invalid_row_handler=set_aside),
        convert_options=pacsv.ConvertOptions(
            column_types={c: pa.string() for c in COLUMNS}, strings_can_be_null=False,
            quoted_strings_can_be_null=False))
    pieces: dict[str, list] = {c: [] for c in (*COLUMNS, "index")}
    n_rows = batches = 0
    for batch in reader:
        if cancel is not None and cancel():
            raise ImportCancelled("import cancelled")
        importer = pc.utf8_trim_whitespace(batch.column("j"))
        mask = pc.equal(importer, us)
        picked = np.flatnonzero(np.asarray(mask, dtype=bool))
        if len(picked):
            for column in COLUMNS:
                pieces[column].append(pc.take(batch.column(column), pa.array(picked)))
            pieces["index"].append(picked + n_rows)
        n_rows += batch.num_rows
        batches += 1
        if progress is not None:
            progress(min(0.9, batches * BLOCK_BYTES / max(size, 1)), "reading BACI rows")
    kept: dict[str, object] = {
        c: (pa.concat_arrays(pieces[c]) if pieces[c] else pa.array([], pa.string()))
        for c in COLUMNS}
    index = np.concatenate(pieces["index"]) if pieces["index"] else np.zeros(0, np.int64)
    kept["line"] = _lines(index, [n for n, _ in bad], header_index)
    kept["replaced"] = stream.replaced if stream is not None else 0
    if stream is not None:
        stream.close()
    lines = [(n if n is not None else 0, width) for n, width in bad]
    return kept, n_rows, lines


class _Utf8Stream(io.RawIOBase):
    """The file as UTF-8 for Arrow, whatever its encoding; bytes that do not decode become
    U+FFFD (counted), so a damaged byte can only damage its own row."""

    def __init__(self, path: Path, encoding: str):
        self._raw = open(path, "rb")  # noqa: SIM115 - closed by close()
        self._decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        self._buffer = bytearray()
        self._done = False
        self.replaced = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        while not self._done and (size < 0 or len(self._buffer) < size):
            chunk = self._raw.read(max(size, 1 << 20))
            self._done = not chunk
            text = self._decoder.decode(chunk, final=self._done)
            self.replaced += text.count("\ufffd")
            self._buffer += text.encode("utf-8")
        size = len(self._buffer) if size < 0 else size
        out = bytes(self._buffer[:size])
        del self._buffer[:size]
        return out

    def close(self) -> None:
        self._raw.close()
        super().close()


def _lines(index: np.ndarray, bad_numbers: list[int | None], header_index: int) -> np.ndarray:
    """Valid record index -> CSV line, stepping over lines set aside as malformed."""
    first = header_index + 2
    known = np.array(sorted(n for n in bad_numbers if n is not None), dtype=np.int64)
    before = known - first - np.arange(len(known))   # valid records before each bad line
    return index + first + np.searchsorted(before, index, side="right")


def _assemble(path: Path, report: ImportReport, kept: dict, table: CountryTable) -> pd.DataFrame:
    lines = kept["line"]
    keep = np.ones(len(lines), bool)

    def drop(mask: np.ndarray, reason: str) -> None:
        for line in lines[mask & keep]:
            report.drop(reason, int(line))
        keep[mask] = False

    year_text = pc.utf8_trim_whitespace(kept["t"])
    good_year = np.asarray(pc.fill_null(pc.match_substring_regex(
        year_text, r"^(19|20)\d\d$"), False), dtype=bool)
    drop(~good_year, "t is not a year")
    exporter = pc.utf8_trim_whitespace(kept["i"])
    good_exporter = np.asarray(pc.fill_null(pc.match_substring_regex(exporter, r"^\d{1,4}$"),
                                            False), dtype=bool)
    drop(~good_exporter, "i is not a BACI country number")
    codes, padded = _hs6(kept["k"])
    drop(~np.asarray(pc.fill_null(pc.match_substring_regex(codes, r"^\d{6}$"), False),
                     dtype=bool), "k is not an HS6 code")
    value = _numbers(kept["v"])
    drop(np.isnan(value), "v is empty or not a number")
    quantity = _numbers(kept["q"])
    if padded:
        report.warnings.append(f"{padded} product codes (k) had lost their leading zero "
                               "(read as numbers once); re-padded to 6 digits")
    if not keep.any():
        raise InputError(path, "no readable US import rows: " + "; ".join(
            f"{len(rows)} rows: {reason}" for reason, rows in report.rows_dropped.items()))
    years = np.zeros(len(lines), np.int64)
    years[keep] = np.asarray(pc.cast(pc.filter(year_text, pa.array(keep)), pa.int64()))
    numbers = np.zeros(len(lines), np.int64)
    numbers[keep] = np.asarray(pc.cast(pc.filter(exporter, pa.array(keep)), pa.int64()))
    distinct, position = np.unique(numbers[keep], return_inverse=True)
    raw, found, missing = partners(distinct, table)
    _note_partners(report, table, distinct, raw, position, value[keep] * 1000.0, missing)
    has_q = keep & ~np.isnan(quantity)
    no_q = int((keep & np.isnan(quantity)).sum())
    if no_q:
        report.warnings.append(f"{no_q} of {int(keep.sum())} rows have no quantity (q missing): "
                               "their value is kept, no quantity row")
    hts = np.asarray(codes.to_numpy(zero_copy_only=False), dtype=object)
    kept_idx, q_idx = np.flatnonzero(keep), np.flatnonzero(has_q)
    partner_raw = np.empty(len(lines), dtype=object)
    partner_code = np.empty(len(lines), dtype=object)
    partner_raw[kept_idx], partner_code[kept_idx] = raw[position], found[position]
    index = np.concatenate([kept_idx, q_idx])
    n_value = len(kept_idx)
    frame = build_tradeframe({
        "source_id": report.sha256, "flow": "imports_general",
        "row": lines[index],
        "measure": np.array(["fob_value"] * n_value + ["quantity"] * len(q_idx), dtype=object),
        "unit": np.array(["USD"] * n_value + ["t"] * len(q_idx), dtype=object),
        "hts": hts[index], "hs_edition": _edition(path, report),
        "year": years[index], "month": pd.NA,
        "partner_raw": partner_raw[index], "partner_code": partner_code[index],
        "value": np.concatenate([value[kept_idx] * 1000.0, quantity[q_idx]]),
    })
    report.measures = ["fob_value", "quantity"] if len(q_idx) else ["fob_value"]
    report.rows_kept = len(frame)
    report.years = sorted(int(y) for y in np.unique(years[keep]))
    report.total_usd = float(value[kept_idx].sum() * 1000.0)
    report.warnings.append(VALUE_NOTE)
    return frame


def _hs6(cells: pa.Array) -> tuple[pa.Array, int]:
    """`k` as text; a 5-digit code lost its leading zero (`71320` -> `071320`)."""
    codes = pc.utf8_trim_whitespace(cells)
    five = pc.fill_null(pc.match_substring_regex(codes, r"^\d{5}$"), False)
    padded = int(pc.sum(pc.cast(five, pa.int64())).as_py() or 0)
    if padded:
        codes = pc.if_else(five, pc.binary_join_element_wise("0", codes, ""), codes)
    return codes, padded


def _numbers(cells: pa.Array) -> np.ndarray:
    """Text numbers (BACI pads them with spaces and writes NA when missing) -> float, NaN."""
    text = pc.utf8_trim_whitespace(cells)
    good = pc.fill_null(pc.match_substring_regex(
        text, r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$"), False)
    parsed = pc.cast(pc.if_else(good, text, pa.scalar(None, pa.string())), pa.float64())
    return np.asarray(parsed.to_numpy(zero_copy_only=False), dtype=float)


def _edition(path: Path, report: ImportReport) -> str:
    match = re.search(r"HS(\d\d)", path.name, re.IGNORECASE)
    edition = EDITIONS.get(match.group(1)) if match else None
    if edition is None:
        report.warnings.append("the HS revision is not in the file name (BACI_HS17_...): "
                               "HS edition unknown")
        return ""
    report.hs_editions = [edition]
    return edition


def _note_partners(report: ImportReport, table: CountryTable, distinct: np.ndarray,
                   raw: np.ndarray, position: np.ndarray, value: np.ndarray,
                   missing: list[int]) -> None:
    """Warn about numbers the table lacks and historical entities, with their value."""
    totals = np.bincount(position, weights=value, minlength=len(distinct))
    if missing:
        shown = ", ".join(f"{n} (USD {totals[list(distinct).index(n)]:,.0f})" for n in missing[:8])
        report.warnings.append(f"BACI country numbers not in {table.source} country table "
                               f"(kept as UNMAPPED): {shown}")
    former = [(name, totals[i]) for i, name in enumerate(raw) if "(..." in name]
    if former:
        report.warnings.append("historical entities: " + ", ".join(
            f"{name} (USD {total:,.0f})" for name, total in former))
