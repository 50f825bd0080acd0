"""Excel round trip of the assumptions: importance matrix, NIR table and a scenario's edits.

Why: analysts review and change assumptions in Excel. `export_assumptions` writes what the
workbench currently assumes (the baseline after the scenario's edits); `read_assumptions`
reads the edited file back, checks every cell (see `assumptions_read`) and turns the
differences into scenario edits, so the baseline reference data is never changed and the
whole import is one undoable step in the GUI.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import datetime
from difflib import SequenceMatcher
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from .analysis import AnalysisOptions, LoadedData, exposure_model
from .assumptions_edits import EDIT_KIND, edit_fields, edit_headers, format_shares
from .assumptions_read import (FORMAT_VERSION, KEY_LABEL, LEVEL_NAMES, META_FORMAT, META_NIR_YEAR,
                               META_SCENARIO, MINERAL, NIR_HEADERS, QUALIFIERS, AssumptionsError,
                               CellProblem, importance_keys, importance_label, level_name,
                               parse_assumptions, same_nir)
from .engine import ExposureModel, ModelState
from .export.safe_text import clean_text, make_inert
from .export.xlsx_write import HEADER_ALIGN, HEADER_FILL, HEADER_FONT, NOTE_FONT, TITLE_FONT
from .reference import Reference, load_reference
from .scenario import ALL, EDIT_TYPES, Edit, ImportanceOverride, NirOverride, Scenario, apply_scenario

__all__ = ["AssumptionsError", "AssumptionsPlan", "CellProblem", "export_assumptions", "read_assumptions"]

KEY_FONT = Font(italic=True, size=8, color="7F7F7F")
GREY_FILL = PatternFill("solid", fgColor="F2F2F2")
EXTRA_EDIT_ROWS = 200            # rows below the edits that keep the drop-down lists


@dataclass
class AssumptionsPlan:
    """What importing an assumptions workbook would do: the scenario's new edit list and a
    line per change for the analyst to confirm."""
    file: Path
    edits: tuple[Edit, ...]
    changes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    scenario_name: str = ""             # the scenario the file was exported from ("" = baseline)

    @property
    def is_empty(self) -> bool:
        return not self.changes


def _model_and_state(loaded: LoadedData, options: AnalysisOptions, reference: Reference | None
                     ) -> tuple[ExposureModel, ModelState, int]:
    model = exposure_model(loaded, reference or load_reference())
    base = model.baseline_state(options.years, options.group, options.nir_year)
    return model, base, int(model.cube.year_mask(options.years).sum())


def export_assumptions(path: str | Path, loaded: LoadedData, options: AnalysisOptions,
                       scenario: Scenario | None = None, reference: Reference | None = None) -> Path:
    """Write the assumptions in effect (baseline + `scenario`) to an .xlsx analysts may edit."""
    path = Path(path)
    model, base, n_years = _model_and_state(loaded, options, reference)
    edits = scenario.edits if scenario else ()
    state, _ = apply_scenario(model, base, edits, n_years)
    book = Workbook()
    readme = book.active
    readme.title = "README"
    _write_readme(readme, model, options, scenario)
    _write_importance(book.create_sheet("Importance"), model, state)
    _write_nir(book.create_sheet("NIR"), model, state)
    _write_edits(book.create_sheet("Edits"), edits)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def _put(sheet, row: int, col: int, value, font=None, fill=None):
    """One cell; text stays text (a leading '=' is never a formula)."""
    cell = sheet.cell(row=row, column=col)
    cell.value = clean_text(value) if isinstance(value, str) else value
    make_inert(cell)
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    return cell


def _header(sheet, row: int, labels: list[str], widths: list[float]) -> None:
    for c, (label, width) in enumerate(zip(labels, widths), start=1):
        cell = _put(sheet, row, c, label, HEADER_FONT, HEADER_FILL)
        cell.alignment = HEADER_ALIGN
        sheet.column_dimensions[get_column_letter(c)].width = width


def _choices(sheet, values, area: str, title: str) -> None:
    rule = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True,
                          showErrorMessage=True, errorTitle=title,
                          error=f"Choose one of: {', '.join(values)}")
    sheet.add_data_validation(rule)
    rule.add(area)


def _write_readme(sheet, model: ExposureModel, options: AnalysisOptions, scenario: Scenario | None) -> None:
    from mineral_workbench import __version__  # noqa: PLC0415 - the package root, not Qt
    _put(sheet, 1, 1, "Mineral Exposure Workbench: assumptions", TITLE_FONT)
    meta = [(META_SCENARIO, scenario.name if scenario else ""),
            (META_NIR_YEAR, options.nir_year), (META_FORMAT, FORMAT_VERSION),
            ("Exported", datetime.now().strftime("%Y-%m-%d %H:%M")), ("Workbench version", __version__)]
    for r, (label, value) in enumerate(meta, start=3):
        _put(sheet, r, 1, label, Font(bold=True))
        _put(sheet, r, 2, value)
    for r, line in enumerate(readme_lines(model), start=len(meta) + 4):
        heading = line.startswith("## ")
        _put(sheet, r, 1, line[3:] if heading else line, Font(bold=True, size=12) if heading else None)
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 40


def readme_lines(model: ExposureModel) -> list[str]:
    """The README sheet's text: what each sheet is and what the import accepts."""
    groups = ", ".join(model.reference.group_ids)
    fields = [f"  {kind}: " + ", ".join(f.name for f in cls.__dataclass_fields__.values()
                                        if f.name != "kind" and f.init)
              for kind, cls in EDIT_TYPES.items()]
    return [
        "## What this workbook is",
        "The assumptions the workbench used: importance of each mineral to each sector and defense use,",
        "net import reliance (NIR), and the scenario's edits. Edit the cells, save as .xlsx, then choose",
        "Import Assumptions from Excel in the workbench. It checks every cell, lists what would",
        "change and applies it to the scenario as one step (Edit > Undo reverts it). The bundled",
        "reference data is never changed: your changes become scenario edits.",
        "Keep the sheet names, the header rows, the column order and the mineral names in column A.",
        "",
        "## Importance",
        "One row per mineral, one column per sector, then per defense-use category. Allowed values:",
        "high, medium, low, none (upper or lower case; a blank cell means none). The grey second",
        "row holds the keys the workbench reads (sector:<name>, defense:<category>): keep it.",
        "",
        "## NIR",
        "NIR % is a number from 0 to 100 (blank when the qualifier is E or NA). Qualifier: = exact,",
        "> more than, < less than, E net exporter, NA not available; a blank qualifier means = when",
        "a number is given, NA otherwise (in Excel pick = from the list, or type '= : a bare = starts a",
        "formula). The NIR year is fixed (see above): importing with another NIR year chosen in the",
        "workbench is refused. The Edition / source column is not read back.",
        "",
        "## Edits",
        "The scenario's edits, one row each, applied top to bottom; add, change, reorder or delete",
        "rows. The description column is not read back. Fields used by each kind:",
        *fields,
        "Country: an ISO3 code (CHN), group:<id> (the members of a group) or except:<id> (everyone",
        f"else); groups: {groups}. Mineral: a name, several separated by commas, or * for all.",
        "Percents are 0-100 (tariffs up to 1000). A sourcing shift's 'to' reads MEX=0.6; CAN=0.4",
        "(relative shares of the moved value). member is TRUE or FALSE.",
        "",
        "## Order of the new edits",
        "Cells you change on Importance and NIR become importance_override / nir_override edits after",
        "the Edits sheet's edits; an NIR change for a mineral no edit overrides goes first, so supply",
        "cuts use the new NIR.",
    ]


