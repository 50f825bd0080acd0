"""Import speed on DataWeb long-layout workbooks of 100,000 and 1,048,575 data rows.

Reports, measured in the same run, each in a fresh process (time and peak memory):
  (a) fastexcel reading the data sheet to Arrow and then pandas — the fastest reader here;
  (b) pandas.read_excel(engine="openpyxl") — what analysts' notebooks do today;
  (w) the workbench's full import: importing.load_file -> validated, mapped TradeFrame + report.
Target (issue 3): w/a <= 1.2 with peak memory under 1 GB on the 1,048,575-row file.

    python benchmarks/bench_import.py [--rows 100000 1048575] [--repeat 3] [--openpyxl-max 200000]

Generated workbooks are cached in benchmarks/.cache (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

CACHE = Path(__file__).resolve().parent / ".cache"
SHEET = "Customs Value"

_MEASURE = {
    "fastexcel": """
import fastexcel
reader = fastexcel.read_excel(PATH)
frame = reader.load_sheet_by_name(SHEET, dtypes={"HTS Number": "string"}).to_pandas()
rows = len(frame)
""",
    "openpyxl": """
import pandas as pd
frame = pd.read_excel(PATH, sheet_name=SHEET, engine="openpyxl", dtype={"HTS Number": str})
rows = len(frame)
""",
    "workbench": """
from mineral_workbench.core.importing import load_file
frame, report = load_file(PATH)
rows = len(frame)
assert report.checksum.ok, report.checksum
""",
}

_RUNNER = """
import resource, sys, time, json
PATH, SHEET = sys.argv[1], sys.argv[2]
t0 = time.perf_counter()
{body}
elapsed = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"seconds": elapsed, "peak_mb": peak, "rows": rows}}))
"""


def make_workbook(rows: int) -> Path:
    """A DataWeb-like long workbook (Query Parameters + Customs Value + Total row), cached."""
    import numpy as np
    from openpyxl import Workbook

    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"dataweb_long_{rows}.xlsx"
    if path.exists():
        return path
    rng = np.random.default_rng(7)
    codes = ["8105206000", "2805301000", "8112926000", "2836910000", "2602000040",
             "0811101000", "2504101000", "8505110070", "7601103000", "9999950000"]
    countries = ["China", "Canada", "Chile", "Korea, South", "Congo (Kinshasa)", "Germany",
                 "Japan", "Mexico", "Other Asia, nes", "Belgium", "Brazil", "India"]
    book = Workbook(write_only=True)
    params = book.create_sheet("Query Parameters")
    for row in (("Download Date", datetime(2026, 3, 1, 9, 30)), ("Trade Flow", "Imports For Consumption"),
                ("Classification System", "HTS Items"), ("Data To Report", "Customs Value"),
                ("Data Format", "1"), ("Years", "2015 - 2024"), ("Commodity List", ", ".join(codes))):
        params.append(row)
    sheet = book.create_sheet(SHEET)
    sheet.append(["Data Type", "Country", "Year", "HTS Number", "Description",
                  "Quantity Description", "Customs Value"])
    values = np.sort(rng.integers(0, 5_000_000, size=rows)).astype(float)
    code_idx = rng.integers(0, len(codes), size=rows)
    country_idx = rng.integers(0, len(countries), size=rows)
    years = rng.integers(2015, 2025, size=rows)
    for i in range(rows):
        sheet.append(["Imports For Consumption", countries[country_idx[i]], int(years[i]),
                      codes[code_idx[i]], "SYNTHETIC BENCHMARK LINE", "Value for: kilograms",
                      float(values[i])])
    sheet.append(["Total: ", None, None, None, None, None, f"{values.sum():,.0f}"])
    tmp = path.with_suffix(".tmp.xlsx")
    book.save(tmp)
    tmp.rename(path)
    return path


def measure(kind: str, path: Path) -> dict:
    code = _RUNNER.format(body=_MEASURE[kind])
    proc = subprocess.run([sys.executable, "-c", code, str(path), SHEET],
                          capture_output=True, text=True, timeout=3600)
    if proc.returncode:
        raise RuntimeError(f"{kind} failed on {path.name}:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_048_575])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--openpyxl-max", type=int, default=200_000,
                        help="skip the (slow) openpyxl reader on files larger than this")
    args = parser.parse_args()
    results = []
    for rows in args.rows:
        t0 = time.perf_counter()
        path = make_workbook(rows)
        print(f"{path.name}: {path.stat().st_size / 1e6:.1f} MB (ready in {time.perf_counter() - t0:.0f} s)",
              file=sys.stderr)
        row = {"rows": rows}
        for kind in ("fastexcel", "workbench", "openpyxl"):
            if kind == "openpyxl" and rows > args.openpyxl_max:
                continue
            runs = [measure(kind, path) for _ in range(1 if kind == "openpyxl" else args.repeat)]
            row[kind] = {"seconds": statistics.median(r["seconds"] for r in runs),
                         "peak_mb": max(r["peak_mb"] for r in runs)}
        results.append(row)
    print(f"{'rows':>10} {'fastexcel s':>12} {'workbench s':>12} {'w/a':>6} {'peak MB':>8} "
          f"{'openpyxl s':>11} {'b/w':>6}")
    for r in results:
        a, w = r["fastexcel"]["seconds"], r["workbench"]["seconds"]
        b = r.get("openpyxl", {}).get("seconds")
        print(f"{r['rows']:>10,} {a:>12.2f} {w:>12.2f} {w / a:>6.2f} {r['workbench']['peak_mb']:>8.0f} "
              f"{(f'{b:.2f}' if b else 'skipped'):>11} {(f'{b / w:.1f}x' if b else ''):>6}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
