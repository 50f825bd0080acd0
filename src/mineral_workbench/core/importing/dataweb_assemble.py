"""Parsed DataWeb sheets -> one TradeFrame, and the report fields that describe it.

Shared by the DataWeb .xlsx and .csv importers: flow, scale and citation from the Query
Parameters (or the sheet title), the primary measure, per-measure `Total:` checksums, units,
partners (normalized once per distinct name) and the Arrow-backed text columns.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..countries import normalize_partners
from ..tradeframe import TEXT, UNMAPPED, build_tradeframe
from .dataweb_common import PRIMARY_MEASURE, QUANTITY_MEASURE_IDS, QueryParameters, flow_from_title
from .dataweb_layout import ParsedSheet, SheetLayout
from .report import DATAWEB_CITATION, Checksum, ImportReport



def describe_source(report: ImportReport, params: QueryParameters | None,
                    layouts: list[SheetLayout]) -> None:
    """Layout, flow, scale, download date and citation: from Query Parameters when the export
    has them, else from the sheet title (`General Imports|Monthly Data`), with a warning."""
    kinds = sorted({layout.kind for layout in layouts})
    report.layout = kinds[0] if len(kinds) == 1 else "mixed"
    title_flow = next((flow_from_title(l.title) for l in layouts if flow_from_title(l.title)), None)
    if params is not None:
        report.query_parameters = dict(params.raw)
        report.download_date = params.download_date
        report.warnings.extend(params.warnings)
        report.scale = params.scale
        report.flow = params.flow or title_flow or "unknown"
        if params.flow and title_flow and params.flow != title_flow:
            report.warnings.append(f"Trade Flow {params.flow_name!r} disagrees with the sheet "
                                   f"title flow {title_flow!r}; Query Parameters used")
    else:
        report.flow = title_flow or "unknown"
        report.warnings.append("no 'Query Parameters' sheet: Data Format unknown, values taken "
                               "as dollars (scale 1); no download date for the citation")
    if report.flow == "unknown" and not any("Trade Flow" in w for w in report.warnings):
        report.warnings.append("the trade flow is not stated anywhere in the workbook")
    report.citation = DATAWEB_CITATION.format(date=report.download_date or "on an unknown date")


def assemble_frame(report: ImportReport, parsed: list[tuple[str, str, ParsedSheet]],
                   params: QueryParameters | None) -> pd.DataFrame:
    """(sheet name, measure id, parsed sheet) triples -> one TradeFrame; fills the report's
    measures, primary measure, checksums, row counts, dropped rows (keyed `sheet: reason`),
    years and total."""
    measures = [measure for _, measure, _ in parsed]
    report.measures = measures
    report.primary_measure = _primary(report, measures)
    pieces: dict[str, list] = {k: [] for k in ("row", "year", "month", "value", "hts", "country",
                                                "unit", "measure", "sheet")}
    for name, measure, sheet in parsed:
        n = len(sheet.value)
        quantity = measure in QUANTITY_MEASURE_IDS
        # Data Format scales value sheets only. Reasoning: the setting is DataWeb's choice
        # between dollars and millions of dollars, while a quantity sheet states its own unit
        # per row (`Quantity Description`: kilograms, number, ...), which a dollar multiplier
        # would silently falsify. (Not yet checked against a real millions-format export with
        # quantity sheets; the per-measure checksum would expose a wrong guess.)
        scale = 1.0 if quantity else report.scale
        for reason, rows in sheet.dropped.items():
            report.rows_dropped.setdefault(f"{name}: {reason}", []).extend(rows)
        report.rows_read += sheet.rows_read
        report.warnings.extend(f"sheet '{name}': {w}" for w in sheet.warnings)
        if sheet.repadded_codes:
            report.warnings.append(f"sheet '{name}': {sheet.repadded_codes} HTS codes had lost "
                                   "their leading zero (stored as numbers); re-padded")
        _checksum(report, name, measure, sheet, scale)
        pieces["row"].append(sheet.row)
        pieces["year"].append(sheet.year)
        pieces["month"].append(sheet.month if sheet.month is not None else np.zeros(n, np.int64))
        pieces["value"].append(sheet.value * scale if scale != 1.0 else sheet.value)
        pieces["hts"].append(sheet.hts if sheet.hts is not None else _repeat("", n))
        pieces["country"].append(sheet.country if sheet.country is not None
                                 else _fixed_partner(report, name, params, n))
        pieces["unit"].append(_units(report, name, sheet, quantity, n))
        pieces["measure"].append((measure, n))
        pieces["sheet"].append((name, n))
    n_total = sum(len(v) for v in pieces["value"])
    partner_raw = _joined(pieces["country"])
    if partner_raw.null_count:
        partner_raw = pc.fill_null(partner_raw, "")
    month = _stacked(pieces["month"])
    frame = build_tradeframe({
        "source_id": _labels([(report.sha256, n_total)]),
        "sheet": _labels(pieces["sheet"]),
        "row": pd.Series(_stacked(pieces["row"]), dtype="int64"),
        "flow": _labels([(report.flow, n_total)]),
        "measure": _labels(pieces["measure"]),
        "unit": _label_column(_joined(pieces["unit"])),
        "hts": _text(_joined(pieces["hts"])),
        "hs_edition": _labels([("HTS", n_total)]),
        "year": pd.Series(_stacked(pieces["year"]), dtype="int64"),
        "month": pd.Series(pd.arrays.IntegerArray(month, month == 0)),
        "partner_raw": _text(partner_raw),
        "partner_code": _partner_codes(partner_raw),
        "value": pd.Series(_stacked(pieces["value"]), dtype="float64"),
    }, n_rows=n_total)
    report.rows_kept = len(frame)
    report.years = sorted(int(y) for y in np.unique(frame["year"].to_numpy()))
    if report.primary_measure not in QUANTITY_MEASURE_IDS:
        report.total_usd = float(sum(np.sum(values) for values, (_, measure, _) in
                                     zip(pieces["value"], parsed) if measure == report.primary_measure))
    return frame


def _primary(report: ImportReport, measures: list[str]) -> str:
    wanted = PRIMARY_MEASURE.get(report.flow)
    if wanted in measures:
        return wanted
    values = [m for m in measures if m not in QUANTITY_MEASURE_IDS]
    chosen = (["customs_value"] if "customs_value" in values else values or measures)[0]
    if wanted:
        report.warnings.append(f"no {wanted} sheet for flow {report.flow}; primary measure is "
                               f"{chosen}")
    return chosen


def _checksum(report: ImportReport, name: str, measure: str, sheet: ParsedSheet,
              scale: float) -> None:
    if sheet.total is None:
        return
    # the total is printed rounded: half a unit of its last digit (in dollars) is honest
    tolerance = max(0.5, 0.5 * 10.0 ** -sheet.total_decimals * scale)
    found = float(np.sum(sheet.value)) * scale
    check = Checksum.compare(expected=sheet.total * scale, found=found, tolerance=tolerance)
    report.checksums[measure] = check
    if measure == report.primary_measure:
        report.checksum = check
    for label, total, period_found in sheet.period_checks:
        if not np.isnan(total) and abs(total - period_found) * scale > tolerance:
            report.warnings.append(f"sheet '{name}': column {label} sums to "
                                   f"{period_found * scale:,.2f} but its 'Total:' says "
                                   f"{total * scale:,.2f}")
    if not check.ok:
        report.warnings.append(f"sheet '{name}': rows kept sum to {found:,.2f}, the 'Total:' row "
                               f"says {check.expected:,.2f} (difference {found - check.expected:,.2f})")


def _fixed_partner(report: ImportReport, name: str, params: QueryParameters | None,
                   n: int) -> pa.Array:
    """No Country column: the export adds up countries; say which ones as the partner."""
    listed = ""
    if params is not None:
        listed = params.get("Country List") or next(
            (v for k, v in params.raw.items() if k.startswith("Country List")), "")
    partner = listed.strip() or "World"
    if listed.strip():
        report.warnings.append(f"sheet '{name}' has no Country column: values are for the "
                               f"Query Parameters' Country List {partner!r}, taken as one partner")
    else:
        report.warnings.append(f"sheet '{name}' has no Country column: values are for all "
                               "countries together (partner 'World', aggregate WLD)")
    return _repeat(partner, n)


def _units(report: ImportReport, name: str, sheet: ParsedSheet, quantity: bool,
           n: int) -> pa.Array:
    if not quantity:
        return _repeat("USD", n)
    if sheet.unit_text is None:
        report.warnings.append(f"sheet '{name}' has no Quantity Description: unit unknown")
        return _repeat("", n)
    return pc.fill_null(pc.utf8_trim_whitespace(
        pc.replace_substring_regex(sheet.unit_text, r"(?i)^\s*(value|quantity)\s+for:\s*", "")), "")


def _partner_codes(names: pa.Array) -> pd.Series:
    """Normalize each distinct partner name once, then spread the codes over the rows."""
    encoded = pc.dictionary_encode(names)
    distinct = pd.Series(encoded.dictionary.to_pylist(), dtype=TEXT)
    codes = normalize_partners(distinct).fillna(UNMAPPED).astype(str).tolist()
    if "World" in distinct.values:  # an all-countries total is the WLD aggregate, whatever
        codes = [("WLD" if name == "World" else c) for name, c in zip(distinct, codes)]
    return _text(pa.array(codes, pa.large_string()).take(encoded.indices))


def _repeat(value: str, n: int) -> pa.Array:
    """One string n times, built from plain buffers: Arrow kernels (take) allocate through
    the Arrow pool, whose fresh pages cost several times more on sandboxed machines."""
    data = value.encode()
    offsets = np.arange(n + 1, dtype=np.int64) * len(data)
    return pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data * n))


def _joined(arrays: list[pa.Array]) -> pa.Array:
    """Concatenate per-sheet arrays as large_string (pandas' storage), copying only if needed."""
    arrays = [a if a.type == pa.large_string() else pc.cast(a, pa.large_string()) for a in arrays]
    return arrays[0] if len(arrays) == 1 else pa.concat_arrays(arrays)


def _stacked(arrays: list[np.ndarray]) -> np.ndarray:
    return arrays[0] if len(arrays) == 1 else np.concatenate(arrays)


def _text(array: pa.Array) -> pd.Series:
    return pd.Series(pd.arrays.ArrowStringArray(array))


def _labels(runs: list[tuple[str, int]]) -> pd.Series:
    """A label column made of runs (value, count): built as the categorical it becomes
    (sorted categories, as `astype('category')` orders them) without n strings."""
    runs = [(value, n) for value, n in runs if n]   # an empty sheet adds no category
    if not runs:
        return _categorical(np.empty(0, dtype=np.int32), [])
    categories = sorted({value for value, _ in runs})
    code = {value: i for i, value in enumerate(categories)}
    codes = [np.full(n, code[value], dtype=np.int32) for value, n in runs]
    return _categorical(_stacked(codes), categories)


def _label_column(array: pa.Array) -> pd.Series:
    """Arrow text as a categorical label column, exactly as `astype('category')` makes it."""
    encoded = pc.dictionary_encode(array)
    distinct = encoded.dictionary.to_pylist()
    order = sorted(range(len(distinct)), key=distinct.__getitem__)
    new_code = np.empty(len(distinct) + 1, dtype=np.int64)
    new_code[order] = np.arange(len(distinct))
    new_code[-1] = -1                       # a missing value stays missing
    indices = encoded.indices.fill_null(len(distinct)).to_numpy()
    return _categorical(new_code[indices], [distinct[i] for i in order])


def _categorical(codes: np.ndarray, categories: list[str]) -> pd.Series:
    dtype = pd.CategoricalDtype(pd.Index(categories, dtype=TEXT))
    return pd.Series(pd.Categorical.from_codes(codes, dtype=dtype))