def _write_importance(sheet, model: ExposureModel, state: ModelState) -> None:
    keys = importance_keys(model)
    _header(sheet, 1, [MINERAL, *map(importance_label, keys)], [24] + [14] * len(keys))
    sheet.row_dimensions[1].height = 75
    for c, key in enumerate([KEY_LABEL, *keys], start=1):
        _put(sheet, 2, c, key, KEY_FONT, GREY_FILL)
    levels = [state.sectors.level, state.defense.level]
    for i, mineral in enumerate(model.minerals):
        _put(sheet, i + 3, 1, mineral, Font(bold=True))
        row = [level_name(code) for matrix in levels for code in matrix[i]]
        for c, name in enumerate(row, start=2):
            _put(sheet, i + 3, c, name)
    last = f"{get_column_letter(len(keys) + 1)}{len(model.minerals) + 2}"
    _choices(sheet, LEVEL_NAMES, f"B3:{last}", "Importance level")
    sheet.freeze_panes = "B3"


def _write_nir(sheet, model: ExposureModel, state: ModelState) -> None:
    _header(sheet, 1, list(NIR_HEADERS), [24, 10, 10, 40])
    for i, mineral in enumerate(model.minerals, start=2):
        pct, qualifier = state.nir_pct[i - 2], str(state.nir_qualifier[i - 2])
        _put(sheet, i, 1, mineral, Font(bold=True))
        _put(sheet, i, 2, None if qualifier in ("E", "NA") or math.isnan(pct) else float(pct))
        _put(sheet, i, 3, qualifier)
        _put(sheet, i, 4, str(state.nir_edition[i - 2]), NOTE_FONT, GREY_FILL)
    rows = len(model.minerals) + 1
    rule = DataValidation(type="decimal", operator="between", formula1="0", formula2="100",
                          allow_blank=True, showErrorMessage=True, errorTitle="NIR %",
                          error="Net import reliance is a percent from 0 to 100 (blank for E or NA)")
    sheet.add_data_validation(rule)
    rule.add(f"B2:B{rows}")
    _choices(sheet, QUALIFIERS, f"C2:C{rows}", "NIR qualifier")
    sheet.freeze_panes = "B2"


