"""Suppliers, Minerals, Sectors/Defense and the importance matrices.

Suppliers holds every (mineral, partner) import value; shares, HHI, top-supplier share, group
share and consumption at risk on the Minerals and Summary sheets are live formulas over it
(through workbook names such as `Suppliers_Value`), so an analyst who edits a value in Excel
sees them recalculate. Beside each live column a hidden "(workbench)" column keeps the core's
number, for audit and for tests.
"""

from __future__ import annotations

from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName

from .bundle import ExportBundle
from .xlsx_write import (
    BOLD, HHI, IMPORTANCE, PCT, SHARE, TEXT, USD, Column, Formula, SheetWriter)

HEADER_ROW = 2            # row 1 is the classification banner
FIRST = HEADER_ROW + 1

SUPPLIERS = "Suppliers"
SUPPLIER_COLUMNS = [
    Column("Mineral", 16), Column("Partner code", 12, TEXT), Column("Partner", 30),
    Column("Value (USD)", 17, USD), Column("Share of the mineral's imports", 16, SHARE),
    Column("In country group (1 = member)", 16, "0"), Column("Partner kind", 12),
    Column("Share (workbench)", 12, SHARE, hidden=True),
]
#: workbook name -> Suppliers column (1-based)
SUPPLIER_NAMES = {"Suppliers_Mineral": 1, "Suppliers_Code": 2, "Suppliers_Value": 4,
                  "Suppliers_Share": 5, "Suppliers_InGroup": 6, "Suppliers_Kind": 7}


def define_supplier_names(workbook, n_rows: int) -> None:
    last = FIRST + max(n_rows, 1) - 1
    for name, col in SUPPLIER_NAMES.items():
        letter = get_column_letter(col)
        workbook.defined_names[name] = DefinedName(
            name, attr_text=f"'{SUPPLIERS}'!${letter}${FIRST}:${letter}${last}")


def write_suppliers(workbook, bundle: ExportBundle) -> int:
    """Long table: every mineral x partner with value; share = value / mineral total (live)."""
    rows = bundle.supplier_rows()
    sheet = SheetWriter(workbook, SUPPLIERS, bundle.marking, SUPPLIER_COLUMNS, freeze=(FIRST, 2))
    sheet.header()
    for r, item in enumerate(rows.itertuples(index=False), FIRST):
        share = Formula(f"=IFERROR(D{r}/SUMIFS(Suppliers_Value,Suppliers_Mineral,A{r}),0)")
        sheet.values_row([item.mineral, item.partner_code, item.partner, item.value_usd, share,
                          item.in_group, item.kind, item.share])
    last = FIRST + len(rows) - 1
    sheet.table("tblSuppliers", HEADER_ROW, last)
    sheet.data_bar(5, FIRST, last)
    define_supplier_names(workbook, len(rows))
    return len(rows)


# --- live formulas over the Suppliers sheet ----------------------------------------------------
def live_formulas(r: int, col: dict[str, str]) -> dict[str, Formula]:
    """Formulas of row `r`; `col` gives the letters of mineral, value, group, nir and qualifier."""
    m, v = f"${col['mineral']}{r}", f"{col['value']}{r}"

    def when_imports(expr: str) -> Formula:
        return Formula(f'=IF({v}>0,{expr},"n/a")')

    def share_of(criteria: str) -> Formula:
        return when_imports(f"SUMIFS(Suppliers_Share,Suppliers_Mineral,{m},{criteria})")

    nir, q, g = f"{col['nir']}{r}", f"{col['qualifier']}{r}", f"{col['group']}{r}"
    return {
        "import_value_usd": Formula(f"=SUMIFS(Suppliers_Value,Suppliers_Mineral,{m})"),
        "hhi": when_imports(f"10000*SUMPRODUCT((Suppliers_Mineral={m})*Suppliers_Share^2)"),
        # SUMPRODUCT evaluates the array without Ctrl+Shift+Enter in every Excel (MAXIFS needs
        # 2019+); shares are never negative, so the masked maximum is the largest share.
        "top_supplier_share": when_imports(f"SUMPRODUCT(MAX((Suppliers_Mineral={m})*Suppliers_Share))"),
        "group_share": share_of("Suppliers_InGroup,1"),
        "aggregate_share": share_of('Suppliers_Kind,"aggregate"'),
        "unmapped_share": share_of('Suppliers_Kind,"unmapped"'),
        "car": Formula(f'=IF({q}="E",0,IF(AND(ISNUMBER({nir}),ISNUMBER({g})),{nir}/100*{g},"n/a"))'),
    }


