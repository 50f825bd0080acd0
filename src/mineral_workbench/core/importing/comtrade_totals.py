"""Comtrade rows that are totals of other rows: World checksums and nested commodity codes.

Partner `World` (0 / W00) equals the sum over partners of one flow, period, commodity and HS
edition, so it checks the partner rows and is never data. A query for `2602` and `260200`
together returns the heading and its subheading: both would count, so the coarser row is
dropped (its value and the detail's are reported) and the detail is kept.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .report import Checksum, ImportReport

_GROUP = ["flow", "year", "month", "hts", "edition"]
#: the value measure a World row checks, per flow code
CHECKED_MEASURE = {"M": "cif_value", "X": "fob_value"}


def world_checksums(report: ImportReport, fields: dict[str, np.ndarray], value: np.ndarray,
                    world: np.ndarray, partners: np.ndarray) -> None:
    """Per flow: the World rows' sum against the partner rows of the same period and code.

    Fills `report.checksums` (cif_value for imports, fob_value for exports) and warns about
    groups that disagree and about codes the file gives only as a World total.
    """
    if not world.any():
        if partners.any():
            report.warnings.append("no partner World rows: the file carries no total to check "
                                   "the partner rows against")
        return
    table = pd.DataFrame({name: fields[name] for name in _GROUP})
    table["value"] = value
    expected = table[world].groupby(_GROUP, sort=True)["value"].sum()
    found = table[partners].groupby(_GROUP, sort=True)["value"].sum()
    joined = expected.to_frame("expected").join(found.rename("found"), how="left")
    only_world = joined["found"].isna()
    joined["found"] = joined["found"].fillna(0.0)
    if only_world.any():
        codes = sorted({key[3] for key in joined.index[only_world]})
        report.warnings.append(f"{int(only_world.sum())} period/commodity totals come with no "
                               "partner rows (only World), so they add nothing: "
                               + ", ".join(codes[:8]) + (" ..." if len(codes) > 8 else ""))
    for flow, measure in CHECKED_MEASURE.items():
        part = joined[joined.index.get_level_values("flow") == flow]
        if part.empty:
            continue
        total = float(part["expected"].sum())
        check = Checksum.compare(total, float(part["found"].sum()),
                                 tolerance=0.5 + 1e-9 * abs(total))
        report.checksums[measure] = check
        diff = part[(part["expected"] - part["found"]).abs() > 0.5 + 1e-9 * part["expected"].abs()]
        diff = diff[diff["found"] != 0]
        if len(diff):
            shown = "; ".join(f"{key[3]} {key[1]}{'-%02d' % key[2] if key[2] else ''}: World "
                              f"{row.expected:,.0f}, partners {row.found:,.0f}"
                              for key, row in diff.head(3).iterrows())
            report.warnings.append(f"{len(diff)} {measure} World totals differ from the sum "
                                   f"of their partner rows ({shown})")


def drop_nested_codes(rows, fields: dict[str, np.ndarray], value: np.ndarray) -> None:
    """Drop a row whose code is a prefix of another kept row's code (same flow, period,
    partner and edition): the file gives it in more detail, and both would count."""
    keep = rows.keep
    hts = fields["hts"]
    lengths = np.fromiter((len(c) for c in hts), dtype=np.int64, count=len(hts))
    base = np.array([f"{a}|{b}|{c}|{d}|{e}|{g}" for a, b, c, d, e, g in zip(
        fields["flow"], fields["year"], fields["month"], fields["partner"],
        fields["partner_raw"], fields["edition"])], dtype=object)
    for digits in (2, 4, 6, 8):
        keep = rows.keep
        longer = keep & (lengths > digits)
        if not longer.any():
            continue
        detail = {(b, c[:digits]) for b, c in zip(base[longer], hts[longer])}
        parent = keep & (lengths == digits) & np.fromiter(
            ((b, c) in detail for b, c in zip(base, hts)), dtype=bool, count=len(hts))
        if not parent.any():
            continue
        dropped = {(b, c) for b, c in zip(base[parent], hts[parent])}
        children = longer & np.fromiter(((b, c[:digits]) in dropped for b, c in zip(base, hts)),
                                        dtype=bool, count=len(hts))
        count = rows.drop(parent, f"{digits}-digit code also given in more detail in the file "
                                  "(the detail is kept)")
        rows.report.warnings.append(
            f"{count} {digits}-digit rows (value {np.nansum(value[parent]):,.0f}) are also "
            f"broken down by longer codes in the file (value {np.nansum(value[children]):,.0f}); "
            "only the detail is kept, so nothing counts twice")