def _write_edits(sheet, edits: tuple[Edit, ...]) -> None:
    headers = edit_headers()
    _header(sheet, 1, headers, [5, 18] + [14] * len(edit_fields()) + [60])
    for r, edit in enumerate(edits, start=2):
        _put(sheet, r, 1, r - 1)
        data = edit.to_json()
        for c, name in enumerate(headers[1:-1], start=2):
            value = data.get(name)
            _put(sheet, r, c, format_shares(value) if isinstance(value, dict) else value)
        _put(sheet, r, len(headers), edit.describe(), NOTE_FONT, GREY_FILL)
    last = len(edits) + 1 + EXTRA_EDIT_ROWS
    column = {name: get_column_letter(c) for c, name in enumerate(headers, start=1)}
    _choices(sheet, list(EDIT_TYPES), f"{column[EDIT_KIND]}2:{column[EDIT_KIND]}{last}", "Edit kind")
    for name, values in (("level", LEVEL_NAMES), ("qualifier", QUALIFIERS), ("member", ("TRUE", "FALSE"))):
        if name in column:
            _choices(sheet, values, f"{column[name]}2:{column[name]}{last}", name)
    sheet.freeze_panes = "C2"


# --- reading back -------------------------------------------------------------------------------
def read_assumptions(path: str | Path, loaded: LoadedData, options: AnalysisOptions,
                     scenario: Scenario | None = None, reference: Reference | None = None) -> AssumptionsPlan:
    """Check every cell of an edited assumptions workbook and plan the scenario edits it implies.

    Raises AssumptionsError (an InputError) naming every bad cell; nothing is changed then.
    """
    path = Path(path)
    model, base, n_years = _model_and_state(loaded, options, reference)
    parsed = parse_assumptions(path, model, base, n_years, options.nir_year)
    current = scenario.edits if scenario else ()
    edits = list(parsed.edits)
    changes = _edit_changes(current, edits)
    state = parsed.state
    for mineral_index, mineral in enumerate(model.minerals):
        for key in importance_keys(model):
            family, _, name = key.partition(":")
            matrix = state.sectors if family == "sector" else state.defense
            old = level_name(matrix.level[mineral_index, matrix.keys.index(name)])
            new = parsed.importance[mineral, key]
            if new != old:
                edits.append(ImportanceOverride(mineral, key, new))
                changes.append(f"{_cap(mineral)} importance for {importance_label(key)}: {old} → {new}")
    front = 0
    for mineral_index, mineral in enumerate(model.minerals):
        old = (float(state.nir_pct[mineral_index]), str(state.nir_qualifier[mineral_index]))
        new = parsed.nir[mineral]
        if not same_nir(old, new):
            edit = NirOverride(mineral, new[0] if new[1] not in ("E", "NA") else 0.0, new[1])
            if any(_covers_nir(model, e, mineral) for e in edits):
                edits.append(edit)
            else:               # first in the list, so every supply cut sees the new NIR
                edits.insert(front, edit)
                front += 1
            changes.append(f"{_cap(mineral)} NIR: {_nir_text(*old)} → {_nir_text(*new)}")
    notes = []
    file_scenario = parsed.meta.get(META_SCENARIO, "")
    current_name = scenario.name if scenario else ""
    if file_scenario != current_name:
        notes.append(f"The file was exported from {_scenario_label(file_scenario)}; its values are "
                     f"compared with {_scenario_label(current_name)}.")
    return AssumptionsPlan(path, tuple(edits), changes, notes, file_scenario)


def _edit_changes(old: tuple[Edit, ...], new: list[Edit]) -> list[str]:
    """'Edit 3 removed: ...' lines for the differences between two edit lists."""
    a, b = [_edit_key(e) for e in old], [_edit_key(e) for e in new]
    lines = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        olds, pairs = list(range(i1, i2)), {}
        for j in range(j1, j2):        # a replaced row of the same kind reads as "changed"
            i = next((i for i in olds if old[i].kind == new[j].kind), None)
            if i is not None and (not pairs or i > max(pairs)):
                pairs[i] = j
                olds = [k for k in olds if k > i]
        for i in range(i1, i2):
            lines.append(f"Edit {i + 1} changed: {old[i].describe()} → {new[pairs[i]].describe()}"
                         if i in pairs else f"Edit {i + 1} removed: {old[i].describe()}")
        lines += [f"New edit {j + 1}: {new[j].describe()}" for j in range(j1, j2) if j not in pairs.values()]
    return lines


def _edit_key(edit: Edit) -> str:
    def norm(value):
        if isinstance(value, dict):
            return {k: norm(v) for k, v in value.items()}
        return float(value) if isinstance(value, int) and not isinstance(value, bool) else value
    return json.dumps(norm(edit.to_json()), sort_keys=True)


def _covers_nir(model: ExposureModel, edit: Edit, mineral: str) -> bool:
    if not isinstance(edit, NirOverride):
        return False
    units = {model.reference.analysis_unit(n) for n in edit.mineral.split(",")}
    return edit.mineral == ALL or mineral in units


def _nir_text(pct: float, qualifier: str) -> str:
    if qualifier == "E":
        return "E (net exporter)"
    if qualifier == "NA" or math.isnan(pct):
        return "NA (not available)"
    return f"{'' if qualifier == '=' else qualifier}{pct:g}%"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _scenario_label(name: str) -> str:
    return f"scenario '{name}'" if name else "the baseline (no scenario)"
