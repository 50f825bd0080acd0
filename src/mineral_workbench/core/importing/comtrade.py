"""UN Comtrade CSV (Comtrade Plus and the legacy layout) -> TradeFrame + ImportReport.

What is read (FORMATS.md §4): rows where the United States is the **reporter**; flow `M`
(imports: partners are suppliers) as `imports_general` — the US reports general imports to
the UN, valued CIF — and flow `X` as `exports`. Re-imports, re-exports and processing flows
are dropped with their reason. Countries come from the ISO3 columns (`reporterISO`,
`partnerISO`), then the partner name, then the Comtrade number. Partner `World` (0 / W00)
is a total: it checks the partner rows per period and commodity and is never data. Residual
partners (`Other Asia, nes` S19, `Areas, nes`) stay as aggregates; groups such as the EU are
subtotals and are dropped. Each row keeps its HS edition (`classificationCode` H0-H6).

Measures: `cif_value` (primary for imports; `primaryValue` fills a blank `cifvalue`),
`fob_value` (primary for exports), `primary_value`, `net_weight` (kg) and `quantity`
(`qty` in `qtyUnitAbbr`; 0 or -1 means unknown and is not kept). `report.rows_kept` counts
TradeFrame rows, one per source row and measure.

Before any name is trusted, every known column's values must fit it (column_checks): a
hand-edited header that no longer lines up is refused, naming the first offending column.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..countries import AGGREGATE_CODES, normalize_partners
from ..errors import InputError, OperationCancelled
from ..tradeframe import UNMAPPED, build_tradeframe
from .column_checks import check_alignment
from .comtrade_columns import (FLOW_NAMES, LEGACY_FLOW_CODES, LEGACY_UNITS, canonical_names,
                               detect_kind, rules_for)
from .comtrade_totals import drop_nested_codes, world_checksums
from .csv_columns import CsvColumns, read_csv_columns
from .dataweb_common import ImportCancelled, clean_codes, parse_numbers
from .report import ImportReport, file_sha256
from .textfile import decode_head, read_text

FORMAT = "comtrade_csv"
LABEL = "UN Comtrade CSV (Plus or legacy)"
CITATION = ("United Nations Statistics Division, UN Comtrade database (comtradeplus.un.org); "
            "access date not recorded in the file.")
US_NOTE = ("UN Comtrade's US imports are general imports (goods entering the US, bonded "
           "warehouses and foreign-trade zones included), valued CIF; DataWeb's default is "
           "imports for consumption at customs value")

ProgressFn = Callable[[float, str], None]
CancelFn = Callable[[], bool]

#: partners that are one (unknown or residual) area rather than a sum of listed countries
RESIDUAL_AGGREGATES = frozenset({"S19", "R20", "ZA1", "NES", "OTH", "BUNKERS", "FREE_ZONES",
                                 "SPECIAL_CAT", "TRANSSHIP", "INTL_ORG"})
#: breakdown columns and the value of their total row (Comtrade's default query)
BREAKDOWNS = (("partner2Code", "0"), ("customsCode", "C00"), ("motCode", "0"), ("mosCode", "0"))
KEPT_FLOWS = {"M": "imports_general", "X": "exports"}
US_CODES = ("842", "841")   # Comtrade's USA, and "USA (before 1981)"


def sniff(path: str | Path, head: bytes) -> bool:
    """The first non-empty line is a Comtrade Plus or legacy header."""
    text = decode_head(head)
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    return detect_kind(first.split(delimiter)) is not None


def read(path: str | Path, *, progress: ProgressFn | None = None,
         cancel: CancelFn | None = None) -> tuple[pd.DataFrame, ImportReport]:
    path = Path(path)

    def step(fraction: float, message: str) -> None:
        if cancel is not None and cancel():
            raise ImportCancelled("import cancelled")
        if progress is not None:
            progress(fraction, message)

    step(0.0, "reading the Comtrade file")
    text = read_text(path)
    try:
        return _read(path, text, step)
    except (InputError, OperationCancelled):
        raise
    except Exception as exc:  # noqa: BLE001 - bad input must end in InputError, never a crash
        detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise InputError(path, f"cannot read the Comtrade file: {type(exc).__name__}: "
                               f"{detail}") from None


def _read(path: Path, text, step) -> tuple[pd.DataFrame, ImportReport]:
    table = read_csv_columns(text)
    kind = detect_kind(table.header)
    if kind is None:
        raise InputError(path, "not a UN Comtrade export: the header has neither the Comtrade "
                               "Plus nor the legacy column names")
    names = canonical_names(table.header, kind)
    _refuse_ragged_file(path, table)
    damaged, first_damaged = check_alignment(path, table.header, names, table.columns,
                                             table.lines, rules_for(kind))
    step(0.3, "checking columns")
    cols = _columns_by_name(names, table)
    _require(path, cols, kind)
    report = ImportReport(file=str(path), sha256=file_sha256(path), format=FORMAT,
                          layout=f"comtrade_{kind}", encoding=text.encoding, citation=CITATION)
    if text.note:
        report.warnings.append(text.note)
    rows = _Rows(report, table.lines)
    for line, width in table.ragged:
        report.drop(f"{width} fields where the header has {len(table.header)}", line)
    if table.ragged:
        report.warnings.append(f"{len(table.ragged)} rows have a different number of fields "
                               "from the header and were not read")
    rows.drop(damaged, "values do not fit their columns (damaged row)")
    if first_damaged is not None:
        report.warnings.append(f"damaged rows not read: column '{first_damaged.column}' holds "
                               f"{first_damaged.value!r} on line {first_damaged.line}, not "
                               f"{first_damaged.expected}")
    unknown = [h for h, n in zip(table.header, names) if n is None and h]
    if unknown:
        report.warnings.append("columns not read: " + ", ".join(unknown[:10]))
    step(0.5, "selecting US rows")
    fields = _fields(cols, kind, len(table))
    _filter_rows(rows, fields, cols)
    step(0.7, "checking totals")
    frame = _assemble(path, report, rows, fields, cols)
    step(1.0, "done")
    return frame, report


# --- columns ------------------------------------------------------------------------------------

def _refuse_ragged_file(path: Path, table: CsvColumns) -> None:
    if table.ragged and len(table.ragged) > len(table.lines):
        line, width = table.ragged[0]
        raise InputError(path, f"the header does not line up with the values: it has "
                               f"{len(table.header)} columns but line {line} has {width} "
                               "fields — was the header edited?", row=line)


def _columns_by_name(names: list[str | None], table: CsvColumns) -> dict[str, np.ndarray]:
    """Plus name -> stripped cells (object array of str); the first of repeated names wins."""
    cols: dict[str, np.ndarray] = {}
    for name, column in zip(names, table.columns):
        if name and name not in cols:
            cols[name] = np.asarray(pc.utf8_trim_whitespace(column).to_numpy(
                zero_copy_only=False), dtype=object)
    return cols


def _require(path: Path, cols: dict, kind: str) -> None:
    needs = [("a year", ("refYear", "period")), ("a flow", ("flowCode", "legacyFlowCode",
                                                             "flowDesc")),
             ("a commodity code", ("cmdCode",)),
             ("the reporter", ("reporterISO", "reporterCode", "reporterDesc")),
             ("the partner", ("partnerISO", "partnerCode", "partnerDesc")),
             ("a trade value", ("cifvalue", "primaryValue", "fobvalue"))]
    missing = [f"{what} ({' or '.join(names)})" for what, names in needs
               if not any(n in cols for n in names)]
    if missing:
        raise InputError(path, f"Comtrade {kind} file without columns for " + "; ".join(missing))


class _Rows:
    """Which source rows are still kept, and why the others were dropped."""

    def __init__(self, report: ImportReport, lines: np.ndarray):
        self.report, self.lines = report, lines
        self.keep = np.ones(len(lines), bool)
        report.rows_read = len(lines)

    def drop(self, mask: np.ndarray, reason: str) -> int:
        newly = mask & self.keep
        for line in self.lines[newly]:
            self.report.drop(reason, int(line))
        self.keep &= ~mask
        return int(newly.sum())


def _fields(cols: dict[str, np.ndarray], kind: str, n: int) -> dict[str, np.ndarray]:
    """Year, month, flow code, reporter, partner, code and edition per source row."""
    blank = np.full(n, "", dtype=object)
    get = lambda name: cols.get(name, blank)  # noqa: E731
    period = get("period")
    year_text = np.where(get("refYear") != "", get("refYear"),
                         np.array([p[:4] for p in period], dtype=object))
    year = np.array([int(y) if y.isdigit() else 0 for y in year_text], dtype=np.int64)
    month_text = get("refMonth") if kind == "plus" and "refMonth" in cols else \
        np.array([p[4:6] for p in period], dtype=object)
    month = np.array([int(m) if m.isdigit() and 1 <= int(m) <= 12 else 0 for m in month_text],
                     dtype=np.int64)
    if kind == "legacy" and "legacyFlowCode" in cols:
        flow = np.array([LEGACY_FLOW_CODES.get(c, c) for c in cols["legacyFlowCode"]], object)
    else:
        flow = np.array([c.upper() for c in get("flowCode")], dtype=object)
    by_name = np.array([FLOW_NAMES.get(d.lower(), "") for d in get("flowDesc")], dtype=object)
    flow = np.where(flow == "", by_name, flow)
    reporter = _country_codes(get("reporterISO"), get("reporterDesc"), get("reporterCode"))
    reporter[(reporter == UNMAPPED) & np.isin(get("reporterCode"), US_CODES)] = "USA"
    return {"year": year, "month": month, "flow": flow, "reporter": reporter,
            "reporter_raw": _first_filled(get("reporterDesc"), get("reporterISO"),
                                          get("reporterCode")),
            "partner": _country_codes(get("partnerISO"), get("partnerDesc"), get("partnerCode")),
            "partner_raw": _first_filled(get("partnerDesc"), get("partnerISO"),
                                         get("partnerCode")),
            "cmd": get("cmdCode"), "edition": get("classificationCode")}


def _country_codes(iso: np.ndarray, desc: np.ndarray, number: np.ndarray) -> np.ndarray:
    """ISO3 column first, then the name, then the Comtrade number (0 = World)."""
    codes = normalize_partners(pd.Series(iso, dtype=object).str.upper(), system="iso3")
    codes = codes.to_numpy(dtype=object)
    codes[iso == ""] = UNMAPPED
    todo = codes == UNMAPPED
    if todo.any():
        by_name = normalize_partners(pd.Series(desc[todo], dtype=object), system="name")
        by_name = by_name.to_numpy(dtype=object)
        by_name[desc[todo] == ""] = UNMAPPED
        codes[todo] = by_name
        todo = codes == UNMAPPED
    if todo.any():
        numbers = np.array([str(int(v)) if v.isdigit() else "" for v in number[todo]], object)
        by_number = normalize_partners(pd.Series(numbers, dtype=object), system="baci")
        by_number = by_number.to_numpy(dtype=object)
        by_number[numbers == "0"] = "WLD"
        by_number[numbers == ""] = UNMAPPED
        codes[todo] = by_number
    return codes


def _first_filled(*candidates: np.ndarray) -> np.ndarray:
    out = candidates[-1].copy()
    for values in reversed(candidates[:-1]):
        out = np.where(values != "", values, out)
    return out


# --- row selection ------------------------------------------------------------------------------

def _filter_rows(rows: _Rows, f: dict[str, np.ndarray], cols: dict[str, np.ndarray]) -> None:
    report = rows.report
    not_us = rows.keep & (f["reporter"] != "USA")
    if not_us.any():
        others = pd.Series(f["reporter_raw"][not_us]).value_counts()
        report.warnings.append("rows of other reporters not read (the workbench reads the US "
                               "as reporter): " + ", ".join(f"{k or '(blank)'} ({v})"
                                                            for k, v in others.head(8).items()))
    rows.drop(not_us, "reporter is not the United States")
    for code in sorted(set(f["flow"][rows.keep]) - set(KEPT_FLOWS)):
        rows.drop(f["flow"] == code, f"flow {code or '(blank)'} not read (only M imports "
                                     "and X exports)")
    rows.drop(f["year"] == 0, "no year")
    for column, total in BREAKDOWNS:
        if column not in cols:
            continue
        is_total = (cols[column] == total) | (cols[column] == "")
        if (rows.keep & is_total).any() and (rows.keep & ~is_total).any():
            rows.drop(~is_total, f"{column} breakdown row (the file also has its total)")
        elif (rows.keep & ~is_total).any():
            report.warnings.append(f"rows are broken down by {column} with no total row: "
                                   "they are summed")
    annual_years = set(f["year"][rows.keep & (f["month"] == 0)])
    monthly_dup = rows.keep & (f["month"] > 0) & np.isin(f["year"], list(annual_years))
    rows.drop(monthly_dup, "monthly row of a year the file also gives as an annual total")
    cmd = f["cmd"]
    upper = np.array([c.upper() for c in cmd], dtype=object)
    rows.drop(upper == "TOTAL", "commodity code TOTAL (all commodities) is not a product")
    rows.drop(np.array([c.startswith("AG") for c in upper]), "commodity aggregate (AG) code")
    codes, valid, repadded = clean_codes(pa.array(list(cmd), pa.string()))
    f["hts"] = np.asarray(codes.to_numpy(zero_copy_only=False), dtype=object)
    rows.drop(~valid, "commodity code is not an HS code")
    if repadded:
        report.warnings.append(f"{repadded} commodity codes had lost their leading zero "
                               "(stored as numbers); re-padded")
    group = rows.keep & np.isin(f["partner"], list(AGGREGATE_CODES - RESIDUAL_AGGREGATES)) & \
        (f["partner"] != "WLD")
    rows.drop(group, "partner is a group of countries (a subtotal of partners)")


def _values(cols: dict[str, np.ndarray], name: str, n: int) -> np.ndarray:
    if name not in cols:
        return np.full(n, np.nan)
    values, _, _ = parse_numbers(pa.array(list(cols[name]), pa.string()))
    return values


# --- frame and report ---------------------------------------------------------------------------

def _assemble(path: Path, report: ImportReport, rows: _Rows, f: dict[str, np.ndarray],
              cols: dict[str, np.ndarray]) -> pd.DataFrame:
    n = len(rows.lines)
    cif, fob, primary = (_values(cols, c, n) for c in ("cifvalue", "fobvalue", "primaryValue"))
    imports, exports = f["flow"] == "M", f["flow"] == "X"
    cif_out = np.where(np.isnan(cif) & imports, primary, cif)
    fob_out = np.where(np.isnan(fob) & exports, primary, fob)
    row_value = np.where(imports, cif_out, fob_out)
    filled = rows.keep & imports & np.isnan(cif) & ~np.isnan(primary)
    legacy = report.layout == "comtrade_legacy"
    if filled.any() and (not legacy or (rows.keep & imports & ~np.isnan(cif)).any()):
        report.warnings.append(f"{int(filled.sum())} import rows have no cifvalue: "
                               "primaryValue (CIF for imports) used")
    elif legacy:
        report.warnings.append("legacy 'Trade Value (US$)' read as CIF for imports and FOB "
                               "for exports")
    rows.drop(np.isnan(row_value), "no trade value")
    world = rows.keep & (f["partner"] == "WLD")
    world_checksums(report, f, row_value, world, rows.keep & ~world)
    rows.drop(world, "partner World: a total, used as a checksum")
    drop_nested_codes(rows, f, row_value)
    keep = rows.keep
    weight = _values(cols, "netWgt", n)
    qty = _values(cols, "qty", n)
    unit_code = cols.get("qtyUnitCode", np.full(n, "", dtype=object))
    unit = cols.get("qtyUnitAbbr", np.full(n, "", dtype=object))
    if legacy:
        unit = np.array([LEGACY_UNITS.get(u.lower(), u) for u in unit], dtype=object)
    no_qty_unit = (unit == "") | (unit_code == "-1") | (legacy & (unit_code == "1"))
    usable_qty = (qty > 0) & ~no_qty_unit
    if "qty" in cols and (keep & ~usable_qty).any():
        report.warnings.append(f"{int((keep & ~usable_qty).sum())} rows give no usable quantity "
                               "(qty 0 or -1, or no unit): not kept as quantities")
    measures = [("cif_value", keep & ~np.isnan(cif_out), cif_out, "USD"),
                ("fob_value", keep & ~np.isnan(fob_out), fob_out, "USD"),
                ("primary_value", keep & ~np.isnan(primary), primary, "USD"),
                ("net_weight", keep & (weight > 0), weight, "kg"),
                ("quantity", keep & usable_qty, qty, unit)]
    measures = [m for m in measures if m[1].any()]
    if not measures:
        reasons = sorted(report.rows_dropped.items(), key=lambda kv: -len(kv[1]))[:3]
        raise InputError(path, "no rows left to read: " + "; ".join(
            f"{len(r)} rows: {reason}" for reason, r in reasons))
    pieces = [(name, np.flatnonzero(mask), values, unit) for name, mask, values, unit in measures]
    index = np.concatenate([p[1] for p in pieces])
    units = np.concatenate([(u[i] if isinstance(u, np.ndarray) else np.full(len(i), u, object))
                            for _, i, _, u in pieces])
    frame = build_tradeframe({
        "source_id": report.sha256,
        "row": rows.lines[index],
        "flow": np.array([KEPT_FLOWS[c] for c in f["flow"][index]], dtype=object),
        "measure": np.concatenate([np.full(len(i), name, object) for name, i, _, _ in pieces]),
        "unit": units,
        "hts": f["hts"][index],
        "hs_edition": f["edition"][index],
        "year": f["year"][index],
        "month": pd.arrays.IntegerArray(f["month"][index], f["month"][index] == 0),
        "partner_raw": f["partner_raw"][index],
        "partner_code": f["partner"][index],
        "value": np.concatenate([v[i] for _, i, v, _ in pieces]).astype(float),
    })
    _describe(report, frame, f, keep, [m[0] for m in measures])
    return frame


def _describe(report: ImportReport, frame: pd.DataFrame, f: dict[str, np.ndarray],
              keep: np.ndarray, measures: list[str]) -> None:
    n_imports, n_exports = int((keep & (f["flow"] == "M")).sum()), int(
        (keep & (f["flow"] == "X")).sum())
    report.flow = "imports_general" if n_imports else "exports"
    report.primary_measure = "cif_value" if n_imports else "fob_value"
    if n_imports and n_exports:
        report.warnings.append(f"the file also has {n_exports} US export rows (flow 'exports', "
                               "FOB); analyses use the import rows")
    if n_imports:
        report.warnings.append(US_NOTE)
    report.measures = measures
    report.rows_kept = len(frame)
    report.years = sorted(int(y) for y in np.unique(f["year"][keep]))
    editions = sorted({e for e in f["edition"][keep] if e})
    report.hs_editions = editions
    if len(editions) > 1:
        report.warnings.append("rows use HS editions " + ", ".join(editions) + ": a code whose "
                               "scope changed between editions may map differently")
    primary = (frame["measure"] == report.primary_measure) & (frame["flow"] == report.flow)
    report.total_usd = float(frame.loc[primary, "value"].sum())
    if report.primary_measure in report.checksums:
        report.checksum = report.checksums[report.primary_measure]
