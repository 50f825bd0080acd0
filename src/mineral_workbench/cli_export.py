"""`mineral-workbench export …`: the same workbook and memo files the GUI's Export menu makes."""

from __future__ import annotations

import sys
from pathlib import Path


def add_parser(sub) -> None:
    exp = sub.add_parser("export", help="write the Excel analysis workbook and/or the memo (Word, PDF)")
    exp.add_argument("files", nargs="*", type=Path,
                     help="trade files and/or one workspace (.mwb) (default: the bundled sample)")
    exp.add_argument("--xlsx", type=Path, metavar="OUT.xlsx", help="analysis workbook")
    exp.add_argument("--docx", type=Path, metavar="OUT.docx", help="memo as Word")
    exp.add_argument("--pdf", type=Path, metavar="OUT.pdf", help="memo as PDF")
    exp.add_argument("--scenario", metavar="X", help="a .json file, a preset id or a workspace scenario")
    exp.add_argument("--years", help="inclusive year range A-B")
    exp.add_argument("--group", help="country group id (default: foreign_adversaries)")
    exp.add_argument("--nir-year", type=int, choices=(2023, 2024))
    exp.add_argument("--marking", default="UNCLASSIFIED",
                     help="classification banner (the workbench never decides it; default UNCLASSIFIED)")
    exp.add_argument("--prepared-by", default="", help="name, office, phone/e-mail for the memo")
    exp.add_argument("--profile", type=Path, metavar="P.json", help="column-mapping profile for the inputs")
    exp.add_argument("--prefer", action="append", default=[], metavar="FILE",
                     help="where sources overlap, make this file active")


def cmd_export(args, parse_years, load_profile) -> int:
    from .core.analysis import AnalysisOptions
    from .core.export import export, make_bundle
    from .core.resources import sample_workbook
    from .core.workspace import load_inputs
    from .cli import CliError

    targets = [(fmt, path) for fmt, path in (("xlsx", args.xlsx), ("docx", args.docx), ("pdf", args.pdf)) if path]
    if not targets:
        raise CliError("export needs at least one of --xlsx OUT.xlsx, --docx OUT.docx, --pdf OUT.pdf")
    loaded, workspace, reference = load_inputs(args.files or [sample_workbook()], priority=args.prefer,
                                               profile=load_profile(args.profile))
    defaults = workspace.options if workspace else AnalysisOptions()
    options = AnalysisOptions(years=parse_years(args.years) if args.years else defaults.years,
                              group=args.group or defaults.group,
                              nir_year=args.nir_year or defaults.nir_year, weights=defaults.weights)
    scenario = None
    if args.scenario:
        from .core.whatif import resolve_scenario
        scenario = resolve_scenario(args.scenario, workspace.scenarios if workspace else None)
    bundle = make_bundle(loaded, options, scenario, args.marking, prepared_by=args.prepared_by,
                         reference=reference)
    memo_options = {}
    if args.docx or args.pdf:
        memo_options = {"memo": _memo(bundle, workspace)}
    for fmt, path in targets:
        written = export(bundle, path, fmt, memo_options if fmt != "xlsx" else None)
        print(f"wrote {written}", file=sys.stderr)
    return 0


def _memo(bundle, workspace):
    """Draft the memo once (reusing a draft saved in the workspace) and draw its figures once."""
    from .core.export.memo import build_memo, memo_from_json
    from .gui.memo_figures import ensure_app, render_figures
    previous = None
    if workspace and workspace.memo_drafts.get("memo"):
        previous = memo_from_json(workspace.memo_drafts["memo"])
    memo = build_memo(bundle, previous=previous)
    ensure_app()
    render_figures(memo, bundle)
    return memo
