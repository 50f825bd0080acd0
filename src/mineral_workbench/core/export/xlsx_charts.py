"""Native Excel charts: sector exposure (baseline vs scenario) and top suppliers.

Charts reference cells, so they follow the analyst's edits like the formulas do: the supplier
chart reads a small 'Chart data' block of SUMIFS over the Suppliers sheet.
"""

from __future__ import annotations

from openpyxl.chart import BarChart, Reference, Series
from openpyxl.chart.data_source import StrRef
from openpyxl.chart.series import SeriesLabel
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break

from .bundle import ExportBundle
from .xlsx_metrics import HEADER_ROW
from .xlsx_write import NOTE_FONT, SHARE, TEXT, Column, Formula, SheetWriter

CHART_MINERALS = 8        # most exposed minerals in the supplier chart
SUPPLIERS_EACH = 3        # a partner enters the chart when it is among a mineral's top 3
MAX_PARTNERS = 8          # the rest are "All other partners"
PALETTE = ("C00000", "1F4E79", "70AD47", "FFC000", "7030A0", "00B0F0", "ED7D31", "A5A5A5")
OTHER = "D9D9D9"
ROW_CM = 0.53             # height of a default (15 pt) row


def write_chart_data(workbook, bundle: ExportBundle) -> tuple[str, int, int, int]:
    """Shares of the top partners of the most exposed minerals (live SUMIFS over Suppliers).

    Returns (sheet title, first data row, last data row, number of series)."""
    top = list(bundle.top_minerals(CHART_MINERALS).index)
    view = bundle.supply()
    index = {m: i for i, m in enumerate(view.minerals)}
    totals = view.v.sum(axis=1)
    weight: dict[int, float] = {}
    for mineral in top:
        row = view.v[index[mineral]]
        for j in row.argsort()[::-1][:SUPPLIERS_EACH]:
            if row[j] > 0:
                weight[j] = weight.get(j, 0.0) + row[j] / totals[index[mineral]]
    partners = sorted(weight, key=lambda j: (-weight[j], view.partners[j]))[:MAX_PARTNERS]
    headers = ["Mineral"] + [str(view.names[j]) for j in partners] + ["All other partners"]
    columns = [Column("Mineral", 16)] + [Column(h, 13, SHARE) for h in headers[1:]]
    sheet = SheetWriter(workbook, "Chart data", bundle.marking, columns, freeze=(HEADER_ROW + 1, 2))
    sheet.header()
    code_row = sheet.values_row(["Partner code"] + [view.partners[j] for j in partners] + [""],
                                fmts=[None] + [TEXT] * (len(headers) - 1))
    first = code_row + 1
    for r, mineral in enumerate(top, first):
        cells = [mineral]
        for c in range(2, len(partners) + 2):
            letter = get_column_letter(c)
            cells.append(Formula(f"=SUMIFS(Suppliers_Share,Suppliers_Mineral,$A{r},"
                                 f"Suppliers_Code,{letter}${code_row})"))
        end = get_column_letter(len(partners) + 1)
        cells.append(Formula(f"=MAX(0,1-SUM(B{r}:{end}{r}))" if partners else "=1"))
        sheet.values_row(cells)
    last = first + len(top) - 1
    sheet.blank()
    sheet.append([sheet.cell("Shares of each mineral's import value over the chosen years "
                             "(live formulas over the Suppliers sheet); used by the Summary chart.",
                             font=NOTE_FONT)])
    return sheet.title, first, last, len(partners) + 1


def supplier_chart(bundle: ExportBundle, title: str, first: int, last: int, n_series: int) -> BarChart:
    chart = _bar(f"Top suppliers of the most exposed minerals, {bundle.years_text}",
                 "Mineral", f"Share of the mineral's US import value, {bundle.years_text}")
    chart.grouping = "stacked"
    chart.overlap = 100
    for k in range(n_series):
        col = 2 + k
        series = Series(column_ref(title, col, first, last), title=None)
        series.tx = SeriesLabel(strRef=StrRef(f"'{title}'!${get_column_letter(col)}${HEADER_ROW}"))
        colour = OTHER if k == n_series - 1 else PALETTE[k % len(PALETTE)]
        series.graphicalProperties = GraphicalProperties(solidFill=colour)
        series.graphicalProperties.line.solidFill = colour
        chart.series.append(series)
    chart.set_categories(column_ref(title, 1, first, last))
    chart.y_axis.scaling.max = 1
    chart.height = 12
    return chart


def sector_chart(bundle: ExportBundle, title: str, first: int, last: int) -> BarChart:
    """Weakest link and weighted mean per sector; baseline beside scenario when there is one.

    Columns of the Sectors sheet: B sector, D weakest link, E weighted mean, K/L baseline."""
    what = "baseline vs scenario" if bundle.scenario else "baseline"
    chart = _bar(f"Sector exposure, {what} ({bundle.years_text}, {bundle.group_phrase})",
                 "NSM-22 sector", "Share of US apparent consumption at risk")
    if bundle.scenario:
        series = [(11, "Weakest link, baseline", "9DC3E6"), (4, "Weakest link, scenario", "1F4E79"),
                  (12, "Weighted mean, baseline", "F8CBAD"), (5, "Weighted mean, scenario", "C55A11")]
    else:
        series = [(4, "Weakest link", "1F4E79"), (5, "Importance-weighted mean", "C55A11")]
    for col, label, colour in series:
        s = Series(column_ref(title, col, first, last), title=label)
        s.graphicalProperties = GraphicalProperties(solidFill=colour)
        s.graphicalProperties.line.solidFill = colour
        chart.series.append(s)
    chart.set_categories(column_ref(title, 2, first, last))
    chart.height = 16 if bundle.scenario else 13
    return chart


def add_charts(summary_ws, bundle: ExportBundle, sectors: tuple[str, int, int],
               chart_data: tuple[str, int, int, int], anchor_row: int) -> None:
    """Sector chart, then the supplier chart, each starting a printed page of the Summary
    (a chart cut across two pages is unreadable)."""
    sector = sector_chart(bundle, *sectors)
    summary_ws.row_breaks.append(Break(id=anchor_row - 1))
    summary_ws.add_chart(sector, f"A{anchor_row}")
    below = anchor_row + int(sector.height / ROW_CM) + 2
    if chart_data[2] >= chart_data[1]:
        summary_ws.row_breaks.append(Break(id=below - 1))
        summary_ws.add_chart(supplier_chart(bundle, *chart_data), f"A{below}")


def column_ref(title: str, col: int, first: int, last: int) -> Reference:
    """A column range by sheet title (write-only sheets cannot be handed to Reference)."""
    return Reference(range_string=f"'{title}'!${get_column_letter(col)}${first}:"
                                  f"${get_column_letter(col)}${max(last, first)}")


def _bar(title: str, category_axis: str, value_axis: str) -> BarChart:
    chart = BarChart()
    chart.type = "bar"                    # horizontal bars: long sector names stay readable
    chart.style = 10
    chart.title = title
    chart.x_axis.title = category_axis
    chart.y_axis.title = value_axis
    chart.y_axis.number_format = "0%"
    chart.y_axis.scaling.min = 0
    chart.x_axis.scaling.orientation = "maxMin"   # first row at the top
    chart.x_axis.delete = False                   # openpyxl >= 3.1 hides axes unless told
    chart.y_axis.delete = False
    chart.legend.position = "b"
    chart.gapWidth = 60
    chart.width = 26
    return chart