LIVE = ("import_value_usd", "hhi", "top_supplier_share", "group_share", "aggregate_share",
        "unmapped_share", "car")

#: (key, column) of the Minerals sheet; keys in LIVE are formulas, the rest the core's values
MINERAL_LAYOUT = [
    ("mineral", Column("Mineral", 16)),
    ("import_value_usd", Column("Import value (USD)", 17, USD)),
    ("hhi", Column("HHI (0–10,000)", 11, HHI)),
    ("top_supplier", Column("Top supplier", 20)),
    ("top_supplier_code", Column("Top supplier code", 10, TEXT)),
    ("top_supplier_share", Column("Top supplier share", 11, SHARE)),
    ("group_share", Column("Country-group share", 11, SHARE)),
    ("aggregate_share", Column("Aggregate-partner share", 11, SHARE)),
    ("unmapped_share", Column("Unmapped-partner share", 11, SHARE)),
    ("nir_pct", Column("NIR (%)", 8, PCT)),
    ("nir_qualifier", Column("NIR qualifier", 9)),
    ("nir_edition", Column("NIR edition", 16)),
    ("car", Column("Consumption at risk", 13, SHARE)),
    ("consumption_lost", Column("Consumption lost (scenario)", 13, SHARE)),
    ("added_tariff_cost_usd", Column("Added tariff cost (USD/yr)", 15, USD)),
    ("derivative_import_value_usd", Column("Derivative-product imports (USD)", 17, USD)),
    ("world_hhi", Column("World-production HHI", 11, HHI)),
    ("group_world_share", Column("Group share of world production", 12, SHARE)),
    ("world_basis", Column("World-production basis", 34, wrap=True)),
    ("flags", Column("Flags", 44, wrap=True)),
] + [(f"{key}@core", Column(f"{label} (workbench)", 12, fmt, hidden=True)) for key, label, fmt in (
    ("import_value_usd", "Import value", USD), ("hhi", "HHI", HHI),
    ("top_supplier_share", "Top supplier share", SHARE), ("group_share", "Country-group share", SHARE),
    ("aggregate_share", "Aggregate share", SHARE), ("unmapped_share", "Unmapped share", SHARE),
    ("car", "Consumption at risk", SHARE))]
MINERAL_KEYS = [k for k, _ in MINERAL_LAYOUT]


def mineral_letters(layout_keys: list[str]) -> dict[str, str]:
    def at(key):
        return get_column_letter(layout_keys.index(key) + 1)
    return {"mineral": at("mineral"), "value": at("import_value_usd"), "group": at("group_share"),
            "nir": at("nir_pct"), "qualifier": at("nir_qualifier")}


def mineral_row_values(keys: list[str], mineral: str, row, formulas: dict) -> list:
    values = []
    for key in keys:
        if key == "mineral":
            values.append(mineral)
        elif key.endswith("@core"):
            values.append(row[key[:-5]])
        elif key in formulas:
            values.append(formulas[key])
        else:
            values.append(row[key])
    return values


def write_minerals(workbook, bundle: ExportBundle) -> dict[str, int]:
    """Every per-mineral metric, one row per mineral (same order in every export)."""
    frame = bundle.minerals()
    sheet = SheetWriter(workbook, "Minerals", bundle.marking, [c for _, c in MINERAL_LAYOUT],
                        pages_wide=2, freeze=(FIRST, 2), banner_span=MINERAL_KEYS.index("car") + 1)
    sheet.header()
    letters = mineral_letters(MINERAL_KEYS)
    rows = {}
    for r, (mineral, row) in enumerate(frame.iterrows(), FIRST):
        sheet.values_row(mineral_row_values(MINERAL_KEYS, mineral, row, live_formulas(r, letters)))
        rows[mineral] = r
    last = FIRST + len(frame) - 1
    sheet.table("tblMinerals", HEADER_ROW, last)
    for key, low, mid, high in (("hhi", 0, 2500, 10000), ("group_share", 0, 0.5, 1), ("car", 0, 0.5, 1)):
        sheet.colour_scale(MINERAL_KEYS.index(key) + 1, FIRST, last, low, mid, high)
    return rows


