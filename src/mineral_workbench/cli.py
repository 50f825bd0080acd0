"""Headless commands over the same core as the GUI (DESIGN §5).

Bad input ends with exit status 2 and one line per problem on stderr, naming file, sheet,
row and problem; never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from . import APP_NAME, __version__
from .core.errors import InputError, WorkbenchError

EXIT_BAD_INPUT = 2
COMMANDS = ("reference", "import", "analyze", "scenarios", "export")


class CliError(WorkbenchError):
    """A usage problem (bad option value) reported like bad input."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mineral-workbench", description=APP_NAME)
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    ref = sub.add_parser("reference", help="bundled reference tables, editions and NIR counts")
    ref.add_argument("--json", action="store_true", help="print JSON")

    imp = sub.add_parser("import", help="read trade files and print their import reports")
    imp.add_argument("files", nargs="+", type=Path)
    imp.add_argument("--profile", type=Path, metavar="P.json",
                     help="read the files through this column-mapping profile")
    imp.add_argument("--json", action="store_true", help="print JSON")

    scn = sub.add_parser("scenarios", help="the bundled what-if presets with dates and citations")
    scn.add_argument("--json", action="store_true", help="print JSON")

    from .cli_export import add_parser as add_export_parser
    add_export_parser(sub)

    ana = sub.add_parser("analyze", help="per-mineral, per-sector and per-defense-use exposure")
    ana.add_argument("files", nargs="*", type=Path,
                     help="trade files and/or one workspace (.mwb) (default: the bundled sample)")
    ana.add_argument("--years", help="inclusive year range A-B, or one year A")
    ana.add_argument("--group", help="country group id (default: foreign_adversaries)")
    ana.add_argument("--nir-year", type=int, choices=(2023, 2024), help="NIR data year (default: 2024)")
    ana.add_argument("--top", type=int, default=10, help="suppliers listed per mineral")
    ana.add_argument("--profile", type=Path, metavar="P.json",
                     help="read the files through this column-mapping profile")
    ana.add_argument("--scenario", metavar="X",
                     help="also compute a scenario: a .json file, a preset id (see `scenarios`) "
                          "or a scenario name in a workspace")
    ana.add_argument("--prefer", action="append", default=[], metavar="FILE",
                     help="where sources overlap, make this file active (repeatable, first wins)")
    out = ana.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print JSON")
    out.add_argument("--csv", action="store_true", help="print the per-mineral table as CSV")
    ana.add_argument("--csv-dir", type=Path, help="write minerals.csv, sectors.csv, defense.csv here")
    return parser