ROLLUP_COLUMNS = [
    ("weakest_link", Column("Weakest link", 11, SHARE)),
    ("weighted_mean", Column("Importance-weighted mean", 12, SHARE)),
    ("driving_mineral", Column("Driving mineral", 15)),
    ("driving_basis", Column("Driver importance basis", 17)),
    ("minerals", Column("Minerals with importance", 11, "0")),
    ("high_importance_minerals", Column("High-importance minerals", 11, "0")),
    ("minerals_without_car", Column("Minerals without CaR", 11, "0")),
    ("weakest_link@baseline", Column("Weakest link, baseline", 11, SHARE)),
    ("weighted_mean@baseline", Column("Weighted mean, baseline", 12, SHARE)),
]


def write_rollup(workbook, bundle: ExportBundle, kind: str) -> tuple[str, int, int]:
    """Sectors (kind 'sectors') or defense-use categories ('defense'): exposure per row.

    Returns (sheet title, first data row, last data row) for the charts."""
    sectors = kind == "sectors"
    title = "Sectors" if sectors else "Defense uses"
    key = "sector" if sectors else "category"
    frame = getattr(bundle.result, kind)
    base = getattr(bundle.baseline, kind).set_index(key)
    lead = ([("sector_id", Column("Sector ID", 9, TEXT)), ("sector", Column("Sector (NSM-22)", 34)),
             ("agency", Column("Sector Risk Management Agency", 34, wrap=True))] if sectors
            else [("category", Column("Defense-use category", 34))])
    layout = lead + ROLLUP_COLUMNS
    sheet = SheetWriter(workbook, title, bundle.marking, [c for _, c in layout], freeze=(FIRST, 2))
    sheet.header()
    agency = dict(zip(bundle.reference.sectors["name"], bundle.reference.sectors["agency"]))
    for _, row in frame.iterrows():
        values = []
        for k, _ in layout:
            if k == "agency":
                values.append(agency.get(row["sector"], ""))
            elif k.endswith("@baseline"):
                values.append(base.at[row[key], k.split("@")[0]])
            else:
                values.append(row[k])
        sheet.values_row(values)
    last = FIRST + len(frame) - 1
    sheet.table("tblSectors" if sectors else "tblDefense", HEADER_ROW, last)
    keys = [k for k, _ in layout]
    for k in ("weakest_link", "weighted_mean", "weakest_link@baseline", "weighted_mean@baseline"):
        sheet.colour_scale(keys.index(k) + 1, FIRST, last, 0, 0.5, 1)
    return title, FIRST, last


def write_matrix(workbook, bundle: ExportBundle, kind: str, mineral_rows: dict[str, int]) -> None:
    """Mineral x sector (or defense category) importance, as a heat map; CaR links to Minerals."""
    view = bundle.supply()
    matrix = view.sectors if kind == "sectors" else view.defense
    weights = matrix.weights(dict(bundle.options.weights))
    title = "Sector matrix" if kind == "sectors" else "Defense matrix"
    car_col = get_column_letter(MINERAL_KEYS.index("car") + 1)
    columns = [Column("Mineral", 16), Column("Consumption at risk", 13, SHARE)] + [
        Column(k, 16, IMPORTANCE) for k in matrix.keys]
    sheet = SheetWriter(workbook, title, bundle.marking, columns, freeze=(FIRST, 3))
    sheet.header()
    for i, mineral in enumerate(matrix.minerals):
        link = Formula(f"=Minerals!{car_col}{mineral_rows[mineral]}")
        cells = [w if w > 0 else None for w in weights[i]]
        sheet.values_row([mineral, link] + cells, na=None)
    last = FIRST + len(matrix.minerals) - 1
    sheet.table("tblSectorMatrix" if kind == "sectors" else "tblDefenseMatrix", HEADER_ROW, last)
    sheet.colour_scale(2, FIRST, last, 0, 0.5, 1)
    sheet.heat_map(f"C{FIRST}:{get_column_letter(len(columns))}{last}")
    w = dict(bundle.options.weights)
    note = ("Importance of each mineral to each "
            + ("NSM-22 sector" if kind == "sectors" else "defense-use category")
            + f" (weights high {w['high']:g} / medium {w['medium']:g} / low {w['low']:g}); "
            "exposure = weight x consumption at risk. Sources: see the Sources sheet.")
    sheet.blank()
    sheet.append([sheet.cell(note, font=BOLD)])