def run(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "export":
            from .cli_export import cmd_export
            return cmd_export(args, _parse_years, _profile)
        return {"reference": cmd_reference, "import": cmd_import, "analyze": cmd_analyze,
                "scenarios": cmd_scenarios}[args.command](args)
    except WorkbenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `… --csv | head`: the reader left; not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # noqa: BLE001 - a bug must still not dump a traceback on analysts
        if os.environ.get("MINERAL_WORKBENCH_DEBUG"):
            raise
        print(f"internal error: {type(exc).__name__}: {exc} "
              "(set MINERAL_WORKBENCH_DEBUG=1 for details)", file=sys.stderr)
        return 1


def cmd_reference(args) -> int:
    from .core.reference import load_reference
    ref = load_reference()
    data = {
        "tables": {name: {"file": t.file, "title": t.title, "edition": t.edition, "as_of": t.as_of,
                          "rows": t.rows, "citation": t.citation} for name, t in ref.tables.items()},
        "nir_counts": {str(y): ref.nir_counts(y) for y in (2023, 2024)},
        "groups": {g: ref.group_info(g) for g in ref.group_ids},
    }
    if args.json:
        _print_json(data)
        return 0
    print(f"{APP_NAME} reference data")
    for name, t in data["tables"].items():
        print(f"  {name:<20} {t['rows']:>5} rows  {t['edition']} (as of {t['as_of']})")
    for year, c in data["nir_counts"].items():
        print(f"  NIR {year} ({c['edition']}): {c['full']} minerals at 100%, "
              f"{c['at_least_50']} more at >=50% (of the 50 on the 2022 list)")
    return 0


def cmd_import(args) -> int:
    from .core.importing import load_file
    profile = _profile(args.profile)
    reports, failures = [], []
    for path in args.files:
        try:
            _, report = load_file(path, profile=profile)
            reports.append(report.to_json())
        except WorkbenchError as exc:
            failures.append(str(exc))
    if args.json:
        _print_json(reports)
    else:
        for r in reports:
            ck = r["checksum"]
            status = "no total row" if ck is None else ("ok" if ck["ok"] else "MISMATCH")
            print(f"{Path(r['file']).name}: {r['format']} ({r['layout']}), {r['flow']}, "
                  f"{r['rows_read']} sheet rows read, {r['rows_kept']} trade rows kept, total ${r['total_usd']:,.0f} "
                  f"({r['primary_measure']}), checksum {status}")
            for w in r["warnings"]:
                print(f"  warning: {w}")
    for line in failures:
        print(f"error: {line}", file=sys.stderr)
    return EXIT_BAD_INPUT if failures else 0


def cmd_scenarios(args) -> int:
    from .core.whatif import presets_json
    presets = presets_json()
    if args.json:
        _print_json(presets)
        return 0
    for p in presets:
        print(f"{p['id']:<28} {p['date'] or '—':<11} {p['title']}")
        for text in p["edit_texts"]:
            print(f"{'':<40}· {text}")
    return 0


def cmd_analyze(args) -> int:
    from .core.analysis import AnalysisOptions, compute
    from .core.resources import sample_workbook
    from .core.workspace import load_inputs
    files = args.files or [sample_workbook()]
    loaded, workspace, reference = load_inputs(files, priority=args.prefer, profile=_profile(args.profile))
    defaults = workspace.options if workspace else AnalysisOptions()
    options = AnalysisOptions(
        years=_parse_years(args.years) if args.years else defaults.years,
        group=args.group or defaults.group, nir_year=args.nir_year or defaults.nir_year,
        top_n=args.top, weights=defaults.weights)
    if args.scenario:
        from .core.whatif import resolve_scenario
        scenario = resolve_scenario(args.scenario, workspace.scenarios if workspace else None)
        return _analyze_scenario(args, loaded, options, scenario, reference)
    result = compute(loaded, options, reference)
    if args.csv_dir:
        args.csv_dir.mkdir(parents=True, exist_ok=True)
        _table(result.minerals).to_csv(args.csv_dir / "minerals.csv")
        _table(result.sectors).to_csv(args.csv_dir / "sectors.csv", index=False)
        _table(result.defense).to_csv(args.csv_dir / "defense.csv", index=False)
    if args.json:
        _print_json(result.to_json())
    elif args.csv:
        _table(result.minerals).to_csv(sys.stdout)
    elif not args.csv_dir:
        _print_summary(result)
    for warning in result.inputs.get("warnings", []):
        print(f"warning: {warning}", file=sys.stderr)
    return 0


def _analyze_scenario(args, loaded, options, scenario, reference) -> int:
    from .core.whatif import compute_scenario
    outcome = compute_scenario(loaded, options, scenario, reference)
    if args.csv_dir:
        args.csv_dir.mkdir(parents=True, exist_ok=True)
        for name, frame in (("baseline_minerals", outcome.baseline.minerals),
                            ("scenario_minerals", outcome.result.minerals),
                            ("delta_minerals", outcome.deltas["minerals"]),
                            ("delta_sectors", outcome.deltas["sectors"]),
                            ("delta_defense", outcome.deltas["defense"])):
            _table(frame).to_csv(args.csv_dir / f"{name}.csv")
    if args.json:
        _print_json(outcome.to_json())
    elif args.csv:
        _table(outcome.result.minerals.join(outcome.deltas["minerals"], rsuffix="_delta")).to_csv(sys.stdout)
    elif not args.csv_dir:
        print(f"Scenario: {scenario.name}")
        for edit in scenario.edits:
            print(f"  · {edit.describe()}")
        changed = outcome.deltas["minerals"][outcome.deltas["minerals"]["changed"]]
        for mineral, d in changed.iterrows():
            print(f"  {mineral:<14} CaR {d['car']:+.1%}  consumption lost {d['consumption_lost']:.1%}  "
                  f"HHI {d['hhi']:+,.0f}  added tariff ${d['added_tariff_cost_usd'] / 1e6:,.1f} M/yr")
    for note in outcome.notes:
        print(f"note: {note}", file=sys.stderr)
    return 0


def _profile(path: Path | None):
    if path is None:
        return None
    from .core.importing.profile import load_profile
    return load_profile(path)


def _table(frame):
    """CSV-safe copy: text that could be read as a formula by a spreadsheet is made inert."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or str(out[col].dtype).startswith("str"):
            out[col] = out[col].map(_inert)
    return out


def _inert(value):
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _parse_years(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    parts = text.replace("–", "-").split("-")
    try:
        years = [int(p) for p in parts if p.strip()]
    except ValueError:
        raise CliError(f"--years '{text}': expected a year range like 2020-2024") from None
    if len(years) == 1:
        return years[0], years[0]
    if len(years) != 2 or years[0] > years[1]:
        raise CliError(f"--years '{text}': expected a year range like 2020-2024")
    return years[0], years[1]


def _print_json(data) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False, allow_nan=False, default=str)
    sys.stdout.write("\n")


def _print_summary(result) -> None:
    m = result.minerals.sort_values("car", ascending=False, na_position="last")
    print(f"{'mineral':<14}{'imports $M':>12}{'HHI':>7}  {'top supplier':<22}{'group':>7}{'NIR':>7}{'CaR':>7}")
    for mineral, r in m.iterrows():
        nir = _nir_text(r["nir_pct"], r["nir_qualifier"])
        print(f"{mineral:<14}{r['import_value_usd'] / 1e6:>12,.1f}{_num(r['hhi'], '{:.0f}'):>7}  "
              f"{str(r['top_supplier'])[:21]:<22}{_num(r['group_share'], '{:.0%}'):>7}{nir:>7}"
              f"{_num(r['car'], '{:.0%}'):>7}")


def _nir_text(pct: float, qualifier: str) -> str:
    if qualifier == "E":
        return "E"  # net exporter
    if pct != pct:
        return "n/a"
    return f"{qualifier.replace('=', '')}{pct:.0f}"


def _num(value, fmt: str) -> str:
    return "n/a" if value != value else fmt.format(value)
